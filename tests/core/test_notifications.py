from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.core import mail

from zoneops.accounts.models import Role, Zone
from zoneops.core.models import Delivery, DeliveryStatus, Notification, WebhookEndpoint
from zoneops.core.selectors import unread_notification_count
from zoneops.core.services import notification_mark_read, notify, site_link
from zoneops.core.tasks import deliver, webhook_payload

pytestmark = pytest.mark.django_db(transaction=False)


class _Hook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        _Hook.received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"errcode":0}')

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def hook_server() -> Iterator[str]:
    _Hook.received = []
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/robot"
    server.shutdown()


def _run_on_commit(django_capture_on_commit_callbacks: Any, **kwargs: Any) -> list[Notification]:
    with django_capture_on_commit_callbacks(execute=True):
        return notify(**kwargs)


def test_notify_a_role_fills_inboxes_sends_mail_and_posts_webhooks_once(
    zone: Zone, hook_server: str, django_capture_on_commit_callbacks: Any
) -> None:
    WebhookEndpoint.objects.create(
        zone=zone, name="督查群", kind="wecom", url=hook_server, roles=["supervisor"]
    )
    WebhookEndpoint.objects.create(
        zone=zone, name="招商群", kind="dingtalk", url=hook_server, roles=["leader"]
    )
    created = _run_on_commit(
        django_capture_on_commit_callbacks,
        zone=zone,
        event_key="test:1",
        title="逾期提醒",
        body="项目月报未报",
        link="/projects/1/",
        roles=[Role.SUPERVISOR],
    )
    assert [n.recipient.username for n in created] == ["supervisor"]
    assert [m.to for m in mail.outbox] == [["supervisor@demo.zoneops.example.cn"]]
    assert mail.outbox[0].subject == "逾期提醒"
    assert _Hook.received == [
        {"msgtype": "markdown", "markdown": {"content": "**逾期提醒**\n\n项目月报未报\n\n/projects/1/"}}
    ]
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}

    # The same event again (a periodic job repeating itself): nobody is told twice.
    again = _run_on_commit(
        django_capture_on_commit_callbacks,
        zone=zone,
        event_key="test:1",
        title="逾期提醒",
        roles=[Role.SUPERVISOR],
    )
    assert again == []
    assert len(mail.outbox) == 1
    assert len(_Hook.received) == 1
    assert Notification.objects.filter(event_key="test:1").count() == 1


def test_delivery_is_claimed_once_even_if_the_job_runs_twice(zone: Zone, user_of: Any) -> None:
    n = Notification.objects.create(
        zone=zone,
        recipient=user_of("leader"),
        event_key="k",
        title="t",
        created_at="2022-05-08T09:00:00+08:00",
    )
    d = Delivery.objects.create(
        zone=zone,
        channel="email",
        event_key="k",
        notification=n,
        address="leader@x.cn",
        title="t",
        created_at="2022-05-08T09:00:00+08:00",
    )
    assert deliver([d.pk, d.pk]) == 1
    assert deliver([d.pk]) == 0
    assert len(mail.outbox) == 1


def test_failed_webhook_is_kept_for_retry_with_its_error(
    zone: Zone, django_capture_on_commit_callbacks: Any
) -> None:
    # Port 9 on loopback: nothing listens, the connection is refused at once.
    WebhookEndpoint.objects.create(zone=zone, name="dead", kind="generic", url="http://127.0.0.1:9/x")
    _run_on_commit(
        django_capture_on_commit_callbacks, zone=zone, event_key="e2", title="t", roles=[Role.LEADER]
    )
    failed = Delivery.objects.get(channel="webhook", event_key="e2")
    assert failed.status == DeliveryStatus.PENDING
    assert failed.attempts == 1
    assert "refused" in failed.last_error.lower()


def test_inbox_count_and_mark_read(zone: Zone, user_of: Any, django_capture_on_commit_callbacks: Any) -> None:
    leader = user_of("leader")
    # The demo leaves the leader the escalations of four overdue supervision items, unread.
    assert unread_notification_count(user=leader) == 4
    for key in ("a", "b"):
        _run_on_commit(
            django_capture_on_commit_callbacks, zone=zone, event_key=key, title=key, users=[leader]
        )
    assert unread_notification_count(user=leader) == 6
    assert notification_mark_read(user=leader) == 6
    assert unread_notification_count(user=leader) == 0
    assert notification_mark_read(user=leader) == 0


def test_webhook_payload_shapes() -> None:
    assert webhook_payload(kind="dingtalk", title="T", body="B", link="") == {
        "msgtype": "markdown",
        "markdown": {"title": "T", "text": "**T**\n\nB"},
    }
    assert webhook_payload(kind="generic", title="T", body="B", link="/x") == {
        "title": "T",
        "body": "B",
        "link": "/x",
    }


def test_people_without_a_login_are_told_by_email_once(
    zone: Zone, user_of: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.SITE_URL = "https://zoneops.example.gov.cn"
    supervisor = user_of("supervisor")
    kwargs: dict[str, Any] = {
        "zone": zone,
        "event_key": "test:contacts",
        "title": "工单已答复",
        "body": "请确认",
        "link": "/orders/rate/abc/",
        "users": [supervisor],
        # A contact twice, one in other case as a user's address, one blank: two e-mails in all.
        "addresses": ["wang@hp.example.cn", "wang@hp.example.cn ", supervisor.email.upper(), ""],
    }
    created = _run_on_commit(django_capture_on_commit_callbacks, **kwargs)
    assert [n.recipient.username for n in created] == ["supervisor"]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "supervisor@demo.zoneops.example.cn",
        "wang@hp.example.cn",
    ]
    contact_mail = next(m for m in mail.outbox if m.to == ["wang@hp.example.cn"])
    assert contact_mail.body == "请确认\n\nhttps://zoneops.example.gov.cn/orders/rate/abc/"
    outside = Delivery.objects.get(address="wang@hp.example.cn")
    assert (outside.notification_id, outside.webhook_id, outside.status) == (None, None, DeliveryStatus.SENT)

    again = _run_on_commit(django_capture_on_commit_callbacks, **kwargs)
    assert again == []
    assert len(mail.outbox) == 2
    assert Delivery.objects.filter(event_key="test:contacts").count() == 2


def test_no_mail_to_contacts_when_mail_is_off(zone: Zone, settings: Any) -> None:
    settings.NOTIFY_EMAIL_ENABLED = False
    notify(zone=zone, event_key="test:off", title="x", addresses=["wang@hp.example.cn"])
    assert not Delivery.objects.filter(event_key="test:off").exists()


@pytest.mark.parametrize(
    ("site", "path", "whole"),
    [
        ("https://zoneops.example.gov.cn", "/orders/1/", "https://zoneops.example.gov.cn/orders/1/"),
        ("", "/orders/1/", "/orders/1/"),
        ("https://zoneops.example.gov.cn", "https://elsewhere.example/x", "https://elsewhere.example/x"),
        ("https://zoneops.example.gov.cn", "", ""),
    ],
)
def test_site_link(settings: Any, site: str, path: str, whole: str) -> None:
    settings.SITE_URL = site
    assert site_link(path) == whole

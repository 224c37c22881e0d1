"""The orders API beyond the closed loop of ``test_orders``: attachments for every role, extensions,
and the ``deadline_state``, ``attachments`` and ``timeline`` of the answers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import ROLES
from tests.servicedesk.conftest import EXE, PDF, PNG, act, on, reach, stored_files
from zoneops.servicedesk import services
from zoneops.servicedesk.models import OrderAttachment, OrderRating, ServiceOrder

pytestmark = pytest.mark.django_db

SEES = ("hp", "admin", "leader", "supervisor", "invest")


def post_file(client: Any, order_id: int, name: str, content: bytes) -> Any:
    """A multipart POST of one file (the JSON client of ``tests.conftest`` sends JSON only)."""
    return client.client.post(
        f"/api/v1/orders/{order_id}/attachments",
        {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")},
        headers=client.headers,
    )


@pytest.mark.parametrize("username", ROLES)
def test_attachments_for_every_role(api_en: Any, media: Path, username: str) -> None:
    order = reach("dispatched")
    response = post_file(api_en(username), order.pk, "C:\\docs\\合同.pdf", PDF)
    if username in ("hp", "admin", "invest"):
        assert response.status_code == 201, response.content
        attachment = OrderAttachment.objects.get(order=order)
        body = response.json()
        assert body == {
            "id": attachment.pk,
            "name": "合同.pdf",
            "content_type": "application/pdf",
            "size": len(PDF),
            "uploaded_at": body["uploaded_at"],
            "url": f"/orders/files/{attachment.pk}/",
        }
        # The API answers moments to the millisecond.
        moment = attachment.uploaded_at
        assert dt.datetime.fromisoformat(body["uploaded_at"]) == moment.replace(
            microsecond=moment.microsecond // 1000 * 1000
        )
        assert attachment.uploaded_by is not None
        assert attachment.uploaded_by.username == username
        assert [p.read_bytes() for p in stored_files(media)] == [PDF]
        return
    # Leaders and the supervision office read the order but add nothing; the others do not see it.
    assert response.status_code == (403 if username in SEES else 404)
    assert response.json()["errors"] == []
    assert order.attachments.count() == 0
    assert order.events.count() == 3
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", EXE, "Attach a PDF, an image (JPEG, PNG, WebP) or an Office document."),
        (
            "note.pdf",
            b"plain text, not a PDF",
            "Attach a PDF, an image (JPEG, PNG, WebP) or an Office document.",
        ),
        (
            "big.pdf",
            b"%PDF-" + bytes(services.ATTACHMENT_MAX_BYTES - 4),
            "The file is larger than 20 MB.",
        ),
    ],
    ids=["exe", "text", "over-20-mb"],
)
def test_a_refused_attachment_writes_nothing(
    api_en: Any, media: Path, name: str, content: bytes, message: str
) -> None:
    order = reach("dispatched")
    events = order.events.count()
    response = post_file(api_en("hp"), order.pk, name, content)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "file", "message": message}]
    assert (order.attachments.count(), order.events.count()) == (0, events)
    assert stored_files(media) == []


def test_attachments_go_to_open_orders_up_to_ten(api_en: Any, media: Path) -> None:
    order = reach("answered")
    client = api_en("hp")
    for n in range(10):
        assert post_file(client, order.pk, f"{n}.png", PNG).status_code == 201
    eleventh = post_file(client, order.pk, "10.png", PNG)
    assert eleventh.status_code == 422
    assert eleventh.json()["errors"] == [{"field": "file", "message": "An order holds at most 10 files."}]
    closed = reach("closed")
    late = post_file(client, closed.pk, "late.pdf", PDF)
    assert late.status_code == 422
    assert late.json()["errors"] == [
        {"field": "file", "message": "Files can be attached to open orders only."}
    ]
    assert (order.attachments.count(), closed.attachments.count(), len(stored_files(media))) == (10, 0, 10)


def test_an_attachment_needs_a_file_and_a_login(api_en: Any) -> None:
    order = reach("dispatched")
    missing = api_en("hp").client.post(
        f"/api/v1/orders/{order.pk}/attachments", {}, headers=api_en("hp").headers
    )
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["file"]
    anonymous = Client().post(
        f"/api/v1/orders/{order.pk}/attachments", {"file": SimpleUploadedFile("a.pdf", PDF)}
    )
    assert anonymous.status_code == 401
    assert order.attachments.count() == 0


def test_the_detail_lists_attachments_and_the_timeline(api_en: Any) -> None:
    order = reach("dispatched")
    post_file(api_en("invest"), order.pk, "答复.pdf", PDF)
    body = api_en("hp").get(f"/api/v1/orders/{order.pk}").json()
    attachment = OrderAttachment.objects.get(order=order)
    assert [(a["id"], a["name"], a["content_type"], a["size"], a["url"]) for a in body["attachments"]] == [
        (attachment.pk, "答复.pdf", "application/pdf", len(PDF), f"/orders/files/{attachment.pk}/")
    ]
    assert [set(e) for e in body["timeline"]] == [{"at", "actor", "action", "status_after", "note"}] * 4
    assert [(e["action"], e["actor"], e["status_after"], e["note"]) for e in body["timeline"]] == [
        ("submit", "hp", "submitted", ""),
        ("accept", "admin", "accepted", ""),
        ("dispatch", "admin", "dispatched", ""),
        ("attach", "invest", "dispatched", "答复.pdf"),
    ]
    moments = [dt.datetime.fromisoformat(e["at"]) for e in body["timeline"]]
    assert moments == sorted(moments)


# --- extensions through the API ---------------------------------------------------------------------


def test_an_extension_is_requested_by_the_department_and_decided_by_the_office(api_en: Any) -> None:
    order = reach("in_progress")
    url = f"/api/v1/orders/{order.pk}"
    invest, admin, hp = api_en("invest"), api_en("admin"), api_en("hp")
    assert hp.post(f"{url}/request_extension", {"days": 3, "note": "x"}).status_code == 403
    asked = invest.post(f"{url}/request_extension", {"days": 3, "note": " 等待规划部门意见 "})
    assert asked.status_code == 200
    body = asked.json()
    assert (
        body["status"],
        body["extension_requested_days"],
        body["extension_reason"],
        body["extension_days"],
        body["resolve_due"],
    ) == ("in_progress", 3, "等待规划部门意见", 0, "2022-05-20")
    assert (body["timeline"][-1]["action"], body["timeline"][-1]["actor"]) == ("request_extension", "invest")
    again = invest.post(f"{url}/request_extension", {"days": 2, "note": "再次"})
    assert again.status_code == 422
    assert again.json()["errors"] == [
        {"field": "days", "message": "An extension request is waiting for a decision."}
    ]
    assert invest.post(f"{url}/decide_extension", {"approve": True}).status_code == 403
    undecided = admin.post(f"{url}/decide_extension", {})
    assert undecided.status_code == 422
    assert undecided.json()["errors"] == [
        {"field": "approve", "message": "Say whether the extension is approved."}
    ]
    approved = admin.post(f"{url}/decide_extension", {"approve": True}).json()
    assert (
        approved["extension_days"],
        approved["extension_requested_days"],
        approved["resolve_due"],
        approved["status"],
    ) == (3, None, "2022-05-25", "in_progress")
    assert [e["action"] for e in approved["timeline"]][-2:] == ["request_extension", "decide_extension"]


def test_a_refused_extension_through_the_api(api_en: Any) -> None:
    order = reach("dispatched")
    url = f"/api/v1/orders/{order.pk}"
    api_en("invest").post(f"{url}/request_extension", {"days": 10, "note": "材料多"})
    refused = api_en("admin").post(f"{url}/decide_extension", {"approve": False}).json()
    assert (refused["extension_days"], refused["extension_requested_days"], refused["resolve_due"]) == (
        0,
        None,
        "2022-05-20",
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"days": 0, "note": "x"}, "days"), ({"days": 31, "note": "x"}, "days"), ({"days": 3}, "note")],
)
def test_a_bad_extension_request_changes_nothing(api_en: Any, payload: dict[str, Any], field: str) -> None:
    order = reach("dispatched")
    response = api_en("invest").post(f"/api/v1/orders/{order.pk}/request_extension", payload)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert ServiceOrder.objects.get(pk=order.pk).extension_requested_days is None


def test_a_step_the_state_does_not_allow_answers_409_and_changes_nothing(api_en: Any) -> None:
    order = reach("answered")
    response = api_en("invest").post(f"/api/v1/orders/{order.pk}/request_extension", {"days": 2, "note": "x"})
    assert response.status_code == 409
    assert response.json() == {
        "detail": "An order that is answered does not allow this step: request an extension.",
        "errors": [],
    }
    assert ServiceOrder.objects.get(pk=order.pk).extension_requested_days is None


# --- deadline_state ---------------------------------------------------------------------------------


def test_the_deadline_state_of_the_answers(api_en: Any, zone: Any) -> None:
    dispatched = reach("dispatched")
    waiting = reach("waiting")
    answered = reach("answered")
    client = api_en("admin")

    def state(order: ServiceOrder) -> str:
        return str(client.get(f"/api/v1/orders/{order.pk}").json()["deadline_state"])

    assert [state(o) for o in (dispatched, waiting, answered)] == ["ok", "paused", "done"]
    with on(dt.date(2022, 5, 19)):
        services.escalate_overdue(zone=zone)
        assert [state(o) for o in (dispatched, waiting, answered)] == ["amber", "paused", "done"]
        listed = client.get("/api/v1/orders", status="dispatched").json()
        # The list answers the same field (the test's order, the newest, heads the zone's).
        assert [o["deadline_state"] for o in listed["items"] if o["id"] == dispatched.pk] == ["amber"]
    with on(dt.date(2022, 5, 23)):
        assert [state(o) for o in (dispatched, waiting, answered)] == ["overdue", "paused", "done"]


def test_the_answer_fields_through_the_api(api_en: Any) -> None:
    order = reach("dispatched")
    with on(dt.date(2022, 5, 23)):
        body = api_en("invest").post(f"/api/v1/orders/{order.pk}/answer", {"note": "已办结"}).json()
        act(order, "confirm")
        rated = api_en("hp").post(f"/api/v1/orders/{order.pk}/rate", {"rating": 3, "note": "一般"}).json()
    assert (
        body["answered_on"],
        body["resolve_working_days"],
        body["answered_on_time"],
        body["deadline_state"],
    ) == (
        "2022-05-23",
        11,
        False,
        "done",
    )
    assert (rated["status"], rated["rating"], rated["rating_comment"], rated["closed_on"]) == (
        "closed",
        3,
        "一般",
        "2022-05-23",
    )


# --- ratings on record and their follow-up ----------------------------------------------------------


@pytest.mark.parametrize("username", ROLES)
def test_the_follow_up_of_a_bad_rating_through_the_api_for_every_role(api_en: Any, username: str) -> None:
    order = reach("confirmed")
    with on(dt.date(2022, 5, 10)):
        act(order, "rate", rating=1, note="没解决")
    with on(dt.date(2022, 5, 11)):
        response = api_en(username).post(f"/api/v1/orders/{order.pk}/follow_up", {"note": "已电话回访"})
    rating = OrderRating.objects.get(order=order)
    if username == "admin":
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["status"], body["rating"]) == ("closed", 1)
        assert [(r["rating"], r["comment"]) for r in body["ratings"]] == [(1, "没解决")]
        assert body["ratings"][0]["followed_up_at"].startswith("2022-05-11T")
        assert (
            body["timeline"][-1]["action"],
            body["timeline"][-1]["actor"],
            body["timeline"][-1]["note"],
        ) == (
            "follow_up",
            "admin",
            "已电话回访",
        )
        assert rating.followed_up_by is not None
        assert rating.followed_up_by.username == "admin"
        return
    # Who sees the order may read it, not follow it up; the others do not see it.
    assert response.status_code == (403 if username in SEES else 404)
    assert (rating.followed_up_at, rating.followed_up_by) == (None, None)
    assert [e.action for e in order.events.all()][-1] == "rate"


def test_the_detail_keeps_every_rating_of_a_reopened_order(api_en: Any) -> None:
    order = reach("confirmed")
    hp, admin = api_en("hp"), api_en("admin")
    url = f"/api/v1/orders/{order.pk}"
    assert hp.post(f"{url}/rate", {"rating": 2, "note": "太慢"}).status_code == 200
    nothing = admin.post(f"{url}/follow_up", {})
    assert (nothing.status_code, nothing.json()["errors"]) == (
        422,
        [{"field": "note", "message": "This field is required."}],
    )
    with on(dt.date(2022, 5, 12)):
        reopened = hp.post(f"{url}/reopen", {"note": "问题未解决"}).json()
    assert (
        reopened["rating"],
        reopened["reopened_on"],
        reopened["resolve_due"],
        reopened["escalation_level"],
    ) == (
        None,
        "2022-05-12",
        "2022-05-26",
        0,
    )
    assert [(r["rating"], r["comment"], r["followed_up_at"]) for r in reopened["ratings"]] == [
        (2, "太慢", None)
    ]
    followed = admin.post(f"{url}/follow_up", {"note": "回访"}).json()
    assert followed["ratings"][0]["followed_up_at"] is not None
    again = admin.post(f"{url}/follow_up", {"note": "再回访"})
    assert (again.status_code, again.json()["errors"]) == (
        422,
        [{"field": "rating", "message": "No bad rating of this order waits for a follow-up."}],
    )

"""Background jobs of the platform: delivering notifications by e-mail and webhook."""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.request
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zoneops.core.models import Delivery, DeliveryStatus, NotificationChannel, WebhookKind
from zoneops.core.services import site_link

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def webhook_payload(*, kind: str, title: str, body: str, link: str) -> dict[str, object]:
    """The JSON body each robot kind expects (WeCom and DingTalk group robots take markdown)."""
    text = f"**{title}**\n\n{body}" + (f"\n\n{link}" if link else "")
    if kind == WebhookKind.WECOM:
        return {"msgtype": "markdown", "markdown": {"content": text}}
    if kind == WebhookKind.DINGTALK:
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    return {"title": title, "body": body, "link": link}


def _send(delivery: Delivery) -> None:
    if delivery.channel == NotificationChannel.EMAIL:
        message = delivery.body + (f"\n\n{site_link(delivery.link)}" if delivery.link else "")
        send_mail(
            delivery.title, message, settings.DEFAULT_FROM_EMAIL, [delivery.address], fail_silently=False
        )
        return
    kind = delivery.webhook.kind if delivery.webhook is not None else WebhookKind.GENERIC
    payload = webhook_payload(
        kind=kind, title=delivery.title, body=delivery.body, link=site_link(delivery.link)
    )
    request = urllib.request.Request(  # noqa: S310 - the URL is an http(s) URLField set by the zone admin
        delivery.address,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
        if response.status >= 300:
            raise OSError(f"webhook answered HTTP {response.status}")


def deliver(delivery_ids: Sequence[int]) -> int:
    """Send each pending delivery once. Returns how many were sent now.

    A delivery is claimed by moving it from pending to sending in one UPDATE; a second worker (or a
    retried job) finds nothing to claim, so nobody is told twice.
    """
    sent = 0
    for delivery_id in delivery_ids:
        claimed = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENDING, attempts=F("attempts") + 1
        )
        if not claimed:
            continue
        delivery = Delivery.objects.select_related("webhook").get(pk=delivery_id)
        try:
            _send(delivery)
        except Exception as error:
            logger.warning("delivery %s failed: %s", delivery_id, error)
            status = DeliveryStatus.FAILED if delivery.attempts >= MAX_ATTEMPTS else DeliveryStatus.PENDING
            Delivery.objects.filter(pk=delivery_id).update(status=status, last_error=str(error)[:2000])
            continue
        Delivery.objects.filter(pk=delivery_id).update(status=DeliveryStatus.SENT, sent_at=timezone.now())
        sent += 1
    return sent


@db_task(retries=0)
def deliver_notifications(delivery_ids: Sequence[int]) -> int:
    return deliver(delivery_ids)


@db_periodic_task(crontab(minute="*/5"))
def retry_pending_deliveries() -> int:
    """Pick up deliveries whose job was lost (consumer down) or that failed and may be retried."""
    stale = timezone.now() - dt.timedelta(minutes=2)
    # A delivery stuck in "sending" was claimed by a worker that died mid-send: it may have gone out,
    # so it is marked failed for a person to look at rather than risk telling someone twice.
    Delivery.objects.filter(
        status=DeliveryStatus.SENDING, created_at__lt=stale - dt.timedelta(minutes=30)
    ).update(
        status=DeliveryStatus.FAILED,
        last_error="worker stopped while sending; not retried to avoid a duplicate",
    )
    ids = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, created_at__lt=stale).values_list(
            "pk", flat=True
        )[:500]
    )
    return deliver(ids)

"""Platform models shared by every capability: the audit log, the work calendar, notifications."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ZoneScopedModel(TimeStampedModel):
    """Every domain row belongs to one zone: an installation can host many zones."""

    zone = models.ForeignKey(
        "accounts.Zone", on_delete=models.PROTECT, related_name="+", verbose_name=_("zone")
    )

    class Meta:
        abstract = True


class UploadedDocument(models.Model):
    """A stored upload (an order's attachment, a lead's document): what the bytes were found to be, how
    big, who uploaded it and when. Subclasses add the file field (with their folder) and their owner."""

    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class AuditEvent(models.Model):
    """One change made through a service, written in the same transaction as the change.

    Append-only: the model refuses updates and deletes, and the database refuses them too (triggers
    installed by migration), so a compromised admin page cannot rewrite history.
    """

    zone = models.ForeignKey(
        "accounts.Zone",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("zone"),
    )
    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
        db_constraint=False,
    )
    # Kept as text so the event still says who acted after the user is renamed or removed.
    actor_label = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=300)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("audit events are append-only")


class DayKind(models.TextChoices):
    WORKDAY = "workday", _("working day")
    WEEKEND = "weekend", _("weekend")
    HOLIDAY = "holiday", _("public holiday")
    MAKEUP_WORKDAY = "makeup_workday", _("make-up working day")


class WorkCalendarYear(models.Model):
    """A calendar year of China's official working days, and how sure we are of it."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    # No State Council notice yet: weekends and fixed-date holidays only, make-up workdays unknown.
    provisional = models.BooleanField(_("provisional"), default=False)
    source = models.CharField(_("source"), max_length=120)
    cross_check = models.CharField(_("cross-check"), max_length=400, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"))

    class Meta:
        verbose_name = _("work calendar year")
        verbose_name_plural = _("work calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}{' (provisional)' if self.provisional else ''}"


class WorkCalendarDay(models.Model):
    """One day of the calendar. Every day of a loaded year has a row, so counting is a range query."""

    date = models.DateField(_("date"), primary_key=True)
    year = models.ForeignKey(
        WorkCalendarYear, on_delete=models.CASCADE, related_name="days", verbose_name=_("year")
    )
    is_workday = models.BooleanField(_("working day"))
    kind = models.CharField(_("kind"), max_length=20, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        indexes = [models.Index(fields=["is_workday", "date"], name="workday_date_idx")]

    def __str__(self) -> str:
        return f"{self.date} {self.kind}"


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    WEBHOOK = "webhook", _("webhook")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class Notification(models.Model):
    """A message in one user's in-app inbox; the e-mail copy is a delivery of it."""

    zone = models.ForeignKey(
        "accounts.Zone", on_delete=models.CASCADE, related_name="+", verbose_name=_("zone")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    # Identifies the event (e.g. "order:42:overdue:handler"); a recipient gets one notification per event.
    event_key = models.CharField(_("event"), max_length=160)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event_key"], name="notification_once_per_event"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title


class WebhookKind(models.TextChoices):
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    GENERIC = "generic", _("generic JSON")


class WebhookEndpoint(ZoneScopedModel):
    """A group robot (WeCom / DingTalk) or any JSON endpoint that hears events addressed to some roles."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=WebhookKind.choices, default=WebhookKind.WECOM)
    url = models.URLField(_("URL"), max_length=500)
    # Roles whose events this robot posts; empty means every event of the zone.
    roles = models.JSONField(_("roles"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    """One outgoing copy of an event: an e-mail to a recipient, or a post to a webhook.

    Unique per (channel, target, event), and claimed atomically by the worker, so a retried or
    duplicated job never sends the same event twice.
    """

    zone = models.ForeignKey(
        "accounts.Zone", on_delete=models.CASCADE, related_name="+", verbose_name=_("zone")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=NotificationChannel.choices)
    event_key = models.CharField(_("event"), max_length=160)
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    webhook = models.ForeignKey(
        WebhookEndpoint, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    address = models.CharField(_("address"), max_length=500)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"],
                condition=models.Q(notification__isnull=False),
                name="delivery_once_per_notification_channel",
            ),
            models.UniqueConstraint(
                fields=["webhook", "event_key"],
                condition=models.Q(webhook__isnull=False),
                name="delivery_once_per_webhook_event",
            ),
            # An e-mail to someone without a login (an enterprise's contact): once per event and address.
            models.UniqueConstraint(
                fields=["address", "event_key"],
                condition=models.Q(notification__isnull=True, webhook__isnull=True),
                name="delivery_once_per_address_event",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="delivery_status_idx")]

    def __str__(self) -> str:
        return f"{self.channel} {self.address} {self.event_key}"

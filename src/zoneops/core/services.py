"""Platform writes: the audit log, notifications, and the work calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone

from zoneops.core import clock, workcalendar
from zoneops.core.models import (
    AuditEvent,
    Delivery,
    Notification,
    NotificationChannel,
    WebhookEndpoint,
    WorkCalendarDay,
    WorkCalendarYear,
)

if TYPE_CHECKING:
    from zoneops.accounts.models import Department, User, Zone


# --- audit ----------------------------------------------------------------------------------------


def _json_safe(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return value


def model_snapshot(instance: models.Model, *, fields: Sequence[str] | None = None) -> dict[str, Any]:
    """The instance's concrete field values, JSON-safe, keyed by attribute name (``industry_id``)."""
    wanted = set(fields) if fields is not None else None
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in {"created_at", "updated_at"}:
            continue
        if wanted is not None and field.name not in wanted and field.attname not in wanted:
            continue
        data[field.attname] = _json_safe(getattr(instance, field.attname))
    return data


def snapshot_changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose value changed, so an audit row shows what an update did."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def audit_record(
    *,
    actor: User | None,
    action: str,
    instance: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
    zone: Zone | None = None,
) -> AuditEvent:
    """Write one audit event. Must run inside the service's transaction, so the change and its record
    are committed together or not at all."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the service's transaction")
    event_zone = zone if zone is not None else getattr(instance, "zone", None)
    if event_zone is None and instance._meta.label_lower == "accounts.zone":
        event_zone = instance
    actor_label = actor.get_username() if actor is not None else "system"
    return AuditEvent.objects.create(
        zone=event_zone,
        at=clock.now(zone=event_zone),
        actor=actor,
        actor_label=actor_label,
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        before=_json_safe(before) if before is not None else None,
        after=_json_safe(after) if after is not None else None,
        note=note,
    )


# --- notifications --------------------------------------------------------------------------------


def notify(
    *,
    zone: Zone,
    event_key: str,
    title: str,
    body: str = "",
    link: str = "",
    users: Iterable[User] = (),
    roles: Iterable[str] = (),
    departments: Iterable[Department] = (),
    addresses: Iterable[str] = (),
) -> list[Notification]:
    """Tell users about an event: in-app inbox, e-mail, and the zone's group-robot webhooks.

    ``event_key`` names the event; a user is told about one event once, and each webhook posts it
    once, however often the caller repeats itself (periodic jobs do). ``addresses`` are e-mail addresses
    of people without a login (an enterprise's contacts in the registry): each gets the event by e-mail,
    once, and no inbox entry. Deliveries leave after commit. Returns the notifications created by this
    call (empty if everyone had already been told).
    """
    from zoneops.accounts.models import User as UserModel

    role_list = list(roles)
    department_ids = [d.pk for d in departments]
    recipients: dict[int, User] = {u.pk: u for u in users if u.is_active}
    if role_list or department_ids:
        wanted = models.Q(role__in=role_list) if role_list else models.Q(pk__in=[])
        if department_ids:
            wanted |= models.Q(department_id__in=department_ids)
        for user in UserModel.objects.filter(wanted, zone=zone, is_active=True):
            recipients.setdefault(user.pk, user)

    moment = clock.now(zone=zone)
    created: list[Notification] = []
    delivery_ids: list[int] = []
    with transaction.atomic():
        already = set(
            Notification.objects.filter(recipient_id__in=list(recipients), event_key=event_key).values_list(
                "recipient_id", flat=True
            )
        )
        for user_id, user in recipients.items():
            if user_id in already:
                continue
            notification = Notification.objects.create(
                zone=zone,
                recipient=user,
                event_key=event_key,
                title=title,
                body=body,
                link=link,
                created_at=moment,
            )
            created.append(notification)
            if settings.NOTIFY_EMAIL_ENABLED and user.email:
                delivery = Delivery.objects.create(
                    zone=zone,
                    channel=NotificationChannel.EMAIL,
                    event_key=event_key,
                    notification=notification,
                    address=user.email,
                    title=title,
                    body=body,
                    link=link,
                    created_at=moment,
                )
                delivery_ids.append(delivery.pk)

        if settings.NOTIFY_EMAIL_ENABLED:
            users_addresses = {u.email.strip().lower() for u in recipients.values() if u.email}
            for address in dict.fromkeys(a.strip() for a in addresses if a and a.strip()):
                if address.lower() in users_addresses:
                    continue  # told as a user already
                delivery, was_created = Delivery.objects.get_or_create(
                    channel=NotificationChannel.EMAIL,
                    event_key=event_key,
                    address=address,
                    notification=None,
                    webhook=None,
                    defaults={"zone": zone, "title": title, "body": body, "link": link, "created_at": moment},
                )
                if was_created:
                    delivery_ids.append(delivery.pk)

        heard_roles = set(role_list) | {u.role for u in recipients.values()}
        for endpoint in WebhookEndpoint.objects.filter(zone=zone, active=True):
            if endpoint.roles and not heard_roles.intersection(endpoint.roles):
                continue
            delivery, was_created = Delivery.objects.get_or_create(
                webhook=endpoint,
                event_key=event_key,
                defaults={
                    "zone": zone,
                    "channel": NotificationChannel.WEBHOOK,
                    "address": endpoint.url,
                    "title": title,
                    "body": body,
                    "link": link,
                    "created_at": moment,
                },
            )
            if was_created:
                delivery_ids.append(delivery.pk)

        if delivery_ids:
            from zoneops.core.tasks import deliver_notifications

            transaction.on_commit(lambda: deliver_notifications(delivery_ids))
    return created


def site_link(path: str) -> str:
    """A link to a page as a message read outside zoneops needs it: whole, under the site's address
    (``ZONEOPS_SITE_URL``), when one is set; the path itself otherwise."""
    if path.startswith("/") and settings.SITE_URL:
        return f"{settings.SITE_URL}{path}"
    return path


def notification_mark_read(*, user: User, notification_ids: Sequence[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


# --- work calendar --------------------------------------------------------------------------------

# Sent after the calendar of some years was (re)loaded, with ``first_year`` and ``last_year``.
calendar_changed = Signal()


def store_calendar_year(
    *, year_model: type[WorkCalendarYear], day_model: type[WorkCalendarDay], year: int, loaded_at: dt.datetime
) -> WorkCalendarYear:
    """Write one year of the calendar with the given model classes (the migration passes its
    historical models, the service the current ones), replacing what was there."""
    days = workcalendar.calendar_days(year)
    year_row, _ = year_model.objects.update_or_create(
        year=year,
        defaults={
            "provisional": year > workcalendar.official_last_year(),
            "source": workcalendar.source_label(),
            "cross_check": workcalendar.cross_check(days),
            "loaded_at": loaded_at,
        },
    )
    day_model.objects.filter(year=year_row).delete()
    day_model.objects.bulk_create(
        day_model(date=d.date, year=year_row, is_workday=d.is_workday, kind=d.kind, name=d.name) for d in days
    )
    return year_row


@transaction.atomic
def work_calendar_load(*, first_year: int, last_year: int) -> list[WorkCalendarYear]:
    """(Re)load China's working-day calendar for the years given, from the `holidays` package."""
    if first_year > last_year:
        raise ValueError("first_year must not be after last_year")
    moment = timezone.now()
    loaded = [
        store_calendar_year(
            year_model=WorkCalendarYear, day_model=WorkCalendarDay, year=year, loaded_at=moment
        )
        for year in range(first_year, last_year + 1)
    ]
    # Deadlines counted on the old calendar are recomputed by whoever keeps them (the service desk).
    calendar_changed.send(sender=WorkCalendarYear, first_year=first_year, last_year=last_year)
    return loaded


def work_calendar_default_years() -> tuple[int, int]:
    return workcalendar.default_years()

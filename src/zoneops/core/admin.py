from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from zoneops.core.models import (
    AuditEvent,
    Delivery,
    Notification,
    WebhookEndpoint,
    WorkCalendarDay,
    WorkCalendarYear,
)
from zoneops.core.services import calendar_changed


class ReadOnlyAdmin[M: Model](admin.ModelAdmin[M]):
    """Shown, every field read-only (Django's view-only page), never added, changed or deleted here: the
    rows are written only by their audited services, which check the step, keep the timeline and the
    figures computed from it (an edit here would bypass all of that)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin[AuditEvent]):
    """The audit log is append-only: readable here, never edited or deleted."""

    list_display = ["at", "actor_label", "action", "object_type", "object_repr", "zone"]
    list_filter = ["zone", "object_type"]
    search_fields = ["action", "object_repr", "actor_label", "object_id"]
    date_hierarchy = "at"


@admin.register(WorkCalendarYear)
class WorkCalendarYearAdmin(admin.ModelAdmin[WorkCalendarYear]):
    list_display = ["year", "provisional", "source", "cross_check", "loaded_at"]
    list_filter = ["provisional"]


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin[WorkCalendarDay]):
    """A day is corrected here (an extra holiday, a make-up working day announced late); whole years are
    loaded with ``zoneops load_calendar``. Every day of a loaded year has its row, so days are neither
    added nor deleted, and the date, their key, stays as it is."""

    list_display = ["date", "kind", "is_workday", "name"]
    list_filter = ["kind", "is_workday", "year"]
    date_hierarchy = "date"
    readonly_fields = ["date", "year"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: WorkCalendarDay, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # Deadlines counted on the old calendar are recomputed, as after a year is (re)loaded.
        calendar_changed.send(sender=WorkCalendarDay, first_year=obj.date.year, last_year=obj.date.year)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ["created_at", "recipient", "title", "event_key", "read_at"]
    list_filter = ["zone"]
    search_fields = ["title", "event_key", "recipient__username"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ["created_at", "channel", "address", "title", "status", "attempts", "sent_at"]
    list_filter = ["channel", "status"]
    search_fields = ["address", "event_key", "title"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin[WebhookEndpoint]):
    list_display = ["name", "kind", "zone", "active"]
    list_filter = ["kind", "active", "zone"]

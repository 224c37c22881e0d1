from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zoneops.core.models import (
    AuditEvent,
    Delivery,
    Notification,
    WebhookEndpoint,
    WorkCalendarDay,
    WorkCalendarYear,
)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ["at", "actor_label", "action", "object_type", "object_repr", "zone"]
    list_filter = ["zone", "object_type"]
    search_fields = ["action", "object_repr", "actor_label", "object_id"]
    date_hierarchy = "at"

    # The audit log is append-only: readable here, never edited or deleted.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WorkCalendarYear)
class WorkCalendarYearAdmin(admin.ModelAdmin[WorkCalendarYear]):
    list_display = ["year", "provisional", "source", "cross_check", "loaded_at"]
    list_filter = ["provisional"]


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin[WorkCalendarDay]):
    list_display = ["date", "kind", "is_workday", "name"]
    list_filter = ["kind", "is_workday", "year"]
    date_hierarchy = "date"


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

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from zoneops.servicedesk.models import (
    Open311Key,
    OrderAttachment,
    OrderDayStat,
    OrderEvent,
    ServiceOrder,
    ServiceType,
)


@admin.register(ServiceType)
class ServiceTypeAdmin(admin.ModelAdmin[ServiceType]):
    list_display = [
        "name",
        "guarantee",
        "code",
        "department",
        "accept_days",
        "reply_days",
        "resolve_days",
        "active",
    ]
    list_filter = ["zone", "guarantee", "active"]


@admin.register(ServiceOrder)
class ServiceOrderAdmin(admin.ModelAdmin[ServiceOrder]):
    list_display = ["number", "title", "enterprise", "status", "department", "resolve_due", "rating"]
    list_filter = ["zone", "status", "service_type__guarantee"]
    raw_id_fields = ["enterprise", "handler", "filed_by", "duplicate_of", "supervision_item", "problem"]
    readonly_fields = ["status", "escalation_level"]


@admin.register(OrderEvent)
class OrderEventAdmin(admin.ModelAdmin[OrderEvent]):
    list_display = ["order", "at", "action", "status_after", "actor"]
    raw_id_fields = ["order", "actor"]


@admin.register(OrderAttachment)
class OrderAttachmentAdmin(admin.ModelAdmin[OrderAttachment]):
    list_display = ["order", "name", "content_type", "size", "uploaded_at"]
    raw_id_fields = ["order", "uploaded_by"]


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin[Open311Key]):
    list_display = ["prefix", "enterprise", "label", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["zone"]
    raw_id_fields = ["enterprise", "issued_by"]
    # The hash is useless to read and must not be edited into another key's.
    readonly_fields = ["key_hash", "prefix", "last_used_at"]


@admin.register(OrderDayStat)
class OrderDayStatAdmin(admin.ModelAdmin[OrderDayStat]):
    """Read-only: the cells follow the orders (``zoneops order-stats-rebuild`` recomputes them)."""

    list_display = ["day", "service_type", "department", "filed", "answered", "on_time", "rated"]
    list_filter = ["zone"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OrderDayStat | None = None) -> bool:
        return False

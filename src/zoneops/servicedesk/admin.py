from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from zoneops.core.admin import ReadOnlyAdmin
from zoneops.servicedesk.models import (
    Open311Key,
    OrderAttachment,
    OrderDayStat,
    OrderEvent,
    OrderRating,
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
    """Only the wording of an order is corrected here. Its state, dates, deadlines, department, rating
    and escalation change through the state machine's steps (checked, audited, on the timeline, counted
    in the statistics cells): edited here they would bypass all of that. Orders are filed through the
    service desk, not added here, nor deleted (their cells and audit trail would lose them)."""

    EDITABLE = ("title", "description", "extra", "problem")

    list_display = ["number", "title", "enterprise", "status", "department", "resolve_due", "rating"]
    list_filter = ["zone", "status", "service_type__guarantee"]
    raw_id_fields = ["problem"]

    def get_readonly_fields(self, request: HttpRequest, obj: ServiceOrder | None = None) -> list[str]:
        # Every other field, those added later included.
        return [f.name for f in ServiceOrder._meta.concrete_fields if f.name not in self.EDITABLE]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ServiceOrder | None = None) -> bool:
        return False


@admin.register(OrderEvent)
class OrderEventAdmin(ReadOnlyAdmin[OrderEvent]):
    list_display = ["order", "at", "action", "status_after", "actor"]
    raw_id_fields = ["order", "actor"]


@admin.register(OrderRating)
class OrderRatingAdmin(ReadOnlyAdmin[OrderRating]):
    list_display = ["order", "rated_at", "rating", "comment", "followed_up_at"]
    raw_id_fields = ["order", "rated_by", "followed_up_by"]


@admin.register(OrderAttachment)
class OrderAttachmentAdmin(ReadOnlyAdmin[OrderAttachment]):
    """Attachments are checked by their bytes when filed and stay as the enterprise sent them."""

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
class OrderDayStatAdmin(ReadOnlyAdmin[OrderDayStat]):
    """The cells follow the orders (``zoneops order-stats-rebuild`` recomputes them)."""

    list_display = ["day", "service_type", "department", "filed", "answered", "on_time", "rated"]
    list_filter = ["zone"]

from __future__ import annotations

from django.contrib import admin

from zoneops.servicedesk.models import OrderEvent, ServiceOrder, ServiceType


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

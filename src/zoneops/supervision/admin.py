from __future__ import annotations

from django.contrib import admin

from zoneops.supervision.models import (
    AssessmentAdjustment,
    AssessmentScheme,
    SupervisionEvent,
    SupervisionItem,
)


class EventInline(admin.TabularInline[SupervisionEvent, SupervisionItem]):
    model = SupervisionEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "action", "status_after", "note", "evidence", "deadline_after"]


@admin.register(SupervisionItem)
class SupervisionItemAdmin(admin.ModelAdmin[SupervisionItem]):
    list_display = ["number", "subject", "department", "status", "deadline", "closed_on"]
    list_filter = ["zone", "status", "source", "department"]
    search_fields = ["number", "subject"]
    raw_id_fields = ["project", "problem", "leader"]
    # Steps go through the item's page, so the timeline and the audit log stay whole.
    readonly_fields = ["status", "closed_on", "reminded_on", "escalated_on"]
    inlines = [EventInline]


@admin.register(SupervisionEvent)
class SupervisionEventAdmin(admin.ModelAdmin[SupervisionEvent]):
    list_display = ["item", "at", "action", "status_after", "actor"]
    raw_id_fields = ["item", "actor"]


@admin.register(AssessmentAdjustment)
class AssessmentAdjustmentAdmin(admin.ModelAdmin[AssessmentAdjustment]):
    list_display = ["period", "department", "points", "reason", "entered_by"]
    list_filter = ["period"]


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(admin.ModelAdmin[AssessmentScheme]):
    list_display = ["name", "is_default", "zone"]

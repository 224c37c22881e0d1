"""Supervision in Django's admin.

Items are raised, answered, extended, reminded and closed on their pages (or over the API), which put
each step on the item's timeline and in the audit log; bonus and penalty points are entered with a reason
the same way. The admin therefore shows the timeline and the adjustments without letting them be written,
and lets only an item's wording be corrected: its state, dates, department and leader are what the
reminders, escalations and the department assessment are computed from. Assessment weights are set on
the zone settings page (which freezes the closed periods' weights first), so the schemes are shown only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zoneops.core.admin import ReadOnlyAdmin
from zoneops.supervision.models import (
    AssessmentAdjustment,
    AssessmentScheme,
    SupervisionEvent,
    SupervisionEvidence,
    SupervisionItem,
)


class EventInline(admin.TabularInline[SupervisionEvent, SupervisionItem]):
    model = SupervisionEvent
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SupervisionItem)
class SupervisionItemAdmin(admin.ModelAdmin[SupervisionItem]):
    list_display = ["number", "subject", "department", "status", "deadline", "closed_on"]
    list_filter = ["zone", "status", "source", "department"]
    search_fields = ["number", "subject"]
    readonly_fields = [
        "zone",
        "number",
        "source",
        "department",
        "leader",
        "project",
        "problem",
        "opened_on",
        "working_days",
        "deadline",
        "status",
        "closed_on",
        "reminded_on",
        "escalated_on",
        "extension_requested_to",
        "extension_reason",
    ]
    inlines = [EventInline]

    # An item raised here would have no "raised" step, and one deleted here would leave the assessment.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SupervisionEvent)
class SupervisionEventAdmin(ReadOnlyAdmin[SupervisionEvent]):
    list_display = ["item", "at", "action", "status_after", "actor"]


@admin.register(AssessmentAdjustment)
class AssessmentAdjustmentAdmin(ReadOnlyAdmin[AssessmentAdjustment]):
    list_display = ["period", "department", "points", "reason", "entered_by"]
    list_filter = ["period"]


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(ReadOnlyAdmin[AssessmentScheme]):
    """Weights are set on Zone settings or over the API (audited, closed periods frozen first)."""

    list_display = ["name", "period", "is_default", "zone"]


@admin.register(SupervisionEvidence)
class SupervisionEvidenceAdmin(ReadOnlyAdmin[SupervisionEvidence]):
    """Evidence files come with the department's response (checked by their bytes) and stay as sent."""

    list_display = ["item", "name", "content_type", "size", "uploaded_at"]
    raw_id_fields = ["item", "uploaded_by"]

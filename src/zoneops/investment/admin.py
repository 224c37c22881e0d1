from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from zoneops.investment.models import Lead, LeadContact, LeadDocument, LeadEvent, PipelineSettings


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin[Lead]):
    """Leads are read here, never written: every change goes through the pipeline's services, which
    check it, keep the lead's timeline and audit it (and move its key project along)."""

    list_display = ["company_name", "stage", "source", "officer", "signed_amount", "zone", "opened_on"]
    list_filter = ["zone", "stage", "source"]

    # Shown, every field read-only (Django's view-only page): not added, changed or deleted here.
    def has_change_permission(self, request: HttpRequest, obj: Lead | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Lead | None = None) -> bool:
        return False


@admin.register(LeadEvent)
class LeadEventAdmin(admin.ModelAdmin[LeadEvent]):
    list_display = ["lead", "at", "action", "stage_from", "stage_to", "actor"]
    raw_id_fields = ["lead", "actor"]


@admin.register(LeadContact)
class LeadContactAdmin(admin.ModelAdmin[LeadContact]):
    list_display = ["lead", "name", "title", "phone"]
    raw_id_fields = ["lead"]


@admin.register(LeadDocument)
class LeadDocumentAdmin(admin.ModelAdmin[LeadDocument]):
    list_display = ["lead", "name", "content_type", "size", "uploaded_at"]
    raw_id_fields = ["lead", "uploaded_by"]


@admin.register(PipelineSettings)
class PipelineSettingsAdmin(admin.ModelAdmin[PipelineSettings]):
    list_display = ["zone", "updated_at"]

from __future__ import annotations

from django.contrib import admin

from zoneops.core.admin import ReadOnlyAdmin
from zoneops.investment.models import Lead, LeadContact, LeadDocument, LeadEvent, PipelineSettings


@admin.register(Lead)
class LeadAdmin(ReadOnlyAdmin[Lead]):
    """Leads are read here, never written: every change goes through the pipeline's services, which
    check it, keep the lead's timeline and audit it (and move its key project along)."""

    list_display = ["company_name", "stage", "source", "officer", "signed_amount", "zone", "opened_on"]
    list_filter = ["zone", "stage", "source"]


@admin.register(LeadEvent)
class LeadEventAdmin(ReadOnlyAdmin[LeadEvent]):
    """The lead's timeline, written by the pipeline's steps."""

    list_display = ["lead", "at", "action", "stage_from", "stage_to", "actor"]
    raw_id_fields = ["lead", "actor"]


@admin.register(LeadContact)
class LeadContactAdmin(admin.ModelAdmin[LeadContact]):
    list_display = ["lead", "name", "title", "phone"]
    raw_id_fields = ["lead"]


@admin.register(LeadDocument)
class LeadDocumentAdmin(ReadOnlyAdmin[LeadDocument]):
    """Documents are checked by their bytes when attached and stay as sent."""

    list_display = ["lead", "name", "content_type", "size", "uploaded_at"]
    raw_id_fields = ["lead", "uploaded_by"]


@admin.register(PipelineSettings)
class PipelineSettingsAdmin(admin.ModelAdmin[PipelineSettings]):
    list_display = ["zone", "updated_at"]

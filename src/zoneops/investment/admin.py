from __future__ import annotations

from django.contrib import admin

from zoneops.investment.models import Lead, LeadContact, LeadDocument, LeadEvent, PipelineSettings


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin[Lead]):
    list_display = ["company_name", "stage", "source", "officer", "signed_amount", "zone", "opened_on"]
    list_filter = ["zone", "stage", "source"]
    raw_id_fields = [
        "candidate",
        "referred_by",
        "officer",
        "leader",
        "chain",
        "key_project",
        "enterprise",
        "duplicate_of",
    ]
    filter_horizontal = ["nodes"]
    # The stage moves only through the pipeline's state machine (audited, on the timeline).
    readonly_fields = ["stage", "furthest", "stage_entered_on"]


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

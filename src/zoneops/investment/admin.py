from __future__ import annotations

from django.contrib import admin

from zoneops.investment.models import Lead


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin[Lead]):
    list_display = ["company_name", "stage", "source", "officer", "zone", "created_at"]
    list_filter = ["zone", "stage", "source"]
    raw_id_fields = ["candidate", "referred_by", "officer"]
    filter_horizontal = ["nodes"]

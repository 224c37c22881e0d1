from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zoneops.indicators.models import (
    ClusterTarget,
    EnterprisePeriodTotal,
    ImportBatch,
    Indicator,
    IndicatorValue,
    IndicatorValueRevision,
    MonthlySubmission,
    Rollup,
)


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin[Indicator]):
    list_display = ["code", "name_zh", "name_en", "unit", "kind", "allow_negative", "sort_order"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin[ImportBatch]):
    list_display = ["created_at", "file_name", "status", "rows", "created_by", "zone"]
    list_filter = ["status", "zone"]
    exclude = ["content"]
    readonly_fields = ["file_sha256", "counts", "errors", "warnings", "periods"]


@admin.register(MonthlySubmission)
class MonthlySubmissionAdmin(admin.ModelAdmin[MonthlySubmission]):
    list_display = ["enterprise", "period", "status", "submitted_at", "reviewed_at"]
    list_filter = ["status", "period"]
    raw_id_fields = ["enterprise"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin[IndicatorValue]):
    list_display = ["enterprise", "indicator", "period", "value", "revision", "updated_at"]
    list_filter = ["indicator", "period"]
    raw_id_fields = ["enterprise", "batch", "submission"]
    search_fields = ["enterprise__name", "enterprise__uscc"]


@admin.register(IndicatorValueRevision)
class IndicatorValueRevisionAdmin(admin.ModelAdmin[IndicatorValueRevision]):
    list_display = ["enterprise", "indicator", "period", "revision", "value", "replaced_at"]
    raw_id_fields = ["enterprise", "batch", "submission", "replaced_by_batch", "replaced_by_submission"]

    # History is written by the publishing service only.
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ClusterTarget)
class ClusterTargetAdmin(admin.ModelAdmin[ClusterTarget]):
    list_display = ["cluster", "indicator", "year", "value"]
    list_filter = ["year", "indicator"]


class DerivedAdmin(admin.ModelAdmin[Any]):
    """Derived tables are rebuilt from published values; they are shown, never edited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(EnterprisePeriodTotal)
class EnterprisePeriodTotalAdmin(DerivedAdmin):
    list_display = ["enterprise", "indicator", "period", "month_value", "ytd", "ytd_previous"]
    list_filter = ["indicator", "period"]


@admin.register(Rollup)
class RollupAdmin(DerivedAdmin):
    list_display = [
        "dimension",
        "member",
        "indicator",
        "period",
        "ytd",
        "comparable_ytd",
        "comparable_ytd_previous",
    ]
    list_filter = ["dimension", "indicator", "period"]

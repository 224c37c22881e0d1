from __future__ import annotations

from django.contrib import admin

from zoneops.projects.models import (
    KeyProject,
    Milestone,
    MonthlyReport,
    Problem,
    ProjectPhoto,
    SchedulingSettings,
    WarningRule,
    WarningSnapshot,
)


class MilestoneInline(admin.TabularInline[Milestone, KeyProject]):
    model = Milestone
    extra = 0


@admin.register(KeyProject)
class KeyProjectAdmin(admin.ModelAdmin[KeyProject]):
    list_display = ["code", "name", "year", "level", "project_type", "status", "warning_level", "department"]
    list_filter = ["zone", "year", "level", "warning_level", "status"]
    search_fields = ["code", "name"]
    raw_id_fields = ["owner", "leader", "officer", "chain_node"]
    readonly_fields = ["warning_level", "warning_reasons", "warning_rules", "warning_checked_on"]
    inlines = [MilestoneInline]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin[Milestone]):
    list_display = ["project", "name", "kind", "planned_date", "actual_date"]
    raw_id_fields = ["project"]


@admin.register(MonthlyReport)
class MonthlyReportAdmin(admin.ModelAdmin[MonthlyReport]):
    list_display = [
        "project",
        "period",
        "investment_month",
        "investment_cumulative",
        "progress_percent",
        "on_time",
        "revision",
    ]
    list_filter = ["period", "on_time"]
    raw_id_fields = ["project", "submitted_by"]
    # Reports change only through the report form, which keeps the revision and its reason.
    readonly_fields = ["investment_cumulative", "revision", "correction_reason", "on_time", "submitted_at"]


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin[Problem]):
    list_display = ["project", "description", "status", "raised_on", "resolved_on"]
    list_filter = ["status"]
    raw_id_fields = ["project", "report"]


@admin.register(ProjectPhoto)
class ProjectPhotoAdmin(admin.ModelAdmin[ProjectPhoto]):
    list_display = ["project", "caption", "taken_on", "content_type", "size"]
    raw_id_fields = ["project", "uploaded_by"]


@admin.register(WarningRule)
class WarningRuleAdmin(admin.ModelAdmin[WarningRule]):
    list_display = ["code", "amber", "red", "enabled", "zone"]


@admin.register(SchedulingSettings)
class SchedulingSettingsAdmin(admin.ModelAdmin[SchedulingSettings]):
    list_display = ["zone", "report_deadline_day"]


@admin.register(WarningSnapshot)
class WarningSnapshotAdmin(admin.ModelAdmin[WarningSnapshot]):
    list_display = ["project", "on", "level"]
    list_filter = ["level"]
    raw_id_fields = ["project"]

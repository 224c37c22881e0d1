"""Key projects in Django's admin: shown, never written.

Every write of a project, its milestones, reports, problems, photos and warning settings goes through a
service that checks it and records it in the audit log (the project pages, the monthly report form, the
settings page and the API call them). An edit here would change plans, investment or progress — what the
warnings, the scheduling report and the assessment are computed from — with no audit row, so the admin
only shows these rows. Warning snapshots are derived and shown for the same reason.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zoneops.core.admin import ReadOnlyAdmin
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
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(KeyProject)
class KeyProjectAdmin(ReadOnlyAdmin[KeyProject]):
    list_display = ["code", "name", "year", "level", "project_type", "status", "warning_level", "department"]
    list_filter = ["zone", "year", "level", "warning_level", "status"]
    search_fields = ["code", "name"]
    inlines = [MilestoneInline]


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin[Milestone]):
    list_display = ["project", "name", "kind", "planned_date", "actual_date"]


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ReadOnlyAdmin[MonthlyReport]):
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


@admin.register(Problem)
class ProblemAdmin(ReadOnlyAdmin[Problem]):
    list_display = ["project", "description", "status", "raised_on", "resolved_on"]
    list_filter = ["status"]


@admin.register(ProjectPhoto)
class ProjectPhotoAdmin(ReadOnlyAdmin[ProjectPhoto]):
    list_display = ["project", "caption", "taken_on", "content_type", "size"]


@admin.register(WarningRule)
class WarningRuleAdmin(ReadOnlyAdmin[WarningRule]):
    list_display = ["code", "amber", "red", "enabled", "zone"]


@admin.register(SchedulingSettings)
class SchedulingSettingsAdmin(ReadOnlyAdmin[SchedulingSettings]):
    list_display = ["zone", "report_deadline_day"]


@admin.register(WarningSnapshot)
class WarningSnapshotAdmin(ReadOnlyAdmin[WarningSnapshot]):
    list_display = ["project", "on", "level"]
    list_filter = ["level"]

"""Reads of key projects, scoped: the board, one project with its plan and reports, the scheduling report."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from zoneops.accounts.models import Department, Role, User, Zone
from zoneops.accounts.selectors import users_with_role, with_current
from zoneops.chains.models import ChainNode, Cluster
from zoneops.core.access import project_scope
from zoneops.enterprises.models import Enterprise
from zoneops.projects.models import (
    KeyProject,
    Milestone,
    MonthlyReport,
    Problem,
    ProblemStatus,
    ProjectStatus,
    WarningRule,
    WarningRuleCode,
)
from zoneops.projects.warnings import DEFAULT_RULES, months_due

SORTS = {
    "code": ("code",),
    "name": ("name", "code"),
    "level": ("level", "code"),
    "warning": ("-warning_rank", "code"),
    "investment": ("-total_investment", "code"),
    "completion": ("planned_completion", "code"),
    "progress": ("-latest_progress", "code"),
}


@dataclass(frozen=True)
class BoardFilter:
    year: int | None = None
    level: str | None = None
    project_type: str | None = None
    warning_level: str | None = None
    cluster_id: int | None = None
    department_id: int | None = None
    warning_rule: str | None = None
    search: str = ""
    sort: str = "warning"


def projects(*, user: User, filters: BoardFilter | None = None) -> QuerySet[KeyProject]:
    """The project board: filters by level, type, warning level and rule, cluster, department; sortable."""
    f = filters or BoardFilter()
    rows = KeyProject.objects.filter(project_scope(user))
    if f.year is not None:
        rows = rows.filter(year=f.year)
    if f.level:
        rows = rows.filter(level__in=re.split(r"[|,]", f.level))
    if f.project_type:
        rows = rows.filter(project_type=f.project_type)
    if f.warning_level:
        rows = rows.filter(warning_level=f.warning_level)
    if f.cluster_id is not None:
        rows = rows.filter(cluster_id=f.cluster_id)
    if f.department_id is not None:
        rows = rows.filter(department_id=f.department_id)
    if f.warning_rule:
        rows = rows.filter(warning_rules__contains=f",{f.warning_rule},")
    if f.search:
        rows = rows.filter(Q(name__icontains=f.search) | Q(code__icontains=f.search))
    latest = MonthlyReport.objects.filter(project=OuterRef("pk")).order_by("-period")
    rows = rows.annotate(
        latest_progress=Subquery(latest.values("progress_percent")[:1]),
        latest_cumulative=Subquery(latest.values("investment_cumulative")[:1]),
        latest_period=Subquery(latest.values("period")[:1]),
    )
    if f.sort == "warning":
        from django.db.models import Case, IntegerField, Value, When

        rows = rows.annotate(
            warning_rank=Case(
                When(warning_level="red", then=Value(2)),
                When(warning_level="amber", then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
    return rows.select_related("department", "cluster", "owner", "leader").order_by(
        *SORTS.get(f.sort, SORTS["code"])
    )


def project_get(*, user: User, project_id: int) -> KeyProject:
    project = (
        KeyProject.objects.filter(project_scope(user), pk=project_id)
        .select_related("department", "cluster", "owner", "leader", "officer", "chain_node", "zone")
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("sort_order", "planned_date")),
            Prefetch(
                "reports", queryset=MonthlyReport.objects.select_related("submitted_by").order_by("period")
            ),
            Prefetch(
                "problems",
                queryset=Problem.objects.select_related("supervision_item")
                .prefetch_related("service_orders__service_type")
                .order_by("-raised_on", "-id"),
            ),
            "photos",
        )
        .first()
    )
    if project is None:
        raise Http404
    return project


def problem_get(*, user: User, problem_id: int) -> Problem:
    problem = (
        Problem.objects.filter(pk=problem_id, project__in=KeyProject.objects.filter(project_scope(user)))
        .select_related("project", "project__zone", "project__department", "project__leader")
        .first()
    )
    if problem is None:
        raise Http404
    return problem


@dataclass
class LevelCount:
    level: str
    count: int


def board_counts(*, user: User, year: int) -> dict[str, int]:
    rows = (
        KeyProject.objects.filter(project_scope(user), year=year)
        .values("warning_level")
        .annotate(n=Count("id"))
        .order_by()  # no join for the default ordering's zone name, which GROUP BY ignores
    )
    counts = {"green": 0, "amber": 0, "red": 0}
    counts.update({r["warning_level"]: r["n"] for r in rows})
    return counts


@dataclass
class SchedulingRow:
    project: KeyProject
    report: MonthlyReport | None
    open_problems: int
    next_milestone: Milestone | None


def scheduling_rows(*, user: User, period: dt.date) -> list[SchedulingRow]:
    """One row per project of the month's year: that month's report (or none), open problems, the next
    milestone — the monthly scheduling report (月调度表)."""
    chosen = list(
        KeyProject.objects.filter(project_scope(user), year=period.year)
        .select_related("department", "owner", "leader")
        .annotate(open_problems=Count("problems", filter=~Q(problems__status=ProblemStatus.RESOLVED)))
        .order_by("level", "code")
    )
    reports = {
        r.project_id: r
        for r in MonthlyReport.objects.filter(project__in=[p.pk for p in chosen], period=period)
    }
    upcoming: dict[int, Milestone] = {}
    for milestone in Milestone.objects.filter(
        project__in=[p.pk for p in chosen], actual_date__isnull=True
    ).order_by("project_id", "planned_date"):
        upcoming.setdefault(milestone.project_id, milestone)
    return [
        SchedulingRow(p, reports.get(p.pk), getattr(p, "open_problems", 0), upcoming.get(p.pk))
        for p in chosen
    ]


def latest_report_period(*, user: User, year: int) -> dt.date | None:
    # The latest of each project's latest report: one short read of the (project, period) index per
    # project, rather than every report of every project (a project can have years of them).
    latest = MonthlyReport.objects.filter(project=OuterRef("pk")).order_by("-period").values("period")[:1]
    found: dt.date | None = (
        KeyProject.objects.filter(project_scope(user), year=year)
        .annotate(latest=Subquery(latest))
        .order_by()
        .aggregate(m=Max("latest"))["m"]
    )
    return found


def investment_curve(project: KeyProject) -> dict[str, Any]:
    """Planned (straight line over the year) against reported cumulative investment, month by month."""
    months = [dt.date(project.year, m, 1) for m in range(1, 13)]
    reported = {r.period: r.investment_cumulative for r in project.reports.all()}
    planned = [float(project.planned_investment * m / 12 / Decimal(10_000)) for m in range(1, 13)]
    actual = [float(reported[m] / Decimal(10_000)) if m in reported else None for m in months]
    return {"months": [f"{m:%Y-%m}" for m in months], "planned": planned, "actual": actual}


def reports_missing(
    *, zone_id: int, today: dt.date, department_id: int | None = None
) -> list[tuple[KeyProject, dt.date]]:
    """The (project, month) reports past their deadline and not in, for this year's projects still being
    built — what the reminders chase and what a department's home page counts."""
    from zoneops.projects.services import deadline_day

    day = deadline_day(zone_id=zone_id)
    projects = (
        KeyProject.objects.filter(zone_id=zone_id, year=today.year)
        .exclude(status__in=[ProjectStatus.SUSPENDED, ProjectStatus.COMPLETED, ProjectStatus.IN_PRODUCTION])
        .select_related("officer", "department", "department__head")
        .order_by("code")
    )
    if department_id is not None:
        projects = projects.filter(department_id=department_id)
    reported = set(
        MonthlyReport.objects.filter(project__zone_id=zone_id, period__year=today.year).values_list(
            "project_id", "period"
        )
    )
    return [
        (project, month)
        for project in projects
        for month in months_due(project=project, today=today, deadline_day=day)
        if (project.pk, month) not in reported
    ]


@dataclass(frozen=True)
class RuleSetting:
    code: str
    label: str
    amber: Decimal
    red: Decimal
    enabled: bool
    configured: bool  # set by the zone (otherwise the default thresholds)


def warning_rules(*, zone_id: int) -> list[RuleSetting]:
    """Every warning rule with the thresholds in force in the zone: its own where it set them, the
    defaults otherwise."""
    configured = {r.code: r for r in WarningRule.objects.filter(zone_id=zone_id)}
    rules = []
    for code, (amber, red) in DEFAULT_RULES.items():
        rule = configured.get(code)
        label = str(WarningRuleCode(code).label)
        rules.append(
            RuleSetting(code, label, rule.amber, rule.red, rule.enabled, True)
            if rule
            else RuleSetting(code, label, amber, red, True, False)
        )
    return rules


@dataclass(frozen=True)
class PlanChoices:
    """What a project's plan may name, all of the zone: the choices of the project page's form."""

    clusters: list[Cluster]
    chain_nodes: list[ChainNode]  # by chain
    owners: list[Enterprise]
    departments: list[Department]
    leaders: list[User]
    officers: list[User]


def plan_choices(*, zone: Zone, project: KeyProject | None = None) -> PlanChoices:
    """The zone's clusters, chain nodes, enterprises, departments, leaders (the zone's active leaders, and
    the project's own leader in charge if no longer one of them, so its edit form saves unchanged) and the
    staff who may be a project's officer (with the project's own, deactivated or not)."""
    zone_id = zone.pk
    staff = User.objects.filter(zone_id=zone_id, is_active=True).exclude(role=Role.ENTERPRISE_USER)
    leaders = list(users_with_role(zone=zone, role=Role.LEADER).order_by("username"))
    officers = list(staff.order_by("username"))
    return PlanChoices(
        clusters=list(Cluster.objects.filter(zone_id=zone_id).order_by("sort_order", "code")),
        chain_nodes=list(
            ChainNode.objects.filter(chain__zone_id=zone_id)
            .select_related("chain")
            .order_by("chain__sort_order", "chain__code", "sort_order", "code")
        ),
        owners=list(Enterprise.objects.filter(zone_id=zone_id).order_by("name").only("pk", "name")),
        departments=list(Department.objects.filter(zone_id=zone_id).order_by("name")),
        leaders=with_current(leaders, project.leader if project is not None else None),
        officers=with_current(officers, project.officer if project is not None else None),
    )

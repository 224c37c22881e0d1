"""Department assessment (考核): scores computed from the data, never typed in.

Measures (default weights, points out of 100):

* ``milestone_on_time`` (25) — milestones of the department's projects planned in the period that were
  reached on or before their planned date;
* ``investment_completion`` (25) — this year's investment reported by the end of the period against the
  year's plan pro-rated to the months elapsed (capped at 100%);
* ``report_timeliness`` (20) — monthly reports due in the period that came in by the deadline (a missing
  report counts as late);
* ``supervision_on_time`` (20) — supervision items due in the period closed by their deadline;
* ``service_orders`` (10) — service orders resolved on time; counted once the service desk records them.

A measure a department has nothing to be measured on (no milestone due, no item) does not apply to it:
the weights of the measures that do apply are scaled to 100. Each measure's points are
``100 × weight × rate / (sum of the applicable weights)``; the score is their sum plus the supervision
office's bonus and penalty points, so the breakdown always adds up to the score.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Max, Q, Sum
from django.utils.translation import gettext_lazy as _

from zoneops.accounts.models import Department, User
from zoneops.core.access import Perm, require_perm, zone_scope
from zoneops.projects.models import KeyProject, Milestone, MonthlyReport
from zoneops.projects.services import deadline_day
from zoneops.projects.warnings import month_start, months_due
from zoneops.supervision.models import AssessmentAdjustment, AssessmentScheme, SupervisionItem

DEFAULT_WEIGHTS: dict[str, int] = {
    "milestone_on_time": 25,
    "investment_completion": 25,
    "report_timeliness": 20,
    "supervision_on_time": 20,
    "service_orders": 10,
}
MEASURE_LABELS = {
    "milestone_on_time": _("milestones on time"),
    "investment_completion": _("investment against plan"),
    "report_timeliness": _("monthly reports on time"),
    "supervision_on_time": _("supervision items closed on time"),
    "service_orders": _("service orders resolved on time"),
}
_PERIOD = re.compile(r"^(\d{4})(?:Q([1-4]))?$")


@dataclass(frozen=True)
class Period:
    code: str
    start: dt.date
    end: dt.date

    @property
    def year(self) -> int:
        return self.start.year

    def previous(self) -> Period:
        match = _PERIOD.match(self.code)
        assert match is not None
        year, quarter = int(match.group(1)), match.group(2)
        if quarter is None:
            return parse_period(str(year - 1))
        q = int(quarter)
        return parse_period(f"{year - 1}Q4" if q == 1 else f"{year}Q{q - 1}")


def parse_period(code: str) -> Period:
    match = _PERIOD.match(code.strip())
    if match is None:
        raise ValueError(code)
    year = int(match.group(1))
    if not 2000 <= year <= 2100:
        raise ValueError(code)
    if match.group(2) is None:
        return Period(code, dt.date(year, 1, 1), dt.date(year, 12, 31))
    quarter = int(match.group(2))
    start = dt.date(year, 3 * quarter - 2, 1)
    end_month = 3 * quarter
    end = dt.date(year + end_month // 12, end_month % 12 + 1, 1) - dt.timedelta(days=1)
    return Period(code, start, end)


@dataclass
class MeasureResult:
    measure: str
    label: str
    weight: int
    achieved: Decimal
    expected: Decimal
    rate: Decimal | None
    points: Decimal
    applies: bool


@dataclass
class DepartmentScore:
    department_id: int
    department: str
    score: Decimal
    rank: int
    previous_score: Decimal | None
    change: Decimal | None
    breakdown: list[MeasureResult]
    adjustments: list[AssessmentAdjustment] = field(default_factory=list)


def _weights(zone_id: int) -> dict[str, int]:
    scheme = AssessmentScheme.objects.filter(zone_id=zone_id, is_default=True).first()
    return dict(scheme.weights) if scheme is not None else dict(DEFAULT_WEIGHTS)


def _raw(*, zone_id: int, period: Period) -> dict[int, dict[str, tuple[Decimal, Decimal]]]:
    """Per department and measure: (achieved, expected). Four grouped queries, whatever the zone's size."""
    raw: dict[int, dict[str, tuple[Decimal, Decimal]]] = defaultdict(dict)
    # Each grouped query drops the models' default ordering (``order_by()``): it is ignored by GROUP BY
    # but would still join the zone table for its name.
    for row in (
        Milestone.objects.filter(
            project__zone_id=zone_id, planned_date__gte=period.start, planned_date__lte=period.end
        )
        .values("project__department_id")
        .annotate(total=Count("id"), on_time=Count("id", filter=Q(actual_date__lte=F("planned_date"))))
        .order_by()
    ):
        raw[row["project__department_id"]]["milestone_on_time"] = (
            Decimal(row["on_time"]),
            Decimal(row["total"]),
        )

    projects = list(
        KeyProject.objects.filter(zone_id=zone_id, year=period.year)
        .values("pk", "department_id", "planned_investment", "planned_start", "year")
        # The default ordering within one zone and year, without the join for the zone's name.
        .order_by("code")
    )
    months_elapsed = period.end.month
    planned: dict[int, Decimal] = defaultdict(Decimal)
    for project in projects:
        planned[project["department_id"]] += project["planned_investment"] * months_elapsed / 12
    # One pass over the year's reports up to the end of the period, per project: the latest cumulative
    # investment (investment measure) and the reports of the period that came in on time (timeliness).
    done: dict[int, Decimal] = defaultdict(Decimal)
    on_time: dict[int, int] = defaultdict(int)
    for report_row in (
        MonthlyReport.objects.filter(
            project__zone_id=zone_id,
            project__year=period.year,
            period__year=period.year,
            period__lte=period.end,
        )
        .values("project_id", "project__department_id")
        .annotate(
            cumulative=Max("investment_cumulative"),
            on_time=Count("id", filter=Q(on_time=True, period__gte=period.start)),
        )
        .order_by()
    ):
        done[report_row["project__department_id"]] += report_row["cumulative"]
        on_time[report_row["project__department_id"]] += report_row["on_time"]
    for department_id, expected in planned.items():
        if expected > 0:
            raw[department_id]["investment_completion"] = (min(done[department_id], expected), expected)

    day = deadline_day(zone_id=zone_id)
    due: dict[int, int] = defaultdict(int)
    after_period = period.end + dt.timedelta(days=1)
    # months_due reads only the project's year and the month it starts in (from January of its year), so
    # the months are counted once per (year, first month) rather than once per project.
    due_by_start: dict[tuple[int, dt.date], int] = {}
    for project in projects:
        first = month_start(max(project["planned_start"], dt.date(project["year"], 1, 1)))
        key = (project["year"], first)
        if key not in due_by_start:
            stub = KeyProject(year=project["year"], planned_start=first)
            months = months_due(project=stub, today=after_period, deadline_day=day)
            due_by_start[key] = sum(1 for m in months if m >= period.start)
        due[project["department_id"]] += due_by_start[key]
    for department_id, count in due.items():
        if count:
            raw[department_id]["report_timeliness"] = (
                Decimal(min(on_time.get(department_id, 0), count)),
                Decimal(count),
            )

    for item_row in (
        SupervisionItem.objects.filter(zone_id=zone_id, deadline__gte=period.start, deadline__lte=period.end)
        .values("department_id")
        .annotate(total=Count("id"), on_time=Count("id", filter=Q(closed_on__lte=F("deadline"))))
        .order_by()
    ):
        raw[item_row["department_id"]]["supervision_on_time"] = (
            Decimal(item_row["on_time"]),
            Decimal(item_row["total"]),
        )
    return raw


def _scores(
    *, zone_id: int, period: Period
) -> dict[int, tuple[Decimal, list[MeasureResult], list[AssessmentAdjustment]]]:
    weights = _weights(zone_id)
    raw = _raw(zone_id=zone_id, period=period)
    adjustments: dict[int, list[AssessmentAdjustment]] = defaultdict(list)
    for adjustment in AssessmentAdjustment.objects.filter(zone_id=zone_id, period=period.code).order_by("pk"):
        adjustments[adjustment.department_id].append(adjustment)
    result: dict[int, tuple[Decimal, list[MeasureResult], list[AssessmentAdjustment]]] = {}
    for department_id in set(raw) | set(adjustments):
        measured = raw.get(department_id, {})
        applicable = sum(w for m, w in weights.items() if m in measured)
        breakdown: list[MeasureResult] = []
        for measure, weight in weights.items():
            achieved, expected = measured.get(measure, (Decimal(0), Decimal(0)))
            applies = measure in measured and expected > 0
            rate = (achieved / expected) if applies else None
            points = (
                (Decimal(100) * weight * rate / applicable).quantize(Decimal("0.01"))
                if applies and rate is not None
                else Decimal("0.00")
            )
            breakdown.append(
                MeasureResult(
                    measure=measure,
                    label=str(MEASURE_LABELS.get(measure, measure)),
                    weight=weight,
                    achieved=achieved.quantize(Decimal("0.01")),
                    expected=expected.quantize(Decimal("0.01")),
                    rate=(rate * 100).quantize(Decimal("0.1")) if rate is not None else None,
                    points=points,
                    applies=applies,
                )
            )
        score = sum((b.points for b in breakdown), Decimal(0)) + sum(
            (a.points for a in adjustments.get(department_id, [])), Decimal(0)
        )
        result[department_id] = (
            score.quantize(Decimal("0.01")),
            breakdown,
            adjustments.get(department_id, []),
        )
    return result


def assessment(*, user: User, period_code: str) -> list[DepartmentScore]:
    """Every assessed department of the user's zone with its score, rank, breakdown and change on the
    previous period, best first."""
    require_perm(user, Perm.ASSESSMENT_VIEW)
    period = parse_period(period_code)
    if user.zone_id is None:
        return []
    current = _scores(zone_id=user.zone_id, period=period)
    previous = _scores(zone_id=user.zone_id, period=period.previous())
    names = dict(Department.objects.filter(zone_scope(user), pk__in=list(current)).values_list("pk", "name"))
    rows = [
        DepartmentScore(
            department_id=department_id,
            department=names.get(department_id, ""),
            score=score,
            rank=0,
            previous_score=previous[department_id][0] if department_id in previous else None,
            change=(score - previous[department_id][0]) if department_id in previous else None,
            breakdown=breakdown,
            adjustments=adjustments,
        )
        for department_id, (score, breakdown, adjustments) in current.items()
        if department_id in names
    ]
    rows.sort(key=lambda r: (-r.score, r.department))
    for position, row in enumerate(rows, start=1):
        # Equal scores share a rank.
        row.rank = (
            rows[position - 2].rank if position > 1 and rows[position - 2].score == row.score else position
        )
    return rows


@dataclass
class DrillRow:
    measure: str
    kind: str
    object_id: int
    label: str
    detail: str
    ok: bool


def drill_down(*, user: User, period_code: str, department_id: int) -> list[DrillRow]:
    """The projects, milestones, reports and items behind a department's points."""
    require_perm(user, Perm.ASSESSMENT_VIEW)
    period = parse_period(period_code)
    rows: list[DrillRow] = []
    zone_id = user.zone_id
    if zone_id is None:
        return rows
    for m in (
        Milestone.objects.filter(
            project__zone_id=zone_id,
            project__department_id=department_id,
            planned_date__gte=period.start,
            planned_date__lte=period.end,
        )
        .select_related("project")
        .order_by("planned_date", "pk")
    ):
        rows.append(
            DrillRow(
                "milestone_on_time",
                "milestone",
                m.project_id,
                f"{m.project.name} · {m.name}",
                f"{m.planned_date} → {m.actual_date or '—'}",
                m.actual_date is not None and m.actual_date <= m.planned_date,
            )
        )
    for r in (
        MonthlyReport.objects.filter(
            project__zone_id=zone_id,
            project__department_id=department_id,
            period__gte=period.start,
            period__lte=period.end,
        )
        .select_related("project")
        .order_by("period", "project__code")
    ):
        rows.append(
            DrillRow(
                "report_timeliness",
                "report",
                r.project_id,
                f"{r.project.name} {r.period:%Y-%m}",
                f"{r.submitted_at:%Y-%m-%d}",
                r.on_time,
            )
        )
    for i in SupervisionItem.objects.filter(
        zone_id=zone_id,
        department_id=department_id,
        deadline__gte=period.start,
        deadline__lte=period.end,
    ).order_by("deadline", "pk"):
        rows.append(
            DrillRow(
                "supervision_on_time",
                "supervision_item",
                i.pk,
                f"{i.number} {i.subject}",
                f"{i.deadline} → {i.closed_on or '—'}",
                bool(i.closed_on_time),
            )
        )
    for p in (
        KeyProject.objects.filter(zone_id=zone_id, department_id=department_id, year=period.year)
        .annotate(done=Sum("reports__investment_month", filter=Q(reports__period__lte=period.end)))
        .order_by("code")
    ):
        expected = p.planned_investment * period.end.month / 12
        done = p.done or Decimal(0)
        rows.append(
            DrillRow(
                "investment_completion",
                "project",
                p.pk,
                p.name,
                f"{done:,.0f} / {expected:,.0f}",
                done >= expected,
            )
        )
    return rows

"""Department assessment (考核): scores computed from the data, never typed in.

Measures (default weights, points out of 100):

* ``milestone_on_time`` (20) — milestones of the department's projects planned in the period that were
  reached on or before their planned date;
* ``investment_completion`` (20) — this year's investment reported by the end of the period against the
  year's plan pro-rated to the months elapsed (capped at 100%);
* ``report_timeliness`` (15) — monthly reports due in the period that came in by the deadline (a missing
  report counts as late);
* ``supervision_on_time`` (15) — supervision items due in the period closed by their deadline;
* ``service_orders`` (10) — enterprise service orders whose resolution deadline fell in the period that
  were answered by it (merged and refused orders have no deadline to keep);
* ``service_satisfaction`` (10) — every rating (1–5) the enterprises gave the department's orders in the
  period, against the full 5 (a bad rating stays counted when it reopens the order and the order is rated
  again, as the service desk's statistics count it);
* ``leads_signed`` (10) — the investment its officers' leads signed in the period (leads since lost left
  out) against the zone's signed-investment target for the year, pro-rated to the months elapsed.

A period still running is assessed up to today: what falls due later (a milestone planned next month, an
order due next week, the months whose report is not due yet) is not yet counted for or against anyone,
unless it is already done (an item closed before its deadline is already closed on time).
A measure a department has nothing to be measured on (no milestone due, no item) does not apply to it:
the weights of the measures that do apply are scaled to 100. Each measure's points are
``100 × weight × rate / (sum of the applicable weights)``. The supervision office's bonus and penalty points
are the breakdown's last line (``adjustments``), so the breakdown always adds up to the score.

The weights come from the scheme of the period if the zone froze one (a closed period keeps the weights it
was assessed under when the standing scheme changes), else from the zone's standing scheme.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from zoneops.accounts.models import Department, User
from zoneops.core import clock
from zoneops.core.access import Perm, has_perm, require_perm, zone_scope
from zoneops.investment.models import Lead, LeadStage
from zoneops.investment.selectors import year_targets
from zoneops.projects.models import KeyProject, Milestone, MonthlyReport
from zoneops.projects.services import deadline_day
from zoneops.projects.warnings import month_start, months_due
from zoneops.servicedesk.models import OrderRating, OrderStatus, ServiceOrder
from zoneops.supervision.models import AssessmentAdjustment, AssessmentScheme, SupervisionItem

DEFAULT_WEIGHTS: dict[str, int] = {
    "milestone_on_time": 20,
    "investment_completion": 20,
    "report_timeliness": 15,
    "supervision_on_time": 15,
    "service_orders": 10,
    "service_satisfaction": 10,
    "leads_signed": 10,
}
MEASURE_LABELS = {
    "milestone_on_time": _("milestones on time"),
    "investment_completion": _("investment against plan"),
    "report_timeliness": _("monthly reports on time"),
    "supervision_on_time": _("supervision items closed on time"),
    "service_orders": _("service orders resolved on time"),
    "service_satisfaction": _("enterprises' satisfaction"),
    "leads_signed": _("investment signed against target"),
}
# The breakdown's last line: the supervision office's bonus and penalty points (not a weighted measure).
ADJUSTMENTS = "adjustments"
ADJUSTMENTS_LABEL = _("bonus and penalty points")
FULL_RATING = 5
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


def zone_weights(zone_id: int, *, period_code: str = "") -> dict[str, int]:
    """The weights a period is assessed under: the scheme frozen for that period if there is one, else the
    zone's standing scheme, else the defaults."""
    wanted = Q(period="", is_default=True)
    if period_code:
        wanted |= Q(period=period_code)
    schemes = {
        scheme.period: scheme.weights
        for scheme in AssessmentScheme.objects.filter(wanted, zone_id=zone_id).order_by("-is_default")
    }
    weights = schemes.get(period_code) if period_code else None
    if weights is None:
        weights = schemes.get("")
    return dict(weights) if weights is not None else dict(DEFAULT_WEIGHTS)


def measure_label(measure: str) -> str:
    return str(ADJUSTMENTS_LABEL if measure == ADJUSTMENTS else MEASURE_LABELS.get(measure, measure))


def assessed_until(*, period: Period, today: dt.date) -> dt.date:
    """The last day a period is assessed on: its end, or today while it runs (before its start, the day
    before it, so nothing is due yet)."""
    return max(min(period.end, today), period.start - dt.timedelta(days=1))


def months_reported(*, until: dt.date, year: int, deadline_day: int) -> int:
    """The months of ``year`` whose monthly report was due by ``until``: the plan's share of the year the
    investment measure expects done."""
    if until.year < year:
        return 0
    if until.year > year:
        return 12
    due_this_month = until >= until.replace(day=min(deadline_day, 28))
    return until.month if due_this_month else until.month - 1


# What each measure counts, shared by the scores and the drill-down so the two can never disagree.


# Within a running period, what is due later counts only once it is done (an item closed before its
# deadline is already a success); what is neither due nor done yet does not count.


def _milestones_due(*, period: Period, zone_id: int, until: dt.date) -> QuerySet[Milestone]:
    return Milestone.objects.filter(
        Q(planned_date__lte=until) | Q(actual_date__lte=until),
        project__zone_id=zone_id,
        planned_date__gte=period.start,
        planned_date__lte=period.end,
    )


def _items_due(*, period: Period, zone_id: int, until: dt.date) -> QuerySet[SupervisionItem]:
    return SupervisionItem.objects.filter(
        Q(deadline__lte=until) | Q(closed_on__lte=until),
        zone_id=zone_id,
        deadline__gte=period.start,
        deadline__lte=period.end,
    )


def _orders_due(*, period: Period, zone_id: int, until: dt.date) -> QuerySet[ServiceOrder]:
    return ServiceOrder.objects.filter(
        Q(resolve_due__lte=until) | Q(answered_on__lte=until),
        zone_id=zone_id,
        resolve_due__gte=period.start,
        resolve_due__lte=period.end,
        department__isnull=False,
    ).exclude(status__in=[OrderStatus.MERGED, OrderStatus.REFUSED])


def _ratings_given(*, zone_id: int, start: dt.date, until: dt.date) -> QuerySet[OrderRating]:
    # The order's own rating field holds only its latest rating, and reopening clears it: the ratings kept
    # one per row are what was given.
    return OrderRating.objects.filter(
        order__zone_id=zone_id,
        order__department__isnull=False,
        rated_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=clock.SHANGHAI),
        rated_at__lt=dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=clock.SHANGHAI),
    )


def _leads_signed(*, zone_id: int, start: dt.date, until: dt.date) -> QuerySet[Lead]:
    # An agreement that fell through later (the lead is lost) brings no investment.
    return Lead.objects.filter(
        zone_id=zone_id, signed_on__gte=start, signed_on__lte=until, officer__department__isnull=False
    ).exclude(stage=LeadStage.LOST)


def _signed_target(*, zone_id: int, start: dt.date, until: dt.date) -> Decimal:
    """The year's signed-investment target pro-rated to the days of the period assessed (0: no target)."""
    target = year_targets(zone_id).get(str(start.year))
    if not target or until < start:
        return Decimal(0)
    days_in_year = (dt.date(start.year, 12, 31) - dt.date(start.year, 1, 1)).days + 1
    return Decimal(target) * ((until - start).days + 1) / days_in_year


@dataclass
class _YearReports:
    """A year's projects and, per period of that year, what their reports add up to per department."""

    # (pk, department, investment planned this year, planned start), in the projects' default order.
    projects: list[tuple[int, int, Decimal, dt.date]]
    # Per period: the highest cumulative investment reported by the period's end, summed per department.
    done: dict[Period, dict[int, Decimal]]
    # Per period: the period's reports that came in on time, per department.
    on_time: dict[Period, dict[int, int]]


def _year_reports(*, zone_id: int, year: int, periods: Sequence[Period]) -> _YearReports:
    """The year's projects, then one pass over their reports of the year up to the last period's end,
    grouped per project with each period's figures as filtered aggregates (an assessment scores a period
    and the one before it, usually in the same year). Grouped by project alone, so the planner expects
    one group per project and aggregates in memory; the department comes from the project list."""
    projects = list(
        KeyProject.objects.filter(zone_id=zone_id, year=year)
        .values_list("pk", "department_id", "planned_investment", "planned_start")
        # The default ordering within one zone and year, without the join for the zone's name.
        .order_by("code")
    )
    department_of = {pk: department_id for pk, department_id, _planned, _start in projects}
    aggregates: dict[str, Max | Count] = {}
    for index, period in enumerate(periods):
        aggregates[f"cumulative_{index}"] = Max("investment_cumulative", filter=Q(period__lte=period.end))
        aggregates[f"on_time_{index}"] = Count(
            "id", filter=Q(on_time=True, period__gte=period.start, period__lte=period.end)
        )
    done: dict[Period, dict[int, Decimal]] = {period: defaultdict(Decimal) for period in periods}
    on_time: dict[Period, dict[int, int]] = {period: defaultdict(int) for period in periods}
    for row in (
        MonthlyReport.objects.filter(
            project__zone_id=zone_id,
            project__year=year,
            period__year=year,
            period__lte=max(period.end for period in periods),
        )
        .values("project_id")
        .annotate(**aggregates)
        .values_list("project_id", *aggregates)
        .order_by()
    ):
        department_id = department_of[row[0]]
        for index, period in enumerate(periods):
            cumulative, count = row[1 + 2 * index], row[2 + 2 * index]
            if cumulative is not None:  # the project had reported by the period's end
                done[period][department_id] += cumulative
                on_time[period][department_id] += count
    return _YearReports(projects=projects, done=done, on_time=on_time)


Raw = dict[int, dict[str, tuple[Decimal, Decimal]]]


def _raw(*, zone_id: int, periods: Sequence[Period], today: dt.date) -> list[Raw]:
    """Per period, department and measure: (achieved, expected). A few grouped queries whatever the zone's
    size; a year's projects and reports are read once for all the periods of that year."""
    years = {
        year: _year_reports(zone_id=zone_id, year=year, periods=[p for p in periods if p.year == year])
        for year in sorted({period.year for period in periods})
    }
    day = deadline_day(zone_id=zone_id)
    return [
        _raw_period(
            zone_id=zone_id,
            period=period,
            until=assessed_until(period=period, today=today),
            year=years[period.year],
            day=day,
        )
        for period in periods
    ]


def _raw_period(*, zone_id: int, period: Period, until: dt.date, year: _YearReports, day: int) -> Raw:
    raw: Raw = defaultdict(dict)
    if until < period.start:  # the period has not begun: nothing is due yet
        return raw
    # Each grouped query drops the models' default ordering (``order_by()``): it is ignored by GROUP BY
    # but would still join the zone table for its name.
    for row in (
        _milestones_due(period=period, zone_id=zone_id, until=until)
        .values("project__department_id")
        .annotate(total=Count("id"), on_time=Count("id", filter=Q(actual_date__lte=F("planned_date"))))
        .order_by()
    ):
        raw[row["project__department_id"]]["milestone_on_time"] = (
            Decimal(row["on_time"]),
            Decimal(row["total"]),
        )

    months_elapsed = months_reported(until=until, year=period.year, deadline_day=day)
    planned: dict[int, Decimal] = defaultdict(Decimal)
    for _pk, department_id, planned_investment, _start in year.projects:
        planned[department_id] += planned_investment * months_elapsed / 12
    done = year.done[period]
    for department_id, expected in planned.items():
        if expected > 0:
            raw[department_id]["investment_completion"] = (min(done[department_id], expected), expected)

    due: dict[int, int] = defaultdict(int)
    after_period = until + dt.timedelta(days=1)
    # months_due reads only the project's year and the month it starts in (from January of its year), so
    # the months are counted once per first month rather than once per project.
    due_by_start: dict[dt.date, int] = {}
    first_day = dt.date(period.year, 1, 1)
    for _pk, department_id, _planned, planned_start in year.projects:
        first = month_start(max(planned_start, first_day))
        if first not in due_by_start:
            stub = KeyProject(year=period.year, planned_start=first)
            months = months_due(project=stub, today=after_period, deadline_day=day)
            due_by_start[first] = sum(1 for m in months if m >= period.start)
        due[department_id] += due_by_start[first]
    on_time = year.on_time[period]
    for department_id, count in due.items():
        if count:
            raw[department_id]["report_timeliness"] = (
                Decimal(min(on_time.get(department_id, 0), count)),
                Decimal(count),
            )

    for item_row in (
        _items_due(period=period, zone_id=zone_id, until=until)
        .values("department_id")
        .annotate(total=Count("id"), on_time=Count("id", filter=Q(closed_on__lte=F("deadline"))))
        .order_by()
    ):
        raw[item_row["department_id"]]["supervision_on_time"] = (
            Decimal(item_row["on_time"]),
            Decimal(item_row["total"]),
        )

    for order_row in (
        _orders_due(period=period, zone_id=zone_id, until=until)
        .values("department_id")
        .annotate(total=Count("id"), on_time=Count("id", filter=Q(answered_on_time=True)))
        .order_by()
    ):
        raw[order_row["department_id"]]["service_orders"] = (
            Decimal(order_row["on_time"]),
            Decimal(order_row["total"]),
        )

    for rated_row in (
        _ratings_given(zone_id=zone_id, start=period.start, until=until)
        .values("order__department_id")
        .annotate(total=Count("id"), stars=Sum("rating"))
        .order_by()
    ):
        raw[rated_row["order__department_id"]]["service_satisfaction"] = (
            Decimal(rated_row["stars"]),
            Decimal(rated_row["total"] * FULL_RATING),
        )

    target = _signed_target(zone_id=zone_id, start=period.start, until=until)
    if target > 0:
        # One grouped read: every department whose officers work leads by then is measured, whether it
        # signed or not; what it signed is a filtered sum over the same rows as ``_leads_signed``.
        signed = Q(signed_on__gte=period.start, signed_on__lte=until) & ~Q(stage=LeadStage.LOST)
        for department_id, amount in (
            Lead.objects.filter(zone_id=zone_id, officer__department__isnull=False)
            .filter(Q(opened_on__lte=until) | signed)
            .values("officer__department_id")
            .annotate(amount=Sum("signed_amount", filter=signed))
            .values_list("officer__department_id", "amount")
            .order_by()
        ):
            raw[department_id]["leads_signed"] = (min(amount or Decimal(0), target), target)
    return raw


def _scores(
    *, zone_id: int, period: Period, raw: Raw
) -> dict[int, tuple[Decimal, list[MeasureResult], list[AssessmentAdjustment]]]:
    weights = zone_weights(zone_id, period_code=period.code)
    adjustments: dict[int, list[AssessmentAdjustment]] = defaultdict(list)
    for adjustment in (
        AssessmentAdjustment.objects.filter(zone_id=zone_id, period=period.code)
        .select_related("entered_by")
        .order_by("pk")
    ):
        adjustments[adjustment.department_id].append(adjustment)
    result: dict[int, tuple[Decimal, list[MeasureResult], list[AssessmentAdjustment]]] = {}
    for department_id in set(raw) | set(adjustments):
        measured = raw.get(department_id, {})
        applicable = sum(w for m, w in weights.items() if m in measured)
        breakdown: list[MeasureResult] = []
        for measure, weight in weights.items():
            achieved, expected = measured.get(measure, (Decimal(0), Decimal(0)))
            applies = measure in measured and expected > 0 and applicable > 0
            rate = (achieved / expected) if applies else None
            points = (
                (Decimal(100) * weight * rate / applicable).quantize(Decimal("0.01"))
                if applies and rate is not None
                else Decimal("0.00")
            )
            breakdown.append(
                MeasureResult(
                    measure=measure,
                    label=measure_label(measure),
                    weight=weight,
                    achieved=achieved.quantize(Decimal("0.01")),
                    expected=expected.quantize(Decimal("0.01")),
                    rate=(rate * 100).quantize(Decimal("0.1")) if rate is not None else None,
                    points=points,
                    applies=applies,
                )
            )
        bonus = sum((a.points for a in adjustments.get(department_id, [])), Decimal(0)).quantize(
            Decimal("0.01")
        )
        breakdown.append(
            MeasureResult(
                measure=ADJUSTMENTS,
                label=measure_label(ADJUSTMENTS),
                weight=0,
                achieved=bonus,
                expected=Decimal("0.00"),
                rate=None,
                points=bonus,
                applies=department_id in adjustments,
            )
        )
        score = sum((b.points for b in breakdown), Decimal(0))
        result[department_id] = (
            score.quantize(Decimal("0.01")),
            breakdown,
            adjustments.get(department_id, []),
        )
    return result


def assessment(*, user: User, period_code: str, with_change: bool = True) -> list[DepartmentScore]:
    """Every assessed department of the user's zone with its score, rank, breakdown and change on the
    previous period, best first. ``with_change=False`` leaves the previous period unscored (its score and
    change are None): the cockpit shows the ranking alone."""
    require_perm(user, Perm.ASSESSMENT_VIEW)
    period = parse_period(period_code)
    if user.zone_id is None:
        return []
    before = period.previous()
    today = clock.today(zone=user.zone)
    raws = _raw(zone_id=user.zone_id, periods=[period, before] if with_change else [period], today=today)
    current = _scores(zone_id=user.zone_id, period=period, raw=raws[0])
    previous = _scores(zone_id=user.zone_id, period=before, raw=raws[1]) if with_change else {}
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

    @property
    def measure_label(self) -> str:
        return measure_label(self.measure)


def drill_down(*, user: User, period_code: str, department_id: int) -> list[DrillRow]:
    """The projects, milestones, reports, items, orders and leads behind a department's points, read with
    the same filters as the scores."""
    require_perm(user, Perm.ASSESSMENT_VIEW)
    period = parse_period(period_code)
    rows: list[DrillRow] = []
    zone_id = user.zone_id
    if zone_id is None:
        return rows
    until = assessed_until(period=period, today=clock.today(zone=user.zone))
    for m in (
        _milestones_due(period=period, zone_id=zone_id, until=until)
        .filter(project__department_id=department_id)
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
            period__lte=until,
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
    for i in (
        _items_due(period=period, zone_id=zone_id, until=until)
        .filter(department_id=department_id)
        .order_by("deadline", "pk")
    ):
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
    for o in (
        _orders_due(period=period, zone_id=zone_id, until=until)
        .filter(department_id=department_id)
        .order_by("resolve_due", "pk")
    ):
        rows.append(
            DrillRow(
                "service_orders",
                "service_order",
                o.pk,
                f"{o.number} {o.title}",
                f"{o.resolve_due} → {o.answered_on or '—'}",
                bool(o.answered_on_time),
            )
        )
    for rating in (
        _ratings_given(zone_id=zone_id, start=period.start, until=until)
        .filter(order__department_id=department_id)
        .select_related("order")
        .order_by("rated_at", "pk")
    ):
        rows.append(
            DrillRow(
                "service_satisfaction",
                "service_order",
                rating.order_id,
                f"{rating.order.number} {rating.order.title}",
                f"{rating.rating}/{FULL_RATING}",
                rating.rating >= 4,
            )
        )
    signed = list(
        _leads_signed(zone_id=zone_id, start=period.start, until=until)
        .filter(officer__department_id=department_id)
        .order_by("signed_on", "pk")
    )
    if has_perm(user, Perm.LEAD_VIEW):
        rows.extend(
            DrillRow(
                "leads_signed",
                "lead",
                lead.pk,
                lead.company_name,
                f"{lead.signed_on} · {lead.signed_amount or 0:,.0f}",
                True,
            )
            for lead in signed
        )
    elif signed:
        # Leads are commercially sensitive: other readers see what the points rest on, not the companies.
        rows.append(
            DrillRow(
                "leads_signed",
                "summary",
                0,
                ngettext("%(count)d lead signed", "%(count)d leads signed", len(signed))
                % {"count": len(signed)},
                f"{sum((lead.signed_amount or Decimal(0) for lead in signed), Decimal(0)):,.0f}",
                True,
            )
        )
    months = months_reported(until=until, year=period.year, deadline_day=deadline_day(zone_id=zone_id))
    for p in (
        KeyProject.objects.filter(zone_id=zone_id, department_id=department_id, year=period.year)
        .annotate(done=Max("reports__investment_cumulative", filter=Q(reports__period__lte=period.end)))
        .order_by("code")
    ):
        expected = p.planned_investment * months / 12
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

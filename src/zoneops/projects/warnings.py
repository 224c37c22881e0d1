"""Project warnings: the zone's rules applied to a project's plan, milestones, reports and problems.

Each rule measures one thing and compares it with the zone's amber and red thresholds:

* ``investment_behind`` — percentage points by which this year's cumulative investment (latest report)
  trails the share of the year elapsed (months reported / 12, or months elapsed when a report is missing)
  times this year's planned investment;
* ``milestone_overdue`` — working days since the planned date of the most overdue milestone not reached;
* ``report_missing`` — monthly reports missing since the project started, counting each month whose
  deadline (the zone's day of the month) has passed;
* ``problem_open`` — working days the oldest open problem has waited;
* ``completion_late`` — days by which the completion projected from the reported physical progress (a
  straight line from the planned start through the latest report) falls after the planned completion.

A project's level is the worst of its rules; its reasons list every rule that fired with its measure.
Reasons are stored as codes and numbers and put into words when read, in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from zoneops.core.selectors import WorkdayCounter
from zoneops.projects.models import (
    KeyProject,
    Milestone,
    MonthlyReport,
    Problem,
    ProblemStatus,
    ProjectStatus,
    WarningLevel,
    WarningRule,
    WarningRuleCode,
)

DEFAULT_RULES: dict[str, tuple[Decimal, Decimal]] = {
    WarningRuleCode.INVESTMENT_BEHIND: (Decimal(10), Decimal(20)),
    WarningRuleCode.MILESTONE_OVERDUE: (Decimal(5), Decimal(20)),
    WarningRuleCode.REPORT_MISSING: (Decimal(1), Decimal(2)),
    WarningRuleCode.PROBLEM_OPEN: (Decimal(10), Decimal(20)),
    WarningRuleCode.COMPLETION_LATE: (Decimal(30), Decimal(90)),
}
_ORDER = {WarningLevel.GREEN: 0, WarningLevel.AMBER: 1, WarningLevel.RED: 2}


@dataclass(frozen=True)
class Thresholds:
    amber: Decimal
    red: Decimal

    def level(self, measure: Decimal | int | float) -> str:
        value = Decimal(str(measure))
        if value >= self.red:
            return WarningLevel.RED
        if value >= self.amber:
            return WarningLevel.AMBER
        return WarningLevel.GREEN


def zone_rules(*, zone_id: int) -> dict[str, Thresholds]:
    """The zone's enabled rules; the defaults for rules the zone has not configured."""
    configured = {r.code: r for r in WarningRule.objects.filter(zone_id=zone_id)}
    rules: dict[str, Thresholds] = {}
    for code, (amber, red) in DEFAULT_RULES.items():
        rule = configured.get(code)
        if rule is None:
            rules[code] = Thresholds(amber, red)
        elif rule.enabled:
            rules[code] = Thresholds(rule.amber, rule.red)
    return rules


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def months_due(*, project: KeyProject, today: dt.date, deadline_day: int) -> list[dt.date]:
    """The months of the project's year whose report deadline has passed, from the month it started."""
    first = month_start(max(project.planned_start, dt.date(project.year, 1, 1)))
    months: list[dt.date] = []
    month = first
    while month.year == project.year:
        deadline = month.replace(day=min(deadline_day, 28))
        if deadline >= today:
            break
        months.append(month)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


@dataclass
class Evaluation:
    level: str
    reasons: list[dict[str, Any]]


def evaluate(
    *,
    project: KeyProject,
    today: dt.date,
    rules: Mapping[str, Thresholds],
    deadline_day: int,
    reports: Iterable[MonthlyReport],
    milestones: Iterable[Milestone],
    problems: Iterable[Problem],
    workdays: WorkdayCounter,
) -> Evaluation:
    """The project's level and reasons on ``today`` (the caller loads the rows, so a board of thousands of
    projects is evaluated with a handful of queries)."""
    reasons: list[dict[str, Any]] = []

    def fire(code: str, measure: Decimal | int, **params: Any) -> None:
        thresholds = rules.get(code)
        if thresholds is None:
            return
        level = thresholds.level(measure)
        if level != WarningLevel.GREEN:
            reasons.append({"rule": code, "level": level, "measure": str(measure), **params})

    if project.status in (ProjectStatus.SUSPENDED,):
        return Evaluation(WarningLevel.GREEN, [])
    finished = project.status in (ProjectStatus.COMPLETED, ProjectStatus.IN_PRODUCTION)
    by_period = sorted((r for r in reports if r.period.year == project.year), key=lambda r: r.period)
    latest = by_period[-1] if by_period else None
    due = months_due(project=project, today=today, deadline_day=deadline_day)

    if not finished and project.planned_investment > 0 and due:
        elapsed = Decimal(len(due)) / 12
        done = (latest.investment_cumulative if latest else Decimal(0)) / project.planned_investment
        behind = ((elapsed - done) * 100).quantize(Decimal("0.1"))
        fire(
            WarningRuleCode.INVESTMENT_BEHIND,
            behind,
            elapsed=str((elapsed * 100).quantize(Decimal("0.1"))),
            done=str((done * 100).quantize(Decimal("0.1"))),
        )

    overdue = [m for m in milestones if m.actual_date is None and m.planned_date < today]
    if overdue:
        worst = min(overdue, key=lambda m: m.planned_date)
        days = workdays.between(start=worst.planned_date, end=today)
        fire(
            WarningRuleCode.MILESTONE_OVERDUE,
            days,
            milestone=worst.name,
            planned=worst.planned_date.isoformat(),
        )

    reported = {r.period for r in by_period}
    missing = [m for m in due if m not in reported]
    if missing and not finished:
        fire(WarningRuleCode.REPORT_MISSING, len(missing), months=[f"{m:%Y-%m}" for m in missing])

    waiting = [p for p in problems if p.status != ProblemStatus.RESOLVED]
    if waiting:
        oldest = min(waiting, key=lambda p: p.raised_on)
        days = workdays.between(start=oldest.raised_on, end=today)
        fire(
            WarningRuleCode.PROBLEM_OPEN,
            days,
            problem=oldest.description[:80],
            raised=oldest.raised_on.isoformat(),
        )

    if latest is not None and not finished and 0 < latest.progress_percent < 100:
        report_day = dt.date(latest.period.year, latest.period.month, 28)
        spent = (report_day - project.planned_start).days
        if spent > 0:
            projected = project.planned_start + dt.timedelta(
                days=round(spent * 100 / latest.progress_percent)
            )
            late = (projected - project.planned_completion).days
            fire(
                WarningRuleCode.COMPLETION_LATE,
                late,
                projected=projected.isoformat(),
                planned=project.planned_completion.isoformat(),
            )

    level = max((r["level"] for r in reasons), key=lambda lv: _ORDER[lv], default=WarningLevel.GREEN)
    return Evaluation(str(level), reasons)


def reason_text(reason: Mapping[str, Any]) -> str:
    """A stored reason in the reader's language."""
    rule = reason.get("rule")
    if rule == WarningRuleCode.INVESTMENT_BEHIND:
        return (
            _(
                "Investment %(done)s%% of this year's plan with %(elapsed)s%% of the year elapsed "
                "(%(measure)s pp behind)."
            )
            % reason
        )
    if rule == WarningRuleCode.MILESTONE_OVERDUE:
        return (
            _(
                "Milestone %(milestone)s planned for %(planned)s not reached: "
                "%(measure)s working days overdue."
            )
            % reason
        )
    if rule == WarningRuleCode.REPORT_MISSING:
        return _("Monthly report missing for %(months)s.") % {"months": "、".join(reason.get("months", []))}
    if rule == WarningRuleCode.PROBLEM_OPEN:
        return _("Problem open for %(measure)s working days since %(raised)s: %(problem)s") % reason
    if rule == WarningRuleCode.COMPLETION_LATE:
        return (
            _(
                "At the reported pace completion falls on %(projected)s, "
                "%(measure)s days after the planned %(planned)s."
            )
            % reason
        )
    return str(rule)

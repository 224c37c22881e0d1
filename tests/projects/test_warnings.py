"""The warning rules on hand-made projects: each rule, its thresholds, and the worst level winning."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zoneops.core.selectors import WorkdayCounter
from zoneops.projects.models import KeyProject, Milestone, MonthlyReport, Problem, ProjectStatus
from zoneops.projects.warnings import DEFAULT_RULES, Thresholds, evaluate, months_due, reason_text

pytestmark = pytest.mark.django_db

TODAY = dt.date(2022, 5, 8)
RULES = {code: Thresholds(amber, red) for code, (amber, red) in DEFAULT_RULES.items()}


def _project(**overrides: object) -> KeyProject:
    values: dict[str, object] = {
        "year": 2022,
        "planned_start": dt.date(2022, 1, 1),
        "planned_completion": dt.date(2022, 12, 31),
        "planned_investment": Decimal(1200),
        "status": ProjectStatus.UNDER_CONSTRUCTION,
    }
    values.update(overrides)
    return KeyProject(**values)


def _report(month: int, cumulative: int, progress: int) -> MonthlyReport:
    return MonthlyReport(
        period=dt.date(2022, month, 1), investment_cumulative=Decimal(cumulative), progress_percent=progress
    )


def _run(
    project: KeyProject,
    *,
    reports: list[MonthlyReport] = (),
    milestones: list[Milestone] = (),
    problems: list[Problem] = (),
) -> tuple[str, list[str]]:  # type: ignore[assignment]
    result = evaluate(
        project=project,
        today=TODAY,
        rules=RULES,
        deadline_day=25,
        reports=reports,
        milestones=milestones,
        problems=problems,
        workdays=WorkdayCounter(first=dt.date(2021, 1, 1), last=TODAY),
    )
    return result.level, [r["rule"] for r in result.reasons]


ON_PLAN = [_report(1, 100, 9), _report(2, 200, 17), _report(3, 300, 25), _report(4, 400, 33)]


def test_a_project_on_plan_is_green() -> None:
    assert _run(_project(), reports=ON_PLAN) == ("green", [])


def test_months_due_count_only_passed_deadlines() -> None:
    assert months_due(project=_project(), today=TODAY, deadline_day=25) == [
        dt.date(2022, m, 1) for m in (1, 2, 3, 4)
    ]
    assert months_due(project=_project(), today=dt.date(2022, 4, 25), deadline_day=25) == [
        dt.date(2022, m, 1) for m in (1, 2, 3)
    ]


@pytest.mark.parametrize(("cumulative", "level"), [(300, "green"), (250, "amber"), (150, "red")])
def test_investment_behind_plan(cumulative: int, level: str) -> None:
    # Four months due: 33.3 % of 1200 expected; 300 is 8.3 pp behind, 250 is 12.5, 150 is 20.8.
    reports = [*ON_PLAN[:3], _report(4, cumulative, 33)]
    got_level, rules = _run(_project(), reports=reports)
    assert got_level == level
    assert ("investment_behind" in rules) == (level != "green")


@pytest.mark.parametrize(
    ("planned", "level"),
    [(dt.date(2022, 5, 5), "green"), (dt.date(2022, 4, 25), "amber"), (dt.date(2022, 3, 1), "red")],
)
def test_milestone_overdue_in_working_days(planned: dt.date, level: str) -> None:
    milestone = Milestone(name="主体完工", planned_date=planned, actual_date=None)
    assert _run(_project(), reports=ON_PLAN, milestones=[milestone])[0] == level


def test_missing_reports() -> None:
    assert _run(_project(), reports=ON_PLAN[:3]) == ("amber", ["report_missing"])
    level, rules = _run(_project(), reports=ON_PLAN[:2])
    assert level == "red"
    assert "report_missing" in rules


def test_open_problem_age() -> None:
    young = Problem(description="x", raised_on=dt.date(2022, 5, 1), status="open")
    old = Problem(description="用地", raised_on=dt.date(2022, 3, 1), status="open")
    assert _run(_project(), reports=ON_PLAN, problems=[young])[0] == "green"
    level, rules = _run(_project(), reports=ON_PLAN, problems=[young, old])
    assert (level, rules) == ("red", ["problem_open"])


def test_projected_completion_after_plan() -> None:
    slow = [*ON_PLAN[:3], _report(4, 400, 20)]
    level, rules = _run(_project(), reports=slow)
    assert level == "red"
    assert rules == ["completion_late"]


def test_suspended_and_finished_projects() -> None:
    assert _run(_project(status=ProjectStatus.SUSPENDED), reports=[]) == ("green", [])
    # A project in production no longer owes reports or investment.
    assert _run(_project(status=ProjectStatus.IN_PRODUCTION), reports=[]) == ("green", [])


def test_reason_texts() -> None:
    reason = {"rule": "report_missing", "level": "amber", "measure": "1", "months": ["2022-04"]}
    from django.utils import translation

    with translation.override("en"):
        assert reason_text(reason) == "Monthly report missing for 2022-04."

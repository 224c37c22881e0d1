"""The supervision services: the leader in charge an item escalates to, the project warnings a close
recomputes, the assessment weights the supervision office sets."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoneops.accounts.models import Department, Zone
from zoneops.core import clock
from zoneops.core.errors import InvalidInput
from zoneops.core.models import AuditEvent, Notification
from zoneops.projects.models import KeyProject, Problem
from zoneops.projects.services import problem_raise, problem_resolve, warnings_refresh
from zoneops.supervision.assessment import DEFAULT_WEIGHTS, zone_weights
from zoneops.supervision.models import AssessmentScheme, SupervisionItem
from zoneops.supervision.services import (
    assessment_weights_set,
    item_act,
    item_raise,
    overdue_follow_up,
    problem_to_supervision,
)

pytestmark = pytest.mark.django_db

CHOSEN = {
    "milestone_on_time": 30,
    "investment_completion": 30,
    "report_timeliness": 20,
    "supervision_on_time": 20,
    "service_orders": 0,
    "service_satisfaction": 0,
    "leads_signed": 0,
}


def test_the_weights_replace_the_zones_scheme(zone: Zone, user_of: Any) -> None:
    before = zone_weights(zone.pk)
    scheme = assessment_weights_set(actor=user_of("supervisor"), zone=zone, weights=dict(CHOSEN))
    assert zone_weights(zone.pk) == CHOSEN != before
    assert AssessmentScheme.objects.filter(zone=zone, is_default=True).count() == 1
    assert scheme.weights == CHOSEN


@pytest.mark.parametrize(
    ("weights", "fields"),
    [
        ({**CHOSEN, "service_orders": 101}, ["weights.service_orders"]),
        ({**CHOSEN, "service_orders": -1}, ["weights.service_orders"]),
        ({**CHOSEN, "popularity": 5}, ["weights.popularity"]),
        ({k: v for k, v in CHOSEN.items() if k != "report_timeliness"}, ["weights.report_timeliness"]),
        (dict.fromkeys(DEFAULT_WEIGHTS, 0), ["weights"]),
    ],
)
def test_bad_weights_change_nothing(
    zone: Zone, user_of: Any, weights: dict[str, int], fields: list[str]
) -> None:
    before = zone_weights(zone.pk)
    with pytest.raises(InvalidInput) as caught:
        assessment_weights_set(actor=user_of("supervisor"), zone=zone, weights=weights)
    assert [e.field for e in caught.value.errors] == fields
    assert zone_weights(zone.pk) == before


@pytest.mark.parametrize("username", ["leader", "projects", "invest", "stats", "hp"])
def test_only_the_supervision_office_sets_them(zone: Zone, user_of: Any, username: str) -> None:
    before = zone_weights(zone.pk)
    with pytest.raises(PermissionDenied):
        assessment_weights_set(actor=user_of(username), zone=zone, weights=dict(CHOSEN))
    assert zone_weights(zone.pk) == before


# --- the leader in charge of an item about a project ------------------------------------------------


def _open_problem(zone: Zone, user_of: Any, *, raised: dt.date, code: str = "SD-2022-001") -> Problem:
    project = KeyProject.objects.get(zone=zone, code=code)
    with clock.pinned(raised):
        return problem_raise(actor=user_of("projects"), project=project, description="外电源接入需协调")


def test_an_item_raised_from_a_problem_without_a_leader_gets_the_projects_leader_and_is_escalated(
    zone: Zone, user_of: Any, api_en: Any
) -> None:
    problem = _open_problem(zone, user_of, raised=dt.date(2022, 5, 6))
    department = Department.objects.get(zone=zone, code="land")
    raised = api_en("supervisor").post(
        "/api/v1/supervision-items",
        {
            "source": "project_problem",
            "subject": "外电源接入",
            "department_id": department.pk,
            "working_days": 1,
            "problem_id": problem.pk,
        },
    )
    assert raised.status_code == 201
    item = SupervisionItem.objects.get(pk=raised.json()["id"])
    leader = user_of("leader")
    assert problem.project.leader == leader
    assert (item.leader, item.project, item.deadline) == (leader, problem.project, dt.date(2022, 5, 9))
    audited = AuditEvent.objects.get(action="supervision.raise", object_id=str(item.pk))
    assert audited.after["leader_id"] == leader.pk
    # Three working days past the deadline (5-10, 5-11, 5-12) the daily job escalates it to that leader.
    with clock.pinned(dt.date(2022, 5, 11)):
        overdue_follow_up(zone=zone)
    assert SupervisionItem.objects.get(pk=item.pk).escalated_on is None
    with clock.pinned(dt.date(2022, 5, 12)):
        overdue_follow_up(zone=zone)
    item.refresh_from_db()
    assert item.escalated_on == dt.date(2022, 5, 12)
    assert list(item.events.filter(action="escalate").values_list("note", flat=True)) == ["leader"]
    assert list(
        Notification.objects.filter(event_key=f"supervision:{item.pk}:escalate").values_list(
            "recipient__username", flat=True
        )
    ) == ["leader"]


def test_a_leader_named_is_kept_and_an_item_about_no_project_has_none(zone: Zone, user_of: Any) -> None:
    problem = _open_problem(zone, user_of, raised=dt.date(2022, 5, 6))
    department = Department.objects.get(zone=zone, code="land")
    named = user_of("admin")
    kept = item_raise(
        actor=user_of("supervisor"),
        zone=zone,
        source="project_problem",
        subject="外电源接入",
        department=department,
        working_days=1,
        leader=named,
        problem=problem,
    )
    alone = item_raise(
        actor=user_of("supervisor"),
        zone=zone,
        source="leader_instruction",
        subject="一季度经济运行分析",
        department=department,
        working_days=1,
    )
    assert (kept.leader, alone.leader, alone.project) == (named, None, None)
    # Overdue long enough, the item without a leader is reminded but never escalated.
    with clock.pinned(dt.date(2022, 5, 16)):
        overdue_follow_up(zone=zone)
    kept.refresh_from_db()
    alone.refresh_from_db()
    assert (kept.escalated_on, alone.escalated_on) == (dt.date(2022, 5, 16), None)
    assert alone.reminded_on == dt.date(2022, 5, 16)
    assert not alone.events.filter(action="escalate").exists()


# --- closing an item that solves a project's problem -----------------------------------------------


def test_closing_the_item_of_a_problem_recomputes_that_projects_warnings_at_once(
    zone: Zone, user_of: Any
) -> None:
    green = (
        KeyProject.objects.filter(zone=zone, year=2022, warning_level="green")
        .exclude(problems__status__in=["open", "supervised"])
        .order_by("code")
    )
    project, other = green[0], green[1]
    other_before = (other.warning_level, other.warning_reasons, other.warning_checked_on)
    problem = _open_problem(zone, user_of, raised=dt.date(2022, 4, 1), code=project.code)
    item = problem_to_supervision(actor=user_of("supervisor"), problem=problem, working_days=10)
    warnings_refresh(zone=zone, projects=[project])
    project.refresh_from_db()
    assert project.warning_level == "red"
    assert [r["rule"] for r in project.warning_reasons] == ["problem_open"]

    supervisor = user_of("supervisor")
    item_act(actor=user_of("admin"), item=item, action="respond", note="已协调供电公司送电")
    item_act(actor=supervisor, item=item, action="verify", note="现场核实")
    # Verifying solves nothing yet: the level stays until the close.
    project.refresh_from_db()
    assert (project.warning_level, [r["rule"] for r in project.warning_reasons]) == ("red", ["problem_open"])

    item_act(actor=supervisor, item=item, action="close", note="办结")
    project.refresh_from_db()
    problem.refresh_from_db()
    assert (problem.status, problem.resolved_on) == ("resolved", dt.date(2022, 5, 8))
    assert (project.warning_level, project.warning_reasons, project.warning_rules) == ("green", [], "")
    assert list(project.warning_history.filter(on="2022-05-08").values_list("level", flat=True)) == ["green"]
    # Only that project is recomputed.
    other.refresh_from_db()
    assert (other.warning_level, other.warning_reasons, other.warning_checked_on) == other_before


def _verified_item_of_a_problem(zone: Zone, user_of: Any) -> tuple[Problem, SupervisionItem]:
    """A project problem raised as an item, answered by the department and verified: ready to close."""
    problem = _open_problem(zone, user_of, raised=dt.date(2022, 4, 1))
    item = problem_to_supervision(actor=user_of("supervisor"), problem=problem, working_days=10)
    item_act(actor=user_of("admin"), item=item, action="respond", note="已协调供电公司送电")
    item_act(actor=user_of("supervisor"), item=item, action="verify", note="现场核实")
    return problem, item


def test_closing_the_item_of_a_problem_resolves_it_with_the_project_pages_audit(
    zone: Zone, user_of: Any
) -> None:
    problem, item = _verified_item_of_a_problem(zone, user_of)
    supervisor = user_of("supervisor")
    item_act(actor=supervisor, item=item, action="close", note="办结")
    resolved = AuditEvent.objects.filter(action="project.problem_resolve", object_id=str(problem.pk))
    assert list(resolved.values_list("actor__username", "zone_id", "before", "after")) == [
        ("supervisor", zone.pk, {"status": "supervised"}, {"status": "resolved"})
    ]


def test_closing_the_item_of_a_problem_resolved_meanwhile_keeps_its_resolution(
    zone: Zone, user_of: Any
) -> None:
    problem, item = _verified_item_of_a_problem(zone, user_of)
    supervisor = user_of("supervisor")
    with clock.pinned(dt.date(2022, 5, 6)):
        problem_resolve(actor=user_of("projects"), problem=problem)
    item.problem = Problem.objects.get(pk=problem.pk)
    item_act(actor=supervisor, item=item, action="close", note="办结")
    problem.refresh_from_db()
    assert (problem.status, problem.resolved_on) == ("resolved", dt.date(2022, 5, 6))
    resolved = AuditEvent.objects.filter(action="project.problem_resolve", object_id=str(problem.pk))
    assert list(resolved.values_list("actor__username", flat=True)) == ["projects"]


def test_closing_an_item_without_a_problem_leaves_the_projects_alone(zone: Zone, user_of: Any) -> None:
    project = KeyProject.objects.get(zone=zone, code="SD-2022-001")
    before = (project.warning_level, project.warning_reasons, project.warning_history.count())
    supervisor = user_of("supervisor")
    item = item_raise(
        actor=supervisor,
        zone=zone,
        source="leader_instruction",
        subject="惠普项目竣工投产要素保障",
        department=project.department,
        working_days=5,
        project=project,
    )
    assert item.leader == project.leader
    item_act(actor=user_of("projects"), item=item, action="respond", note="已保障")
    item_act(actor=supervisor, item=item, action="verify")
    with CaptureQueriesContext(connection) as queries:
        item_act(actor=supervisor, item=item, action="close")
    project.refresh_from_db()
    assert (project.warning_level, project.warning_reasons, project.warning_history.count()) == before
    assert not [q for q in queries.captured_queries if "projects_warningsnapshot" in q["sql"]]


def test_a_step_taken_on_an_item_read_before_the_follow_up_keeps_its_reminder(
    zone: Zone, user_of: Any
) -> None:
    department = Department.objects.get(zone=zone, code="land")
    read = item_raise(
        actor=user_of("supervisor"),
        zone=zone,
        source="leader_instruction",
        subject="推进土地收储",
        department=department,
        working_days=1,
        leader=user_of("leader"),
    )
    with clock.pinned(dt.date(2022, 5, 12)):
        overdue_follow_up(zone=zone)
        item_act(actor=user_of("land"), item=read, action="respond", note="已完成收储")
    item = SupervisionItem.objects.get(pk=read.pk)
    assert (item.status, item.reminded_on, item.escalated_on) == (
        "responded",
        dt.date(2022, 5, 12),
        dt.date(2022, 5, 12),
    )

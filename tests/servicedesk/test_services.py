"""Services of the service desk: the state machine edge by edge, deadlines in working days, extensions,
attachments, the rating link, Open311 keys, calendar corrections and the escalation ladder."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied

from tests.conftest import ROLES, demo_user
from tests.servicedesk.conftest import (
    ACTOR,
    EXE,
    PATHS,
    PDF,
    PNG,
    STATES,
    TEXT,
    act,
    audit_actions,
    department,
    drive,
    file_order,
    legal,
    on,
    reach,
    snapshot,
    step_args,
    stored_files,
    timeline,
)
from zoneops.accounts.models import User
from zoneops.core import clock
from zoneops.core.access import Perm
from zoneops.core.errors import InvalidInput, TransitionNotAllowed
from zoneops.core.models import AuditEvent, Notification, WorkCalendarDay, WorkCalendarYear
from zoneops.core.services import calendar_changed
from zoneops.servicedesk import services
from zoneops.servicedesk.models import Open311Key, OrderDayStat, OrderRating, OrderStatus, ServiceOrder
from zoneops.supervision.models import SupervisionItem

pytestmark = pytest.mark.django_db

S = OrderStatus


def errors_of(exc: pytest.ExceptionInfo[InvalidInput]) -> list[tuple[str, str]]:
    return [(e.field, e.message) for e in exc.value.errors]


def order_audit(order: ServiceOrder, action: str) -> AuditEvent:
    """The order's latest audit event of a step."""
    event = (
        AuditEvent.objects.filter(
            object_type="servicedesk.serviceorder", object_id=str(order.pk), action=f"order.{action}"
        )
        .order_by("at", "pk")
        .last()
    )
    assert event is not None, action
    return event


# --- the state machine ------------------------------------------------------------------------------

ALLOWED = sorted(
    (action, str(source))
    for action, (sources, _target, _who) in services.TRANSITIONS.items()
    for source in sources
)


def _with_pending_extension(state: str) -> ServiceOrder:
    """An order in ``state`` (dispatched, in progress or waiting) with an extension request pending."""
    path = PATHS[state]
    before_wait = [a for a in path if a != "wait"]
    order = drive(file_order(), *before_wait, "request_extension")
    return drive(order, *[a for a in path if a == "wait"])


# After a rating of 1 (the order closed), the steps to each state its follow-up may start from.
AFTER_A_BAD_RATING = {
    "closed": [],
    "in_progress": ["reopen"],
    "returned": ["reopen", "return"],
    "dispatched": ["reopen", "return", "dispatch"],
    "waiting": ["reopen", "wait"],
    "answered": ["reopen", "answer"],
    "confirmed": ["reopen", "answer", "confirm"],
}


def _with_bad_rating(state: str) -> ServiceOrder:
    """An order in ``state`` with a rating of 1 not yet followed up."""
    return drive(act(reach("confirmed"), "rate", rating=1, note="差"), *AFTER_A_BAD_RATING[state])


def _ready_for(action: str, source: str) -> ServiceOrder:
    if action == "decide_extension":
        return _with_pending_extension(source)
    if action == "follow_up":
        return _with_bad_rating(source)
    return reach(source)


@pytest.mark.parametrize(("action", "source"), ALLOWED, ids=[f"{a}-from-{s}" for a, s in ALLOWED])
def test_every_step_from_every_state_it_is_allowed_from(action: str, source: str) -> None:
    order = _ready_for(action, source)
    assert order.status == source
    events = order.events.count()
    act(order, action)
    saved = ServiceOrder.objects.get(pk=order.pk)
    target = services.TRANSITIONS[action][1] or source
    assert saved.status == target
    assert saved.events.count() == events + 1
    assert timeline(saved)[-1] == (action, ACTOR[action], target)
    audit = order_audit(saved, action)
    assert audit.actor == demo_user(ACTOR[action])
    assert audit.before == {"status": source}
    assert audit.after is not None
    assert audit.after["status"] == target


@pytest.mark.parametrize("state", STATES)
def test_a_step_the_state_does_not_allow_is_refused_and_changes_nothing(state: str) -> None:
    order = reach(state)
    refused = [a for a, (sources, _t, _w) in services.TRANSITIONS.items() if state not in sources]
    assert refused  # every state refuses some step
    for action in refused:
        # By someone whose role may take the step, with valid arguments: only the state refuses it.
        args = step_args(order, action)
        before = snapshot(order)
        with pytest.raises(TransitionNotAllowed) as exc:
            act(ServiceOrder.objects.get(pk=order.pk), action, **args)
        label = services.ACTION_LABELS[action]
        assert str(exc.value) == f"An order that is {S(state).label} does not allow this step: {label}.", (
            action
        )
        assert snapshot(order) == before, action


NOTE_STEPS = {
    "refuse": "submitted",
    "return": "dispatched",
    "wait": "dispatched",
    "answer": "dispatched",
    "reopen": "answered",
    "request_extension": "dispatched",
    "follow_up": "closed",
}


def test_the_steps_needing_a_note_are_exactly_those() -> None:
    assert set(NOTE_STEPS) == services.NEEDS_NOTE


@pytest.mark.parametrize("action", sorted(NOTE_STEPS))
@pytest.mark.parametrize("note", ["", "  \n\t "])
def test_a_step_that_needs_a_note_is_refused_without_one(action: str, note: str) -> None:
    order = _ready_for(action, NOTE_STEPS[action])
    before = snapshot(order)
    args = {**step_args(order, action), "note": note}
    with pytest.raises(InvalidInput) as exc:
        act(order, action, **args)
    assert errors_of(exc) == [("note", "This field is required.")]
    assert snapshot(order) == before


def test_a_note_longer_than_2000_characters_is_refused() -> None:
    order = reach("dispatched")
    before = snapshot(order)
    with pytest.raises(InvalidInput) as exc:
        act(order, "answer", note="答" * 2001)
    assert errors_of(exc) == [("note", "Enter at most 2000 characters.")]
    assert snapshot(order) == before
    act(order, "answer", note="答" * 2000)
    assert ServiceOrder.objects.get(pk=order.pk).status == S.ANSWERED


@pytest.mark.parametrize("rating", [None, 0, 6, -1])
def test_a_rating_outside_1_to_5_is_refused(rating: int | None) -> None:
    order = reach("confirmed")
    before = snapshot(order)
    with pytest.raises(InvalidInput) as exc:
        act(order, "rate", rating=rating)
    assert errors_of(exc) == [("rating", "Enter a whole number from 1 to 5.")]
    assert snapshot(order) == before


def test_merge_must_name_another_order() -> None:
    order = reach("submitted")
    before = snapshot(order)
    for duplicate in (None, order):
        with pytest.raises(InvalidInput) as exc:
            act(order, "merge", duplicate_of=duplicate)
        assert errors_of(exc) == [("duplicate_of", "Name the order this one duplicates.")]
    assert snapshot(order) == before
    original = file_order(title="原始工单")
    merged = act(order, "merge", duplicate_of=original)
    assert (merged.status, merged.duplicate_of_id, merged.closed_on) == (
        S.MERGED,
        original.pk,
        dt.date(2022, 5, 8),
    )
    assert order_audit(merged, "merge").after == {"status": "merged", "duplicate_of": original.number}


def test_dispatch_names_a_handler_of_the_department_only() -> None:
    order = reach("accepted")
    before = snapshot(order)
    with pytest.raises(InvalidInput) as exc:
        act(order, "dispatch", handler=demo_user("projects"))
    assert errors_of(exc) == [("handler_id", "The handler must work in the department.")]
    assert snapshot(order) == before
    notes = Notification.objects.count()
    dispatched = act(order, "dispatch", handler=demo_user("invest"))
    assert (dispatched.status, dispatched.handler, dispatched.department) == (
        S.DISPATCHED,
        demo_user("invest"),
        department("investment"),
    )
    told = Notification.objects.filter(event_key__startswith=f"order:{order.pk}:dispatch:")
    assert [(n.recipient.username, n.title) for n in told] == [
        ("invest", f"Service order {order.number} for your department: {order.title}")
    ]
    assert Notification.objects.count() == notes + 1


def test_dispatch_to_another_department_moves_the_order_out_of_the_first_ones_hands() -> None:
    order = reach("accepted")
    act(order, "dispatch", department=department("law"))
    saved = ServiceOrder.objects.get(pk=order.pk)
    assert (saved.department, saved.handler) == (department("law"), None)
    assert order_audit(saved, "dispatch").after == {
        "status": "dispatched",
        "department_id": department("law").pk,
        "handler_id": None,
    }
    before = snapshot(saved)
    with pytest.raises(PermissionDenied):
        act(saved, "start", by="invest")
    assert snapshot(saved) == before


@pytest.mark.parametrize("username", ["hp", "weigao", "invest", "projects", "stats", "leader", "supervisor"])
def test_only_the_general_office_accepts(username: str) -> None:
    order = reach("submitted")
    before = snapshot(order)
    with pytest.raises(PermissionDenied):
        act(order, "accept", by=username)
    assert snapshot(order) == before


@pytest.mark.parametrize(
    ("state", "action", "username"),
    [
        ("answered", "confirm", "weigao"),
        ("answered", "confirm", "admin"),
        ("answered", "confirm", "invest"),
        ("dispatched", "answer", "projects"),
        ("dispatched", "answer", "hp"),
        ("dispatched", "answer", "leader"),
        ("waiting", "resume", "weigao"),
        ("waiting", "resume", "projects"),
        ("answered", "reopen", "invest"),
        ("answered", "reopen", "supervisor"),
        ("confirmed", "rate", "weigao"),
        ("confirmed", "rate", "admin"),
        ("answered", "close", "invest"),
    ],
)
def test_a_step_of_someone_else_is_denied(state: str, action: str, username: str) -> None:
    order = reach(state)
    args = step_args(order, action)
    before = snapshot(order)
    with pytest.raises(PermissionDenied):
        act(order, action, username, **args)
    assert snapshot(order) == before


def test_an_unknown_step_is_refused() -> None:
    order = reach("submitted")
    before = snapshot(order)
    with pytest.raises(InvalidInput) as exc:
        services.order_act(actor=demo_user("admin"), order=order, action="approve")
    assert [e.field for e in exc.value.errors] == ["action"]
    assert snapshot(order) == before


def test_actions_for_each_role() -> None:
    order = reach("dispatched")
    department_steps = ["start", "return", "wait", "request_extension", "answer"]
    expected = {"admin": department_steps, "invest": department_steps}
    assert {u: services.actions_for(demo_user(u), order) for u in ROLES} == {
        u: expected.get(u, []) for u in ROLES
    }
    order = act(order, "request_extension")
    pending = ["start", "return", "wait", "answer"]
    assert {u: services.actions_for(demo_user(u), order) for u in ROLES} == {
        u: {"admin": ["start", "return", "wait", "decide_extension", "answer"], "invest": pending}.get(u, [])
        for u in ROLES
    }
    rated = reach("confirmed")
    assert services.actions_for(demo_user("hp"), rated) == ["rate", "reopen"]
    rated = act(rated, "rate")
    assert services.actions_for(demo_user("hp"), rated) == ["reopen"]
    assert services.actions_for(demo_user("admin"), rated) == ["reopen"]


# --- deadlines --------------------------------------------------------------------------------------


def test_accept_sets_the_deadlines_in_working_days() -> None:
    order = file_order()
    # Filed on Sunday 2022-05-08: acceptance in 1 working day.
    assert (order.submitted_on, order.accept_due, order.reply_due, order.resolve_due) == (
        dt.date(2022, 5, 8),
        dt.date(2022, 5, 9),
        None,
        None,
    )
    accepted = act(order, "accept")
    assert (accepted.accepted_on, accepted.reply_due, accepted.resolve_due) == (
        dt.date(2022, 5, 8),
        dt.date(2022, 5, 10),
        dt.date(2022, 5, 20),
    )
    assert accepted.deadline_provisional is False
    assert order_audit(accepted, "accept").after == {
        "status": "accepted",
        "reply_due": "2022-05-10",
        "resolve_due": "2022-05-20",
    }


def test_the_dragon_boat_holiday_does_not_count() -> None:
    with on(dt.date(2022, 6, 1)):
        order = act(file_order(), "accept")
    # 2 June, then 6–10 and 13–16 June: Friday 3 June is the Dragon Boat Festival.
    assert (order.accept_due, order.reply_due, order.resolve_due) == (
        dt.date(2022, 6, 2),
        dt.date(2022, 6, 6),
        dt.date(2022, 6, 16),
    )


def test_wait_and_resume_pause_the_clock_by_the_working_days_waited() -> None:
    order = reach("dispatched")
    with on(dt.date(2022, 5, 9)):
        waiting = act(order, "wait", note="请补充厂房平面图")
    assert (waiting.status, waiting.waiting_since, waiting.resolve_due) == (
        S.WAITING,
        dt.date(2022, 5, 9),
        dt.date(2022, 5, 20),
    )
    with on(dt.date(2022, 5, 11)):
        resumed = act(waiting, "resume")
    # 10 and 11 May: two working days waited, so 20 May becomes 24 May.
    assert (resumed.status, resumed.waiting_since, resumed.paused_days, resumed.resolve_due) == (
        S.IN_PROGRESS,
        None,
        2,
        dt.date(2022, 5, 24),
    )
    assert order_audit(resumed, "resume").after == {
        "status": "in_progress",
        "resolve_due": "2022-05-24",
        "paused_working_days": 2,
    }
    # A second wait, over the Dragon Boat holiday and a weekend, adds its own working days only.
    with on(dt.date(2022, 6, 2)):
        act(resumed, "wait", note="再补充消防验收材料")
    with on(dt.date(2022, 6, 6)):
        again = act(resumed, "resume", by="invest")
    # Only 6 June counts: 3 June is the Dragon Boat Festival, then a weekend.
    assert (again.paused_days, again.resolve_due) == (3, dt.date(2022, 5, 25))


def test_resume_on_the_day_of_the_wait_adds_nothing() -> None:
    order = reach("waiting")
    resumed = act(order, "resume")
    assert (resumed.paused_days, resumed.resolve_due) == (0, dt.date(2022, 5, 20))


@pytest.mark.parametrize(
    ("answered_on", "working_days", "on_time"),
    [
        (dt.date(2022, 5, 8), 0, True),
        (dt.date(2022, 5, 20), 10, True),
        (dt.date(2022, 5, 21), 10, False),
        (dt.date(2022, 5, 23), 11, False),
    ],
)
def test_answer_writes_the_working_days_and_whether_on_time(
    answered_on: dt.date, working_days: int, on_time: bool
) -> None:
    order = reach("dispatched")
    with on(answered_on):
        answered = act(order, "answer")
    saved = ServiceOrder.objects.get(pk=answered.pk)
    assert (saved.answered_on, saved.resolve_working_days, saved.answered_on_time) == (
        answered_on,
        working_days,
        on_time,
    )
    assert order_audit(saved, "answer").after == {
        "status": "answered",
        "working_days": working_days,
        "on_time": on_time,
    }


def test_answer_counts_the_working_days_less_the_pause() -> None:
    order = reach("dispatched")
    with on(dt.date(2022, 5, 9)):
        act(order, "wait")
    with on(dt.date(2022, 5, 11)):
        act(order, "resume")
    with on(dt.date(2022, 5, 24)):
        answered = act(order, "answer")
    # 12 working days from 8 to 24 May, 2 of them paused; due 24 May.
    assert (answered.resolve_working_days, answered.answered_on_time) == (10, True)
    late = reach("dispatched")
    with on(dt.date(2022, 5, 9)):
        act(late, "wait")
    with on(dt.date(2022, 5, 11)):
        act(late, "resume")
    with on(dt.date(2022, 5, 25)):
        late = act(late, "answer")
    assert (late.resolve_working_days, late.answered_on_time) == (11, False)


def test_close_and_rate_set_the_closing_date_once() -> None:
    order = reach("answered")
    with on(dt.date(2022, 5, 10)):
        closed = act(order, "close")
    assert (closed.status, closed.closed_on) == (S.CLOSED, dt.date(2022, 5, 10))
    with on(dt.date(2022, 5, 12)):
        rated = act(closed, "rate", rating=4, note=" 满意 ")
    assert (rated.status, rated.closed_on, rated.rating, rated.rating_comment) == (
        S.CLOSED,
        dt.date(2022, 5, 10),
        4,
        "满意",
    )
    confirmed = reach("confirmed")
    with on(dt.date(2022, 5, 11)):
        rated = act(confirmed, "rate", rating=5)
    assert (rated.status, rated.closed_on) == (S.CLOSED, dt.date(2022, 5, 11))


def _ratings(order: ServiceOrder) -> list[tuple[int, str, str | None, bool]]:
    """(rating, comment, who rated — None through the link —, followed up) of each rating, oldest first."""
    return [
        (r.rating, r.comment, r.rated_by.username if r.rated_by else None, r.followed_up_at is not None)
        for r in OrderRating.objects.filter(order=order).select_related("rated_by").order_by("rated_at", "pk")
    ]


def test_reopen_keeps_the_rating_on_record() -> None:
    order = reach("confirmed")
    with on(dt.date(2022, 5, 10)):
        rated = act(order, "rate", rating=2, note="太慢")
    with on(dt.date(2022, 5, 11)):
        reopened = act(rated, "reopen", note="问题未解决")
    saved = ServiceOrder.objects.get(pk=reopened.pk)
    # The order is open again and its answer figures are gone: the next answer brings them, and may be
    # rated again…
    assert (saved.status, saved.answered_on, saved.closed_on, saved.rating, saved.rating_comment) == (
        S.IN_PROGRESS,
        None,
        None,
        None,
        "",
    )
    # …but the bad rating stays on record, with its moment and who gave it.
    assert _ratings(saved) == [(2, "太慢", "hp", False)]
    kept = OrderRating.objects.get(order=saved)
    assert kept.rated_at.astimezone(clock.SHANGHAI).date() == dt.date(2022, 5, 10)
    with on(dt.date(2022, 5, 12)):
        drive(saved, "answer", "confirm")
        again = act(saved, "rate", rating=4, note="解决了")
    assert (again.rating, again.rating_comment) == (4, "解决了")
    assert _ratings(again) == [(2, "太慢", "hp", False), (4, "解决了", "hp", False)]
    assert [a for a, _u, _s in timeline(again) if a in ("rate", "reopen")] == ["rate", "reopen", "rate"]
    # Both count in the statistics of its day, kept step by step.
    cells = OrderDayStat.objects.filter(day=order.submitted_on, service_type=order.service_type)
    before = cells.values_list("rated", "rating_total", "r2", "r4").get()
    services.order_stats_rebuild(zone_id=order.zone_id)
    assert cells.values_list("rated", "rating_total", "r2", "r4").get() == before


def test_a_rating_through_the_link_is_on_record_without_a_rater() -> None:
    order = reach("answered")
    services.order_rate_by_token(token=services.rating_token(order), rating=1, comment=" 不满意 ")
    assert _ratings(order) == [(1, "不满意", None, False)]


def test_a_refused_rating_leaves_no_record() -> None:
    order = drive(reach("confirmed"), "rate")
    with pytest.raises(InvalidInput):
        act(order, "rate", rating=3)
    assert _ratings(order) == [(5, "", "hp", False)]


def test_reopen_restarts_the_resolution_deadline_and_the_ladder(zone: Any) -> None:
    order = reach("in_progress")  # accepted 8 May, due 20 May
    with on(dt.date(2022, 5, 9)):
        act(order, "wait", note="请补充材料")
    with on(dt.date(2022, 5, 11)):
        act(order, "resume")  # 2 working days paused: due 24 May
    with on(dt.date(2022, 5, 19)):
        act(order, "request_extension", days=3, note="会商")
        act(order, "decide_extension", approve=True)  # due 27 May
    with on(dt.date(2022, 5, 31)):
        escalate_twice(zone)  # 2 working days late: the department head
        drive(order, "answer", "confirm", "rate")
    late = ServiceOrder.objects.get(pk=order.pk)
    assert (late.resolve_due, late.escalation_level, late.amber_sent, late.paused_days) == (
        dt.date(2022, 5, 27),
        2,
        False,
        2,
    )
    # Reopened five weeks later, on Tuesday 5 July: 10 working days from then, neither the old pause
    # nor the old extension counted; no reminder level carried over.
    with on(dt.date(2022, 7, 5)):
        reopened = act(late, "reopen", note="问题再次出现")
    assert (
        reopened.reopened_on,
        reopened.resolve_due,
        reopened.escalation_level,
        reopened.amber_sent,
        reopened.extension_days,
        reopened.paused_days,
    ) == (dt.date(2022, 7, 5), dt.date(2022, 7, 19), 0, False, 0, 2)
    assert order_audit(reopened, "reopen").after == {"status": "in_progress", "resolve_due": "2022-07-19"}
    ladder_before = _ladder(reopened)
    with on(dt.date(2022, 7, 6)):
        escalate_twice(zone)
    assert _ladder(reopened) == ladder_before  # nothing: the new deadline is two weeks away
    assert SupervisionItem.objects.filter(subject__startswith=order.number).count() == 0
    # A pause after the reopening moves the new deadline; the old one does not count again.
    with on(dt.date(2022, 7, 6)):
        act(reopened, "wait", note="请补充材料")
    with on(dt.date(2022, 7, 8)):
        resumed = act(reopened, "resume")
    assert (resumed.paused_days, resumed.resolve_due) == (4, dt.date(2022, 7, 21))
    with on(dt.date(2022, 7, 20)):
        escalate_twice(zone)
    assert _ladder(resumed)[len(ladder_before) :] == ["deadline_warning"]
    # The working days to the next answer still leave out every pause.
    with on(dt.date(2022, 7, 21)):
        answered = act(resumed, "answer")
    assert (answered.answered_on_time, answered.resolve_working_days) == (True, 53 - 4)


def test_a_calendar_correction_keeps_the_reopened_deadline(zone: Any) -> None:
    order = reach("answered")
    with on(dt.date(2022, 6, 1)):
        act(order, "reopen", note="问题未解决")
    assert services.deadlines_recompute(first_year=2022, last_year=2022) == 0
    assert ServiceOrder.objects.get(pk=order.pk).resolve_due == dt.date(2022, 6, 16)


# --- extensions -------------------------------------------------------------------------------------


def test_an_extension_request_then_approval_moves_the_deadline_by_exactly_the_days() -> None:
    order = reach("in_progress")
    notes = Notification.objects.count()
    requested = act(order, "request_extension", days=4, note=" 需等待规划部门意见 ")
    assert (
        requested.status,
        requested.extension_requested_days,
        requested.extension_reason,
        requested.resolve_due,
    ) == (S.IN_PROGRESS, 4, "需等待规划部门意见", dt.date(2022, 5, 20))
    told = Notification.objects.filter(event_key__startswith=f"order:{order.pk}:request_extension:")
    assert [(n.recipient.username, n.title) for n in told] == [
        ("admin", f"{order.number}: extension of 4 working days requested")
    ]
    assert Notification.objects.count() == notes + 1
    approved = act(requested, "decide_extension", approve=True)
    # 20 May plus 4 working days (23–26 May).
    assert (
        approved.status,
        approved.extension_days,
        approved.extension_requested_days,
        approved.resolve_due,
    ) == (S.IN_PROGRESS, 4, None, dt.date(2022, 5, 26))
    assert order_audit(approved, "decide_extension").after == {
        "status": "in_progress",
        "approved": True,
        "days": 4,
        "resolve_due": "2022-05-26",
    }
    decided = Notification.objects.filter(event_key__startswith=f"order:{order.pk}:decide_extension:")
    assert [(n.recipient.username, n.title) for n in decided] == [
        ("invest", f"{order.number}: extension approved")
    ]
    # A second extension adds to the first.
    act(approved, "request_extension", days=2, note="再延期")
    again = act(approved, "decide_extension", approve=True)
    assert (again.extension_days, again.resolve_due) == (6, dt.date(2022, 5, 30))


def test_a_refused_extension_leaves_the_deadline() -> None:
    order = reach("dispatched")
    act(order, "request_extension", days=5, note="材料多")
    refused = act(order, "decide_extension", approve=False)
    saved = ServiceOrder.objects.get(pk=refused.pk)
    assert (saved.extension_days, saved.extension_requested_days, saved.resolve_due) == (
        0,
        None,
        dt.date(2022, 5, 20),
    )
    assert order_audit(saved, "decide_extension").after == {
        "status": "dispatched",
        "approved": False,
        "days": 5,
        "resolve_due": "2022-05-20",
    }
    decided = Notification.objects.filter(event_key__startswith=f"order:{order.pk}:decide_extension:")
    assert [n.title for n in decided] == [f"{order.number}: extension refused"]
    # Refused, the department may ask again.
    assert act(saved, "request_extension", days=1, note="再申请").extension_requested_days == 1


def test_a_second_request_while_one_is_pending_is_refused() -> None:
    order = reach("dispatched")
    act(order, "request_extension", days=3, note="第一次")
    before = snapshot(order)
    with pytest.raises(InvalidInput) as exc:
        act(order, "request_extension", days=2, note="第二次")
    assert errors_of(exc) == [("days", "An extension request is waiting for a decision.")]
    assert snapshot(order) == before


@pytest.mark.parametrize("days", [None, 0, 31])
def test_the_extension_is_1_to_30_working_days(days: int | None) -> None:
    order = reach("dispatched")
    before = snapshot(order)
    with pytest.raises(InvalidInput) as exc:
        act(order, "request_extension", days=days, note="延期")
    assert errors_of(exc) == [("days", "Enter a whole number of working days from 1 to 30.")]
    assert snapshot(order) == before


def test_thirty_days_is_the_longest_extension() -> None:
    order = reach("dispatched")
    act(order, "request_extension", days=30, note="延期")
    assert act(order, "decide_extension", approve=True).extension_days == 30


def test_a_decision_needs_a_request_and_a_yes_or_no() -> None:
    order = reach("dispatched")
    before = snapshot(order)
    with pytest.raises(InvalidInput) as exc:
        act(order, "decide_extension", approve=None)
    assert errors_of(exc) == [
        ("approve", "No extension has been requested."),
        ("approve", "Say whether the extension is approved."),
    ]
    assert snapshot(order) == before
    act(order, "request_extension")
    before = snapshot(order)
    with pytest.raises(InvalidInput) as exc:
        act(order, "decide_extension", approve=None)
    assert errors_of(exc) == [("approve", "Say whether the extension is approved.")]
    assert snapshot(order) == before


def test_only_the_general_office_decides_an_extension() -> None:
    order = reach("dispatched")
    act(order, "request_extension")
    for username in ("invest", "hp", "leader", "supervisor"):
        before = snapshot(order)
        with pytest.raises(PermissionDenied):
            act(order, "decide_extension", username, approve=True)
        assert snapshot(order) == before, username


# --- attachments ------------------------------------------------------------------------------------


def test_a_pdf_and_a_png_are_attached(media: Path) -> None:
    order = reach("submitted")
    pdf = services.attachment_add(
        actor=demo_user("hp"), order=order, name="C:\\fakepath\\租赁合同.pdf", content=PDF
    )
    png = services.attachment_add(actor=demo_user("invest"), order=order, name="../厂房.png", content=PNG)
    assert [(a.name, a.content_type, a.size, a.uploaded_by) for a in order.attachments.all()] == [
        ("租赁合同.pdf", "application/pdf", len(PDF), demo_user("hp")),
        ("厂房.png", "image/png", len(PNG), demo_user("invest")),
    ]
    pdf_name, png_name = str(pdf.file.name), str(png.file.name)
    assert re.fullmatch(rf"orders/\d{{4}}/\d{{2}}/{order.number}\.pdf", pdf_name)
    assert re.fullmatch(rf"orders/\d{{4}}/\d{{2}}/{order.number}\.png", png_name)
    assert (media / pdf_name).read_bytes() == PDF
    assert (media / png_name).read_bytes() == PNG
    assert len(stored_files(media)) == 2
    assert timeline(order)[1:] == [("attach", "hp", "submitted"), ("attach", "invest", "submitted")]
    assert [e.note for e in order.events.filter(action="attach")] == ["租赁合同.pdf", "厂房.png"]
    assert order_audit(order, "attach").after == {"file": png_name, "name": "厂房.png", "size": len(PNG)}


@pytest.mark.parametrize(
    ("name", "content"),
    [("setup.exe", EXE), ("contract.pdf", EXE), ("说明.txt", TEXT), ("empty.pdf", b"")],
    ids=["exe", "exe-named-pdf", "text", "empty"],
)
def test_a_file_that_is_not_a_pdf_image_or_office_document_is_refused(
    media: Path, name: str, content: bytes
) -> None:
    order = reach("submitted")
    before = snapshot(order)
    with pytest.raises(InvalidInput) as exc:
        services.attachment_add(actor=demo_user("hp"), order=order, name=name, content=content)
    assert errors_of(exc) == [("file", "Attach a PDF, an image (JPEG, PNG, WebP) or an Office document.")]
    assert snapshot(order) == before
    assert stored_files(media) == []


def test_a_file_over_20_mb_is_refused(media: Path) -> None:
    order = reach("submitted")
    before = snapshot(order)
    with pytest.raises(InvalidInput) as exc:
        services.attachment_add(
            actor=demo_user("hp"),
            order=order,
            name="big.pdf",
            content=b"%PDF-" + bytes(services.ATTACHMENT_MAX_BYTES - 4),
        )
    assert errors_of(exc) == [("file", "The file is larger than 20 MB.")]
    assert snapshot(order) == before
    assert stored_files(media) == []
    exact = services.attachment_add(
        actor=demo_user("hp"),
        order=order,
        name="max.pdf",
        content=b"%PDF-" + bytes(services.ATTACHMENT_MAX_BYTES - 5),
    )
    assert exact.size == 20 * 1024 * 1024


def test_an_order_holds_at_most_ten_files(media: Path) -> None:
    order = reach("submitted")
    for n in range(10):
        services.attachment_add(actor=demo_user("hp"), order=order, name=f"{n}.pdf", content=PDF)
    before = snapshot(order)
    with pytest.raises(InvalidInput) as exc:
        services.attachment_add(actor=demo_user("hp"), order=order, name="11.pdf", content=PDF)
    assert errors_of(exc) == [("file", "An order holds at most 10 files.")]
    assert snapshot(order) == before
    assert len(stored_files(media)) == 10


@pytest.mark.parametrize(("state", "accepted"), [("answered", True), ("confirmed", False), ("closed", False)])
def test_files_go_to_open_or_answered_orders_only(media: Path, state: str, accepted: bool) -> None:
    order = reach(state)
    if accepted:
        services.attachment_add(actor=demo_user("invest"), order=order, name="答复.pdf", content=PDF)
        assert order.attachments.count() == 1
        return
    before = snapshot(order)
    with pytest.raises(InvalidInput) as exc:
        services.attachment_add(actor=demo_user("hp"), order=order, name="late.pdf", content=PDF)
    assert errors_of(exc) == [("file", "Files can be attached to open orders only.")]
    assert snapshot(order) == before
    assert stored_files(media) == []


@pytest.mark.parametrize(("username", "may"), [(u, u in ("hp", "admin", "invest")) for u in ROLES])
def test_who_may_attach(media: Path, username: str, may: bool) -> None:
    order = reach("dispatched")
    before = snapshot(order)
    if may:
        services.attachment_add(actor=demo_user(username), order=order, name="a.pdf", content=PDF)
        assert order.attachments.get().uploaded_by == demo_user(username)
        return
    with pytest.raises(PermissionDenied):
        services.attachment_add(actor=demo_user(username), order=order, name="a.pdf", content=PDF)
    assert snapshot(order) == before
    assert stored_files(media) == []


# --- the rating link --------------------------------------------------------------------------------


def test_the_rating_link_confirms_and_rates_an_answered_order_without_a_login() -> None:
    order = reach("answered")
    link = services.rating_link(order)
    token = services.rating_token(order)
    assert link == f"/orders/rate/{token}/"
    assert services.order_for_rating_token(token) == order
    with on(dt.date(2022, 5, 10)):
        rated = services.order_rate_by_token(token=token, rating=4, comment="答复及时")
    saved = ServiceOrder.objects.get(pk=rated.pk)
    assert (saved.status, saved.rating, saved.rating_comment, saved.closed_on) == (
        S.CLOSED,
        4,
        "答复及时",
        dt.date(2022, 5, 10),
    )
    assert timeline(saved)[-2:] == [("confirm", None, "confirmed"), ("rate", None, "closed")]
    assert saved.events.get(action="confirm").note == "Confirmed through the rating link."
    assert saved.events.get(action="rate").note == "答复及时"
    assert audit_actions(saved)[-2:] == ["order.confirm", "order.rate"]
    for action in ("confirm", "rate"):
        audit = order_audit(saved, action)
        assert (audit.actor, audit.actor_label) == (None, "system")
    assert order_audit(saved, "rate").after == {"status": "closed", "rating": 4}


def test_the_rating_link_rates_a_confirmed_order_without_confirming_again() -> None:
    order = reach("confirmed")
    services.order_rate_by_token(token=services.rating_token(order), rating=5)
    assert [a for a, _u, _s in timeline(order)].count("confirm") == 1
    assert timeline(order)[-1] == ("rate", None, "closed")


def test_the_answer_notification_carries_the_rating_link() -> None:
    order = reach("answered")
    told = Notification.objects.get(event_key__startswith=f"order:{order.pk}:answer:")
    assert told.recipient.username == "hp"
    assert told.title == f"Your order {order.number}: answered"
    token = told.body.removeprefix("Confirm and rate the answer: /orders/rate/").removesuffix("/")
    assert told.body == f"Confirm and rate the answer: /orders/rate/{token}/"
    assert services.order_for_rating_token(token) == order


def test_contacts_without_a_login_get_the_answer_and_the_rating_link_by_email(settings: Any) -> None:
    from zoneops.core.models import Delivery
    from zoneops.enterprises.models import Enterprise, EnterpriseContact

    settings.SITE_URL = "https://zoneops.example.gov.cn"
    hp = Enterprise.objects.get(pk=demo_user("hp").enterprise_id)
    EnterpriseContact.objects.create(enterprise=hp, name="王经理", email="wang@hp.example.cn")
    EnterpriseContact.objects.create(enterprise=hp, name="无邮箱联系人", phone="0631-5000000")
    # A contact who is also the enterprise's user hears it once, as the user.
    EnterpriseContact.objects.create(enterprise=hp, name="联系人", email=demo_user("hp").email)
    order = reach("answered")
    sent = Delivery.objects.filter(event_key__startswith=f"order:{order.pk}:answer:")
    contacts = set(hp.contacts.exclude(email="").values_list("email", flat=True))
    assert "wang@hp.example.cn" in contacts
    assert sorted(sent.values_list("address", flat=True)) == sorted(contacts | {demo_user("hp").email})
    outside = sent.get(address="wang@hp.example.cn")
    assert outside.notification_id is None
    token = services.rating_token(order)
    assert outside.body == f"Confirm and rate the answer: https://zoneops.example.gov.cn/orders/rate/{token}/"
    assert services.order_for_rating_token(token) == order


@pytest.mark.parametrize("forge", ["tampered", "other-salt", "other-zone", "no-order", "garbage"])
def test_a_forged_rating_link_is_refused(forge: str) -> None:
    order = reach("answered")
    token = services.rating_token(order)
    forged = {
        "tampered": token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        "other-salt": signing.dumps({"order": order.pk, "zone": order.zone_id}, salt="other", compress=True),
        "other-zone": signing.dumps(
            {"order": order.pk, "zone": order.zone_id + 1000},
            salt="zoneops.servicedesk.rating",
            compress=True,
        ),
        "no-order": signing.dumps({"zone": order.zone_id}, salt="zoneops.servicedesk.rating", compress=True),
        "garbage": "not-a-token",
    }[forge]
    before = snapshot(order)
    with pytest.raises(InvalidInput) as exc:
        services.order_rate_by_token(token=forged, rating=5)
    assert errors_of(exc) == [("token", "This rating link is not valid.")]
    assert snapshot(order) == before


def test_an_order_is_rated_once_through_the_link() -> None:
    order = reach("answered")
    token = services.rating_token(order)
    services.order_rate_by_token(token=token, rating=5)
    before = snapshot(order)
    with pytest.raises(InvalidInput) as exc:
        services.order_rate_by_token(token=token, rating=1)
    assert errors_of(exc) == [("rating", "This order has been rated already.")]
    assert snapshot(order) == before


def test_a_bad_rating_through_the_link_changes_nothing() -> None:
    order = reach("answered")
    before = snapshot(order)
    with pytest.raises(InvalidInput) as exc:
        services.order_rate_by_token(token=services.rating_token(order), rating=0)
    assert errors_of(exc) == [("rating", "Enter a whole number from 1 to 5.")]
    # The confirmation that went first is rolled back with the refused rating.
    assert snapshot(order) == before


def test_an_unanswered_order_cannot_be_rated_through_the_link() -> None:
    order = reach("in_progress")
    before = snapshot(order)
    with pytest.raises(TransitionNotAllowed):
        services.order_rate_by_token(token=services.rating_token(order), rating=5)
    assert snapshot(order) == before


def test_a_rating_link_expires_after_60_days() -> None:
    order = reach("answered")
    now = time.time()
    with mock.patch("django.core.signing.time.time", return_value=now - 61 * 86400):
        old = services.rating_token(order)
    with mock.patch("django.core.signing.time.time", return_value=now - 59 * 86400):
        recent = services.rating_token(order)
    before = snapshot(order)
    with pytest.raises(InvalidInput) as exc:
        services.order_rate_by_token(token=old, rating=5)
    assert errors_of(exc) == [("token", "This rating link has expired.")]
    assert snapshot(order) == before
    assert services.order_rate_by_token(token=recent, rating=5).rating == 5


@pytest.mark.parametrize(("rating", "told"), [(1, True), (2, True), (3, False), (5, False)])
def test_a_bad_rating_calls_the_dispatchers_and_the_department(rating: int, told: bool) -> None:
    order = reach("answered")
    services.order_rate_by_token(token=services.rating_token(order), rating=rating, comment="慢")
    calls = Notification.objects.filter(event_key__startswith=f"order:{order.pk}:rate:")
    if not told:
        assert not calls.exists()
        return
    assert sorted((n.recipient.username, n.title) for n in calls) == [
        (username, f"{order.number} rated {rating}: follow up with the enterprise")
        for username in ("admin", "invest")
    ]


# --- the follow-up of a bad rating -------------------------------------------------------------------


def test_the_follow_up_of_a_bad_rating_is_recorded_on_the_timeline() -> None:
    order = reach("confirmed")
    with on(dt.date(2022, 5, 10)):
        rated = act(order, "rate", rating=2, note="太慢")
    assert services.actions_for(demo_user("admin"), rated) == ["reopen", "follow_up"]
    with on(dt.date(2022, 5, 11)):
        followed = act(rated, "follow_up", note=" 已电话回访，企业接受解释 ")
    # A side step: the state stays, the rating is marked followed up by whom and when.
    assert (followed.status, followed.rating) == (S.CLOSED, 2)
    rating = OrderRating.objects.get(order=order)
    assert (rating.followed_up_by, rating.followed_up_at.astimezone(clock.SHANGHAI).date()) == (
        demo_user("admin"),
        dt.date(2022, 5, 11),
    )
    assert timeline(followed)[-1] == ("follow_up", "admin", "closed")
    assert followed.events.order_by("at", "pk").last().note == "已电话回访，企业接受解释"  # type: ignore[union-attr]
    audit = order_audit(followed, "follow_up")
    assert (audit.before, audit.after, audit.note) == (
        {"status": "closed"},
        {"status": "closed", "ratings": [2]},
        "已电话回访，企业接受解释",
    )
    # Followed up once: not offered again, and refused if asked for.
    assert services.actions_for(demo_user("admin"), followed) == ["reopen"]
    before = snapshot(followed)
    with pytest.raises(InvalidInput) as exc:
        act(followed, "follow_up", note="再次回访")
    assert errors_of(exc) == [("rating", "No bad rating of this order waits for a follow-up.")]
    assert snapshot(followed) == before
    # The office may still reopen it, as after any answer.
    assert act(followed, "reopen", "admin", note="回访后重新办理").status == S.IN_PROGRESS


def test_a_bad_rating_is_followed_up_after_the_order_was_reopened_too() -> None:
    order = reach("confirmed")
    act(order, "rate", rating=1, note="没解决")
    reopened = act(order, "reopen", note="请继续办理")
    assert "follow_up" in services.actions_for(demo_user("admin"), reopened)
    drive(reopened, "answer", "confirm")
    again = act(reopened, "rate", rating=2, note="还是不行")
    followed = act(again, "follow_up", note="回访两次差评")
    assert order_audit(followed, "follow_up").after == {"status": "closed", "ratings": [1, 2]}
    assert _ratings(followed) == [(1, "没解决", "hp", True), (2, "还是不行", "hp", True)]


@pytest.mark.parametrize("rating", [3, 4, 5])
def test_a_rating_above_two_needs_no_follow_up(rating: int) -> None:
    order = act(reach("confirmed"), "rate", rating=rating)
    assert "follow_up" not in services.actions_for(demo_user("admin"), order)
    before = snapshot(order)
    with pytest.raises(InvalidInput) as exc:
        act(order, "follow_up", note="回访")
    assert errors_of(exc) == [("rating", "No bad rating of this order waits for a follow-up.")]
    assert snapshot(order) == before


@pytest.mark.parametrize("username", ROLES)
def test_only_the_general_office_follows_up(username: str) -> None:
    order = act(reach("confirmed"), "rate", rating=1)
    user = demo_user(username)
    offered = "follow_up" in services.actions_for(user, order)
    if username == "admin":
        assert offered
        assert act(order, "follow_up", username, note="回访").status == S.CLOSED
        return
    assert not offered
    before = snapshot(order)
    with pytest.raises(PermissionDenied):
        act(order, "follow_up", username, note="回访")
    assert snapshot(order) == before
    assert _ratings(order) == [(1, "", "hp", False)]


# --- Open311 keys -----------------------------------------------------------------------------------


def test_an_open311_key_never_starts_with_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    # Its prefix is typed after `--revoke` on the command line, where "-x…" would read as an option.
    drawn = iter(["-" + "a" * 39, "-" + "b" * 39, "c" * 40])
    monkeypatch.setattr(services.secrets, "token_urlsafe", lambda _n: next(drawn))
    hp = demo_user("hp").enterprise
    assert hp is not None
    key, raw = services.open311_key_issue(actor=demo_user("admin"), enterprise=hp)
    assert (raw, key.prefix) == ("c" * 40, "c" * 8)


def test_an_open311_key_is_kept_as_its_hash_only() -> None:
    hp = demo_user("hp").enterprise
    assert hp is not None
    key, raw = services.open311_key_issue(actor=demo_user("admin"), enterprise=hp, label=" ERP 接口 ")
    assert len(raw) == 40
    saved = Open311Key.objects.get(pk=key.pk)
    assert (saved.key_hash, saved.prefix, saved.label, saved.issued_by, saved.revoked_at) == (
        hashlib.sha256(raw.encode()).hexdigest(),
        raw[:8],
        "ERP 接口",
        demo_user("admin"),
        None,
    )
    row = Open311Key.objects.filter(pk=key.pk).values().get()
    assert not any(raw in str(value) for value in row.values())
    audit = AuditEvent.objects.get(action="open311.key_issue", object_id=str(key.pk))
    assert audit.after == {"enterprise": hp.pk, "prefix": raw[:8], "label": "ERP 接口"}
    assert raw not in json.dumps(
        [audit.before, audit.after, audit.note, audit.object_repr], ensure_ascii=False
    )

    assert saved.last_used_at is None
    found = services.open311_key_check(raw)
    assert found == key
    used = Open311Key.objects.get(pk=key.pk).last_used_at
    assert used is not None
    assert used.astimezone(clock.SHANGHAI).date() == dt.date(2022, 5, 8)
    for wrong in ("", raw + "x", raw[:-1], "k" * 201):
        assert services.open311_key_check(wrong) is None

    with pytest.raises(PermissionDenied):
        services.open311_key_revoke(actor=demo_user("hp"), key=key)
    assert services.open311_key_check(raw) == key
    services.open311_key_revoke(actor=demo_user("admin"), key=key)
    assert Open311Key.objects.get(pk=key.pk).revoked_at is not None
    assert services.open311_key_check(raw) is None
    services.open311_key_revoke(actor=demo_user("admin"), key=key)
    assert AuditEvent.objects.filter(action="open311.key_revoke", object_id=str(key.pk)).count() == 1


@pytest.mark.parametrize("username", ["hp", "weigao", "invest", "leader", "supervisor", "stats"])
def test_issuing_an_open311_key_needs_the_dispatch_permission(username: str) -> None:
    hp = demo_user("hp").enterprise
    assert hp is not None
    keys = Open311Key.objects.count()
    with pytest.raises(PermissionDenied):
        services.open311_key_issue(actor=demo_user(username), enterprise=hp)
    assert Open311Key.objects.count() == keys


def test_an_open311_key_from_the_shell_and_a_long_label() -> None:
    hp = demo_user("hp").enterprise
    assert hp is not None
    key, raw = services.open311_key_issue(actor=None, enterprise=hp)
    assert (key.issued_by, services.open311_key_check(raw)) == (None, key)
    keys = Open311Key.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.open311_key_issue(actor=demo_user("admin"), enterprise=hp, label="x" * 101)
    assert errors_of(exc) == [("label", "Enter at most 100 characters.")]
    assert Open311Key.objects.count() == keys


# --- calendar corrections ---------------------------------------------------------------------------

# March 2023: no order of the demo year reaches it, so the number of moved orders is exact.
MARCH_1 = dt.date(2023, 3, 1)


def _make_holiday(day: dt.date) -> None:
    assert (
        WorkCalendarDay.objects.filter(date=day, is_workday=True).update(is_workday=False, kind="holiday")
        == 1
    )


def test_a_calendar_correction_moves_the_deadlines_of_open_orders_only() -> None:
    with on(MARCH_1):
        submitted = file_order(title="待受理")
        accepted = act(file_order(title="已受理"), "accept")
        answered = drive(file_order(title="已答复"), "accept", "dispatch", "answer")
    assert (submitted.accept_due, accepted.reply_due, accepted.resolve_due) == (
        dt.date(2023, 3, 2),
        dt.date(2023, 3, 3),
        dt.date(2023, 3, 15),
    )
    frozen = ServiceOrder.objects.filter(pk=answered.pk).values().get()
    _make_holiday(dt.date(2023, 3, 2))
    assert services.deadlines_recompute(first_year=2023, last_year=2023) == 2
    moved = ServiceOrder.objects.get(pk=accepted.pk)
    assert (moved.accept_due, moved.reply_due, moved.resolve_due) == (
        dt.date(2023, 3, 3),
        dt.date(2023, 3, 6),
        dt.date(2023, 3, 16),
    )
    assert ServiceOrder.objects.get(pk=submitted.pk).accept_due == dt.date(2023, 3, 3)
    assert ServiceOrder.objects.filter(pk=answered.pk).values().get() == frozen
    # Recomputing again moves nothing.
    assert services.deadlines_recompute(first_year=2023, last_year=2023) == 0


def test_a_calendar_correction_keeps_paused_days_and_extensions() -> None:
    with on(MARCH_1):
        order = drive(file_order(), "accept", "dispatch", "request_extension", "decide_extension")
    assert order.resolve_due == dt.date(2023, 3, 20)  # 10 + 3 working days from 1 March
    _make_holiday(dt.date(2023, 3, 6))
    assert services.deadlines_recompute(first_year=2023, last_year=2023) == 1
    assert ServiceOrder.objects.get(pk=order.pk).resolve_due == dt.date(2023, 3, 21)


def test_the_calendar_changed_signal_recomputes_the_deadlines() -> None:
    with on(MARCH_1):
        order = act(file_order(), "accept")
    _make_holiday(dt.date(2023, 3, 6))
    calendar_changed.send(sender=WorkCalendarYear, first_year=2023, last_year=2023)
    assert ServiceOrder.objects.get(pk=order.pk).resolve_due == dt.date(2023, 3, 16)


def test_a_correction_of_other_years_leaves_the_order() -> None:
    with on(MARCH_1):
        order = act(file_order(), "accept")
    _make_holiday(dt.date(2023, 3, 6))
    assert services.deadlines_recompute(first_year=2025, last_year=2026) == 0
    assert ServiceOrder.objects.get(pk=order.pk).resolve_due == dt.date(2023, 3, 15)


# --- deadline state and escalation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "today", "expected"),
    [
        ("submitted", dt.date(2022, 5, 8), "ok"),  # acceptance due on the next working day
        ("submitted", dt.date(2022, 5, 9), "ok"),
        ("submitted", dt.date(2022, 5, 10), "overdue"),
        ("dispatched", dt.date(2022, 5, 8), "ok"),
        ("dispatched", dt.date(2022, 5, 19), "ok"),  # near, but the job has not warned
        ("dispatched", dt.date(2022, 5, 20), "ok"),
        ("dispatched", dt.date(2022, 5, 21), "overdue"),
        ("waiting", dt.date(2022, 6, 30), "paused"),
        ("answered", dt.date(2022, 6, 30), "done"),
        ("refused", dt.date(2022, 5, 8), "done"),
        ("merged", dt.date(2022, 6, 30), "done"),
    ],
)
def test_deadline_state(state: str, today: dt.date, expected: str) -> None:
    assert services.deadline_state(order=reach(state), today=today) == expected


@pytest.mark.parametrize("state", ["dispatched", "in_progress", "returned"])
def test_the_deadline_warning_turns_a_running_order_amber(zone: Any, state: str) -> None:
    order = reach(state)
    with on(dt.date(2022, 5, 19)):
        services.escalate_overdue(zone=zone)
    warned = ServiceOrder.objects.get(pk=order.pk)
    assert warned.amber_sent is True
    assert [
        services.deadline_state(order=warned, today=day)
        for day in (dt.date(2022, 5, 19), dt.date(2022, 5, 20), dt.date(2022, 5, 21))
    ] == ["amber", "amber", "overdue"]


def _escalations(order: ServiceOrder) -> list[tuple[str, str]]:
    return [
        (n.event_key.removeprefix(f"order:{order.pk}:escalation:"), n.recipient.username)
        for n in Notification.objects.filter(event_key__startswith=f"order:{order.pk}:escalation:").order_by(
            "pk"
        )
    ]


def _ladder(order: ServiceOrder) -> list[str]:
    return [a for a, _u, _s in timeline(order) if a.startswith(("escalate", "deadline"))]


def test_the_escalation_ladder_warns_once_then_climbs_one_level_at_a_time(zone: Any) -> None:
    order = reach("accepted", title="测试：逾期升级阶梯")
    act(order, "dispatch", handler=demo_user("invest"))
    items = SupervisionItem.objects.filter(subject__startswith=order.number)

    def run(day: dt.date) -> None:
        with on(day):
            escalate_twice(zone)

    run(dt.date(2022, 5, 18))  # two working days before the deadline: nothing yet
    assert (_ladder(order), _escalations(order)) == ([], [])
    run(dt.date(2022, 5, 19))  # the deadline (20 May) is the next working day: the warning
    assert _ladder(order) == ["deadline_warning"]
    assert _escalations(order) == [("0:20220520", "invest")]
    warned = Notification.objects.get(event_key=f"order:{order.pk}:escalation:0:20220520")
    assert warned.title == f"Service order {order.number} is due on 2022-05-20"
    run(dt.date(2022, 5, 20))  # due today: nothing new
    run(dt.date(2022, 5, 21))  # Saturday after the deadline: 0 working days late, level 1
    assert _ladder(order) == ["deadline_warning", "escalate_1"]
    run(dt.date(2022, 5, 23))
    assert _escalations(order) == [("0:20220520", "invest"), ("1:20220520", "invest")]
    reminded = Notification.objects.get(event_key=f"order:{order.pk}:escalation:1:20220520")
    assert reminded.title == f"Service order {order.number} is overdue since 2022-05-20"
    run(dt.date(2022, 5, 24))  # 2 working days late: the department head (invest heads investment)
    assert _ladder(order) == ["deadline_warning", "escalate_1", "escalate_2"]
    assert _escalations(order)[-1] == ("2:20220520", "invest")
    run(dt.date(2022, 5, 26))  # 4 working days late: still level 2
    assert not items.exists()
    run(dt.date(2022, 5, 27))  # 5 working days late: supervision
    run(dt.date(2022, 6, 30))  # and nothing after level 3
    saved = ServiceOrder.objects.get(pk=order.pk)
    assert _ladder(saved) == ["deadline_warning", "escalate_1", "escalate_2", "escalate_3"]
    assert len(_escalations(saved)) == 3
    item = items.get()
    assert (saved.escalation_level, saved.amber_sent, saved.supervision_item) == (3, True, item)
    assert (item.source, item.department, item.subject) == (
        "service_order",
        department("investment"),
        f"{order.number} {order.title}",
    )
    assert item.instructions == "Service order overdue 5 working days."
    assert [e.actor for e in saved.events.filter(action__startswith="escalate")] == [None, None, None]
    ladder_audits = AuditEvent.objects.filter(
        object_type="servicedesk.serviceorder",
        object_id=str(order.pk),
        action__in=["order.deadline_warning", "order.escalate_1", "order.escalate_2", "order.escalate_3"],
    ).order_by("at", "pk")
    assert [(a.action, a.after) for a in ladder_audits] == [
        ("order.deadline_warning", {"level": 0, "late": 0}),
        ("order.escalate_1", {"level": 1, "late": 0}),
        ("order.escalate_2", {"level": 2, "late": 2}),
        ("order.escalate_3", {"level": 3, "late": 5}),
    ]


def escalate_twice(zone: Any) -> None:
    """The job runs every half hour: a second run right after the first must add nothing."""
    services.escalate_overdue(zone=zone)
    counts = (Notification.objects.count(), SupervisionItem.objects.count(), AuditEvent.objects.count())
    services.escalate_overdue(zone=zone)
    assert (
        Notification.objects.count(),
        SupervisionItem.objects.count(),
        AuditEvent.objects.count(),
    ) == counts


def test_an_order_late_by_a_week_climbs_the_whole_ladder_in_one_run(zone: Any) -> None:
    order = reach("in_progress")
    with on(dt.date(2022, 6, 1)):
        escalate_twice(zone)
    saved = ServiceOrder.objects.get(pk=order.pk)
    assert _ladder(saved) == ["escalate_1", "escalate_2", "escalate_3"]
    # No handler: the department hears of level 1; its head of level 2.
    assert _escalations(saved) == [("1:20220520", "invest"), ("2:20220520", "invest")]
    assert SupervisionItem.objects.filter(subject__startswith=order.number).count() == 1
    assert saved.supervision_item is not None


def test_orders_whose_clock_does_not_run_are_not_escalated(zone: Any) -> None:
    # (A submitted order's clock is the acceptance deadline's: it gets that reminder, tested above.)
    orders = [reach(state) for state in ("waiting", "answered", "refused", "merged")]
    before = [snapshot(order)[0] for order in orders]
    with on(dt.date(2022, 6, 30)):
        services.escalate_overdue(zone=zone)
    assert [timeline(order)[-1][0] for order in orders] == ["wait", "answer", "refuse", "merge"]
    assert [snapshot(order)[0] for order in orders] == before


def test_an_approved_extension_rearms_the_ladder_for_the_new_deadline(zone: Any) -> None:
    order = reach("accepted")
    act(order, "dispatch", handler=demo_user("invest"))
    with on(dt.date(2022, 5, 19)):
        escalate_twice(zone)
    with on(dt.date(2022, 5, 23)):
        escalate_twice(zone)
        act(order, "request_extension", days=5, note="等待环评")
        extended = act(order, "decide_extension", approve=True)
    assert (extended.resolve_due, extended.amber_sent, extended.escalation_level) == (
        dt.date(2022, 5, 27),
        False,
        0,
    )
    with on(dt.date(2022, 5, 25)):
        escalate_twice(zone)
    assert _ladder(order) == ["deadline_warning", "escalate_1"]
    with on(dt.date(2022, 5, 26)):
        escalate_twice(zone)
    with on(dt.date(2022, 5, 30)):
        escalate_twice(zone)
    assert _ladder(order) == ["deadline_warning", "escalate_1", "deadline_warning", "escalate_1"]
    assert _escalations(order) == [
        ("0:20220520", "invest"),
        ("1:20220520", "invest"),
        ("0:20220527", "invest"),
        ("1:20220527", "invest"),
    ]


def test_an_extension_that_still_ends_in_the_past_keeps_the_level(zone: Any) -> None:
    order = reach("in_progress")
    with on(dt.date(2022, 5, 24)):
        escalate_twice(zone)
        act(order, "request_extension", days=1, note="补一天")
        extended = act(order, "decide_extension", approve=True)
    assert (extended.resolve_due, extended.escalation_level) == (dt.date(2022, 5, 23), 2)


def test_resume_rearms_the_warning_for_the_moved_deadline(zone: Any) -> None:
    order = reach("in_progress")
    with on(dt.date(2022, 5, 19)):
        escalate_twice(zone)  # warned for 20 May
        act(order, "wait", note="请补充材料")
    with on(dt.date(2022, 5, 25)):
        resumed = act(order, "resume")
    assert resumed.resolve_due == dt.date(2022, 5, 26)  # 4 working days waited (20, 23–25 May)
    with on(dt.date(2022, 5, 25)):
        escalate_twice(zone)
    assert _escalations(order)[-1] == ("0:20220526", "invest")


def test_a_step_on_an_order_read_before_the_job_ran_keeps_what_the_job_did(zone: Any) -> None:
    """A step locks and re-reads the row: a copy read before the job ran cannot write back the old
    level, nor make the next run raise a second supervision item."""
    order = reach("in_progress")
    with on(dt.date(2022, 5, 26)):
        services.escalate_overdue(zone=zone)  # 4 working days late: level 2
    with on(dt.date(2022, 5, 27)):
        read_by_a_request = ServiceOrder.objects.get(pk=order.pk)  # the API or a page reads the order…
        services.escalate_overdue(zone=zone)  # …the job hands it to supervision meanwhile…
        services.order_act(  # …and the request's step is saved
            actor=demo_user("invest"),
            order=read_by_a_request,
            action="request_extension",
            days=2,
            note="等待评审",
        )
        services.escalate_overdue(zone=zone)
    saved = ServiceOrder.objects.get(pk=order.pk)
    assert SupervisionItem.objects.filter(subject__startswith=order.number).count() == 1
    assert (saved.escalation_level, saved.supervision_item_id) == (
        3,
        SupervisionItem.objects.get(subject__startswith=order.number).pk,
    )


# --- acceptance and first-reply deadlines, and who hears a reminder ----------------------------------


def _reminders(order: ServiceOrder, action: str) -> list[tuple[str, str, str]]:
    """(event key's deadline, recipient, title) of the order's reminders of one kind."""
    prefix = f"order:{order.pk}:{action}:"
    return [
        (n.event_key.removeprefix(prefix), n.recipient.username, n.title)
        for n in Notification.objects.filter(event_key__startswith=prefix).order_by("recipient__username")
    ]


def _dispatchers() -> list[str]:
    return sorted(
        u.username for u in services._holders(zone=demo_user("admin").zone, perm=Perm.ORDER_DISPATCH)
    )


def test_an_order_not_accepted_in_time_reminds_the_dispatchers_once(zone: Any) -> None:
    order = file_order(title="测试：受理超时")  # filed Sunday 8 May: to be accepted by Monday 9 May
    with on(dt.date(2022, 5, 9)):
        escalate_twice(zone)
    assert (timeline(order)[-1][0], _reminders(order, "accept_overdue")) == ("submit", [])
    with on(dt.date(2022, 5, 10)):
        escalate_twice(zone)
    title = f"Service order {order.number} is waiting for acceptance since 2022-05-09"
    assert _dispatchers() == ["admin"]
    assert _reminders(order, "accept_overdue") == [("20220509", "admin", title)]
    assert timeline(order)[-1] == ("accept_overdue", None, "submitted")
    assert order_audit(order, "accept_overdue").after == {"due": "2022-05-09"}
    saved = ServiceOrder.objects.get(pk=order.pk)
    assert (saved.accept_reminded, saved.escalation_level, saved.amber_sent) == (True, 0, False)
    with on(dt.date(2022, 5, 12)):
        escalate_twice(zone)
    assert [a for a, _u, _s in timeline(order)] == ["submit", "accept_overdue"]


def test_an_order_accepted_in_time_gets_no_acceptance_reminder(zone: Any) -> None:
    order = reach("accepted")
    with on(dt.date(2022, 5, 10)):
        services.escalate_overdue(zone=zone)
    assert _reminders(order, "accept_overdue") == []
    assert ServiceOrder.objects.get(pk=order.pk).accept_reminded is False


def test_no_first_reply_in_time_reminds_the_handler_once(zone: Any) -> None:
    order = reach("accepted")  # the first reply is due 2 working days after 8 May: 10 May
    act(order, "dispatch", handler=demo_user("invest"))
    with on(dt.date(2022, 5, 9)):
        act(order, "start")  # work starts, but nothing reaches the enterprise yet
    assert ServiceOrder.objects.get(pk=order.pk).replied_on is None
    with on(dt.date(2022, 5, 10)):
        escalate_twice(zone)
    assert _reminders(order, "reply_overdue") == []
    with on(dt.date(2022, 5, 11)):
        escalate_twice(zone)
    title = f"Service order {order.number} has had no first reply to the enterprise since 2022-05-10"
    assert _reminders(order, "reply_overdue") == [("20220510", "invest", title)]
    assert timeline(order)[-1] == ("reply_overdue", None, "in_progress")
    assert order_audit(order, "reply_overdue").after == {"due": "2022-05-10"}
    with on(dt.date(2022, 5, 13)):
        escalate_twice(zone)
    assert [a for a, _u, _s in timeline(order)].count("reply_overdue") == 1


@pytest.mark.parametrize(("first", "day"), [("wait", dt.date(2022, 5, 9)), ("answer", dt.date(2022, 5, 10))])
def test_the_first_step_reaching_the_enterprise_is_its_first_reply(
    zone: Any, first: str, day: dt.date
) -> None:
    order = reach("in_progress")
    with on(day):
        replied = act(order, first)
    assert replied.replied_on == day
    if first == "wait":
        with on(dt.date(2022, 5, 12)):
            act(replied, "resume")
            answered = act(replied, "answer")
        assert answered.replied_on == day  # the first one stays
    with on(dt.date(2022, 5, 11)):
        services.escalate_overdue(zone=zone)
    assert _reminders(order, "reply_overdue") == []


def test_reminders_about_a_department_nobody_works_in_go_to_the_dispatchers(zone: Any) -> None:
    # The legal service centre has neither staff nor a head among the demo's users.
    law = department("law")
    assert (law.head, User.objects.filter(department=law, is_active=True).exists()) == (None, False)
    order = reach("dispatched", service_type=legal())  # due 13 May, first reply due 10 May
    for day in (dt.date(2022, 5, 11), dt.date(2022, 5, 12), dt.date(2022, 5, 16), dt.date(2022, 5, 17)):
        with on(day):
            escalate_twice(zone)
    assert _ladder(order) == ["deadline_warning", "escalate_1", "escalate_2"]
    assert _reminders(order, "reply_overdue") == [
        (
            "20220510",
            "admin",
            f"Service order {order.number} has had no first reply to the enterprise since 2022-05-10",
        )
    ]
    assert _escalations(order) == [("0:20220513", "admin"), ("1:20220513", "admin"), ("2:20220513", "admin")]


def test_reminders_about_a_staffed_department_go_to_its_staff_not_the_dispatchers(zone: Any) -> None:
    order = reach("dispatched")  # investment bureau, no handler
    with on(dt.date(2022, 5, 11)):
        escalate_twice(zone)
    assert [r[1] for r in _reminders(order, "reply_overdue")] == ["invest"]


def test_an_order_handed_to_supervision_has_a_leader_in_charge_who_hears_when_it_stays_late(
    zone: Any,
) -> None:
    from zoneops.supervision.services import overdue_follow_up

    leaders = list(
        User.objects.filter(zone=zone, role="leader", is_active=True).values_list("username", flat=True)
    )
    assert leaders == ["leader"]
    order = reach("in_progress")
    with on(dt.date(2022, 5, 27)):
        services.escalate_overdue(zone=zone)
    item = SupervisionItem.objects.get(subject__startswith=order.number)
    assert (item.leader, item.deadline) == (demo_user("leader"), dt.date(2022, 6, 1))
    with on(dt.date(2022, 6, 7)):  # 3 working days overdue (3 June is the Dragon Boat holiday)
        overdue_follow_up(zone=zone)
    item.refresh_from_db()
    assert item.escalated_on == dt.date(2022, 6, 7)
    told = Notification.objects.get(event_key=f"supervision:{item.pk}:escalate")
    assert told.recipient == demo_user("leader")


def test_without_a_zone_leader_the_item_is_raised_all_the_same(zone: Any) -> None:
    User.objects.filter(zone=zone, role="leader").update(is_active=False)
    order = reach("in_progress")
    with on(dt.date(2022, 5, 27)):
        services.escalate_overdue(zone=zone)
    item = SupervisionItem.objects.get(subject__startswith=order.number)
    assert item.leader is None


def test_a_backlog_of_reminders_is_worked_off_over_several_runs(
    zone: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At most ``REMINDERS_PER_RUN`` of each kind per run, the oldest deadline first: the next runs send
    the rest, each once."""
    monkeypatch.setattr(services, "REMINDERS_PER_RUN", 1)
    older = file_order(title="测试：积压一")
    with on(dt.date(2022, 5, 9)):
        newer = file_order(title="测试：积压二")  # to be accepted by 10 May, a day later
    # The demo's own orders awaiting acceptance are left out of this test's backlog (rolled back after).
    ServiceOrder.objects.exclude(pk__in=[older.pk, newer.pk]).update(accept_reminded=True)
    with on(dt.date(2022, 5, 12)):
        services.escalate_overdue(zone=zone)
        assert [len(_reminders(o, "accept_overdue")) for o in (older, newer)] == [1, 0]
        services.escalate_overdue(zone=zone)
        assert [len(_reminders(o, "accept_overdue")) for o in (older, newer)] == [1, 1]
        escalate_twice(zone)
    assert [[a for a, _u, _s in timeline(o)] for o in (older, newer)] == [["submit", "accept_overdue"]] * 2

"""Reads of the service desk: the queues and their filters, the counts above them, the dispatcher's
board and the statistics, on orders the tests file and drive through the state machine."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from tests.conftest import ROLES, demo_user
from tests.servicedesk.conftest import (
    STATES,
    act,
    department,
    drive,
    file_order,
    legal,
    on,
    reach,
    statistics_scenario,
)
from zoneops.accounts.models import User
from zoneops.core import clock
from zoneops.demo import weihai
from zoneops.servicedesk import selectors, services
from zoneops.servicedesk.models import OPEN_STATES, RUNNING_STATES, OrderRating, ServiceOrder
from zoneops.servicedesk.selectors import QueueFilter, StatsRow

pytestmark = pytest.mark.django_db

MAY_19 = dt.date(2022, 5, 19)


def probe_by(probe: User) -> dict[str, str | User]:
    """Steps on the probe enterprise's orders: its own contact confirms, rates and resumes; the general
    office takes the department's steps (it may, for any department)."""
    return {
        "confirm": probe,
        "rate": probe,
        "resume": probe,
        "reopen": probe,
        **dict.fromkeys(("start", "return", "wait", "answer", "request_extension"), "admin"),
    }


@pytest.fixture
def queue_orders(probe: User, zone: Any) -> dict[str, ServiceOrder]:
    """Six orders of the probe enterprise filed on 8 May 2022, then the escalation job run on 19 May:

    a submitted (acceptance due 9 May); b dispatched, due 20 May, extension pending, warned;
    c legal, dispatched, due 13 May (overdue); d answered on 10 May; e waiting (due 20 May);
    f returned (due 20 May, warned)."""
    by = probe_by(probe)
    a = file_order(by=probe, title="测试A：厂房")
    b = drive(file_order(by=probe, title="测试B：厂房"), "accept", "dispatch", "request_extension", by=by)
    c = drive(file_order(by=probe, title="测试C：法律", service_type=legal()), "accept", "dispatch", by=by)
    d = drive(file_order(by=probe, title="测试D：厂房"), "accept", "dispatch", by=by)
    with on(dt.date(2022, 5, 10)):
        d = act(d, "answer", "admin")
    e = drive(file_order(by=probe, title="测试E：厂房"), "accept", "dispatch", "wait", by=by)
    f = drive(file_order(by=probe, title="测试F：厂房"), "accept", "dispatch", "return", by=by)
    with on(MAY_19):
        services.escalate_overdue(zone=zone)
    orders = {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f}
    return {key: ServiceOrder.objects.get(pk=order.pk) for key, order in orders.items()}


def keys(rows: Any, orders: dict[str, ServiceOrder]) -> list[str]:
    """The test's orders among ``rows``, by their key, in the order of ``rows``."""
    names = {order.pk: key for key, order in orders.items()}
    return [names[row.pk] for row in rows if row.pk in names]


def test_the_queue_orders_as_filed(queue_orders: dict[str, ServiceOrder]) -> None:
    o = queue_orders
    assert [(k, o[k].status, o[k].accept_due, o[k].resolve_due, o[k].amber_sent) for k in o] == [
        ("a", "submitted", dt.date(2022, 5, 9), None, False),
        ("b", "dispatched", dt.date(2022, 5, 9), dt.date(2022, 5, 20), True),
        ("c", "dispatched", dt.date(2022, 5, 9), dt.date(2022, 5, 13), False),
        ("d", "answered", dt.date(2022, 5, 9), dt.date(2022, 5, 20), False),
        ("e", "waiting", dt.date(2022, 5, 9), dt.date(2022, 5, 20), False),
        ("f", "returned", dt.date(2022, 5, 9), dt.date(2022, 5, 20), True),
    ]
    assert (o["b"].extension_requested_days, o["c"].escalation_level) == (3, 2)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (QueueFilter(), ["a", "c", "b", "e", "f"]),  # open, the most urgent deadline first
        (QueueFilter(status="open"), ["a", "c", "b", "e", "f"]),
        # Past its deadline: the submitted order past acceptance, the running one past resolution.
        (QueueFilter(status="overdue"), ["a", "c"]),
        (QueueFilter(status="amber"), ["b", "f"]),
        (QueueFilter(status="all"), ["f", "e", "d", "c", "b", "a"]),  # newest first
        (QueueFilter(status="submitted"), ["a"]),
        (QueueFilter(status="answered"), ["d"]),
        (QueueFilter(status="waiting"), ["e"]),
        (QueueFilter(status="returned"), ["f"]),
        (QueueFilter(status="closed"), []),
        (QueueFilter(guarantee="law"), ["c"]),
        (QueueFilter(guarantee="land"), ["a", "b", "e", "f"]),
        (QueueFilter(guarantee="capital"), []),
        (QueueFilter(status="all", guarantee="land"), ["f", "e", "d", "b", "a"]),
        (QueueFilter(search="测试C"), ["c"]),
        (QueueFilter(search="探针"), ["a", "c", "b", "e", "f"]),  # the enterprise's name
        (QueueFilter(search="no such order"), []),
    ],
)
def test_queue_filters(
    queue_orders: dict[str, ServiceOrder], probe: User, filters: QueueFilter, expected: list[str]
) -> None:
    rows = list(selectors.queue(user=probe, filters=filters, today=MAY_19))
    # The probe's scope holds the test's orders only: the whole list is exact.
    assert keys(rows, queue_orders) == expected
    assert len(rows) == len(expected)
    # The dispatcher's queue lists them likewise among the zone's.
    zone_rows = selectors.queue(user=demo_user("admin"), filters=filters, today=MAY_19)
    assert keys(zone_rows, queue_orders) == expected


def test_queue_by_number_and_by_department(queue_orders: dict[str, ServiceOrder], probe: User) -> None:
    b = queue_orders["b"]
    found = selectors.queue(user=probe, filters=QueueFilter(status="all", search=b.number), today=MAY_19)
    assert [o.pk for o in found] == [b.pk]
    law = QueueFilter(department_id=department("law").pk)
    assert keys(selectors.queue(user=probe, filters=law, today=MAY_19), queue_orders) == ["c"]
    investment = QueueFilter(status="all", department_id=department("investment").pk)
    assert keys(selectors.queue(user=probe, filters=investment, today=MAY_19), queue_orders) == [
        "f",
        "e",
        "d",
        "b",
        "a",
    ]


@pytest.mark.parametrize("username", ROLES)
def test_queue_scope_by_role(queue_orders: dict[str, ServiceOrder], username: str) -> None:
    rows = selectors.queue(user=demo_user(username), filters=QueueFilter(status="all"), today=MAY_19)
    expected = {
        "admin": ["f", "e", "d", "c", "b", "a"],
        "leader": ["f", "e", "d", "c", "b", "a"],
        "supervisor": ["f", "e", "d", "c", "b", "a"],
        "invest": ["f", "e", "d", "b", "a"],  # the investment bureau's, not the legal centre's
    }.get(username, [])
    assert keys(rows, queue_orders) == expected


def test_queue_counts(queue_orders: dict[str, ServiceOrder], probe: User) -> None:
    assert selectors.queue_counts(user=probe, today=MAY_19) == {
        "open": 5,
        "submitted": 1,
        "returned": 1,
        "waiting": 1,
        "overdue": 2,
        "amber": 2,
        "extension": 1,
    }
    assert selectors.queue_counts(user=probe, today=MAY_19, department_id=department("law").pk) == {
        "open": 1,
        "submitted": 0,
        "returned": 0,
        "waiting": 0,
        "overdue": 1,
        "amber": 0,
        "extension": 0,
    }
    # A week later b and f are overdue too (with a, still not accepted, and c); e's deadline does not
    # run while it waits.
    assert selectors.queue_counts(user=probe, today=dt.date(2022, 5, 26))["overdue"] == 4


def test_queue_counts_of_an_enterprise_without_orders(probe: User) -> None:
    assert selectors.queue_counts(user=probe, today=MAY_19) == dict.fromkeys(
        ["open", "submitted", "returned", "waiting", "overdue", "amber", "extension"], 0
    )


def test_board_columns(queue_orders: dict[str, ServiceOrder], probe: User) -> None:
    g = drive(file_order(by=probe, title="测试G：厂房"), "accept", "dispatch", by=probe_by(probe))
    with on(dt.date(2022, 5, 9)):
        g = act(g, "answer", "admin")
    orders = {**queue_orders, "g": g}
    columns = selectors.board_columns(user=probe, today=MAY_19)
    assert {name: keys(rows, orders) for name, rows in columns.items()} == {
        "submitted": ["a"],
        "returned": ["f"],
        "extension": ["b"],
        "overdue": ["c"],
        "answered": ["g", "d"],  # answered 9 May, then 10 May
        "follow_up": [],
    }
    assert sum(len(rows) for rows in columns.values()) == 6
    limited = selectors.board_columns(user=probe, today=MAY_19, limit=1)
    assert keys(limited["answered"], orders) == ["g"]
    zone_wide = selectors.board_columns(user=demo_user("admin"), today=MAY_19, limit=100_000)
    assert {name: keys(rows, orders) for name, rows in zone_wide.items()} == {
        name: keys(rows, orders) for name, rows in columns.items()
    }


def test_orders_dispatched_elsewhere_leave_the_department_queue(probe: User) -> None:
    order = drive(file_order(by=probe), "accept")
    act(order, "dispatch", department=department("law"))
    invest = selectors.orders(user=demo_user("invest"))
    assert not invest.filter(pk=order.pk).exists()
    assert selectors.orders(user=probe).filter(pk=order.pk).exists()


# --- statistics -------------------------------------------------------------------------------------

JUNE_1, JULY_31, JULY_20 = dt.date(2022, 6, 1), dt.date(2022, 7, 31), dt.date(2022, 7, 20)


def row(
    key: str,
    label: str,
    *,
    filed: int,
    answered: int,
    on_time: int,
    open: int,
    overdue: int,
    mean_working_days: float | None,
    rated: int,
    mean_rating: float | None,
    satisfied: int,
) -> StatsRow:
    return StatsRow(
        key=key,
        label=label,
        filed=filed,
        answered=answered,
        on_time=on_time,
        open=open,
        overdue=overdue,
        mean_working_days=mean_working_days,
        rated=rated,
        mean_rating=mean_rating,
        satisfied=satisfied,
    )


def test_statistics_exact_figures() -> None:
    o = statistics_scenario()
    # The orders the figures are computed from.
    assert [
        (
            k,
            v.status,
            v.submitted_on,
            v.resolve_due,
            v.answered_on,
            v.resolve_working_days,
            v.answered_on_time,
            v.rating,
        )
        for k, v in o.items()
    ] == [
        ("one", "closed", JUNE_1, dt.date(2022, 6, 16), dt.date(2022, 6, 10), 6, True, 5),
        ("two", "closed", JUNE_1, dt.date(2022, 6, 16), dt.date(2022, 6, 20), 12, False, 2),
        ("three", "closed", JUNE_1, dt.date(2022, 6, 13), dt.date(2022, 6, 13), 5, True, 4),
        ("four", "submitted", JUNE_1, None, None, None, None, None),
        ("five", "in_progress", dt.date(2022, 7, 1), dt.date(2022, 7, 15), None, None, None, None),
        ("six", "refused", dt.date(2022, 7, 1), None, None, None, None, None),
    ]
    assert o["three"].paused_days == 2
    stats = selectors.statistics(user=demo_user("admin"), first=JUNE_1, last=JULY_31, today=JULY_20)
    assert (stats.first, stats.last) == (JUNE_1, JULY_31)
    assert stats.total == row(
        "all",
        "All",
        filed=6,
        answered=3,
        on_time=2,
        open=2,
        overdue=1,
        mean_working_days=7.67,  # (6 + 12 + 5) / 3
        rated=3,
        mean_rating=3.67,  # (5 + 2 + 4) / 3
        satisfied=2,
    )
    assert (stats.total.on_time_rate, stats.total.satisfaction_rate) == (66.7, 66.7)
    assert stats.by_guarantee == [
        row(
            "land",
            "land",
            filed=4,
            answered=2,
            on_time=1,
            open=1,
            overdue=1,
            mean_working_days=9.0,
            rated=2,
            mean_rating=3.5,
            satisfied=1,
        ),
        row(
            "law",
            "law",
            filed=2,
            answered=1,
            on_time=1,
            open=1,
            overdue=0,
            mean_working_days=5.0,
            rated=1,
            mean_rating=4.0,
            satisfied=1,
        ),
    ]
    assert [(r.on_time_rate, r.satisfaction_rate) for r in stats.by_guarantee] == [
        (50.0, 50.0),
        (100.0, 100.0),
    ]
    assert [(r.key, r.label, r.filed, r.answered, r.on_time) for r in stats.by_department] == [
        (str(department("investment").pk), "投资促进局", 4, 2, 1),
        (str(department("law").pk), "法律服务中心", 2, 1, 1),
    ]
    assert stats.by_month == [("2022-06", 4, 2), ("2022-07", 2, 0)]
    assert stats.ratings == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}


def test_statistics_of_other_windows_and_days() -> None:
    statistics_scenario()
    june = selectors.statistics(
        user=demo_user("leader"), first=JUNE_1, last=dt.date(2022, 6, 30), today=dt.date(2022, 6, 30)
    )
    assert (june.total.filed, june.total.answered, june.total.on_time, june.total.open) == (4, 3, 2, 1)
    assert june.by_month == [("2022-06", 4, 2)]
    # On 14 July order five is still within its deadline.
    july = selectors.statistics(
        user=demo_user("supervisor"), first=dt.date(2022, 7, 1), last=JULY_31, today=dt.date(2022, 7, 14)
    )
    assert (july.total.filed, july.total.answered, july.total.open, july.total.overdue) == (2, 0, 1, 0)
    assert (july.total.on_time_rate, july.total.mean_working_days, july.total.mean_rating) == (
        None,
        None,
        None,
    )
    assert july.ratings == dict.fromkeys(range(1, 6), 0)
    # A month with no order.
    stats = selectors.statistics(
        user=demo_user("admin"), first=dt.date(2022, 8, 1), last=dt.date(2022, 8, 31), today=JULY_20
    )
    assert stats.total == row(
        "all",
        "All",
        filed=0,
        answered=0,
        on_time=0,
        open=0,
        overdue=0,
        mean_working_days=None,
        rated=0,
        mean_rating=None,
        satisfied=0,
    )
    assert (stats.by_guarantee, stats.by_department, stats.by_month) == ([], [], [])


def test_statistics_are_for_the_office_the_supervision_and_leaders() -> None:
    for username in ("invest", "projects", "stats", "hp", "weigao"):
        with pytest.raises(PermissionDenied):
            selectors.statistics(user=demo_user(username), first=JUNE_1, last=JULY_31, today=JULY_20)
    statistics_scenario()
    figures = {
        username: selectors.statistics(user=demo_user(username), first=JUNE_1, last=JULY_31, today=JULY_20)
        for username in ("admin", "leader", "supervisor")
    }
    assert {
        u: (f.total.filed, f.total.answered, f.total.on_time) for u, f in figures.items()
    } == dict.fromkeys(figures, (6, 3, 2))
    assert figures["leader"] == figures["admin"] == figures["supervisor"]


def test_the_statistics_kept_step_by_step_equal_a_rebuild_from_the_orders(zone: Any) -> None:
    statistics_scenario()
    with on(dt.date(2022, 8, 1)):
        moved = act(file_order(title="改派法律中心"), "accept")
        act(moved, "dispatch", department=department("law"))
        act(moved, "answer", "admin")
        services.order_rate_by_token(token=services.rating_token(moved), rating=1, comment="不满意")
        reopened = drive(file_order(title="重开"), "accept", "dispatch", "answer", "confirm", "rate")
        act(reopened, "reopen", note="问题未解决")
        # Reopened, then re-routed to the legal centre: its rating of 5, kept on record, moves with it.
        act(reopened, "return", note="不属本局职责")
        act(reopened, "dispatch", department=department("law"))
        drive(file_order(title="重复", service_type=legal()), "merge")
    first, last, today = JUNE_1, dt.date(2022, 8, 31), dt.date(2022, 8, 2)
    kept = selectors.statistics(user=demo_user("admin"), first=first, last=last, today=today)
    # August: the re-routed, the reopened, the merged one and the one it duplicates.
    assert (kept.total.filed, kept.by_month[-1]) == (10, ("2022-08", 4, 1))
    law = [r for r in kept.by_department if r.label == "法律服务中心"]
    # The orders dispatched to the legal centre count there, with their ratings of 1 and 5.
    assert [(r.filed, r.answered, r.rated, r.mean_rating) for r in law] == [(6, 2, 3, 3.33)]
    assert kept.ratings == {1: 1, 2: 1, 3: 0, 4: 1, 5: 2}
    services.order_stats_rebuild(zone_id=zone.pk)
    assert selectors.statistics(user=demo_user("admin"), first=first, last=last, today=today) == kept


def test_every_rating_counts_a_reopened_orders_earlier_ones_too(zone: Any) -> None:
    with on(dt.date(2022, 8, 1)):
        order = drive(file_order(title="两次评价"), "accept", "dispatch", "answer", "confirm")
        act(order, "rate", rating=1, note="没解决")
        act(order, "reopen", note="问题未解决")
        drive(order, "answer", "confirm")
        act(order, "rate", rating=5, note="解决了")
    stats = selectors.statistics(
        user=demo_user("admin"),
        first=dt.date(2022, 8, 1),
        last=dt.date(2022, 8, 31),
        today=dt.date(2022, 8, 2),
    )
    assert (stats.total.filed, stats.total.answered, stats.total.rated, stats.total.mean_rating) == (
        1,
        1,
        2,
        3.0,
    )
    assert (stats.total.satisfied, stats.total.satisfaction_rate) == (1, 50.0)
    assert stats.ratings == {1: 1, 2: 0, 3: 0, 4: 0, 5: 1}
    services.order_stats_rebuild(zone_id=zone.pk)
    assert (
        selectors.statistics(
            user=demo_user("admin"),
            first=dt.date(2022, 8, 1),
            last=dt.date(2022, 8, 31),
            today=dt.date(2022, 8, 2),
        )
        == stats
    )


def test_the_demo_years_bad_ratings_count_in_its_statistics() -> None:
    """The demo reopened its badly rated orders: their bad ratings stay in the figures."""
    stats = selectors.statistics(
        user=demo_user("admin"),
        first=dt.date(2021, 5, 1),
        last=dt.date(2022, 5, 8),
        today=dt.date(2022, 5, 8),
    )
    given = OrderRating.objects.filter(order__zone__code=weihai.ZONE_CODE)
    assert stats.ratings == {n: given.filter(rating=n).count() for n in range(1, 6)}
    assert stats.ratings == {1: 6, 2: 6, 3: 14, 4: 77, 5: 36}
    assert stats.total.rated == given.count() == 139
    # Each bad rating was followed up by the general office before the order was reopened.
    bad = given.filter(rating__lte=2)
    assert bad.filter(followed_up_at__isnull=False).count() == 12
    assert ServiceOrder.objects.filter(events__action="reopen", zone__code=weihai.ZONE_CODE).count() == 12


def test_the_board_lists_the_bad_ratings_not_yet_followed_up(probe: User) -> None:
    by = probe_by(probe)
    first = drive(file_order(by=probe, title="差评一"), "accept", "dispatch", "answer", "confirm", by=by)
    second = drive(file_order(by=probe, title="差评二"), "accept", "dispatch", "answer", "confirm", by=by)
    fine = drive(file_order(by=probe, title="好评"), "accept", "dispatch", "answer", "confirm", by=by)
    with on(dt.date(2022, 5, 10)):
        act(second, "rate", probe, rating=2)
    with on(dt.date(2022, 5, 11)):
        act(first, "rate", probe, rating=1)
        act(fine, "rate", probe, rating=3)
    orders = {"first": first, "second": second, "fine": fine}
    columns = selectors.board_columns(user=demo_user("admin"), today=MAY_19, limit=100_000)
    assert keys(columns["follow_up"], orders) == ["second", "first"]  # the oldest bad rating first
    assert keys(selectors.board_columns(user=probe, today=MAY_19)["follow_up"], orders) == ["second", "first"]
    act(second, "follow_up", "admin", note="已回访")
    columns = selectors.board_columns(user=demo_user("admin"), today=MAY_19, limit=100_000)
    assert keys(columns["follow_up"], orders) == ["first"]
    # Reopened, the order still waits for the follow-up of its bad rating.
    act(first, "reopen", probe, note="问题未解决")
    columns = selectors.board_columns(user=demo_user("admin"), today=MAY_19, limit=100_000)
    assert keys(columns["follow_up"], orders) == ["first"]


def test_a_reopened_order_is_open_not_answered() -> None:
    with on(dt.date(2022, 8, 1)):
        order = drive(file_order(title="重开"), "accept", "dispatch", "answer", "confirm")
    with on(dt.date(2022, 8, 2)):
        act(order, "reopen", note="问题未解决")
    stats = selectors.statistics(
        user=demo_user("admin"),
        first=dt.date(2022, 8, 1),
        last=dt.date(2022, 8, 31),
        today=dt.date(2022, 8, 3),
    )
    assert (stats.total.filed, stats.total.open) == (1, 1)
    assert (stats.total.answered, stats.total.on_time, stats.total.mean_working_days) == (0, 0, None)


def test_orders_awaiting_the_enterprise_are_those_its_page_offers_a_step_on() -> None:
    # Cross-check with the order page's own rule: an order waits for its enterprise exactly when the
    # page offers the enterprise's contact a step it is waited for on (resume, confirm, rate).
    made = {state: reach(state) for state in STATES}
    rated = act(reach("closed"), "rate")
    contact = demo_user("hp")
    mine = ServiceOrder.objects.filter(enterprise_id=contact.enterprise_id)
    offered = sorted(
        order.pk
        for order in mine
        if set(services.actions_for(contact, order)) & set(selectors.ENTERPRISE_AWAITED)
    )
    awaiting = sorted(mine.filter(selectors.awaiting_enterprise()).values_list("pk", flat=True))
    assert awaiting == offered
    made_awaiting = {state for state, order in made.items() if order.pk in awaiting}
    assert made_awaiting == {"waiting", "answered", "confirmed", "closed"}
    assert rated.pk not in awaiting


LADDER = ("accept_overdue", "reply_overdue", "deadline_warning", "escalate_1", "escalate_2", "escalate_3")


def test_the_demo_leaves_an_order_the_escalation_job_handed_to_supervision() -> None:
    """Pinned from the rows: the demo ran the real job on each working day of its last weeks."""
    late = ServiceOrder.objects.get(zone__code=weihai.ZONE_CODE, number="GD2022-00030")
    assert (
        late.status,
        late.service_type.code,
        late.submitted_on,
        late.resolve_due,
        late.escalation_level,
    ) == (
        "in_progress",
        "factory-lease",
        dt.date(2022, 4, 13),
        dt.date(2022, 4, 26),
        3,
    )
    steps = [
        (e.action, e.at.astimezone(clock.SHANGHAI).date(), e.actor)
        for e in late.events.filter(action__in=LADDER).order_by("at", "pk")
    ]
    assert steps == [
        ("reply_overdue", dt.date(2022, 4, 18), None),
        ("deadline_warning", dt.date(2022, 4, 25), None),
        ("escalate_1", dt.date(2022, 4, 27), None),
        ("escalate_2", dt.date(2022, 4, 28), None),
        ("escalate_3", dt.date(2022, 5, 6), None),
    ]
    item = late.supervision_item
    assert item is not None
    assert (item.number, item.source, item.opened_on, item.deadline, item.department.code) == (
        "DB2022-0022",
        "service_order",
        dt.date(2022, 5, 6),
        dt.date(2022, 5, 10),
        "investment",
    )
    assert item.leader == demo_user("leader")
    # The open orders as the cockpit counts them: nine, three of them overdue.
    open_orders = ServiceOrder.objects.filter(zone__code=weihai.ZONE_CODE, status__in=list(OPEN_STATES))
    assert open_orders.count() == 9
    assert sorted(o.escalation_level for o in open_orders.filter(status__in=list(RUNNING_STATES))) == [
        0,
        0,
        0,
        2,
        2,
        3,
    ]

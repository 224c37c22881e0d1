"""The supervision office's daily job: overdue items reminded (催办) and escalated, for every zone — on
working days, every third working day, and only while the department is the one to act."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from zoneops.accounts.models import Department, Role, User, Zone
from zoneops.core import clock
from zoneops.core.models import Notification
from zoneops.supervision import tasks
from zoneops.supervision.models import SupervisionEvent, SupervisionItem
from zoneops.supervision.services import AWAITING_DEPARTMENT, item_act, item_raise, overdue_follow_up

pytestmark = pytest.mark.django_db


def test_the_job_runs_for_every_zone_and_not_on_a_day_off(
    zone: Zone, monkeypatch: pytest.MonkeyPatch
) -> None:
    Zone.objects.create(code="second-zone", name="第二高新区")
    seen: list[str] = []

    def spy(*, zone: Zone) -> int:
        seen.append(zone.code)
        return overdue_follow_up(zone=zone)

    monkeypatch.setattr(tasks, "overdue_follow_up", spy)
    events = SupervisionEvent.objects.filter(item__zone=zone)
    notifications = Notification.objects.filter(event_key__startswith="supervision:")
    before = (events.count(), notifications.count())
    # The demo's today, 2022-05-08, is a Sunday: nobody is reminded on a day off.
    assert tasks.follow_up_overdue_items.call_local() == 0
    assert sorted(seen) == ["second-zone", "weihai-torch"]
    assert (events.count(), notifications.count()) == before


def test_the_demos_overdue_items_carry_their_follow_up(zone: Zone) -> None:
    """The demo replays the job day by day up to 2022-05-08: every overdue item still waiting for its
    department was reminded on the first working day after its deadline and then every third working day,
    and escalated once if it has a leader in charge."""
    # Due by Friday 05-06, so late on Saturday 05-07 (a make-up working day) at the latest.
    overdue = SupervisionItem.objects.filter(
        zone=zone, deadline__lt="2022-05-07", status__in=AWAITING_DEPARTMENT
    )
    assert overdue.count() >= 5
    for item in overdue:
        reminders = list(item.events.filter(action="remind", actor__isnull=True).values_list("at", flat=True))
        assert reminders, item.number
        days = [at.astimezone(clock.SHANGHAI).date() for at in reminders]
        assert days == sorted(set(days)), item.number  # never twice a day
        assert item.events.filter(action="escalate").count() == (1 if item.escalated_on else 0)


@pytest.fixture
def late_item(zone: Zone, user_of: Any) -> SupervisionItem:
    """An item raised on Monday 2022-04-11, due 5 working days later (Monday 04-18), with a leader."""
    with clock.pinned(dt.datetime(2022, 4, 11, 9, tzinfo=clock.SHANGHAI)):
        return item_raise(
            actor=user_of("supervisor"),
            zone=zone,
            source="leader_instruction",
            subject="督促完成厂房验收",
            department=Department.objects.get(zone=zone, code="land"),
            working_days=5,
            leader=User.objects.filter(zone=zone, role=Role.LEADER).order_by("pk").first(),
        )


def _run(day: dt.date, zone: Zone) -> int:
    with clock.pinned(dt.datetime(day.year, day.month, day.day, 7, tzinfo=clock.SHANGHAI)):
        first = overdue_follow_up(zone=zone)
        assert overdue_follow_up(zone=zone) == first  # a second run the same day sends nothing new
        return first


def test_reminded_every_third_working_day_and_escalated_once(late_item: SupervisionItem, zone: Zone) -> None:
    assert late_item.deadline == dt.date(2022, 4, 18)
    reminders = late_item.events.filter(action="remind")
    escalations = late_item.events.filter(action="escalate")
    told = Notification.objects.filter(event_key__startswith=f"supervision:{late_item.pk}:")
    timeline: list[tuple[dt.date, int, int]] = []
    for day in (dt.date(2022, 4, 18) + dt.timedelta(days=n) for n in range(0, 12)):
        _run(day, zone)
        timeline.append((day, reminders.count(), escalations.count()))
    # 2022-04-24 (a Sunday) was a make-up working day before the Labour Day holiday.
    assert timeline == [
        (dt.date(2022, 4, 18), 0, 0),  # due today: not late yet
        (dt.date(2022, 4, 19), 1, 0),  # 1 working day late: the first reminder
        (dt.date(2022, 4, 20), 1, 0),
        (dt.date(2022, 4, 21), 1, 1),  # 3 working days late: escalated to the leader, once
        (dt.date(2022, 4, 22), 2, 1),  # 3 working days after the last reminder
        (dt.date(2022, 4, 23), 2, 1),  # Saturday
        (dt.date(2022, 4, 24), 2, 1),  # make-up working day, 1 after the last reminder
        (dt.date(2022, 4, 25), 2, 1),
        (dt.date(2022, 4, 26), 3, 1),
        (dt.date(2022, 4, 27), 3, 1),
        (dt.date(2022, 4, 28), 3, 1),
        (dt.date(2022, 4, 29), 4, 1),
    ]
    late_item.refresh_from_db()
    assert late_item.escalated_on == dt.date(2022, 4, 21)
    escalation = Notification.objects.get(event_key=f"supervision:{late_item.pk}:escalate")
    assert escalation.recipient is not None
    assert escalation.recipient.pk == late_item.leader_id
    assert told.filter(event_key__endswith=":escalate").count() == 1


def test_an_answered_item_waits_for_the_office_not_the_department(
    late_item: SupervisionItem, zone: Zone, user_of: Any
) -> None:
    _run(dt.date(2022, 4, 19), zone)
    with clock.pinned(dt.datetime(2022, 4, 20, 10, tzinfo=clock.SHANGHAI)):
        item_act(actor=user_of("land"), item=late_item, action="respond", note="验收已完成")
    events = late_item.events.count()
    for day in (dt.date(2022, 4, 21), dt.date(2022, 4, 22), dt.date(2022, 4, 27)):
        _run(day, zone)
    assert late_item.events.count() == events
    late_item.refresh_from_db()
    assert late_item.escalated_on is None
    # Sent back, it waits for the department again and the reminders resume.
    with clock.pinned(dt.datetime(2022, 4, 28, 10, tzinfo=clock.SHANGHAI)):
        item_act(actor=user_of("supervisor"), item=late_item, action="return", note="缺验收报告")
    _run(dt.date(2022, 4, 29), zone)
    assert late_item.events.filter(action="remind").count() == 2

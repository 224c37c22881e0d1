"""The supervision office's daily job: overdue items reminded (催办) and escalated, for every zone."""

from __future__ import annotations

import datetime as dt

import pytest

from zoneops.accounts.models import User, Zone
from zoneops.core import clock
from zoneops.core.models import Notification
from zoneops.supervision import tasks
from zoneops.supervision.models import SupervisionEvent, SupervisionItem
from zoneops.supervision.services import overdue_follow_up

# The demo's items overdue and still open on 2022-05-08; all but the last are 3 working days late or more.
OVERDUE = [
    "DB2022-0004",
    "DB2022-0005",
    "DB2022-0008",
    "DB2022-0009",
    "DB2022-0012",
    "DB2022-0013",
    "DB2022-0016",
    "DB2022-0018",
    "DB2022-0021",
]


def test_follow_up_overdue_items_reminds_and_escalates_once_for_every_zone(
    zone: Zone, monkeypatch: pytest.MonkeyPatch
) -> None:
    Zone.objects.create(code="second-zone", name="第二高新区")
    seen: list[str] = []

    def spy(*, zone: Zone) -> int:
        seen.append(zone.code)
        return overdue_follow_up(zone=zone)

    monkeypatch.setattr(tasks, "overdue_follow_up", spy)
    items = SupervisionItem.objects.filter(zone=zone)
    events = SupervisionEvent.objects.filter(item__zone=zone)
    notifications = Notification.objects.filter(event_key__startswith="supervision:")
    before = (events.count(), notifications.count())

    # The demo's own follow-up has run this morning: today's run reminds and escalates nothing again.
    followed = tasks.follow_up_overdue_items.call_local()
    assert sorted(seen) == ["second-zone", "weihai-torch"]
    assert followed == len(OVERDUE)
    assert (events.count(), notifications.count()) == before
    assert sorted(items.filter(reminded_on="2022-05-08").values_list("number", flat=True)) == OVERDUE
    assert (
        sorted(
            items.filter(escalated_on__isnull=False, status__in=["assigned", "responded"]).values_list(
                "number", flat=True
            )
        )
        == OVERDUE[:-1]
    )

    # Each following day every overdue item is reminded once (a second run adds nothing); the last is
    # escalated to its leader on 2022-05-10, 3 working days late (05-07 was a make-up working day, 05-08 a
    # Sunday). A reminder tells every member of the department assigned.
    told = sum(
        User.objects.filter(department=item.department, is_active=True).count()
        for item in items.filter(number__in=OVERDUE)
    )
    for day, escalated in ((dt.date(2022, 5, 9), []), (dt.date(2022, 5, 10), ["DB2022-0021"])):
        counted = notifications.count()
        with clock.pinned(day):
            assert tasks.follow_up_overdue_items.call_local() == len(OVERDUE)
            after_first = (events.count(), notifications.count())
            assert tasks.follow_up_overdue_items.call_local() == len(OVERDUE)
        assert (events.count(), notifications.count()) == after_first
        assert sorted(items.filter(reminded_on=day).values_list("number", flat=True)) == OVERDUE
        assert list(items.filter(escalated_on=day).values_list("number", flat=True)) == escalated
        assert notifications.count() == counted + told + len(escalated)
    escalation = Notification.objects.get(
        event_key__endswith=":escalate",
        recipient__username="leader",
        link__endswith=f"/{items.get(number='DB2022-0021').pk}/",
    )
    assert escalation.title.startswith("Overdue 3 working days: DB2022-0021 ")

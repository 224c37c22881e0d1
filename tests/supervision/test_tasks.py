"""The supervision office's daily job: overdue items reminded (催办) and escalated, for every zone."""

from __future__ import annotations

import pytest

from zoneops.accounts.models import Zone
from zoneops.core.models import Notification
from zoneops.supervision import tasks
from zoneops.supervision.models import SupervisionEvent, SupervisionItem
from zoneops.supervision.services import overdue_follow_up


def test_follow_up_overdue_items_reminds_and_escalates_once_for_every_zone(
    zone: Zone, monkeypatch: pytest.MonkeyPatch
) -> None:
    Zone.objects.create(code="second-zone", name="第二高新区")
    seen: list[str] = []

    def spy(*, zone: Zone) -> int:
        seen.append(zone.code)
        return overdue_follow_up(zone=zone)

    monkeypatch.setattr(tasks, "overdue_follow_up", spy)

    followed = tasks.follow_up_overdue_items.call_local()
    events = SupervisionEvent.objects.filter(item__zone=zone).count()
    notifications = Notification.objects.filter(event_key__startswith="supervision:").count()
    again = tasks.follow_up_overdue_items.call_local()

    assert sorted(seen) == ["second-zone", "second-zone", "weihai-torch", "weihai-torch"]
    overdue = [
        "DB2022-0003",
        "DB2022-0004",
        "DB2022-0007",
        "DB2022-0008",
        "DB2022-0011",
        "DB2022-0012",
        "DB2022-0015",
        "DB2022-0016",
        "DB2022-0021",
    ]
    assert followed == len(overdue)
    assert again == len(overdue)
    items = SupervisionItem.objects.filter(zone=zone)
    assert sorted(items.filter(reminded_on="2022-05-08").values_list("number", flat=True)) == overdue
    assert sorted(items.filter(escalated_on="2022-05-08").values_list("number", flat=True)) == overdue[:-1]
    # The second run the same day adds no reminder, escalation or notification.
    assert SupervisionEvent.objects.filter(item__zone=zone).count() == events
    assert Notification.objects.filter(event_key__startswith="supervision:").count() == notifications
    assert (
        sorted(
            SupervisionEvent.objects.filter(item__zone=zone, action="escalate").values_list(
                "item__number", flat=True
            )
        )
        == overdue[:-1]
    )

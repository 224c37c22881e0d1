"""The monthly report deadline the key project office sets."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from zoneops.accounts.models import Zone
from zoneops.core.errors import InvalidInput
from zoneops.core.models import AuditEvent
from zoneops.projects.services import deadline_day, report_deadline, report_deadline_set

pytestmark = pytest.mark.django_db


def test_the_project_office_moves_the_report_deadline(zone: Zone, user_of: Any) -> None:
    import datetime as dt

    assert deadline_day(zone_id=zone.pk) == 25
    report_deadline_set(actor=user_of("projects"), zone=zone, day=20)
    assert deadline_day(zone_id=zone.pk) == 20
    assert report_deadline(zone_id=zone.pk, period=dt.date(2022, 4, 1)) == dt.date(2022, 4, 20)
    event = AuditEvent.objects.get(action="project.deadline_day")
    assert (event.actor_label, event.before, event.after) == (
        "projects",
        {"report_deadline_day": 25},
        {"report_deadline_day": 20},
    )


@pytest.mark.parametrize("day", [0, 29, 31, True])
def test_a_day_outside_every_month_is_refused(zone: Zone, user_of: Any, day: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        report_deadline_set(actor=user_of("projects"), zone=zone, day=day)
    assert [e.field for e in caught.value.errors] == ["report_deadline_day"]
    assert deadline_day(zone_id=zone.pk) == 25
    assert not AuditEvent.objects.filter(action="project.deadline_day").exists()


@pytest.mark.parametrize("username", ["leader", "supervisor", "invest", "stats", "hp"])
def test_only_the_project_office_sets_it(zone: Zone, user_of: Any, username: str) -> None:
    with pytest.raises(PermissionDenied):
        report_deadline_set(actor=user_of(username), zone=zone, day=20)
    assert deadline_day(zone_id=zone.pk) == 25

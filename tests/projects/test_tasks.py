"""The key projects' daily jobs: warnings recomputed and late reports chased, for every zone."""

from __future__ import annotations

import datetime as dt

import pytest

from zoneops.accounts.models import Zone
from zoneops.core import clock
from zoneops.core.models import Notification
from zoneops.projects import tasks
from zoneops.projects.models import KeyProject, WarningSnapshot
from zoneops.projects.services import report_reminders, warnings_refresh


@pytest.fixture
def zones(zone: Zone) -> list[str]:
    """The demo zone and a second, empty zone; the codes of every zone."""
    Zone.objects.create(code="second-zone", name="第二高新区")
    return ["second-zone", "weihai-torch"]


def test_refresh_project_warnings_recomputes_every_zone_once_a_day(
    zone: Zone, zones: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    def spy(*, zone: Zone) -> int:
        seen.append(zone.code)
        return warnings_refresh(zone=zone)

    monkeypatch.setattr(tasks, "warnings_refresh", spy)
    projects = KeyProject.objects.filter(zone=zone, year=2022)
    day = dt.date(2022, 6, 30)
    with clock.pinned(day):
        changed = tasks.refresh_project_warnings.call_local()
        levels = dict(projects.values_list("code", "warning_level"))
        snapshots = WarningSnapshot.objects.filter(project__zone=zone, on=day).count()
        again = tasks.refresh_project_warnings.call_local()

    assert sorted(seen) == sorted([*zones, *zones])
    assert changed == 74
    assert again == 0
    assert set(projects.values_list("warning_checked_on", flat=True)) == {day}
    assert snapshots == projects.count()
    assert WarningSnapshot.objects.filter(project__zone=zone, on=day).count() == snapshots
    assert dict(projects.values_list("code", "warning_level")) == levels


def test_remind_project_reports_tells_each_late_report_once_for_every_zone(
    zone: Zone, zones: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    def spy(*, zone: Zone) -> int:
        seen.append(zone.code)
        return report_reminders(zone=zone)

    monkeypatch.setattr(tasks, "report_reminders", spy)
    before = Notification.objects.filter(event_key__startswith="project-report:").count()

    sent = tasks.remind_project_reports.call_local()
    again = tasks.remind_project_reports.call_local()

    assert sorted(seen) == sorted([*zones, *zones])
    assert before == 0
    assert sent == 6
    assert again == 0
    told = Notification.objects.filter(event_key__startswith="project-report:")
    # The officer of every late project is the key project centre's head too: told once, as its head (the
    # April reports are 13 days late); the innovation bureau has no head, so its project's officer alone.
    assert sorted(told.values_list("recipient__username", "event_key")) == sorted(
        (
            "projects",
            f"project-report:{KeyProject.objects.get(zone=zone, code=code).pk}:2022-04:"
            + ("officer" if code == "WH-2022-077" else "head"),
        )
        for code in ("SD-2022-030", "WH-2022-003", "WH-2022-031", "WH-2022-032", "WH-2022-077", "WH-2022-078")
    )
    assert KeyProject.objects.get(zone=zone, code="WH-2022-077").department.code == "innovation"

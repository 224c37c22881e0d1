"""The admin's calendar days: a day corrected there moves the deadlines counted on it, as a reloaded year
does; days are neither added nor deleted there, and a day's date stays as it is."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.servicedesk.conftest import reach
from zoneops.core.models import WorkCalendarDay
from zoneops.servicedesk.models import ServiceOrder

pytestmark = pytest.mark.django_db

URL = "/admin/core/workcalendarday/"


def change(page_as: Any, day: str, **fields: str) -> Any:
    return page_as("admin").post(
        f"{URL}{day}/change/", {"kind": "workday", "is_workday": "on", "name": "", **fields}
    )


def test_a_day_made_a_holiday_moves_the_open_orders_deadlines(page_as: Any) -> None:
    running = reach("dispatched")  # accepted 8 May 2022: due Friday 20 May
    answered = reach("answered")
    answered_due = ServiceOrder.objects.get(pk=answered.pk).resolve_due
    assert running.resolve_due == dt.date(2022, 5, 20)
    response = change(page_as, "2022-05-19", kind="holiday", is_workday="", name="临时放假")
    assert response.status_code == 302
    day = WorkCalendarDay.objects.get(date=dt.date(2022, 5, 19))
    assert (day.kind, day.is_workday, day.name) == ("holiday", False, "临时放假")
    moved = ServiceOrder.objects.get(pk=running.pk)
    assert (moved.resolve_due, moved.amber_sent) == (dt.date(2022, 5, 23), False)
    # An answered order's deadline is history: it stays.
    assert ServiceOrder.objects.get(pk=answered.pk).resolve_due == answered_due


def test_a_day_of_another_year_leaves_the_orders(page_as: Any) -> None:
    running = reach("dispatched")
    assert change(page_as, "2021-05-19", kind="holiday", is_workday="", name="").status_code == 302
    assert ServiceOrder.objects.get(pk=running.pk).resolve_due == dt.date(2022, 5, 20)


def test_days_are_neither_added_nor_deleted_and_keep_their_date(page_as: Any) -> None:
    client = page_as("admin")
    days = WorkCalendarDay.objects.count()
    assert client.get(f"{URL}add/").status_code == 403
    assert client.post(f"{URL}2022-05-19/delete/", {"post": "yes"}).status_code == 403
    form = client.get(f"{URL}2022-05-19/change/").content.decode()
    assert 'name="date"' not in form
    assert 'name="year"' not in form
    response = change(page_as, "2022-05-19", date="2022-05-21")
    assert response.status_code == 302
    assert WorkCalendarDay.objects.count() == days
    assert not WorkCalendarDay.objects.filter(date=dt.date(2022, 5, 19), is_workday=False).exists()

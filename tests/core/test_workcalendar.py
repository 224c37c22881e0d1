from __future__ import annotations

import datetime as dt

import pytest

from zoneops.core import workcalendar
from zoneops.core.models import WorkCalendarDay, WorkCalendarYear
from zoneops.core.selectors import add_working_days, working_days_between
from zoneops.core.services import work_calendar_load

pytestmark = pytest.mark.django_db


def test_migration_loaded_every_year_from_2000_with_provisional_years_after_the_last_notice() -> None:
    _first, last = workcalendar.default_years()
    years = list(WorkCalendarYear.objects.order_by("year").values_list("year", "provisional"))
    assert years[0] == (2000, False)
    assert years[-1][0] == last
    official = workcalendar.official_last_year()
    assert official >= 2026
    assert [y for y, provisional in years if provisional] == list(range(official + 1, last + 1))
    assert WorkCalendarDay.objects.filter(date__year=2024).count() == 366


@pytest.mark.parametrize(
    ("day", "kind", "is_workday"),
    [
        (dt.date(2024, 2, 4), "makeup_workday", True),  # Sunday worked before the Spring Festival
        (dt.date(2024, 2, 18), "makeup_workday", True),
        (dt.date(2026, 2, 14), "makeup_workday", True),  # Saturday worked
        (dt.date(2026, 2, 28), "makeup_workday", True),
        (dt.date(2024, 2, 12), "holiday", False),  # Spring Festival, a Monday
        (dt.date(2024, 10, 1), "holiday", False),
        (dt.date(2024, 10, 7), "holiday", False),  # in-lieu day of National Day
        (dt.date(2024, 2, 3), "weekend", False),
        (dt.date(2024, 3, 5), "workday", True),
    ],
)
def test_days_are_classified_as_the_state_council_notice_says(
    day: dt.date, kind: str, is_workday: bool
) -> None:
    row = WorkCalendarDay.objects.get(date=day)
    assert (row.kind, row.is_workday) == (kind, is_workday)


def test_official_years_agree_with_chinese_calendar() -> None:
    for year in (2020, 2021, 2022, 2023, 2024, 2025, 2026):
        assert WorkCalendarYear.objects.get(year=year).cross_check == "agrees with chinese-calendar"


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # From the Friday before the 2024 Spring Festival: Sunday 2024-02-04 is a make-up working day.
        (dt.date(2024, 2, 2), 1, dt.date(2024, 2, 4)),
        (dt.date(2024, 2, 2), 5, dt.date(2024, 2, 8)),
        # 2024-02-10..17 is the holiday (New Year's Eve, 02-09, was still worked before the 2025 revision);
        # 2024-02-18 (Sunday) is worked.
        (dt.date(2024, 2, 8), 1, dt.date(2024, 2, 9)),
        (dt.date(2024, 2, 9), 1, dt.date(2024, 2, 18)),
        (dt.date(2024, 2, 9), 2, dt.date(2024, 2, 19)),
        # 2026: Saturday 2026-02-14 is worked, 2026-02-15..23 is the holiday.
        (dt.date(2026, 2, 13), 1, dt.date(2026, 2, 14)),
        (dt.date(2026, 2, 13), 2, dt.date(2026, 2, 24)),
        (dt.date(2026, 2, 13), 0, dt.date(2026, 2, 13)),
        # National Day 2025: 2025-10-01..08 off, Saturday 2025-10-11 worked.
        (dt.date(2025, 9, 30), 1, dt.date(2025, 10, 9)),
        (dt.date(2025, 10, 9), 2, dt.date(2025, 10, 11)),
    ],
)
def test_add_working_days_counts_the_official_calendar(start: dt.date, days: int, expected: dt.date) -> None:
    result = add_working_days(start=start, days=days)
    assert result.date == expected
    assert result.provisional is False


def test_every_start_in_2024_to_2026_matches_a_day_by_day_count() -> None:
    """Exhaustive over 2024–2026: N working days equals walking the official calendar day by day."""
    workdays = set(
        WorkCalendarDay.objects.filter(
            is_workday=True, date__year__gte=2024, date__year__lte=2027
        ).values_list("date", flat=True)
    )
    start = dt.date(2024, 1, 1)
    while start <= dt.date(2026, 12, 31):
        for days in (1, 3, 10):
            walk, left = start, days
            while left:
                walk += dt.timedelta(days=1)
                if walk in workdays:
                    left -= 1
            assert add_working_days(start=start, days=days).date == walk, (start, days)
        start += dt.timedelta(days=7)


def test_a_deadline_in_a_year_without_notice_is_provisional() -> None:
    last_official = workcalendar.official_last_year()
    result = add_working_days(start=dt.date(last_official, 12, 30), days=5)
    assert result.date.year == last_official + 1
    assert result.provisional is True


def test_beyond_the_loaded_calendar_weekdays_are_counted_and_marked_provisional() -> None:
    _, last = workcalendar.default_years()
    result = add_working_days(start=dt.date(last, 12, 31), days=5)
    assert result.provisional is True
    assert result.date.weekday() < 5


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days(start=dt.date(2024, 1, 1), days=-1)


def test_working_days_between() -> None:
    assert working_days_between(start=dt.date(2024, 2, 2), end=dt.date(2024, 2, 8)) == 5
    assert working_days_between(start=dt.date(2024, 2, 8), end=dt.date(2024, 2, 2)) == -5
    assert working_days_between(start=dt.date(2024, 2, 9), end=dt.date(2024, 2, 17)) == 0


def test_reloading_a_year_replaces_it_without_duplicates() -> None:
    before = WorkCalendarDay.objects.filter(date__year=2024).count()
    work_calendar_load(first_year=2024, last_year=2024)
    assert WorkCalendarDay.objects.filter(date__year=2024).count() == before == 366
    assert WorkCalendarDay.objects.get(date=dt.date(2024, 2, 4)).kind == "makeup_workday"

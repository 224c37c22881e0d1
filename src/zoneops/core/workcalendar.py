"""China's official working-day calendar, computed from the `holidays` package (no database here).

Each day is a working day, a weekend day, a public holiday, or a make-up working day (调休上班). The
State Council publishes each year's arrangement in November of the year before; `holidays` records
each notice. A year after the last notice it records is *provisional*: statutory holidays and
weekends only, make-up days unknown. `chinese-calendar` is used as an independent cross-check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib.metadata import version

from holidays.countries.china import China, ChinaStaticHolidays

WORKDAY = "workday"
WEEKEND = "weekend"
HOLIDAY = "holiday"
MAKEUP_WORKDAY = "makeup_workday"


@dataclass(frozen=True)
class CalendarDay:
    date: dt.date
    is_workday: bool
    kind: str
    name: str


def official_last_year() -> int:
    """The last year whose official notice the installed `holidays` package knows."""
    return max(ChinaStaticHolidays.special_public_holidays)


def source_label() -> str:
    return f"holidays {version('holidays')}"


def calendar_days(year: int) -> list[CalendarDay]:
    calendar = China(years=year, language="zh_CN")  # type: ignore[no-untyped-call]
    makeup = {d for d in calendar.weekend_workdays if d.year == year}
    days: list[CalendarDay] = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        if day in makeup:
            days.append(CalendarDay(day, True, MAKEUP_WORKDAY, "调休上班"))
        elif day in calendar:
            days.append(CalendarDay(day, False, HOLIDAY, str(calendar.get(day))[:120]))
        elif day.weekday() >= 5:
            days.append(CalendarDay(day, False, WEEKEND, ""))
        else:
            days.append(CalendarDay(day, True, WORKDAY, ""))
        day += dt.timedelta(days=1)
    return days


def cross_check(days: list[CalendarDay]) -> str:
    """How the `chinese-calendar` package agrees with these days (where it covers the year)."""
    import chinese_calendar

    differing: list[str] = []
    for day in days:
        try:
            theirs = chinese_calendar.is_workday(day.date)
        except NotImplementedError:
            return "chinese-calendar does not cover this year"
        if theirs != day.is_workday:
            differing.append(day.date.isoformat())
    if differing:
        return "differs from chinese-calendar on " + ", ".join(differing[:20])
    return "agrees with chinese-calendar"


def default_years() -> tuple[int, int]:
    """From 2000 (history the demo and imports need) to five years past the last official notice."""
    return 2000, official_last_year() + 5

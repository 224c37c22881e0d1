"""Platform reads: working-day arithmetic, the inbox, the audit trail of an object."""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import QuerySet

from zoneops.core.access import Perm, has_perm, zone_scope
from zoneops.core.models import AuditEvent, Notification, WorkCalendarDay, WorkCalendarYear

if TYPE_CHECKING:
    from zoneops.accounts.models import User


@dataclass(frozen=True)
class WorkingDate:
    date: dt.date
    # True when any year the count crossed has no official notice yet (or is not loaded at all).
    provisional: bool


def _weekday_fallback(start: dt.date, days: int) -> dt.date:
    current = start
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


def add_working_days(*, start: dt.date, days: int) -> WorkingDate:
    """The date ``days`` working days after ``start`` on China's official calendar.

    Day 1 is the first working day after ``start``; ``days=0`` is ``start`` itself. Holidays don't
    count and make-up working days (调休, e.g. Sunday 2024-02-04) do.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    if days == 0:
        return WorkingDate(date=start, provisional=_any_provisional(start.year, start.year))
    found = list(
        WorkCalendarDay.objects.filter(date__gt=start, is_workday=True)
        .order_by("date")
        .values_list("date", flat=True)[days - 1 : days]
    )
    if found:
        return WorkingDate(date=found[0], provisional=_any_provisional(start.year, found[0].year))
    # Past the loaded calendar: count what is loaded, then weekdays only, and say it is provisional.
    loaded = WorkCalendarDay.objects.filter(date__gt=start, is_workday=True)
    counted = loaded.count()
    last_loaded = WorkCalendarDay.objects.aggregate(last=models.Max("date"))["last"]
    base = max(start, last_loaded) if last_loaded is not None else start
    return WorkingDate(date=_weekday_fallback(base, days - counted), provisional=True)


def working_days_between(*, start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is earlier)."""
    if end < start:
        return -working_days_between(start=end, end=start)
    return WorkCalendarDay.objects.filter(date__gt=start, date__lte=end, is_workday=True).count()


def _any_provisional(first_year: int, last_year: int) -> bool:
    years = WorkCalendarYear.objects.filter(year__gte=first_year, year__lte=last_year)
    known = dict(years.values_list("year", "provisional"))
    return any(known.get(year, True) for year in range(first_year, last_year + 1))


def calendar_years() -> QuerySet[WorkCalendarYear]:
    return WorkCalendarYear.objects.all()


def unread_notification_count(*, user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def audit_events_for(*, user: User, instance: models.Model) -> QuerySet[AuditEvent]:
    """The audit trail of one object, for roles that may read the audit log."""
    if not has_perm(user, Perm.AUDIT_VIEW):
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(
        zone_scope(user),
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
    ).order_by("at", "id")


def audit_log(*, user: User, action_prefix: str = "") -> QuerySet[AuditEvent]:
    """The zone's audit log, newest first, for roles that may read it."""
    if not has_perm(user, Perm.AUDIT_VIEW):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.filter(zone_scope(user)).select_related("actor")
    if action_prefix:
        events = events.filter(action__startswith=action_prefix)
    return events.order_by("-at", "-id")


class WorkdayCounter:
    """``working_days_between`` for many date pairs with one query: the calendar's working days in a
    range are loaded once and counted by bisection (warnings over thousands of projects use this)."""

    def __init__(self, *, first: dt.date, last: dt.date) -> None:
        self.first = first
        self.last = last
        self.days = list(
            WorkCalendarDay.objects.filter(date__gte=first, date__lte=last, is_workday=True)
            .order_by("date")
            .values_list("date", flat=True)
        )
        self._provisional: dict[int, bool] | None = None

    def between(self, *, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative when ``end`` is earlier)."""
        if end < start:
            return -self.between(start=end, end=start)
        if start < self.first - dt.timedelta(days=1) or end > self.last:
            return working_days_between(start=start, end=end)
        return bisect.bisect_right(self.days, end) - bisect.bisect_right(self.days, start)

    def add(self, *, start: dt.date, days: int) -> WorkingDate:
        """``add_working_days`` without a query while the answer lies in the loaded range (deadlines of many
        orders at once: recomputing after a calendar correction, the demo's year of orders)."""
        if days < 0:
            raise ValueError("days must not be negative")
        position = bisect.bisect_right(self.days, start) + days - 1
        if days == 0 or start < self.first - dt.timedelta(days=1) or position >= len(self.days):
            return add_working_days(start=start, days=days)
        found = self.days[position]
        if found > self.last:
            return add_working_days(start=start, days=days)
        if self._provisional is None:
            self._provisional = dict(WorkCalendarYear.objects.values_list("year", "provisional"))
        return WorkingDate(
            date=found,
            provisional=any(self._provisional.get(y, True) for y in range(start.year, found.year + 1)),
        )

"""The one clock every service reads, so the demo zone and tests can pin "today".

Order of precedence: a pin set with :func:`pinned` (tests, replays), then ``ZONEOPS_CLOCK`` (an ISO date or
datetime for the whole process), then the zone's own pinned date (the demo zone lives on 2022-05-08),
then the real time. A pinned *date* keeps the real time of day, so timelines still order correctly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

if TYPE_CHECKING:
    from zoneops.accounts.models import Zone

SHANGHAI = ZoneInfo("Asia/Shanghai")

_pinned: ContextVar[dt.datetime | dt.date | None] = ContextVar("zoneops_clock_pin", default=None)


def _parse_setting(value: str) -> dt.datetime | dt.date:
    if "T" in value or " " in value:
        moment = dt.datetime.fromisoformat(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)
    return dt.date.fromisoformat(value)


def _resolve(pin: dt.datetime | dt.date) -> dt.datetime:
    if isinstance(pin, dt.datetime):
        return pin
    real = timezone.now().astimezone(SHANGHAI)
    return dt.datetime.combine(pin, real.timetz())


def now(*, zone: Zone | None = None) -> dt.datetime:
    """The current moment (timezone-aware) as the zone sees it."""
    pin = _pinned.get()
    if pin is None and settings.ZONEOPS_CLOCK:
        pin = _parse_setting(settings.ZONEOPS_CLOCK)
    if pin is None and zone is not None and zone.clock_date is not None:
        pin = zone.clock_date
    if pin is None:
        return timezone.now()
    return _resolve(pin)


def today(*, zone: Zone | None = None) -> dt.date:
    """The current date in Asia/Shanghai as the zone sees it."""
    return now(zone=zone).astimezone(SHANGHAI).date()


@contextmanager
def pinned(moment: dt.datetime | dt.date) -> Iterator[None]:
    """Pin the clock for the duration of the block (for every zone)."""
    if isinstance(moment, dt.datetime) and moment.tzinfo is None:
        raise ValueError("pin the clock with a timezone-aware datetime")
    token = _pinned.set(moment)
    try:
        yield
    finally:
        _pinned.reset(token)

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from zoneops.accounts.models import Zone
from zoneops.core import clock


def test_pinned_date_keeps_time_of_day_and_is_aware() -> None:
    with clock.pinned(dt.date(2022, 5, 8)):
        moment = clock.now()
        assert moment.tzinfo is not None
        assert clock.today() == dt.date(2022, 5, 8)


def test_pinned_datetime_is_returned_exactly() -> None:
    moment = dt.datetime(2024, 2, 4, 9, 30, tzinfo=clock.SHANGHAI)
    with clock.pinned(moment):
        assert clock.now() == moment
        assert clock.today() == dt.date(2024, 2, 4)


def test_naive_datetime_pin_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"), clock.pinned(dt.datetime(2024, 1, 1, 8, 0)):  # noqa: DTZ001
        pass


def test_zone_pin_applies_when_nothing_else_is_pinned() -> None:
    zone = Zone(code="z", name="z", clock_date=dt.date(2022, 5, 8))
    # Leave the autouse pin: a fresh context without it.
    token = clock._pinned.set(None)
    try:
        assert clock.today(zone=zone) == dt.date(2022, 5, 8)
        assert clock.today(zone=Zone(code="y", name="y")) != dt.date(2022, 5, 8)
    finally:
        clock._pinned.reset(token)


def test_setting_pins_every_zone() -> None:
    token = clock._pinned.set(None)
    try:
        with override_settings(ZONEOPS_CLOCK="2026-02-14"):
            assert clock.today() == dt.date(2026, 2, 14)
            assert clock.today(zone=Zone(code="z", name="z", clock_date=dt.date(2022, 5, 8))) == dt.date(
                2026, 2, 14
            )
        with override_settings(ZONEOPS_CLOCK="2026-02-14T08:00:00+08:00"):
            assert clock.now() == dt.datetime(2026, 2, 14, 8, 0, tzinfo=clock.SHANGHAI)
    finally:
        clock._pinned.reset(token)

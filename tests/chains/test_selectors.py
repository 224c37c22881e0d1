"""Reads behind the gap analysis: each enterprise's year total."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zoneops.accounts.models import Zone
from zoneops.chains import selectors
from zoneops.indicators.models import EnterprisePeriodTotal

pytestmark = pytest.mark.django_db


def _latest_ytd(zone: Zone, year: int) -> dict[int, Decimal]:
    """Straight from the rows: each enterprise's YTD at its last month of the year."""
    latest: dict[int, tuple[dt.date, Decimal]] = {}
    for enterprise_id, period, ytd in EnterprisePeriodTotal.objects.filter(
        zone=zone, indicator_id="revenue", period__year=year
    ).values_list("enterprise_id", "period", "ytd"):
        if enterprise_id not in latest or period > latest[enterprise_id][0]:
            latest[enterprise_id] = (period, ytd)
    return {e: ytd for e, (_period, ytd) in latest.items()}


@pytest.mark.parametrize("many", [0, 10_000], ids=["zone-wide December", "ids sent"])
def test_year_totals_take_the_last_month_reported(
    zone: Zone, many: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both ways of reading December (the zone's whole month for many enterprises, the ids otherwise)
    # give the same totals; an enterprise that stopped reporting before December gets its last month.
    monkeypatch.setattr(selectors, "MANY_ENTERPRISES", many)
    stopped = (
        EnterprisePeriodTotal.objects.filter(zone=zone, indicator_id="revenue", period=dt.date(2021, 12, 1))
        .order_by("enterprise_id")
        .first()
    )
    assert stopped is not None
    EnterprisePeriodTotal.objects.filter(
        enterprise_id=stopped.enterprise_id, indicator_id="revenue", period__gte=dt.date(2021, 11, 1)
    ).delete()
    expected = _latest_ytd(zone, 2021)
    november_less = EnterprisePeriodTotal.objects.get(
        enterprise_id=stopped.enterprise_id, indicator_id="revenue", period=dt.date(2021, 10, 1)
    )
    assert expected[stopped.enterprise_id] == november_less.ytd
    asked = set(expected) | {999_999}  # one without figures is left out
    totals = selectors.year_totals(zone_id=zone.pk, indicator="revenue", year=2021, enterprise_ids=asked)
    assert totals == expected
    assert len(totals) > 50
    some = set(sorted(expected)[:3])
    assert selectors.year_totals(zone_id=zone.pk, indicator="revenue", year=2021, enterprise_ids=some) == {
        e: expected[e] for e in some
    }
    assert selectors.year_totals(zone_id=zone.pk, indicator="revenue", year=2021, enterprise_ids=set()) == {}

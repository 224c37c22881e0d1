from __future__ import annotations

import pytest

from zoneops.chains.models import ClusterMembership
from zoneops.demo.generator import generate_zone
from zoneops.enterprises import uscc
from zoneops.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db


def test_generate_is_deterministic_and_resumable() -> None:
    first = generate_zone(enterprises=1200, seed=7)
    assert (first.enterprises, first.created) == (1200, 1200)
    rows = list(
        Enterprise.objects.filter(zone=first.zone).order_by("uscc").values_list("uscc", "name", "industry_id")
    )
    assert all(uscc.is_valid(code) for code, _, _ in rows)
    assert ClusterMembership.objects.filter(enterprise__zone=first.zone).count() == 1200

    again = generate_zone(enterprises=1200, seed=7)
    assert (again.enterprises, again.created) == (1200, 0)

    # A larger size extends the zone; a fresh zone of the same seed gets the same first rows.
    grown = generate_zone(enterprises=1500, seed=7)
    assert (grown.enterprises, grown.created) == (1500, 300)
    other = generate_zone(enterprises=1200, seed=8)
    assert other.zone.pk != first.zone.pk
    other_rows = list(
        Enterprise.objects.filter(zone=other.zone).order_by("uscc").values_list("uscc", "name", "industry_id")
    )
    assert [r[0] for r in other_rows] == [r[0] for r in rows]  # codes follow the index
    assert [r[2] for r in other_rows] != [r[2] for r in rows]  # the seed changes what they make


def test_generate_refuses_a_negative_size() -> None:
    with pytest.raises(ValueError, match="negative"):
        generate_zone(enterprises=-1, seed=1)


def test_generated_figures_resume_and_feed_the_rollups() -> None:
    import datetime as dt

    from zoneops.demo.generator import generate_figures
    from zoneops.indicators.models import ClusterTarget, IndicatorValue, Rollup

    zone = generate_zone(enterprises=30, seed=11).zone
    first = generate_figures(zone=zone, seed=11, months=24)
    assert (first.values, first.created) == (30 * 24 * 8, 30 * 24 * 8)
    assert generate_figures(zone=zone, seed=11, months=24).created == 0
    zone_total = Rollup.objects.get(
        zone=zone, dimension="zone", indicator_id="revenue", period=dt.date(2021, 12, 1)
    )
    assert zone_total.enterprises == 30
    assert zone_total.ytd == sum(
        IndicatorValue.objects.filter(zone=zone, indicator_id="revenue", period__year=2021).values_list(
            "value", flat=True
        )
    )
    assert ClusterTarget.objects.filter(zone=zone, year=2021).exists()

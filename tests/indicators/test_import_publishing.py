"""Publishing an import set-based: counts, corrections with their history, dry runs, year-to-date files
and the usual-month warning — for small files (read by enterprise) and large ones (read by zone range)."""

from __future__ import annotations

import datetime as dt
import statistics
from decimal import Decimal
from typing import Any

import pytest

from tests.indicators.conftest import xlsx
from zoneops.demo import weihai
from zoneops.indicators import validation
from zoneops.indicators.models import ImportBatch, IndicatorValue, IndicatorValueRevision
from zoneops.indicators.services import import_run, import_start

pytestmark = pytest.mark.django_db

HEADER = ["统一社会信用代码", "企业名称", "统计期", "营业收入(万元)", "利润总额(万元)"]
MAY = dt.date(2022, 5, 1)


@pytest.fixture(params=["few", "many"])
def reads(request: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """Small files read the published figures of their enterprises; large ones the zone's range."""
    if request.param == "many":
        monkeypatch.setattr(validation, "FEW_ENTERPRISES", 0)
    return str(request.param)


def _import(user: Any, zone: Any, rows: list[list[object]], **options: Any) -> ImportBatch:
    batch = import_start(
        actor=user, zone=zone, file_name="figures.xlsx", content=xlsx(rows), enqueue=False, **options
    )
    return import_run(batch_id=batch.pk, detect_cumulative=options.get("cumulative") is None)


def test_corrections_replace_values_and_keep_the_old_ones(reads: str, zone: Any, user_of: Any) -> None:
    stats = user_of("stats")
    hp, weigao, snbc = (weihai.enterprise_by_key(zone, k) for k in ("hp", "weigao", "snbc"))
    first = [
        HEADER,
        [hp.uscc, hp.name, "2022-05", 250000, 18000],
        [weigao.uscc, weigao.name, "2022-05", 240000, -1200],
    ]
    done = _import(stats, zone, first, declared_period=MAY)
    assert (done.status, done.counts) == ("completed", {"created": 4, "updated": 0, "unchanged": 0})

    corrected = [
        HEADER,
        [hp.uscc, hp.name, "2022-05", 251000, 18000],
        [weigao.uscc, weigao.name, "2022-05", 240000, -1300],
        [snbc.uscc, snbc.name, "2022-05", 20000, 900],
    ]
    dry = _import(stats, zone, corrected, declared_period=MAY, dry_run=True)
    assert (dry.status, dry.counts) == ("completed", {"created": 2, "updated": 2, "unchanged": 2})
    assert IndicatorValueRevision.objects.count() == 0
    assert not IndicatorValue.objects.filter(enterprise=snbc, period=MAY).exists()

    second = _import(stats, zone, corrected, declared_period=MAY)
    assert second.counts == {"created": 2, "updated": 2, "unchanged": 2}
    values = {
        (v.enterprise_id, v.indicator_id): (v.value, v.revision, v.batch_id)
        for v in IndicatorValue.objects.filter(period=MAY)
    }
    assert values == {
        (hp.pk, "revenue"): (Decimal("2510000000.00"), 2, second.pk),
        (hp.pk, "profit"): (Decimal("180000000.00"), 1, done.pk),
        (weigao.pk, "revenue"): (Decimal("2400000000.00"), 1, done.pk),
        (weigao.pk, "profit"): (Decimal("-13000000.00"), 2, second.pk),
        (snbc.pk, "revenue"): (Decimal("200000000.00"), 1, second.pk),
        (snbc.pk, "profit"): (Decimal("9000000.00"), 1, second.pk),
    }
    history = IndicatorValueRevision.objects.order_by("enterprise_id", "indicator_id")
    assert sorted(
        (r.enterprise_id, r.indicator_id, r.period, r.revision, r.value, r.batch_id, r.replaced_by_batch_id)
        for r in history
    ) == sorted(
        [
            (hp.pk, "revenue", MAY, 1, Decimal("2500000000.00"), done.pk, second.pk),
            (weigao.pk, "profit", MAY, 1, Decimal("-12000000.00"), done.pk, second.pk),
        ]
    )
    assert {r.zone_id for r in history} == {zone.pk}

    again = _import(stats, zone, corrected, declared_period=MAY)
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 6}
    assert IndicatorValueRevision.objects.count() == 2


def test_a_year_to_date_file_derives_each_month_from_the_one_before(
    reads: str, zone: Any, user_of: Any
) -> None:
    stats = user_of("stats")
    hp, weigao = weihai.enterprise_by_key(zone, "hp"), weihai.enterprise_by_key(zone, "weigao")
    published = {
        (v.enterprise_id, v.period.month): v.value
        for v in IndicatorValue.objects.filter(
            enterprise__in=[hp, weigao], indicator_id="revenue", period__year=2022
        )
    }
    hp_to_march = sum(published[(hp.pk, m)] for m in (1, 2, 3))
    # Weigao's March is missing, so its April cannot be derived from the published months.
    IndicatorValue.objects.filter(enterprise=weigao, indicator_id="revenue", period="2022-03-01").delete()
    april_ytd = hp_to_march + Decimal("2300000000")
    may_ytd = april_ytd + Decimal("2500000000")
    rows = [
        ["统一社会信用代码", "企业名称", "统计期", "营业收入(万元)1-本月累计"],
        [hp.uscc, hp.name, "2022-05", str(may_ytd / 10000)],
        [hp.uscc, hp.name, "2022-04", str(april_ytd / 10000)],
        [weigao.uscc, weigao.name, "2022-04", 2000000],
    ]
    rejected = _import(stats, zone, rows)
    assert rejected.status == "rejected"
    assert rejected.errors == [
        {
            "row": 4,
            "column": "营业收入(万元)1-本月累计",
            "message": "缺少 2022-03 的累计数，无法推算本月数。",
        }
    ]
    done = _import(stats, zone, rows[:3])
    assert (done.status, done.cumulative) == ("completed", True), done.errors
    months = dict(
        IndicatorValue.objects.filter(enterprise=hp, indicator_id="revenue", period__gte="2022-04-01")
        .order_by("period")
        .values_list("period", "value")
    )
    assert months == {dt.date(2022, 4, 1): Decimal("2300000000.00"), MAY: Decimal("2500000000.00")}


def test_a_month_far_above_the_usual_is_a_warning_with_the_median(
    reads: str, zone: Any, user_of: Any
) -> None:
    hp = weihai.enterprise_by_key(zone, "hp")
    # The usual month: the median of the positive published months of the year before and this one.
    history = [
        v
        for v in IndicatorValue.objects.filter(
            enterprise=hp, indicator_id="revenue", period__gte="2021-05-01", period__lte="2022-05-01"
        ).values_list("value", flat=True)
        if v > 0
    ]
    assert len(history) % 2 == 0  # the median of an even count is the mean of the middle two
    median = Decimal(statistics.median(history))
    surge = (median * 6 / 10000).quantize(Decimal("0.01"))
    job = _import(user_of("stats"), zone, [HEADER[:4], [hp.uscc, hp.name, "2022-05", str(surge)]])
    assert job.status == "awaiting_confirmation"
    assert job.warnings == [
        {
            "row": 2,
            "column": "营业收入(万元)",
            "message": f"{surge * 10000:,.2f} 超过该企业常规月度水平（{median:,.2f}）的 5 倍。",
        }
    ]

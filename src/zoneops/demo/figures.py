"""Monthly figures of the demo zone, January 2020 – April 2022, built so the system computes the article's
facts from them rather than being told them:

- 34 enterprises grew their revenue by more than 20% in 2021, HP, Weigao and Disheng (迪尚) among them;
- the two 100-billion clusters end 2021 at 86.0 and 81.5 billion yuan and carry 2022 targets of 100 billion;
- 13 of HP's local chain enterprises each paid more than 10 million yuan of tax in 2021.

Annual totals are fixed first and spread over the months with a Spring-Festival seasonal profile, so every
year sums exactly (in fen) to its annual figure.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from decimal import Decimal

from zoneops.accounts.models import Zone
from zoneops.chains.models import Cluster, ClusterMembership
from zoneops.demo import weihai
from zoneops.enterprises.models import Enterprise
from zoneops.indicators.models import ClusterTarget, IndicatorValue
from zoneops.indicators.services import values_insert
from zoneops.indicators.totals import totals_refresh

SEED = 2021_0508
FAST_GROWERS = 34
HP_CHAIN_TAX_PAYERS = 13
CLUSTER_TOTALS_2021 = {"electronics": 86_000_000_000, "medical": 81_500_000_000}
CLUSTER_TARGETS_2022 = {
    "electronics": 100_000_000_000,
    "medical": 100_000_000_000,
    "materials": 30_000_000_000,
    "equipment": 20_000_000_000,
    "fashion": 25_000_000_000,
}
LAST_PERIOD = dt.date(2022, 4, 1)

# Share of a year's revenue earned in each month: January and February carry the Spring Festival.
SEASONAL = (0.066, 0.056, 0.081, 0.081, 0.083, 0.085, 0.083, 0.084, 0.088, 0.086, 0.092, 0.115)

# Named firms' 2021 revenue (yuan) and 2021 growth; the fast growers of the article grow > 20%.
NAMED_2021: dict[str, tuple[int, float]] = {
    "hp": (26_000_000_000, 0.26),
    "lenovo-image": (6_200_000_000, 0.12),
    "foxconn": (12_500_000_000, 0.08),
    "jabil": (9_100_000_000, 0.11),
    "snbc": (2_600_000_000, 0.15),
    "weigao": (28_000_000_000, 0.22),
    "weigao-bio": (1_500_000_000, 0.31),
    "haizhen": (320_000_000, 0.05),
    "shichuang": (210_000_000, 0.17),
    "disha": (3_100_000_000, 0.09),
    "guangwei": (2_600_000_000, 0.14),
    "huadong-cnc": (640_000_000, -0.04),
    "future-robot": (95_000_000, 0.16),
    "dishang": (9_000_000_000, 0.21),
}


def _spread(annual_fen: int, rng: random.Random) -> list[int]:
    """Twelve monthly amounts (fen) summing exactly to the annual amount."""
    weights = [w * rng.uniform(0.96, 1.04) for w in SEASONAL]
    total = sum(weights)
    months = [int(annual_fen * w / total) for w in weights]
    months[-1] += annual_fen - sum(months)
    return months


def _fen(yuan: float) -> int:
    return round(yuan * 100)


def hp_chain_tax_payers(zone: Zone) -> list[Enterprise]:
    """The 13 local suppliers of HP that paid more than 10 million yuan of tax in 2021 (chain master page)."""
    electronics = Cluster.objects.get(zone=zone, code="electronics")
    candidates = Enterprise.objects.filter(
        zone=zone,
        is_synthetic=True,
        above_scale=True,
        memberships__cluster=electronics,
        industry_id__in=["3912", "3982", "3981", "3813", "2664", "2929", "3399", "2231", "3983"],
    ).order_by("uscc")
    return list(candidates[:HP_CHAIN_TAX_PAYERS])


def _plan(zone: Zone) -> dict[int, tuple[float, float, float]]:
    """Per enterprise: 2021 revenue (yuan), 2021 growth, 2022 growth."""
    rng = random.Random(SEED)
    named = {weihai.enterprise_by_key(zone, key).pk: key for key in NAMED_2021}
    cluster_of = dict(
        ClusterMembership.objects.filter(enterprise__zone=zone).values_list("enterprise_id", "cluster__code")
    )
    synthetic = list(Enterprise.objects.filter(zone=zone, is_synthetic=True).order_by("uscc"))
    tax_payers = {e.pk for e in hp_chain_tax_payers(zone)}
    above = {e.pk: e.above_scale for e in synthetic}
    plan: dict[int, tuple[float, float, float]] = {}
    for pk, key in named.items():
        revenue, growth = NAMED_2021[key]
        plan[pk] = (revenue, growth, rng.uniform(0.14, 0.24))
    # Synthetic revenue: above-scale firms tens to hundreds of millions, the others below 20 million.
    raw: dict[int, float] = {}
    for enterprise in synthetic:
        if enterprise.pk in tax_payers:
            raw[enterprise.pk] = rng.uniform(450e6, 1_200e6)
        elif enterprise.above_scale:
            raw[enterprise.pk] = rng.lognormvariate(19.2, 0.8)
        else:
            raw[enterprise.pk] = rng.uniform(3e6, 19e6)
    # Scale the two 100-billion clusters' above-scale synthetic firms so each cluster meets its 2021 total.
    for code, total in CLUSTER_TOTALS_2021.items():
        named_sum = sum(plan[pk][0] for pk in plan if cluster_of.get(pk) == code)
        fixed = sum(
            v for pk, v in raw.items() if cluster_of.get(pk) == code and (pk in tax_payers or not above[pk])
        )
        scalable = [pk for pk in raw if cluster_of.get(pk) == code and pk not in tax_payers and above[pk]]
        factor = (total - named_sum - fixed) / sum(raw[pk] for pk in scalable)
        for pk in scalable:
            raw[pk] *= factor
    # The fast growers: the named ones above, then above-scale synthetic firms until there are 34.
    fast = {pk for pk, (_r, g, _g2) in plan.items() if g > 0.20}
    pool = [e.pk for e in synthetic if e.above_scale]
    rng.shuffle(pool)
    fast_synthetic = set(pool[: FAST_GROWERS - len(fast)])
    for enterprise in synthetic:
        growth = rng.uniform(0.21, 0.48) if enterprise.pk in fast_synthetic else rng.uniform(-0.15, 0.18)
        plan[enterprise.pk] = (round(raw[enterprise.pk], 2), growth, rng.uniform(0.05, 0.2))
    # Re-balance the cluster totals exactly after rounding (the last scalable firm absorbs the cents).
    for code, total in CLUSTER_TOTALS_2021.items():
        members = sorted(pk for pk in plan if cluster_of.get(pk) == code)
        gap = total - sum(plan[pk][0] for pk in members)  # float: cents absorbed by the last firm
        last = max(pk for pk in members if pk in raw and pk not in tax_payers and above[pk])
        last_revenue, last_growth, last_growth_2022 = plan[last]
        plan[last] = (last_revenue + float(gap), last_growth, last_growth_2022)
    return plan


def _values(zone: Zone) -> Iterator[IndicatorValue]:
    plan = _plan(zone)
    rng = random.Random(SEED + 1)
    tax_payers = {e.pk for e in hp_chain_tax_payers(zone)}
    registry = {e.pk: e for e in Enterprise.objects.filter(zone=zone)}
    moment = dt.datetime(2022, 5, 8, 9, 0, tzinfo=dt.UTC)
    for pk in sorted(plan):
        enterprise = registry[pk]
        revenue_2021, growth_2021, growth_2022 = plan[pk]
        annual = {
            2020: revenue_2021 / (1 + growth_2021),
            2021: revenue_2021,
            2022: revenue_2021 * (1 + growth_2022),
        }
        ratios = {
            "output_value": rng.uniform(0.95, 1.05),
            "added_value": rng.uniform(0.22, 0.32),
            "profit": rng.uniform(-0.02, 0.12),
            "tax": rng.uniform(0.022, 0.045),
            "rd_expense": rng.uniform(0.03, 0.07) if enterprise.high_tech else rng.uniform(0.005, 0.02),
            "export_value": rng.uniform(0.45, 0.75)
            if enterprise.ownership in ("foreign", "hk_macao_taiwan")
            else rng.uniform(0.0, 0.3),
        }
        revenue_per_employee = (
            rng.uniform(1.2e6, 2.6e6) if enterprise.above_scale else rng.uniform(0.4e6, 0.9e6)
        )
        for year, total in annual.items():
            revenue = _spread(_fen(total), rng)
            months = 4 if year == 2022 else 12
            tax_total = _fen(total * ratios["tax"])
            if pk in tax_payers and year == 2021:
                # Each of HP's 13 big chain enterprises paid 11–40 million yuan of tax in 2021.
                tax_total = _fen(rng.uniform(11e6, 40e6))
            series = {
                "revenue": revenue,
                "output_value": _spread(_fen(total * ratios["output_value"]), rng),
                "added_value": _spread(_fen(total * ratios["output_value"] * ratios["added_value"]), rng),
                "profit": _spread(_fen(total * ratios["profit"]), rng),
                "tax": _spread(tax_total, rng),
                "rd_expense": _spread(_fen(total * ratios["rd_expense"]), rng),
                "export_value": _spread(_fen(total * ratios["export_value"]), rng),
            }
            headcount = max(5, round(total / revenue_per_employee))
            for month in range(1, months + 1):
                period = dt.date(year, month, 1)
                for code, amounts in series.items():
                    yield IndicatorValue(
                        zone=zone,
                        enterprise_id=pk,
                        indicator_id=code,
                        period=period,
                        value=Decimal(amounts[month - 1]).scaleb(-2),
                        updated_at=moment,
                    )
                staff = round(headcount * rng.uniform(0.97, 1.03))
                yield IndicatorValue(
                    zone=zone,
                    enterprise_id=pk,
                    indicator_id="employees",
                    period=period,
                    value=Decimal(staff),
                    updated_at=moment,
                )


def load_figures(zone: Zone) -> None:
    IndicatorValue.objects.filter(zone=zone).delete()
    values_insert(
        rows=(
            (v.zone_id, v.enterprise_id, v.indicator_id, v.period, v.value, None, None, 1, v.updated_at)
            for v in _values(zone)
        )
    )
    for code, target in CLUSTER_TARGETS_2022.items():
        cluster = Cluster.objects.get(zone=zone, code=code)
        ClusterTarget.objects.update_or_create(
            zone=zone, cluster=cluster, indicator_id="revenue", year=2022, defaults={"value": Decimal(target)}
        )
    totals_refresh(
        zone=zone,
        codes=[
            "revenue",
            "output_value",
            "added_value",
            "profit",
            "tax",
            "employees",
            "rd_expense",
            "export_value",
        ],
        years=[2020, 2021, 2022],
    )

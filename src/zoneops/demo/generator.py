"""``zoneops generate``: a deterministic synthetic zone of any size, for benchmarks.

The same seed and size give the same zone on any machine. Enterprises are made in blocks of
``BLOCK`` with a random generator seeded by (seed, block), so a run that stops part-way resumes where
it stopped, and a larger ``--enterprises`` extends an existing zone with the same rows a fresh run
would have made. Later capabilities extend the generated zone with their own data.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from zoneops.accounts.models import Department, Zone
from zoneops.chains.models import Cluster, ClusterMembership
from zoneops.demo import weihai
from zoneops.demo.synthetic import CLUSTER_PROFILES, synthetic_enterprises
from zoneops.enterprises.models import Enterprise, Park

BLOCK = 5_000


@dataclass(frozen=True)
class GenerateResult:
    zone: Zone
    enterprises: int
    created: int
    seconds: float


def zone_code(seed: int) -> str:
    return f"synthetic-{seed}"


@transaction.atomic
def _zone(seed: int) -> tuple[Zone, dict[str, Park], dict[str, Cluster]]:
    zone, _ = Zone.objects.get_or_create(
        code=zone_code(seed),
        defaults={
            "name": f"合成园区 {seed}（基准测试）",
            "name_en": f"Synthetic zone {seed} (benchmark)",
            "short_name": f"合成园区{seed}",
            "province": "山东省",
            "city": "威海市",
            "is_synthetic": True,
        },
    )
    for code, name, name_en, function in weihai.DEPARTMENTS:
        Department.objects.get_or_create(
            zone=zone, code=code, defaults={"name": name, "name_en": name_en, "function": function}
        )
    parks: dict[str, Park] = {}
    for code, name, name_en, cluster_code in weihai.PARKS:
        parks[cluster_code], _ = Park.objects.get_or_create(
            zone=zone, code=code, defaults={"name": name, "name_en": name_en}
        )
    clusters: dict[str, Cluster] = {}
    for order, profile in enumerate(CLUSTER_PROFILES, start=1):
        clusters[profile.code], _ = Cluster.objects.get_or_create(
            zone=zone,
            code=profile.code,
            defaults={
                "name": profile.name,
                "name_en": profile.name_en,
                "tier": profile.tier,
                "sort_order": order,
            },
        )
    return zone, parks, clusters


def generate_zone(
    *, enterprises: int, seed: int, progress: Callable[[int, int], None] | None = None
) -> GenerateResult:
    if enterprises < 0:
        raise ValueError("enterprises must not be negative")
    started = time.perf_counter()
    zone, parks, clusters = _zone(seed)
    existing = Enterprise.objects.filter(zone=zone).count()
    created = 0
    # Resume at the first block not yet complete (blocks are written whole, one transaction each).
    first_block = existing // BLOCK
    for block in range(first_block, (enterprises + BLOCK - 1) // BLOCK):
        start = block * BLOCK
        count = min(BLOCK, enterprises - start)
        rng = random.Random(f"{seed}:{block}")
        made = list(
            synthetic_enterprises(
                zone=zone, rng=rng, count=count, first_index=start + 1, parks_by_cluster=dict(parks)
            )
        )
        with transaction.atomic():
            have = set(
                Enterprise.objects.filter(zone=zone, uscc__in=[m.enterprise.uscc for m in made]).values_list(
                    "uscc", flat=True
                )
            )
            fresh = [m for m in made if m.enterprise.uscc not in have]
            Enterprise.objects.bulk_create([m.enterprise for m in fresh], batch_size=1000)
            ids = dict(
                Enterprise.objects.filter(zone=zone, uscc__in=[m.enterprise.uscc for m in fresh]).values_list(
                    "uscc", "pk"
                )
            )
            ClusterMembership.objects.bulk_create(
                [
                    ClusterMembership(cluster=clusters[m.cluster_code], enterprise_id=ids[m.enterprise.uscc])
                    for m in fresh
                ],
                batch_size=1000,
            )
        created += len(fresh)
        if progress is not None:
            progress(start + count, enterprises)
    if created and connection.vendor == "postgresql":
        # A bulk load leaves the planner's statistics stale until autovacuum runs; refresh them now.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE enterprises_enterprise; ANALYZE chains_clustermembership;")
    total = Enterprise.objects.filter(zone=zone).count()
    return GenerateResult(
        zone=zone, enterprises=total, created=created, seconds=time.perf_counter() - started
    )


FIGURE_BLOCK = 1_000
_SEASONAL = (0.066, 0.056, 0.081, 0.081, 0.083, 0.085, 0.083, 0.084, 0.088, 0.086, 0.092, 0.115)
_RATIOS = {  # indicator → share of revenue (employees: persons per 10 million yuan of annual revenue)
    "output_value": 1.0,
    "added_value": 0.27,
    "profit": 0.06,
    "tax": 0.033,
    "rd_expense": 0.03,
    "export_value": 0.2,
}


@dataclass(frozen=True)
class FiguresResult:
    values: int
    created: int
    seconds: float


def _month(first: dt.date, offset: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + offset
    return dt.date(index // 12, index % 12 + 1, 1)


def generate_figures(
    *,
    zone: Zone,
    seed: int,
    months: int,
    first: dt.date = dt.date(2020, 1, 1),
    progress: Callable[[int, int], None] | None = None,
) -> FiguresResult:
    """Monthly values of the eight indicators for every enterprise of a generated zone (benchmarks).

    Deterministic per (seed, block of enterprises); enterprises that already have values are skipped,
    so an interrupted run resumes. Totals and roll-ups are refreshed once at the end."""
    import numpy as np

    from zoneops.indicators.models import ClusterTarget, IndicatorValue, Rollup
    from zoneops.indicators.services import values_insert
    from zoneops.indicators.totals import totals_refresh

    started = time.perf_counter()
    done = set(IndicatorValue.objects.filter(zone=zone).values_list("enterprise_id", flat=True).distinct())
    ids = list(Enterprise.objects.filter(zone=zone).order_by("pk").values_list("pk", "above_scale"))
    periods = [_month(first, m) for m in range(months)]
    season = np.array([_SEASONAL[p.month - 1] for p in periods])
    years = np.array([p.year - first.year for p in periods])
    moment = timezone.now()
    created = 0
    for start in range(0, len(ids), FIGURE_BLOCK):
        block = [(pk, above) for pk, above in ids[start : start + FIGURE_BLOCK] if pk not in done]
        if not block:
            continue
        rng = np.random.default_rng([seed, start])
        count = len(block)
        above = np.array([a for _, a in block])
        annual = np.where(above, rng.lognormal(19.2, 0.8, count), rng.uniform(3e6, 19e6, count))
        growth = rng.uniform(-0.15, 0.35, count)
        # revenue[e, m] in fen: annual × growth^year × season × noise
        revenue = (
            (
                annual[:, None]
                * (1 + growth[:, None]) ** years[None, :]
                * season[None, :]
                * rng.uniform(0.95, 1.05, (count, months))
                * 100
            )
            .round()
            .astype(np.int64)
        )
        series = {"revenue": revenue}
        for code, ratio in _RATIOS.items():
            factor = rng.uniform(0.6, 1.4, count)[:, None] * ratio
            series[code] = (revenue * factor).round().astype(np.int64)
        staff = np.maximum(5, (annual / rng.uniform(0.8e6, 2.6e6, count))).round().astype(np.int64)
        rows: list[tuple[object, ...]] = []
        for code, values in series.items():
            for e_index, (pk, _) in enumerate(block):
                row = values[e_index]
                rows.extend(
                    (zone.pk, pk, code, periods[m], Decimal(int(row[m])).scaleb(-2), None, None, 1, moment)
                    for m in range(months)
                )
        for e_index, (pk, _) in enumerate(block):
            rows.extend(
                (zone.pk, pk, "employees", p, Decimal(int(staff[e_index])), None, None, 1, moment)
                for p in periods
            )
        with transaction.atomic():
            values_insert(rows=rows)
        created += len(rows)
        if progress is not None:
            progress(min(start + FIGURE_BLOCK, len(ids)), len(ids))
    if created:
        codes = ["revenue", "employees", *_RATIOS]
        totals_refresh(zone=zone, codes=codes, years=range(first.year, periods[-1].year + 1))
        last_year = periods[-1].year
        # Targets: each cluster to grow 12% on its previous year.
        for row in Rollup.objects.filter(
            zone=zone, dimension="cluster", indicator_id="revenue", period=dt.date(last_year - 1, 12, 1)
        ):
            ClusterTarget.objects.update_or_create(
                zone=zone,
                cluster_id=int(row.member),
                indicator_id="revenue",
                year=last_year,
                defaults={"value": (row.ytd * Decimal("1.12")).quantize(Decimal("0.01"))},
            )
    total = IndicatorValue.objects.filter(zone=zone).count()
    return FiguresResult(values=total, created=created, seconds=time.perf_counter() - started)

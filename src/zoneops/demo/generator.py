"""``zoneops generate``: a deterministic synthetic zone of any size, for benchmarks.

The same seed and size give the same zone on any machine. Enterprises are made in blocks of
``BLOCK`` with a random generator seeded by (seed, block), so a run that stops part-way resumes where
it stopped, and a larger ``--enterprises`` extends an existing zone with the same rows a fresh run
would have made. Later capabilities extend the generated zone with their own data.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

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

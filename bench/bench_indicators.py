"""Indicator roll-up benchmark: a generated zone of N enterprises × M months × 8 indicators, then the
cluster roll-up, dimension roll-up and ranking endpoints, timed. Prints figures; asserts nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zoneops_bench \\
        .venv/bin/python bench/bench_indicators.py --enterprises 100000 --months 36
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    os.environ.setdefault("ZONEOPS_VAR_DIR", str(Path(tempfile.mkdtemp(prefix="zoneops-bench-")) / "var"))
    os.environ.setdefault("ZONEOPS_DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "zoneops.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from zoneops.accounts.models import Role, User
    from zoneops.accounts.services import api_token_issue, user_create
    from zoneops.demo.generator import generate_figures, generate_zone

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", interactive=False, verbosity=0)
    zone = generate_zone(enterprises=args.enterprises, seed=args.seed)
    print(f"registry: {zone.enterprises} enterprises ({zone.seconds:.1f} s), {connection.vendor}")
    figures = generate_figures(zone=zone.zone, seed=args.seed, months=args.months)
    print(
        f"figures: {figures.values:,} monthly values, {figures.created:,} created in {figures.seconds:.1f} s"
    )

    if connection.vendor == "postgresql":
        # What autovacuum does shortly after a bulk load: planner statistics, and the visibility map that
        # lets counts be index-only scans. (VACUUM cannot run in the refresh's transaction.)
        begin = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE indicators_enterpriseperiodtotal")
            cursor.execute("VACUUM ANALYZE indicators_rollup")
        print(f"VACUUM ANALYZE of the totals and roll-ups: {time.perf_counter() - begin:.1f} s")

    username = f"bench-leader-{args.seed}"
    with transaction.atomic():
        user = User.objects.filter(username=username).first() or user_create(
            actor=None, zone=zone.zone, username=username, password="x" * 12, role=Role.LEADER
        )
        token = api_token_issue(user=user).token
    client = Client(headers={"Authorization": f"Bearer {token}"})
    last = f"{2020 + (args.months - 1) // 12}-{(args.months - 1) % 12 + 1:02d}"
    cases = {
        "cluster roll-up (YTD, YoY, target, projection)": ("/api/v1/indicators/clusters", {"period": last}),
        "roll-up by park": ("/api/v1/indicators/rollups", {"dimension": "park", "period": last}),
        "roll-up by division": ("/api/v1/indicators/rollups", {"dimension": "division", "period": last}),
        "ranking, growth > 20%, first page": (
            "/api/v1/indicators/rankings",
            {"year": last[:4], "growth_above": "20", "period": last},
        ),
    }
    print(f"{'endpoint':<48} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for name, (path, params) in cases.items():
        timings = []
        queries = 0
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as captured:
                begin = time.perf_counter()
                response = client.get(path, params)
                timings.append((time.perf_counter() - begin) * 1000)
            assert response.status_code == 200, response.content[:300]
            queries = len(captured.captured_queries)
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(f"{name:<48} {statistics.median(timings):>10.1f} {p95:>8.1f} {queries:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

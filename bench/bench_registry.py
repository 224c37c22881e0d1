"""Registry benchmark: generate a zone of N enterprises, then time the enterprise list API.

Prints figures; asserts nothing about time. Runs against DATABASE_URL when set (e.g. PostgreSQL),
otherwise a fresh SQLite file under a temporary directory.

    .venv/bin/python bench/bench_registry.py --enterprises 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zoneops_bench .venv/bin/python bench/bench_registry.py
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
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="zoneops-bench-"))
    os.environ.setdefault("ZONEOPS_VAR_DIR", str(workdir / "var"))
    os.environ.setdefault("ZONEOPS_DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "zoneops.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from zoneops.accounts.models import Role, User
    from zoneops.accounts.services import api_token_issue, user_create
    from zoneops.demo.generator import generate_zone

    settings.ALLOWED_HOSTS = ["testserver"]
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s ({connection.vendor})")
    result = generate_zone(enterprises=args.enterprises, seed=args.seed)
    print(f"generate: {result.enterprises} enterprises, {result.created} created in {result.seconds:.1f} s")

    from django.db import transaction

    username = f"bench-leader-{args.seed}"
    user = User.objects.filter(username=username).first()
    with transaction.atomic():
        if user is None:
            user = user_create(
                actor=None, zone=result.zone, username=username, password="x" * 12, role=Role.LEADER
            )
        token = api_token_issue(user=user).token
    client = Client(headers={"Authorization": f"Bearer {token}"})

    cases = {
        "first page": {},
        "page 100": {"page": 100},
        "search 精密 (Chinese name)": {"search": "精密"},
        "search Robotics (English name)": {"search": "Robotics"},
        "industry division 39": {"industry": "39"},
        "above scale, cluster filter": {"above_scale": "true", "cluster": "1"},
    }
    print(f"{'case':<34} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'count':>8}")
    for name, params in cases.items():
        timings = []
        queries = 0
        count = 0
        for _ in range(args.repeat):
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                begin = time.perf_counter()
                response = client.get("/api/v1/enterprises", params)
                timings.append((time.perf_counter() - begin) * 1000)
            queries = len(captured.captured_queries)
            count = response.json()["count"]
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(f"{name:<34} {statistics.median(timings):>10.1f} {p95:>8.1f} {queries:>8} {count:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

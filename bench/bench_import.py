"""Import throughput: `zoneops` importing N values (one month, 8 indicators per enterprise, CSV) with full
validation, against PostgreSQL COPY of the same values into a bare table, side by side in one run.
Prints figures; asserts nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zoneops_import \\
        .venv/bin/python bench/bench_import.py --values 1000000
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--values", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    enterprises = args.values // 8

    os.environ.setdefault("ZONEOPS_VAR_DIR", str(Path(tempfile.mkdtemp(prefix="zoneops-bench-")) / "var"))
    os.environ.setdefault("ZONEOPS_DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "zoneops.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from zoneops.accounts.models import Role, User
    from zoneops.accounts.services import user_create
    from zoneops.demo.generator import generate_zone
    from zoneops.enterprises.models import Enterprise
    from zoneops.indicators.definitions import STANDARD_INDICATORS
    from zoneops.indicators.models import IndicatorValue
    from zoneops.indicators.parsing import header_labels
    from zoneops.indicators.services import import_run, import_start

    if connection.vendor != "postgresql":
        print("COPY needs PostgreSQL: set DATABASE_URL")
        return 2
    call_command("migrate", interactive=False, verbosity=0)
    zone = generate_zone(enterprises=enterprises, seed=args.seed).zone
    registry = list(Enterprise.objects.filter(zone=zone).order_by("pk").values_list("pk", "uscc", "name"))
    IndicatorValue.objects.filter(zone=zone).delete()
    codes = [s.code for s in STANDARD_INDICATORS]
    lines = [",".join(header_labels(STANDARD_INDICATORS))]
    long_rows = []
    for index, (pk, code, name) in enumerate(registry):
        amounts = [str(1000 + (index * 7 + j * 13) % 9000) for j in range(8)]
        lines.append(",".join([code, name, "2022-03", *amounts]))
        long_rows.extend(
            (pk, c, "2022-03-01", str(int(a) * 10000)) for c, a in zip(codes, amounts, strict=True)
        )
    content = ("\n".join(lines) + "\n").encode("utf-8")
    print(f"{len(long_rows):,} values, {len(registry):,} rows, {len(content) / 1e6:.1f} MB of CSV")

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute(
            "CREATE TABLE bench_copy "
            "(enterprise_id bigint, indicator_id varchar(40), period date, value numeric(20,2))"
        )
        buffer = io.StringIO("".join(f"{e}\t{c}\t{p}\t{v}\n" for e, c, p, v in long_rows))
        begin = time.perf_counter()
        with cursor.cursor.copy("COPY bench_copy FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        copy_seconds = time.perf_counter() - begin
        cursor.execute("DROP TABLE bench_copy")
    print(f"COPY of the same values: {copy_seconds:.2f} s ({len(long_rows) / copy_seconds:,.0f} values/s)")

    username = f"bench-stats-{args.seed}"
    with transaction.atomic():
        user = User.objects.filter(username=username).first() or user_create(
            actor=None, zone=zone, username=username, password="x" * 12, role=Role.STATISTICIAN
        )
        batch = import_start(actor=user, zone=zone, file_name="bench.csv", content=content, enqueue=False)
    begin = time.perf_counter()
    finished = import_run(batch_id=batch.pk)
    import_seconds = time.perf_counter() - begin
    print(
        f"zoneops import ({finished.status}, {finished.counts}): {import_seconds:.2f} s "
        f"({len(long_rows) / import_seconds:,.0f} values/s) = "
        f"{copy_seconds / import_seconds:.0%} of COPY's throughput"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

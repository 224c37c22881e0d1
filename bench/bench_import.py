"""Import throughput: `zoneops` importing N values (one month, 8 indicators per enterprise, CSV) with full
validation, against PostgreSQL COPY of the same values into a bare table, side by side in one run.
Then the same file again (every value unchanged) and a corrected file (one value in ten rows changed).
Prints figures; asserts nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zoneops_import \\
        .venv/bin/python bench/bench_import.py --values 1000000

"The import" is ``import_run``: read and parse the file, validate every cell against the registry and the
published figures, write the values with their provenance (batch, revision, history rows) and publish.
It also refreshes the derived totals and roll-ups of the years touched (``totals_refresh``), which is
timed and shown separately (with the foreign-key checks of the rows it writes): it recomputes whole
years of the zone, whatever the size of the file. "checks" are the deferred foreign-key checks of the
values written, run just before the totals so that each is counted where it belongs.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _timed(phases: dict[str, float], name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        begin = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            phases[name] += time.perf_counter() - begin

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--values", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each case; medians are printed")
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
    from zoneops.indicators import services
    from zoneops.indicators.definitions import STANDARD_INDICATORS
    from zoneops.indicators.models import (
        EnterprisePeriodTotal,
        ImportBatch,
        IndicatorValue,
        IndicatorValueRevision,
        Rollup,
    )
    from zoneops.indicators.parsing import header_labels

    if connection.vendor != "postgresql":
        print("COPY needs PostgreSQL: set DATABASE_URL")
        return 2
    call_command("migrate", interactive=False, verbosity=0)
    zone = generate_zone(enterprises=enterprises, seed=args.seed).zone
    # A zone generated larger by an earlier run keeps its enterprises; the file names the first N / 8.
    registry = list(
        Enterprise.objects.filter(zone=zone).order_by("pk").values_list("pk", "uscc", "name")[:enterprises]
    )
    codes = [s.code for s in STANDARD_INDICATORS]

    def csv_file(corrected: bool) -> tuple[bytes, list[tuple[int, str, str, str]]]:
        lines = [",".join(header_labels(STANDARD_INDICATORS))]
        long_rows = []
        for index, (pk, code, name) in enumerate(registry):
            amounts = [str(1000 + (index * 7 + j * 13) % 9000) for j in range(8)]
            if corrected and index % 10 == 0:
                amounts[0] = str(int(amounts[0]) + 1)
            lines.append(",".join([code, name, "2022-03", *amounts]))
            long_rows.extend(
                (pk, c, "2022-03-01", str(int(a) * 10000)) for c, a in zip(codes, amounts, strict=True)
            )
        return ("\n".join(lines) + "\n").encode("utf-8"), long_rows

    content, long_rows = csv_file(corrected=False)
    corrected_content, _ = csv_file(corrected=True)
    values = len(long_rows)
    print(f"{values:,} values, {len(registry):,} rows, {len(content) / 1e6:.1f} MB of CSV")

    def copy_seconds() -> float:
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
            seconds = time.perf_counter() - begin
            cursor.execute("DROP TABLE bench_copy")
        return seconds

    def copy_into_values_table_seconds(batch_id: int) -> tuple[float, float]:
        """The same rows, all of the values table's columns, by COPY into a copy of that table with its
        indexes and foreign keys: (COPY, COMMIT with the deferred foreign-key checks)."""
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_copy_values")
            cursor.execute("CREATE TABLE bench_copy_values (LIKE indicators_indicatorvalue INCLUDING ALL)")
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'indicators_indicatorvalue'::regclass AND contype = 'f'"
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"ALTER TABLE bench_copy_values ADD CONSTRAINT {name}_bench {definition}")
        moment = "2022-04-01 00:00:00+00"
        text = "".join(
            f"{zone.pk}\t{e}\t{c}\t{p}\t{v}\t{batch_id}\t\\N\t1\t{moment}\n" for e, c, p, v in long_rows
        )
        columns = "zone_id, enterprise_id, indicator_id, period, value, batch_id, submission_id, revision"
        with transaction.atomic():
            with connection.cursor() as cursor:
                begin = time.perf_counter()
                with cursor.cursor.copy(f"COPY bench_copy_values ({columns}, updated_at) FROM STDIN") as copy:
                    copy.write(text)
                copied = time.perf_counter()
            committing = time.perf_counter()
        committed = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_copy_values")
        return copied - begin, committed - committing

    username = f"bench-stats-{args.seed}"
    with transaction.atomic():
        user = User.objects.filter(username=username).first() or user_create(
            actor=None, zone=zone, username=username, password="x" * 12, role=Role.STATISTICIAN
        )

    phases: dict[str, float] = defaultdict(float)
    services.read_rows = _timed(phases, "read", services.read_rows)  # type: ignore[assignment]
    services.parse_sheet = _timed(phases, "parse", services.parse_sheet)  # type: ignore[assignment]
    services.validate_sheet = _timed(phases, "validate", services.validate_sheet)  # type: ignore[assignment]
    services.values_publish = _timed(phases, "publish", services.values_publish)  # type: ignore[assignment]
    refresh = services.totals_refresh

    def totals_refresh(**kwargs: Any) -> Any:
        # The values' deferred foreign-key checks would run at COMMIT together with those of the totals
        # rows; run them first, so each is counted where it belongs (the same checks, at another moment).
        begin = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        middle = time.perf_counter()
        phases["checks"] += middle - begin
        try:
            return refresh(**kwargs)
        finally:
            phases["totals"] += time.perf_counter() - middle

    services.totals_refresh = totals_refresh

    def run_import(data: bytes) -> tuple[float, dict[str, float], Any]:
        with transaction.atomic():
            batch = services.import_start(
                actor=user, zone=zone, file_name="bench.csv", content=data, enqueue=False
            )
        phases.clear()
        begin = time.perf_counter()
        finished = services.import_run(batch_id=batch.pk)
        seconds = time.perf_counter() - begin
        return seconds, dict(phases), finished

    def clear() -> None:
        IndicatorValueRevision.objects.filter(zone=zone).delete()
        IndicatorValue.objects.filter(zone=zone).delete()
        EnterprisePeriodTotal.objects.filter(zone=zone).delete()
        Rollup.objects.filter(zone=zone).delete()
        ImportBatch.objects.filter(zone=zone).delete()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE indicators_indicatorvalue")

    cases: dict[str, list[tuple[float, float, dict[str, float], Any]]] = defaultdict(list)
    into_table: list[tuple[float, float]] = []
    for _ in range(args.repeat):
        clear()
        with transaction.atomic():
            reference = ImportBatch.objects.create(
                zone=zone, file_name="reference", file_sha256="", content=b""
            )
        into_table.append(copy_into_values_table_seconds(reference.pk))
        # COPY and the first import side by side, each into an empty zone.
        copy = copy_seconds()
        seconds, phase, finished = run_import(content)
        cases["new month"].append((copy, seconds, phase, finished))
        copy = copy_seconds()
        seconds, phase, finished = run_import(content)
        cases["same file again"].append((copy, seconds, phase, finished))
        copy = copy_seconds()
        seconds, phase, finished = run_import(corrected_content)
        cases["corrected file"].append((copy, seconds, phase, finished))
        clear_after = IndicatorValueRevision.objects.filter(zone=zone).count()
        assert clear_after == len(registry[::10]), clear_after

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()
    print(f"PostgreSQL: {version[0] if version else '?'}; load average: {Path('/proc/loadavg').read_text()}")
    print(f"medians of {args.repeat} runs")
    copied = statistics.median(c for c, _ in into_table)
    committed = statistics.median(c for _, c in into_table)
    print(
        f"COPY into a copy of the values table (5 indexes, 5 foreign keys): {copied + committed:.2f} s "
        f"= COPY {copied:.2f} s + COMMIT (deferred foreign-key checks) {committed:.2f} s "
        f"({values / (copied + committed):,.0f} values/s)"
    )
    header = f"{'case':<16} {'COPY s':>7} {'COPY values/s':>14} {'import s':>9} {'values/s':>10}"
    header += f" {'share':>6} {'w/o totals s':>12} {'share':>6}  phases (s)"
    print(header)
    for name, runs in cases.items():
        copy = statistics.median(r[0] for r in runs)
        total = statistics.median(r[1] for r in runs)
        without = statistics.median(r[1] - r[2].get("totals", 0.0) for r in runs)
        phase_names = ["read", "parse", "validate", "checks", "totals"]
        phase = {p: statistics.median(r[2].get(p, 0.0) for r in runs) for p in phase_names}
        # publish includes the foreign-key checks and totals: show the write alone.
        phase["write"] = statistics.median(
            r[2].get("publish", 0.0) - r[2].get("checks", 0.0) - r[2].get("totals", 0.0) for r in runs
        )
        finished = runs[-1][3]
        shown = ", ".join(
            f"{p} {phase[p]:.2f}" for p in ["read", "parse", "validate", "write", "checks", "totals"]
        )
        print(
            f"{name:<16} {copy:>7.2f} {values / copy:>14,.0f} {total:>9.2f} {values / total:>10,.0f} "
            f"{copy / total:>6.0%} {without:>12.2f} {copy / without:>6.0%}  {shown}; "
            f"{finished.status} {finished.counts}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

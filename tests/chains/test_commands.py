"""`zoneops complexity` and `zoneops io-linkages` hand their arguments to zoneops.complexity's CLI."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "complexity" / "fixtures"


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ZONEOPS_DEBUG": "1", "ZONEOPS_VAR_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "zoneops", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_complexity_command_writes_one_row_per_time_location_product(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = _run(
        tmp_path,
        "complexity",
        str(FIXTURES / "trade_data_sample.csv"),
        "--time",
        "year",
        "--loc",
        "origin",
        "--prod",
        "hs92",
        "--val",
        "export_val",
        "-o",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "year",
        "origin",
        "hs92",
        "rca",
        "mcp",
        "diversity",
        "ubiquity",
        "eci",
        "pci",
        "density",
        "coi",
        "cog",
    ]
    with (FIXTURES / "trade_data_sample.csv").open(encoding="utf-8") as handle:
        source = {(r["year"], r["origin"], r["hs92"]) for r in csv.DictReader(handle)}
    keys = {(r["year"], r["origin"], r["hs92"]) for r in rows}
    # Every input cell appears once (the fixture has no location or product the command must drop).
    assert keys == source
    assert len(rows) == len(keys)


def test_complexity_command_refuses_missing_arguments(tmp_path: Path) -> None:
    result = _run(tmp_path, "complexity", "missing.csv")
    assert result.returncode == 2
    assert "the following arguments are required" in result.stderr

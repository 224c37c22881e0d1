"""Complexity benchmark: zoneops.complexity against ecomplexity 0.5.3, and at scale.

Prints figures; asserts nothing about time. Each case runs in a fresh child process so that its peak RSS
(``resource.getrusage``) is its own.

    .venv/bin/python bench/bench_complexity.py            # all three cases
    .venv/bin/python bench/bench_complexity.py --case big # one case: compare | big | panel
    .venv/bin/python bench/bench_complexity.py --case compare --threads 1 --repeat 3

``--threads`` sets the BLAS thread count of the child (default: the library's, here 2). On a shared machine
OpenBLAS's spinning threads make multi-threaded timings swing by 10x or more; one thread is steadier.
Each child also prints the 1-minute load average at its end, as a hint of interference.

compare  300 locations x 1000 products x 5 years, long format: ours (convention="ecomplexity") and
         ecomplexity 0.5.3 on the same frame, max |difference| per output column, speed-up.
big      1000 x 4000 x 1 year (one sparse CSR matrix, and the same as a long frame).
panel    3000 x 1400 x 10 years, long format.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from zoneops.complexity import ComplexityWarning, compute, compute_matrix

COLUMNS = ["rca", "mcp", "diversity", "ubiquity", "eci", "pci", "density", "coi", "cog"]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def year_matrix(rng: np.random.Generator, n_loc: int, n_prod: int, fill: float) -> sp.csr_array:
    """Log-normal values with location and product size effects; ``fill`` of the cells non-zero."""
    nnz = int(n_loc * n_prod * fill)
    cells = rng.choice(n_loc * n_prod, nnz, replace=False)
    rows, cols = cells // n_prod, cells % n_prod
    values = rng.lognormal(0, 1.5, nnz) * rng.lognormal(0, 1, n_loc)[rows] * rng.lognormal(0, 1, n_prod)[cols]
    return sp.coo_array((values, (rows, cols)), shape=(n_loc, n_prod)).tocsr()


def long_frame(seed: int, n_loc: int, n_prod: int, years: int, fill: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for t in range(years):
        coo = year_matrix(rng, n_loc, n_prod, fill).tocoo()
        parts.append(
            pd.DataFrame(
                {
                    "year": np.full(coo.nnz, 2000 + t, dtype=np.int32),
                    "loc": coo.row.astype(np.int32),
                    "prod": coo.col.astype(np.int32),
                    "val": coo.data,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def ours(data: pd.DataFrame, **options: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComplexityWarning)
        panel = compute(data=data, time="year", loc="loc", prod="prod", val="val", **options)
    return panel, time.perf_counter() - start


def case_compare() -> dict[str, Any]:
    import ecomplexity  # test/bench-only dependency

    data = long_frame(1, 300, 1000, 5, 0.5)
    panel, seconds = ours(data, convention="ecomplexity")
    start = time.perf_counter()
    frame = panel.to_frame()
    seconds_frame = time.perf_counter() - start
    codes = {"time": "year", "loc": "loc", "prod": "prod", "val": "val"}
    timings = {}
    reference = None
    for check in (False, True):
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = ecomplexity.ecomplexity(data, codes, verbose=False, check_logsupermodularity=check)
        timings[check] = time.perf_counter() - start
        reference = out
    assert reference is not None
    both = frame.merge(reference, on=["year", "loc", "prod"], suffixes=("", "_ref"), validate="one_to_one")
    diffs = {
        c: float(np.abs(both[c].to_numpy(float) - both[f"{c}_ref"].to_numpy(float)).max()) for c in COLUMNS
    }
    total = seconds + seconds_frame
    return {
        "case": "compare",
        "shape": "300 x 1000 x 5 (50 % fill, long format, 750,000 rows)",
        "rows_compared": len(both),
        "rows_ours": len(frame),
        "rows_ecomplexity": len(reference),
        "dropped": len(panel.dropped),
        "ours_compute_s": round(seconds, 3),
        "ours_to_frame_s": round(seconds_frame, 3),
        "ecomplexity_s": round(timings[False], 2),
        "ecomplexity_with_logsupermodularity_s": round(timings[True], 2),
        "speedup": round(timings[False] / total, 1),
        "speedup_vs_default_options": round(timings[True] / total, 1),
        "max_abs_diff": diffs,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def case_big() -> dict[str, Any]:
    rng = np.random.default_rng(2)
    matrix = year_matrix(rng, 1000, 4000, 0.3)
    before = peak_rss_mb()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComplexityWarning)
        result = compute_matrix(values=matrix, locations=np.arange(1000), products=np.arange(4000))
    seconds = time.perf_counter() - start
    peak = peak_rss_mb()
    coo = matrix.tocoo()
    data = pd.DataFrame({"year": 2000, "loc": coo.row, "prod": coo.col, "val": coo.data})
    _, seconds_long = ours(data)
    return {
        "case": "big",
        "shape": "1000 x 4000 x 1 (30 % fill, CSR)",
        "presence_share": round(float(result.mcp.mean()), 3),
        "matrix_api_s": round(seconds, 3),
        "long_format_s": round(seconds_long, 3),
        "peak_rss_before_mb": round(before, 1),
        "peak_rss_mb": round(peak, 1),
        "peak_rss_after_long_format_mb": round(peak_rss_mb(), 1),
    }


def case_panel() -> dict[str, Any]:
    data = long_frame(3, 3000, 1400, 10, 0.2)
    before = peak_rss_mb()
    panel, seconds = ours(data)
    return {
        "case": "panel",
        "shape": f"3000 x 1400 x 10 (20 % fill, long format, {len(data):,} rows)",
        "seconds": round(seconds, 2),
        "per_year_s": round(seconds / 10, 2),
        "periods": len(panel.periods),
        "dropped": len(panel.dropped),
        "peak_rss_before_mb": round(before, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


CASES = {"compare": case_compare, "big": case_big, "panel": case_panel}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--case", choices=sorted(CASES))
    parser.add_argument("--threads", type=int, help="BLAS threads in the child (default: library default)")
    parser.add_argument("--repeat", type=int, default=1, help="run each case this many times")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        figures = CASES[args.case]()
        figures["load_average_1min"] = round(os.getloadavg()[0], 2)
        print(json.dumps(figures))
        return 0
    env = dict(os.environ)
    if args.threads is not None:
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[name] = str(args.threads)
    for name in [args.case] if args.case else list(CASES):
        for run in range(args.repeat):
            completed = subprocess.run(
                [sys.executable, __file__, "--case", name, "--child"],
                capture_output=True,
                text=True,
                check=False,
                env=env,
            )
            if completed.returncode != 0:
                print(f"{name}: failed\n{completed.stderr}")
                continue
            figures = json.loads(completed.stdout.strip().splitlines()[-1])
            threads = args.threads if args.threads is not None else "default"
            print(f"== {name} (run {run + 1}/{args.repeat}, BLAS threads: {threads})")
            for key, value in figures.items():
                print(f"  {key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Complexity benchmark: zoneops.complexity against ecomplexity 0.5.3, and at scale.

Prints figures; asserts nothing about time. Each case runs in a fresh child process so that its peak RSS
(``resource.getrusage``) is its own.

    .venv/bin/python bench/bench_complexity.py            # all three cases
    .venv/bin/python bench/bench_complexity.py --case big # one case: compare | big | panel
    .venv/bin/python bench/bench_complexity.py --case compare --threads 1 --repeat 5

``--threads`` sets the BLAS thread count of the child, for both implementations alike: through the
environment before NumPy is imported, and again with threadpoolctl when it is installed (it comes with
ecomplexity's scikit-learn); the thread count actually in effect is printed. Default: the library's (here 2).
On a shared machine OpenBLAS's spinning threads make multi-threaded timings swing by 10x or more; one thread
is steadier. Each child prints the 1-minute load average at its start and end, as a hint of interference.

compare  300 locations x 1000 products x 5 years, long format, one child process: ours
         (convention="ecomplexity", compute + output frame) and ecomplexity 0.5.3 on the same frame,
         alternately, ``--repeat`` times each; min and median of each, the speed-up of the minima and of
         the medians, and the max |difference| per output column over all repeats (the child exits with
         status 1 if any exceeds 1e-8 or the row sets differ). ecomplexity runs with
         check_logsupermodularity=False, its fastest setting; its default (True) is timed once more.
         Also the time of the one dense product both must do (see ``gemm_floor``) and the speed-up bound
         it sets.
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
from collections.abc import Callable
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


def blas_threads() -> int | None:
    """Threads of the BLAS NumPy uses, as threadpoolctl reports them (None without threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    counts = [int(pool["num_threads"]) for pool in threadpool_info() if pool.get("user_api") == "blas"]
    return max(counts) if counts else None


def max_differences(ours_frame: pd.DataFrame, reference: pd.DataFrame) -> tuple[dict[str, float], int]:
    both = ours_frame.merge(
        reference, on=["year", "loc", "prod"], suffixes=("", "_ref"), validate="one_to_one"
    )
    diffs = {
        c: float(np.abs(both[c].to_numpy(float) - both[f"{c}_ref"].to_numpy(float)).max()) for c in COLUMNS
    }
    return diffs, len(both)


def case_compare(repeat: int) -> dict[str, Any]:
    import ecomplexity  # test/bench-only dependency

    data = long_frame(1, 300, 1000, 5, 0.5)
    codes = {"time": "year", "loc": "loc", "prod": "prod", "val": "val"}

    def theirs(check: bool) -> tuple[pd.DataFrame, float]:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = ecomplexity.ecomplexity(data, codes, verbose=False, check_logsupermodularity=check)
        return out, time.perf_counter() - start

    compute_s, frame_s, ours_s, theirs_s = [], [], [], []
    worst = dict.fromkeys(COLUMNS, 0.0)
    rows_equal = True
    for _ in range(repeat):
        # Same input, alternating, so that load from other processes hits both sides alike.
        panel, seconds = ours(data, convention="ecomplexity")
        start = time.perf_counter()
        frame = panel.to_frame()
        seconds_frame = time.perf_counter() - start
        compute_s.append(seconds)
        frame_s.append(seconds_frame)
        ours_s.append(seconds + seconds_frame)
        reference, seconds_theirs = theirs(False)
        theirs_s.append(seconds_theirs)
        diffs, compared = max_differences(frame, reference)
        rows_equal &= compared == len(frame) == len(reference)
        worst = {c: max(worst[c], diffs[c]) for c in COLUMNS}
        del frame, reference
    floor = gemm_floor(panel, repeat)
    del panel
    _, seconds_default = theirs(True)
    equal = rows_equal and max(worst.values()) <= 1e-8
    return {
        "case": "compare",
        "shape": "300 x 1000 x 5 (50 % fill, long format, 750,000 rows in, 1,500,000 out)",
        "repeats": repeat,
        "blas_threads_in_effect": blas_threads(),
        "ours_total_s": spread(ours_s),
        "ours_compute_s": spread(compute_s),
        "ours_to_frame_s": spread(frame_s),
        "ecomplexity_s": spread(theirs_s),
        "speedup_of_minima": round(min(theirs_s) / min(ours_s), 1),
        "speedup_of_medians": round(float(np.median(theirs_s) / np.median(ours_s)), 1),
        "speedup_per_repeat": [round(t / o, 1) for t, o in zip(theirs_s, ours_s, strict=True)],
        "gemm_floor_s": round(floor, 3),
        "speedup_bound_by_gemm_floor": round(min(theirs_s) / floor, 1),
        "ecomplexity_default_options_s": round(seconds_default, 2),
        "equal_results": equal,
        "same_rows": rows_equal,
        "max_abs_diff_over_repeats": {c: float(f"{v:.2g}") for c, v in worst.items()},
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def gemm_floor(panel: Any, repeat: int) -> float:
    """Seconds for the one product no implementation can skip, [M; M diag(s)] @ phi, over all years.

    Density needs M @ phi and COG needs (M diag(s)) @ phi (N x P by P x P each; ecomplexity does the same two
    products, plus more). Timed alone on this run's own matrices, minimum over ``repeat`` runs: ecomplexity's
    time divided by this is the largest speed-up possible here, even if everything else took no time.
    """
    stacks = []
    for result in panel.periods:
        m64 = result.mcp.astype(np.float64)
        stacks.append((np.concatenate([m64, m64 * result.pci]), result.proximity))
    best = float("inf")
    for _ in range(max(repeat, 3)):
        start = time.perf_counter()
        for left, phi in stacks:
            _ = left @ phi
        best = min(best, time.perf_counter() - start)
    return best


def spread(seconds: list[float]) -> dict[str, float]:
    return {"min": round(min(seconds), 3), "median": round(float(np.median(seconds)), 3)}


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


CASES: dict[str, Callable[..., dict[str, Any]]] = {
    "compare": case_compare,
    "big": case_big,
    "panel": case_panel,
}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--case", choices=sorted(CASES))
    parser.add_argument("--threads", type=int, help="BLAS threads in the child (default: library default)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="repeats (compare: inside one child; others: one child each)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        load_start = round(os.getloadavg()[0], 2)
        limiter = None
        if args.threads is not None:
            try:
                from threadpoolctl import threadpool_limits
            except ImportError:
                pass  # the environment variables set by the parent already apply
            else:
                limiter = threadpool_limits(limits=args.threads, user_api="blas")
        figures = CASES[args.case](args.repeat) if args.case == "compare" else CASES[args.case]()
        del limiter  # keep the limit alive until here
        figures["load_average_1min"] = {"start": load_start, "end": round(os.getloadavg()[0], 2)}
        print(json.dumps(figures))
        return 0 if figures.get("equal_results", True) else 1
    status = 0
    env = dict(os.environ)
    if args.threads is not None:
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[name] = str(args.threads)
    for name in [args.case] if args.case else list(CASES):
        # compare repeats inside one child (ours and ecomplexity alternating); the others one child per run.
        runs = 1 if name == "compare" else args.repeat
        child = [sys.executable, __file__, "--case", name, "--child", "--repeat", str(args.repeat)]
        if args.threads is not None:
            child += ["--threads", str(args.threads)]
        for run in range(runs):
            completed = subprocess.run(
                child,
                capture_output=True,
                text=True,
                check=False,
                env=env,
            )
            try:
                figures = json.loads(completed.stdout.strip().splitlines()[-1])
            except (IndexError, ValueError):
                print(f"{name}: failed\n{completed.stderr}")
                status = 1
                continue
            threads = args.threads if args.threads is not None else "default"
            print(f"== {name} (run {run + 1}/{runs}, BLAS threads: {threads})")
            for key, value in figures.items():
                print(f"  {key}: {value}")
            if completed.returncode != 0:
                print(f"{name}: RESULTS DIFFER (exit status {completed.returncode})")
                status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())

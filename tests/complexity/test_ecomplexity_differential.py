"""convention="ecomplexity" against the PyPI package ecomplexity 0.5.3 on seeded synthetic data.

Every output column must agree to 1e-8 (absolute). k-NN density is the exception: 0.5.3 sums the unweighted
levels of the neighbours (a bug, shown below), so it is checked against the same neighbour sets, weighted.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

from zoneops.complexity import ComplexityWarning, compute

ecomplexity_module = pytest.importorskip(
    "ecomplexity", reason="ecomplexity==0.5.3 (test-only dependency) is not installed"
)

COLUMNS = ["rca", "mcp", "diversity", "ubiquity", "eci", "pci", "density", "coi", "cog"]
KEYS = ["year", "region", "sector"]
CODES = {"time": "year", "loc": "region", "prod": "sector", "val": "value"}
TOLERANCE = 1e-8


def synthetic(seed: int, n_loc: int, n_prod: int, years: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Log-normal values with location and product scale effects, about 40 % of cells empty.

    Population follows each location's total (with noise) so that every location passes RPOP somewhere.
    """
    rng = np.random.default_rng(seed)
    frames, pops = [], []
    for t in range(years):
        scale = np.outer(rng.lognormal(0, 1, n_loc), rng.lognormal(0, 1, n_prod))
        values = scale * rng.lognormal(0, 1.5, (n_loc, n_prod)) * (rng.random((n_loc, n_prod)) < 0.6)
        li, pi = np.nonzero(values)
        frames.append(
            pd.DataFrame(
                {
                    "year": 2000 + t,
                    "region": [f"r{i:03d}" for i in li],
                    "sector": pi + 100,
                    "value": values[li, pi],
                }
            )
        )
        pops.append(
            pd.DataFrame(
                {
                    "year": 2000 + t,
                    "region": [f"r{i:03d}" for i in range(n_loc)],
                    "pop": values.sum(axis=1) * rng.lognormal(0, 0.1, n_loc),
                }
            )
        )
    return pd.concat(frames, ignore_index=True), pd.concat(pops, ignore_index=True)


def ours(data: pd.DataFrame, **options: Any) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ComplexityWarning)  # nothing may be dropped in these data sets
        panel = compute(
            data=data,
            time="year",
            loc="region",
            prod="sector",
            val="value",
            convention="ecomplexity",
            **options,
        )
    return panel.to_frame()


def reference(data: pd.DataFrame, **options: Any) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out: pd.DataFrame = ecomplexity_module.ecomplexity(
            data, CODES, verbose=False, check_logsupermodularity=False, **options
        )
    return out


def max_differences(mine: pd.DataFrame, theirs: pd.DataFrame, columns: list[str]) -> dict[str, float]:
    both = mine.merge(theirs, on=KEYS, suffixes=("", "_ref"), validate="one_to_one")
    assert len(both) == len(mine) == len(theirs)
    return {
        c: float(np.abs(both[c].to_numpy(float) - both[f"{c}_ref"].to_numpy(float)).max()) for c in columns
    }


CASES = [
    ("rca", {}, {}),
    ("rca-threshold-0.8", {"threshold": 0.8}, {"rca_mcp_threshold": 0.8}),
    ("continuous", {"continuous": True}, {"continuous": True}),
    ("asymmetric", {"asymmetric": True}, {"asymmetric": True}),
    ("rpop", {"presence": "rpop"}, {"presence_test": "rpop"}),
    (
        "rpop-continuous",
        {"presence": "rpop", "continuous": True},
        {"presence_test": "rpop", "continuous": True},
    ),
]


@pytest.mark.parametrize(("name", "mine", "theirs"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize(
    ("seed", "shape"), [(7, (40, 60, 2)), (11, (120, 90, 1))], ids=["40x60x2", "120x90x1"]
)
def test_every_column_within_1e8(
    name: str, mine: dict[str, Any], theirs: dict[str, Any], seed: int, shape: tuple[int, int, int]
) -> None:
    data, pop = synthetic(seed, *shape)
    columns = COLUMNS + (["rpop"] if "presence" in mine else [])
    if "presence" in mine:
        mine = {**mine, "population": pop}
        theirs = {**theirs, "pop": pop}
    diffs = max_differences(ours(data, **mine), reference(data, **theirs), columns)
    assert max(diffs.values()) <= TOLERANCE, diffs


def test_manual_presence_within_1e8() -> None:
    data, _ = synthetic(3, 50, 70, 2)
    data = data.assign(value=(data["value"] > data["value"].median()).astype(float))
    diffs = max_differences(ours(data, presence="manual"), reference(data, presence_test="manual"), COLUMNS)
    assert max(diffs.values()) <= TOLERANCE, diffs


def test_knn_uses_the_same_neighbours_weighted() -> None:
    """Our k-NN (ecomplexity convention) = 0.5.3's neighbour sets, weighted by proximity and normalised."""
    neighbors = pytest.importorskip(
        "sklearn.neighbors", reason="scikit-learn (an ecomplexity dependency) is absent"
    )
    data, _ = synthetic(5, 60, 40, 1)
    k = 6
    mine = ours(data, continuous=True, knn=k)
    plain = reference(data, continuous=True)
    levels = plain.pivot(index="region", columns="sector", values="rca").to_numpy()
    phi = (1 + np.corrcoef(levels.T)) / 2
    _, idx = neighbors.NearestNeighbors(n_neighbors=k, metric="precomputed").fit(1 - phi).kneighbors()
    weights = np.zeros_like(phi)
    np.put_along_axis(weights, idx, np.take_along_axis(phi, idx, axis=1), axis=1)
    expected = levels @ (weights / weights.sum(axis=1, keepdims=True)).T
    got = mine.pivot(index="region", columns="sector", values="density").to_numpy()
    assert np.abs(got - expected).max() <= TOLERANCE

    # 0.5.3 itself: the unweighted, unnormalised sum of the neighbours' levels (documented difference 4).
    buggy = reference(data, continuous=True, knn=k).pivot(index="region", columns="sector", values="density")
    unweighted = np.stack([levels[:, row].sum(axis=1) for row in idx], axis=1)
    np.testing.assert_allclose(buggy.to_numpy(), unweighted, rtol=1e-12)

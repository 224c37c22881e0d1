"""convention="stata" against the Stata ``ecomplexity``/``genproximity`` ground truth (cid-harvard fixtures).

Tolerances are the fixtures README's: M, diversity, ubiquity exact; RCA, RPOP, ECI, PCI rtol 1e-5; density,
COI, COG rtol 1e-4. Stata stored the input values as float32; fed the same rounded values, we also agree to
1e-9, which is checked separately.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pytest

from zoneops.complexity import ComplexityPanel, ComplexityWarning, compute

from .conftest import KEYS, as_float32, read_fixture

RTOL = {
    "rca": 1e-5,
    "rpop": 1e-5,
    "eci": 1e-5,
    "pci": 1e-5,
    "density": 1e-4,
    "coi": 1e-4,
    "cog": 1e-4,
}
EXACT = ("mcp", "diversity", "ubiquity")


@dataclass(frozen=True)
class Case:
    fixture: str
    options: dict[str, Any] = field(default_factory=dict)
    uses_population: bool = False
    years: tuple[int, ...] = (1995, 1996)
    # Stata's k-NN cut-off hangs on the last bit of each proximity (see network.neighbour_weights); with
    # continuous proximity those bits follow the input's rounding, so density and COI are only comparable
    # on Stata's own float32-rounded input.
    last_bit_sensitive: bool = False


CASES = [
    Case("stata_ground_truth.csv"),
    Case("stata_rca_05.csv", {"threshold": 0.5}),
    Case("stata_rpop_default.csv", {"presence": "rpop"}, uses_population=True),
    Case("stata_discrete_asymmetric.csv", {"asymmetric": True}),
    Case("stata_continuous.csv", {"continuous": True}),
    Case("stata_continuous_rpop.csv", {"presence": "rpop", "continuous": True}, uses_population=True),
    Case("stata_knn_5.csv", {"knn": 5}),
    Case("stata_knn_10.csv", {"knn": 10}),
    Case("stata_knn_20.csv", {"knn": 20}),
    Case("stata_rca_rpop_combined.csv", {"presence": "rca_or_rpop"}, uses_population=True),
    Case("stata_continuous_knn_10.csv", {"continuous": True, "knn": 10}, last_bit_sensitive=True),
    Case("stata_single_year_1995.csv", years=(1995,)),
]


def run(
    trade: pd.DataFrame,
    population: pd.DataFrame | None,
    *,
    years: tuple[int, ...],
    float32: bool,
    **options: Any,
) -> ComplexityPanel:
    data = trade[trade["year"].isin(years)]
    pop = population
    if float32:
        data = as_float32(data, "export_val")
        pop = None if pop is None else as_float32(pop, "population")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComplexityWarning)
        return compute(
            data=data,
            time="year",
            loc="origin",
            prod="hs92",
            val="export_val",
            population=pop,
            pop="population",
            **options,
        )


def merged(panel: ComplexityPanel, expected: pd.DataFrame) -> pd.DataFrame:
    ours = panel.to_frame()
    expected = expected.rename(columns={"M": "mcp"})
    both = expected.merge(ours, on=KEYS, how="left", suffixes=("_stata", ""), validate="one_to_one")
    assert both["eci"].notna().all(), "a fixture row has no counterpart in our output"
    return both


def assert_columns(both: pd.DataFrame, *, tight: bool) -> None:
    for column in EXACT:
        if f"{column}_stata" in both:
            np.testing.assert_array_equal(both[column], both[f"{column}_stata"], err_msg=column)
    for column, rtol in RTOL.items():
        if f"{column}_stata" not in both or both[f"{column}_stata"].isna().all():
            continue
        np.testing.assert_allclose(
            both[column],
            both[f"{column}_stata"],
            rtol=1e-9 if tight else rtol,
            atol=1e-12,
            err_msg=column,
        )


@pytest.mark.parametrize("float32", [False, True], ids=["float64-input", "stata-float32-input"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.fixture.removesuffix(".csv"))
def test_matches_stata(case: Case, float32: bool, trade: pd.DataFrame, population: pd.DataFrame) -> None:
    panel = run(
        trade,
        population if case.uses_population else None,
        years=case.years,
        float32=float32,
        **case.options,
    )
    both = merged(panel, read_fixture(case.fixture))
    if case.last_bit_sensitive and not float32:
        both = both.drop(columns=["density_stata", "coi_stata"])
    assert_columns(both, tight=float32)


def test_rpop_drops_the_location_without_population(trade: pd.DataFrame, population: pd.DataFrame) -> None:
    """blx has no population row: Stata drops it before computing, and so do we (with a record)."""
    panel = run(trade, population, years=(1995, 1996), float32=False, presence="rpop")
    dropped = {(r.time, r.label, r.reason) for r in panel.dropped}
    assert dropped == {
        (1995, "blx", "population is missing or not positive"),
        (1996, "blx", "population is missing or not positive"),
    }
    assert "blx" not in set(read_fixture("stata_rpop_default.csv")["origin"])


def test_manual_presence(trade: pd.DataFrame) -> None:
    """``ecomplexity binary_presence, ... bi``: M supplied, computed here from float32 RCA > 1."""
    expected = read_fixture("stata_manual_mcp.csv")
    rows = []
    for year, group in as_float32(trade, "export_val").groupby("year"):
        table = group.pivot(index="origin", columns="hs92", values="export_val")
        x = table.to_numpy()
        rca = (x / x.sum(axis=1, keepdims=True)) / (x.sum(axis=0, keepdims=True) / x.sum())
        long = pd.DataFrame((rca > 1).astype(int), index=table.index, columns=table.columns).stack()
        rows.append(long.rename("mcp").reset_index().assign(year=year))
    supplied = pd.concat(rows, ignore_index=True)
    check = expected.merge(supplied, on=KEYS)
    np.testing.assert_array_equal(check["binary_presence"], check["mcp"])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComplexityWarning)
        panel = compute(data=supplied, time="year", loc="origin", prod="hs92", val="mcp", presence="manual")
    both = merged(panel, expected.rename(columns={"binary_presence": "M"}))
    assert_columns(both, tight=False)
    assert_columns(both.drop(columns=["rca"]), tight=True)


def test_rca_threshold_2_zero_diversity(trade: pd.DataFrame) -> None:
    """RCA > 2 leaves locations with no product and products with no location.

    Stata reports their diversity/ubiquity (0) but no ECI/PCI/density for the whole year; we drop them with
    a record and compute the rest. M, RCA, diversity and ubiquity are checked on every fixture row.
    """
    expected = read_fixture("stata_rca_2.csv")
    assert expected["eci"].isna().all()
    panel = run(trade, None, years=(1995, 1996), float32=False, threshold=2.0)
    result = panel.period(1995)
    dropped = {(r.kind, r.label): r.reason for r in result.dropped}
    assert dropped[("location", "deu")] == "zero diversity: no product passes RCA > 2"
    assert dropped[("product", 1905)] == "zero ubiquity: no location passes RCA > 2"

    rows = expected[expected["year"] == 1995]
    for _, row in rows.iterrows():
        loc, prod = row["origin"], row["hs92"]
        if ("location", loc) in dropped:
            assert row["diversity"] == 0
            continue
        i = result.location_index(loc)
        assert result.diversity[i] == row["diversity"]
        if ("product", prod) in dropped:
            assert row["ubiquity"] == 0
            assert row["M"] == 0
            continue
        j = int(np.flatnonzero(result.products == prod)[0])
        assert result.ubiquity[j] == row["ubiquity"]
        assert result.mcp[i, j] == bool(row["M"])
        assert result.rca[i, j] == pytest.approx(row["rca"], rel=1e-5)


def test_rpop_threshold_2_density_survives_the_drop(trade: pd.DataFrame, population: pd.DataFrame) -> None:
    """RPOP > 2: Stata keeps density (no ECI). Dropping zero-diversity rows leaves the kept densities intact."""
    expected = read_fixture("stata_rpop_2.csv")
    panel = run(trade, population, years=(1995,), float32=False, presence="rpop", threshold=2.0)
    assert {r.label for r in panel.dropped if r.reason.startswith("zero diversity")} >= {"deu", "esp"}
    both = merged(panel, expected)
    assert_columns(both.drop(columns=["eci_stata", "pci_stata", "coi_stata", "cog_stata"]), tight=False)


@pytest.mark.parametrize(
    ("fixture", "options", "float32"),
    [
        ("stata_proximity_discrete_sym.csv", {}, False),
        ("stata_proximity_discrete_asym.csv", {"asymmetric": True}, False),
        ("stata_proximity_continuous.csv", {"continuous": True}, True),
    ],
)
def test_genproximity(fixture: str, options: dict[str, Any], float32: bool, trade: pd.DataFrame) -> None:
    """``genproximity`` output: the first block of each file is 1995 (the files carry no year column)."""
    expected = read_fixture(fixture)
    result = run(trade, None, years=(1995,), float32=float32, **options).period(1995)
    index = {p: k for k, p in enumerate(result.products)}
    ours = result.proximity[[index[p] for p in expected["hs92_1"]], [index[p] for p in expected["hs92_2"]]]
    np.testing.assert_allclose(ours, expected["proximity"], rtol=1e-5, atol=1e-12)


def test_stata_standardisation_is_sample_sd_over_stacked_rows(trade: pd.DataFrame) -> None:
    result = run(trade, None, years=(1995,), float32=False).period(1995)
    n_loc, n_prod = result.mcp.shape
    stacked = np.repeat(result.eci, n_prod)
    assert stacked.mean() == pytest.approx(0.0, abs=1e-12)
    assert stacked.std(ddof=1) == pytest.approx(1.0, rel=1e-12)
    # ECI_c is the mean PCI of what c makes, the property PCI's standardisation is chosen to keep.
    np.testing.assert_allclose(result.eci, (result.mcp @ result.pci) / result.diversity, rtol=1e-10)
    assert n_loc == 10

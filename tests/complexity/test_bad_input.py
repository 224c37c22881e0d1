"""Every refusal and every drop, with its exact message."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from zoneops.complexity import ComplexityInputError, ComplexityWarning, DropRecord, compute, compute_matrix

KEYS = {"time": "year", "loc": "region", "prod": "sector", "val": "value"}
# A staircase: each location adds the next product, so the location-product network is connected.
MATRIX = [
    [10.0, 1.0, 1.0, 1.0],
    [9.0, 10.0, 1.0, 1.0],
    [1.0, 9.0, 10.0, 1.0],
    [1.0, 1.0, 9.0, 10.0],
]


def frame(matrix: list[list[float]] = MATRIX, year: int = 2000) -> pd.DataFrame:
    rows = [
        {"year": year, "region": region, "sector": sector, "value": value}
        for region, row in zip("abcd", matrix, strict=False)
        for sector, value in zip((1, 2, 3, 4), row, strict=True)
    ]
    return pd.DataFrame(rows)


def run(data: pd.DataFrame, **options: object) -> object:
    return compute(data=data, **KEYS, **options)  # type: ignore[arg-type]


def refused(message: str) -> pytest.RaisesExc[ComplexityInputError]:
    return pytest.raises(ComplexityInputError, match=f"^{re.escape(message)}$")


def test_missing_column() -> None:
    with refused("data is missing column 'value' (columns: 'year', 'region', 'sector')"):
        run(frame().drop(columns="value"))


def test_missing_population_column() -> None:
    pop = pd.DataFrame({"year": [2000], "region": ["a"], "people": [1.0]})
    with refused("population is missing column 'pop' (columns: 'year', 'region', 'people')"):
        run(frame(), presence="rpop", population=pop)


def test_negative_value() -> None:
    data = frame()
    data.loc[5, "value"] = -3.0
    with refused("column 'value' has a negative value -3.0 at year=2000, region='b', sector=2"):
        run(data)


def test_missing_value() -> None:
    data = frame()
    data.loc[2, "value"] = np.nan
    with refused("column 'value' has a missing or non-numeric value nan at year=2000, region='a', sector=3"):
        run(data)


def test_non_numeric_value() -> None:
    data = frame().astype({"value": object})
    data.loc[0, "value"] = "n/a"
    with refused(
        "column 'value' has a missing or non-numeric value 'n/a' at year=2000, region='a', sector=1"
    ):
        run(data)


def test_missing_key() -> None:
    data = frame()
    data.loc[3, "region"] = None
    with refused("column 'region' has a missing value (row 3)"):
        run(data)


def test_duplicate_row() -> None:
    data = pd.concat([frame(), frame().iloc[[6]]], ignore_index=True)
    with refused("more than one row for year=2000, region='b', sector=3"):
        run(data)


def test_no_rows() -> None:
    with refused("data has no rows"):
        run(frame().iloc[:0])


def test_empty_year_raises_on_request() -> None:
    data = pd.concat([frame(), frame(year=2001).assign(value=0.0)], ignore_index=True)
    with refused("period 2001 is empty: no positive value in column 'value'"):
        run(data, on_empty="raise")


def test_empty_year_is_dropped_with_a_record() -> None:
    data = pd.concat([frame(), frame(year=2001).assign(value=0.0)], ignore_index=True)
    with pytest.warns(ComplexityWarning, match=r"^dropped time 2001: no positive value in column 'value'$"):
        panel = run(data)
    assert panel.times == (2000,)  # type: ignore[attr-defined]
    assert panel.dropped == (  # type: ignore[attr-defined]
        DropRecord(time=2001, kind="time", label=2001, reason="no positive value in column 'value'"),
    )


def test_every_year_empty() -> None:
    with (
        refused("no period has a positive value in column 'value'"),
        pytest.warns(ComplexityWarning),
    ):
        run(frame().assign(value=0.0))


def test_location_without_activity_raises_on_request() -> None:
    data = pd.concat(
        [frame(), pd.DataFrame({"year": [2000], "region": ["e"], "sector": [1], "value": [0.0]})]
    )
    with refused("period 2000: location 'e': no activity (all values are zero)"):
        run(data, on_empty="raise")


def test_location_without_activity_is_dropped_with_a_record() -> None:
    data = pd.concat(
        [frame(), pd.DataFrame({"year": [2000], "region": ["e"], "sector": [1], "value": [0.0]})]
    )
    message = "dropped location 'e' in period 2000: no activity (all values are zero)"
    with pytest.warns(ComplexityWarning, match=f"^{re.escape(message)}$"):
        panel = run(data)
    result = panel.period(2000)  # type: ignore[attr-defined]
    assert list(result.locations) == ["a", "b", "c", "d"]
    assert result.dropped == (DropRecord(2000, "location", "e", "no activity (all values are zero)"),)
    assert result.dropped[0].describe() == message
    assert np.isfinite(result.eci).all()


def test_product_without_activity_is_dropped() -> None:
    data = pd.concat(
        [frame(), pd.DataFrame({"year": [2000], "region": ["a"], "sector": [9], "value": [0.0]})]
    )
    with pytest.warns(ComplexityWarning, match="dropped product 9 in period 2000: no activity"):
        result = run(data).period(2000)  # type: ignore[attr-defined]
    assert list(result.products) == [1, 2, 3, 4]


def test_zero_diversity_after_presence_raises_on_request() -> None:
    # e's RCA is about 1 everywhere, below the 1.5 threshold; every other location keeps a product.
    extra = pd.DataFrame({"year": 2000, "region": "e", "sector": [1, 2, 3, 4], "value": [2.0, 2.0, 2.0, 1.3]})
    with refused("period 2000: location 'e': zero diversity: no product passes RCA > 1.5"):
        run(pd.concat([frame(), extra]), threshold=1.5, on_empty="raise")


def test_rpop_without_population() -> None:
    with refused("presence='rpop' needs a population frame (year, region, pop)"):
        run(frame(), presence="rpop")


def test_population_duplicate() -> None:
    pop = pd.DataFrame({"year": [2000, 2000], "region": ["a", "a"], "pop": [1.0, 2.0]})
    with refused("population has more than one row for year=2000, region='a'"):
        run(frame(), presence="rpop", population=pop)


def test_population_missing_for_a_location_is_dropped_or_refused() -> None:
    pop = pd.DataFrame({"year": [2000] * 3, "region": ["a", "b", "c"], "pop": [1.0, 2.0, 3.0]})
    with refused("period 2000: location 'd': population is missing or not positive"):
        run(frame(), presence="rpop", population=pop, on_empty="raise")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComplexityWarning)
        result = run(frame(), presence="rpop", population=pop).period(2000)  # type: ignore[attr-defined]
    assert result.dropped[0] == DropRecord(2000, "location", "d", "population is missing or not positive")


def test_manual_presence_needs_binary_values() -> None:
    with refused("period 2000: presence='manual' needs 0/1 values; got 10.0 for location 'a', product 1"):
        run(frame(), presence="manual")


def test_knn_out_of_range() -> None:
    with refused("period 2000: knn=4 but only 4 products remain (knn must be < products)"):
        run(frame(), knn=4)
    with refused("knn must be a positive integer, got 0"):
        run(frame(), knn=0)


def test_options_are_checked() -> None:
    with refused("convention must be one of 'stata', 'ecomplexity'; got 'r'"):
        run(frame(), convention="r")
    with refused("presence must be one of 'rca', 'rpop', 'rca_or_rpop', 'manual'; got 'both'"):
        run(frame(), presence="both")
    with refused("rule must be one of '>', '>='; got '=>'"):
        run(frame(), rule="=>")
    with refused("on_empty must be one of 'drop', 'raise'; got 'skip'"):
        run(frame(), on_empty="skip")
    with refused("asymmetric proximity is defined for discrete proximity only"):
        run(frame(), continuous=True, asymmetric=True)
    with refused("threshold must be a finite number, got nan"):
        run(frame(), threshold=float("nan"))


def test_too_few_locations() -> None:
    with refused(
        "period 2000: complexity needs at least 2 locations and 2 products with any activity; "
        "found 1 location(s) and 4 product(s)"
    ):
        run(frame(matrix=[MATRIX[0]]))


def test_matrix_api_refusals() -> None:
    with refused("period None: 4 locations in the matrix but 3 labels"):
        compute_matrix(values=MATRIX, locations=["a", "b", "c"], products=[1, 2, 3, 4])
    with refused("period None: duplicate products label 2"):
        compute_matrix(values=MATRIX, locations=list("abcd"), products=[1, 2, 2, 4])
    bad = np.array(MATRIX)
    bad[1, 2] = np.inf
    with refused("period None: value for location 'b', product 3 is missing or not finite"):
        compute_matrix(values=bad, locations=list("abcd"), products=[1, 2, 3, 4])
    bad[1, 2] = -1
    with refused("period None: negative value -1.0 for location 'b', product 3"):
        compute_matrix(values=bad, locations=list("abcd"), products=[1, 2, 3, 4])
    with refused("period None: values must be a 2-D matrix, got 1-D"):
        compute_matrix(values=[1.0, 2.0], locations=["a", "b"], products=[1])
    with refused("presence='rpop' needs a population for every location"):
        compute_matrix(values=MATRIX, locations=list("abcd"), products=[1, 2, 3, 4], presence="rpop")


def test_continuous_proximity_needs_spread() -> None:
    # Product 3 is the same share of every location's total, so its RCA column is constant.
    matrix = [[4.0, 1.0, 5.0], [1.0, 4.0, 5.0], [2.0, 2.0, 4.0]]
    with refused(
        "period None: continuous proximity is undefined for product(s) 3: their levels are identical in every "
        "location"
    ):
        compute_matrix(
            values=matrix, locations=list("abc"), products=[1, 2, 3], continuous=True, threshold=0.9
        )


def test_identical_locations_cannot_be_standardised() -> None:
    matrix = [[3.0, 1.0], [3.0, 1.0], [1.0, 3.0], [1.0, 3.0]]
    with (
        refused("period None: COI cannot be standardised: every location has the same value"),
        pytest.warns(ComplexityWarning, match="disconnected"),
    ):
        compute_matrix(values=matrix, locations=list("abcd"), products=[1, 2])

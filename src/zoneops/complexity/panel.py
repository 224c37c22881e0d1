"""Long-format adapter: (time, loc, prod, val) rows in, one sparse matrix per period, panel of results out.

pandas is used only here (and in the CLI) to read columns and to build the long output frame; every period is
computed on a ``scipy.sparse`` matrix by :func:`zoneops.complexity.core.compute_matrix`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from ._types import Convention, FloatArray, OnEmpty, Presence, Rule
from .core import ComplexityResult, compute_matrix
from .errors import ComplexityInputError, ComplexityWarning, DropRecord, plain, show

OUTPUT_COLUMNS = ("rca", "mcp", "diversity", "ubiquity", "eci", "pci", "density", "coi", "cog")


@dataclass(frozen=True, slots=True, eq=False)
class ComplexityPanel:
    """Per-period results in time order, plus every drop (including whole periods with no activity)."""

    time_column: str
    loc_column: str
    prod_column: str
    periods: tuple[ComplexityResult, ...]
    dropped: tuple[DropRecord, ...] = field(default=())

    @property
    def times(self) -> tuple[object, ...]:
        return tuple(result.time for result in self.periods)

    def period(self, time: object) -> ComplexityResult:
        for result in self.periods:
            if result.time == time:
                return result
        raise KeyError(f"period {show(time)} is not in the panel (see .dropped)")

    def frames(self) -> Iterator[pd.DataFrame]:
        """One long frame per period, rows ordered by location then product (both sorted)."""
        for result in self.periods:
            yield pd.DataFrame(_long_columns(result, self.time_column, self.loc_column, self.prod_column))

    def to_frame(self) -> pd.DataFrame:
        """One row per time x location x product: the key columns (input names), then rca, [rpop,] mcp,
        diversity, ubiquity, eci, pci, density, coi, cog."""
        parts = [_long_columns(r, self.time_column, self.loc_column, self.prod_column) for r in self.periods]
        # One concatenation per column copies each value once; concatenating frames would copy twice.
        columns = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
        return pd.DataFrame(columns, copy=False)

    def write_csv(self, path: str | Path) -> None:
        """Stream the long output to CSV period by period, so memory stays at one period's frame."""
        target = Path(path)
        for index, frame in enumerate(self.frames()):
            frame.to_csv(target, mode="w" if index == 0 else "a", header=index == 0, index=False)


def compute(
    *,
    data: pd.DataFrame,
    time: str,
    loc: str,
    prod: str,
    val: str,
    population: pd.DataFrame | None = None,
    pop: str = "pop",
    presence: Presence = "rca",
    threshold: float = 1.0,
    rpop_threshold: float | None = None,
    rule: Rule | None = None,
    convention: Convention = "stata",
    continuous: bool = False,
    asymmetric: bool = False,
    knn: int | None = None,
    on_empty: OnEmpty = "drop",
) -> ComplexityPanel:
    """Complexity for every period of a long-format frame (one row per time, location, product).

    ``population`` (for RPOP) is a frame with the same ``time`` and ``loc`` column names and a ``pop`` column.
    Rows are grouped by period with one sort of integer codes; there is no Python loop over rows.
    Bad input raises :class:`ComplexityInputError` naming the column, period, location or product.
    """
    _require_columns(data, (time, loc, prod, val), "data")
    if not len(data):
        raise ComplexityInputError("data has no rows")
    for name in (time, loc, prod):
        if data[name].isna().any():
            first = int(np.flatnonzero(data[name].isna().to_numpy())[0])
            raise ComplexityInputError(f"column {show(name)} has a missing value (row {first})")
    keys = (time, loc, prod)
    values = _numeric(data[val], val, data, keys)
    negative = values < 0
    if negative.any():
        i = int(np.flatnonzero(negative)[0])
        raise ComplexityInputError(
            f"column {show(val)} has a negative value {show(values[i])} at {_where(data, i, keys)}"
        )

    t_codes, t_labels = pd.factorize(data[time], sort=True)
    l_codes, l_labels = pd.factorize(data[loc], sort=True)
    p_codes, p_labels = pd.factorize(data[prod], sort=True)
    loc_array = np.asarray(l_labels)
    prod_array = np.asarray(p_labels)

    pop_table: FloatArray | None = None
    if population is not None:
        pop_table = _population_table(population, time, loc, pop, pd.Index(t_labels), pd.Index(l_labels))
    elif presence in ("rpop", "rca_or_rpop"):
        raise ComplexityInputError(
            f"presence={show(presence)} needs a population frame ({time}, {loc}, {pop})"
        )

    order = np.argsort(t_codes, kind="stable")
    bounds = np.searchsorted(t_codes[order], np.arange(len(t_labels) + 1))
    periods: list[ComplexityResult] = []
    drops: list[DropRecord] = []
    for k, raw_label in enumerate(t_labels):
        label = plain(raw_label)
        rows = order[bounds[k] : bounds[k + 1]]
        period_values = values[rows]
        if not (period_values > 0).any():
            record = DropRecord(
                time=label, kind="time", label=label, reason=f"no positive value in column {show(val)}"
            )
            if on_empty == "raise":
                raise ComplexityInputError(
                    f"period {show(label)} is empty: no positive value in column {show(val)}"
                )
            warnings.warn(ComplexityWarning(record.describe()), stacklevel=2)
            drops.append(record)
            continue
        loc_idx, loc_pos = np.unique(l_codes[rows], return_inverse=True)
        prod_idx, prod_pos = np.unique(p_codes[rows], return_inverse=True)
        shape = (int(loc_idx.size), int(prod_idx.size))
        matrix = sp.coo_array((period_values, (loc_pos, prod_pos)), shape=shape).tocsr()
        if matrix.nnz < rows.size:
            _raise_duplicate(data, rows, l_codes, p_codes, (time, loc, prod))
        period_pop = None if pop_table is None else pop_table[k, loc_idx]
        result = compute_matrix(
            values=matrix,
            locations=loc_array[loc_idx],
            products=prod_array[prod_idx],
            time=label,
            presence=presence,
            threshold=threshold,
            rpop_threshold=rpop_threshold,
            rule=rule,
            population=period_pop,
            convention=convention,
            continuous=continuous,
            asymmetric=asymmetric,
            knn=knn,
            on_empty=on_empty,
        )
        periods.append(result)
        drops.extend(result.dropped)
    if not periods:
        raise ComplexityInputError(f"no period has a positive value in column {show(val)}")
    return ComplexityPanel(
        time_column=time, loc_column=loc, prod_column=prod, periods=tuple(periods), dropped=tuple(drops)
    )


def _long_columns(result: ComplexityResult, time: str, loc: str, prod: str) -> dict[str, npt.NDArray[Any]]:
    n_loc, n_prod = result.mcp.shape
    columns: dict[str, npt.NDArray[Any]] = {
        time: np.full(n_loc * n_prod, result.time),
        loc: np.repeat(result.locations, n_prod),
        prod: np.tile(result.products, n_loc),
        "rca": result.rca.ravel(),
    }
    if result.rpop is not None:
        columns["rpop"] = result.rpop.ravel()
    columns.update(
        mcp=result.mcp.ravel().astype(np.int8),
        diversity=np.repeat(result.diversity, n_prod),
        ubiquity=np.tile(result.ubiquity, n_loc),
        eci=np.repeat(result.eci, n_prod),
        pci=np.tile(result.pci, n_loc),
        density=result.density.ravel(),
        coi=np.repeat(result.coi, n_prod),
        cog=result.cog.ravel(),
    )
    return columns


def _require_columns(frame: pd.DataFrame, names: tuple[str, ...], what: str) -> None:
    missing = [name for name in names if name not in frame.columns]
    if missing:
        have = ", ".join(map(repr, frame.columns))
        raise ComplexityInputError(f"{what} is missing column {show(missing[0])} (columns: {have})")


def _numeric(column: pd.Series[Any], name: str, data: pd.DataFrame, keys: tuple[str, str, str]) -> FloatArray:
    converted = pd.to_numeric(column, errors="coerce")
    bad = converted.isna().to_numpy() | ~np.isfinite(converted.to_numpy(dtype=np.float64, na_value=np.nan))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ComplexityInputError(
            f"column {show(name)} has a missing or non-numeric value {show(column.iloc[i])} at "
            f"{_where(data, i, keys)}"
        )
    return converted.to_numpy(dtype=np.float64)


def _population_table(
    population: pd.DataFrame, time: str, loc: str, pop: str, times: pd.Index[Any], locs: pd.Index[Any]
) -> FloatArray:
    """Population as a (period x location) array aligned on the data's codes; NaN where not given."""
    _require_columns(population, (time, loc, pop), "population")
    keys = population[[time, loc]]
    if keys.duplicated().any():
        first = keys[keys.duplicated()].iloc[0]
        raise ComplexityInputError(
            f"population has more than one row for {time}={show(first[time])}, {loc}={show(first[loc])}"
        )
    values = _numeric(population[pop], pop, population, (time, loc, loc))
    t_idx = times.get_indexer(pd.Index(population[time]))
    l_idx = locs.get_indexer(pd.Index(population[loc]))
    table = np.full((len(times), len(locs)), np.nan)
    known = (t_idx >= 0) & (l_idx >= 0)
    table[t_idx[known], l_idx[known]] = values[known]
    return table


def _raise_duplicate(
    data: pd.DataFrame,
    rows: npt.NDArray[np.intp],
    l_codes: npt.NDArray[np.intp],
    p_codes: npt.NDArray[np.intp],
    keys: tuple[str, str, str],
) -> None:
    pair = l_codes[rows].astype(np.int64) * (int(p_codes.max()) + 1) + p_codes[rows]
    _, first, counts = np.unique(pair, return_index=True, return_counts=True)
    i = int(rows[first[np.flatnonzero(counts > 1)[0]]])
    raise ComplexityInputError(f"more than one row for {_where(data, i, keys)}")


def _where(data: pd.DataFrame, row: int, keys: tuple[str, ...]) -> str:
    return ", ".join(f"{key}={show(data[key].iloc[row])}" for key in keys)

"""Long-format adapter: (time, loc, prod, val) rows in, one dense matrix per period, panel of results out.

pandas is used only here (and in the CLI) to read columns and to build the long output frame. The whole
column is checked once; each period's rows are scattered into a dense matrix (every step from RCA on is
dense anyway) and computed by :func:`zoneops.complexity.core.compute_period`, the engine behind
:func:`~zoneops.complexity.core.compute_matrix`, without re-checking what was already checked.
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

from ._types import Convention, FloatArray, OnEmpty, Presence, Rule
from .core import ComplexityResult, compute_period
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
    # The input's key labels as factorised (dtype kept, e.g. pandas ``str``) and each period's position in
    # the time labels: the output frame takes its key columns from these by integer code, which is much
    # cheaper than letting pandas re-infer a dtype from 1.5 M repeated Python objects.
    key_labels: tuple[pd.Index[Any], pd.Index[Any], pd.Index[Any]] | None = field(default=None, repr=False)
    time_codes: tuple[int, ...] = field(default=(), repr=False)

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
        for index in range(len(self.periods)):
            yield pd.DataFrame(self._long_columns(slice(index, index + 1)), copy=False)

    def to_frame(self) -> pd.DataFrame:
        """One row per time x location x product: the key columns (input names), then rca, [rpop,] mcp,
        diversity, ubiquity, eci, pci, density, coi, cog."""
        return pd.DataFrame(self._long_columns(slice(None)), copy=False)

    def _long_columns(self, which: slice) -> dict[str, Any]:
        """Output columns of some periods, each allocated once at full length and filled period by period
        (by broadcasting, so no per-period temporaries and no concatenation copy)."""
        periods = self.periods[which]
        sizes = [result.mcp.size for result in periods]
        total = sum(sizes)
        with_rpop = periods[0].rpop is not None
        labels = self.key_labels or _fallback_labels(self.periods)
        time_codes = self.time_codes or tuple(range(len(self.periods)))
        # Keys with a NumPy dtype are filled with the labels themselves; others (pandas ``str``, categorical,
        # ...) with integer codes, turned into labels by one ``take`` at the end.
        direct = [isinstance(index.dtype, np.dtype) for index in labels]
        sources = [
            np.asarray(index) if plain else np.arange(len(index))
            for index, plain in zip(labels, direct, strict=True)
        ]
        keys = [np.empty(total, dtype=source.dtype) for source in sources]
        numeric: dict[str, npt.NDArray[Any]] = {"rca": np.empty(total)}
        if with_rpop:
            numeric["rpop"] = np.empty(total)
        numeric.update(
            mcp=np.empty(total, dtype=np.int8),
            diversity=np.empty(total, dtype=np.int64),
            ubiquity=np.empty(total, dtype=np.int64),
            eci=np.empty(total),
            pci=np.empty(total),
            density=np.empty(total),
            coi=np.empty(total),
            cog=np.empty(total),
        )
        start = 0
        for result, size, time_code in zip(periods, sizes, time_codes[which], strict=True):
            shape = result.mcp.shape
            rows = slice(start, start + size)
            loc_codes = labels[1].get_indexer(pd.Index(result.locations))
            prod_codes = labels[2].get_indexer(pd.Index(result.products))
            # Broadcasting assignment into a (locations x products) view of each column: per-location values
            # go down, per-product values go across, so nothing is repeated or tiled into a temporary.
            keys[0][rows] = sources[0][time_code]
            keys[1][rows].reshape(shape)[:] = sources[1][loc_codes][:, None]
            keys[2][rows].reshape(shape)[:] = sources[2][prod_codes][None, :]
            values: dict[str, npt.NDArray[Any] | float] = {
                "rca": result.rca,
                "rpop": np.nan if result.rpop is None else result.rpop,
                "mcp": result.mcp,
                "diversity": result.diversity[:, None],
                "ubiquity": result.ubiquity[None, :],
                "eci": result.eci[:, None],
                "pci": result.pci[None, :],
                "density": result.density,
                "coi": result.coi[:, None],
                "cog": result.cog,
            }
            for name, column in numeric.items():
                column[rows].reshape(shape)[:] = values[name]
            start += size
        names = (self.time_column, self.loc_column, self.prod_column)
        columns: dict[str, Any] = {
            name: key if plain else index.array.take(key)
            for name, key, index, plain in zip(names, keys, labels, direct, strict=True)
        }
        columns.update(numeric)
        return columns

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

    groups = _PeriodRows(t_codes, len(t_labels))
    periods: list[ComplexityResult] = []
    drops: list[DropRecord] = []
    time_codes: list[int] = []
    for k, raw_label in enumerate(t_labels):
        label = plain(raw_label)
        rows = groups.rows(k)
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
        loc_idx, loc_pos = _compact(l_codes[rows], len(l_labels))
        prod_idx, prod_pos = _compact(p_codes[rows], len(p_labels))
        shape = (int(loc_idx.size), int(prod_idx.size))
        # Scatter straight into the dense matrix every later step needs (RCA and all that follows are dense).
        cell = loc_pos * shape[1] + prod_pos
        seen = np.zeros(shape[0] * shape[1], dtype=np.bool_)
        seen[cell] = True
        if np.count_nonzero(seen) < cell.size:
            _raise_duplicate(data, groups.indices(k), l_codes, p_codes, (time, loc, prod))
        del seen
        matrix = np.zeros(shape[0] * shape[1])
        matrix[cell] = period_values
        del cell, period_values
        period_pop = None if pop_table is None else pop_table[k, loc_idx]
        result = compute_period(
            values=matrix.reshape(shape),
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
            trusted=True,
            stacklevel=3,
        )
        del matrix
        periods.append(result)
        time_codes.append(k)
        drops.extend(result.dropped)
    if not periods:
        raise ComplexityInputError(f"no period has a positive value in column {show(val)}")
    return ComplexityPanel(
        time_column=time,
        loc_column=loc,
        prod_column=prod,
        periods=tuple(periods),
        dropped=tuple(drops),
        key_labels=(pd.Index(t_labels), pd.Index(l_labels), pd.Index(p_labels)),
        time_codes=tuple(time_codes),
    )


class _PeriodRows:
    """Row positions of each period, from the period codes, without a general sort.

    Long tables usually arrive sorted by period, and then every period is a slice (no copy, no gather).
    Otherwise one stable argsort of the codes in the narrowest integer type, which NumPy runs as a radix
    sort, groups them; within a period the input order is kept, so error messages name the first bad row.
    """

    def __init__(self, codes: npt.NDArray[np.intp], n_periods: int) -> None:
        counts = np.bincount(codes, minlength=n_periods)
        self.bounds = np.concatenate(([0], np.cumsum(counts)))
        self.order: npt.NDArray[np.intp] | None = None
        if codes.size > 1 and bool((codes[1:] < codes[:-1]).any()):
            narrow = codes.astype(np.min_scalar_type(max(n_periods - 1, 0)))
            self.order = np.argsort(narrow, kind="stable")

    def rows(self, k: int) -> slice | npt.NDArray[np.intp]:
        start, stop = int(self.bounds[k]), int(self.bounds[k + 1])
        return slice(start, stop) if self.order is None else self.order[start:stop]

    def indices(self, k: int) -> npt.NDArray[np.intp]:
        rows = self.rows(k)
        return np.arange(rows.start, rows.stop) if isinstance(rows, slice) else rows


def _compact(codes: npt.NDArray[np.intp], n_labels: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The sorted distinct codes present, and each code's position among them (``np.unique`` without a sort:
    codes are small integers, so a presence mask and a lookup table do it in linear time)."""
    present = np.zeros(n_labels, dtype=np.bool_)
    present[codes] = True
    distinct = np.flatnonzero(present)
    if distinct.size == n_labels:
        return distinct, codes
    position = np.empty(n_labels, dtype=np.intp)
    position[distinct] = np.arange(distinct.size)
    return distinct, position[codes]


def _fallback_labels(
    periods: tuple[ComplexityResult, ...],
) -> tuple[pd.Index[Any], pd.Index[Any], pd.Index[Any]]:
    """Key labels for a panel built without them: the periods' own labels, in order of appearance."""
    times = pd.Index([result.time for result in periods])
    locs = pd.Index(np.concatenate([result.locations for result in periods])).unique()
    prods = pd.Index(np.concatenate([result.products for result in periods])).unique()
    return times, locs, prods


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

"""Revealed advantage (RCA, RPOP) and the binary presence matrix M."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._types import BoolArray, FloatArray, Rule


def totals(values: FloatArray | sp.csr_array) -> tuple[FloatArray, FloatArray, float]:
    """Row totals, column totals and grand total (float64)."""
    rows = np.asarray(values.sum(axis=1), dtype=np.float64).ravel()
    cols = np.asarray(values.sum(axis=0), dtype=np.float64).ravel()
    return rows, cols, float(cols.sum())


def balassa_rca(values: FloatArray | sp.csr_array, *, in_place: bool = False) -> FloatArray:
    """RCA[c,p] = (x_cp / x_c) / (x_p / x): share of p in c's basket over p's world share.

    The operation order follows both reference implementations, so agreement is to the last bit or two.
    The result is dense, whatever the input, because every downstream step is. ``in_place=True`` overwrites
    a dense float64 ``values`` (the long-format adapter's own scratch matrix) instead of copying it.
    """
    rows, cols, total = totals(values)
    world_share = cols / total
    out = values.toarray() if isinstance(values, sp.csr_array) else values if in_place else values.copy()
    out /= rows[:, None]
    out /= world_share[None, :]
    return out


def rpop(values: FloatArray | sp.csr_array, population: FloatArray) -> FloatArray:
    """RPOP[c,p] = (x_cp / x_p) / (pop_c / pop): c's share of world output of p over its population share."""
    _, cols, _ = totals(values)
    pop_share = population / population.sum()
    out = values.toarray() if isinstance(values, sp.csr_array) else values.copy()
    out /= cols[None, :]
    out /= pop_share[:, None]
    return out


def present(levels: FloatArray, threshold: float, rule: Rule) -> BoolArray:
    """M = levels > threshold (Stata) or levels >= threshold (ecomplexity)."""
    result: BoolArray = levels > threshold if rule == ">" else levels >= threshold
    return result

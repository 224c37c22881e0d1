"""Input-output linkages: Leontief and Ghosh models, multipliers, Rasmussen-Hirschman indices, key sectors.

With Z[i,j] the flow from sector i to sector j and x the output vector:

* technical coefficients A = Z diag(x)^-1 (column j divided by x_j); Leontief inverse L = (I - A)^-1;
* allocation (Ghosh) coefficients B = diag(x)^-1 Z (row i divided by x_i); Ghosh inverse G = (I - B)^-1;
* output multiplier of j = sum_i L[i,j] (total output needed per unit of final demand for j);
* backward linkage BL_j = colsum_j(L) / mean(colsum(L)) (Rasmussen's power of dispersion);
* forward linkage FL_i = rowsum_i(G) / mean(rowsum(G)) (supply-driven, the modern reading), or with
  ``forward="leontief"`` Rasmussen's original rowsum_i(L) / mean(rowsum(L)) (sensitivity of dispersion);
* key sector: BL > 1 and FL > 1; "backward-oriented": BL > 1 only; "forward-oriented": FL > 1 only; "weak".

Zero-output sectors: a sector with x_j = 0 must have no inputs and no sales (otherwise the table is
inconsistent and we raise). Its A column and B row are zero, so L and G keep a unit diagonal entry for it and
its multiplier is 1. It is excluded from the index normalisation (it would drag the averages towards 1), its
linkage indices are reported as 0.0 and its class as ``"inactive"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import numpy.typing as npt

from ._types import BoolArray, FloatArray, LabelArray
from .errors import ComplexityInputError, show

Forward = Literal["ghosh", "leontief"]
KEY, BACKWARD, FORWARD, WEAK, INACTIVE = "key", "backward-oriented", "forward-oriented", "weak", "inactive"


@dataclass(frozen=True, slots=True, eq=False)
class InputOutputResult:
    """Coefficients, inverses and per-sector indicators, all aligned on ``sectors``."""

    sectors: LabelArray
    output: FloatArray
    technical_coefficients: FloatArray
    leontief_inverse: FloatArray
    allocation_coefficients: FloatArray
    ghosh_inverse: FloatArray
    output_multiplier: FloatArray
    backward_linkage: FloatArray
    forward_linkage: FloatArray
    key_sector: LabelArray
    active: BoolArray
    forward_basis: Forward


def linkages(
    *,
    flows: npt.ArrayLike,
    output: npt.ArrayLike,
    sectors: Sequence[Any] | npt.ArrayLike | None = None,
    forward: Forward = "ghosh",
) -> InputOutputResult:
    """Leontief/Ghosh analysis of a square inter-industry flow matrix and its output vector."""
    if forward not in get_args(Forward):
        raise ComplexityInputError(f"forward must be 'ghosh' or 'leontief'; got {show(forward)}")
    z = np.asarray(flows, dtype=np.float64)
    if z.ndim != 2 or z.shape[0] != z.shape[1]:
        raise ComplexityInputError(f"the flow matrix must be square; got shape {z.shape}")
    n = z.shape[0]
    if n == 0:
        raise ComplexityInputError("the flow matrix is empty")
    labels = np.arange(n) if sectors is None else np.asarray(sectors)
    if labels.shape != (n,):
        raise ComplexityInputError(f"{n} sectors in the flow matrix but {labels.size} sector labels")
    x = np.asarray(output, dtype=np.float64).ravel()
    if x.shape != (n,):
        raise ComplexityInputError(f"{n} sectors in the flow matrix but {x.size} output values")

    bad = ~np.isfinite(z)
    if bad.any():
        i, j = (int(v[0]) for v in np.nonzero(bad))
        raise ComplexityInputError(
            f"flow from {show(labels[i])} to {show(labels[j])} is missing or not finite"
        )
    negative = z < 0
    if negative.any():
        i, j = (int(v[0]) for v in np.nonzero(negative))
        raise ComplexityInputError(
            f"negative flow {show(z[i, j])} from {show(labels[i])} to {show(labels[j])}"
        )
    bad_x = ~np.isfinite(x) | (x < 0)
    if bad_x.any():
        i = int(np.flatnonzero(bad_x)[0])
        raise ComplexityInputError(
            f"output of sector {show(labels[i])} must be finite and >= 0; got {show(x[i])}"
        )

    active = x > 0
    for idle in np.flatnonzero(~active):
        if z[:, idle].any() or z[idle, :].any():
            raise ComplexityInputError(
                f"sector {show(labels[idle])} has zero output but records inputs or sales in the flow matrix"
            )
    if not active.any():
        raise ComplexityInputError("every sector has zero output")

    inverse_x = np.divide(1.0, x, out=np.zeros_like(x), where=active)
    a = z * inverse_x[None, :]
    b = z * inverse_x[:, None]
    identity = np.eye(n)
    l_inv = _inverse(identity - a, "I - A (Leontief)")
    g_inv = _inverse(identity - b, "I - B (Ghosh)")

    multiplier = l_inv.sum(axis=0)
    backward = _index(multiplier, active)
    forward_sums = g_inv.sum(axis=1) if forward == "ghosh" else l_inv.sum(axis=1)
    forward_index = _index(forward_sums, active)
    classes = np.where(
        backward > 1.0,
        np.where(forward_index > 1.0, KEY, BACKWARD),
        np.where(forward_index > 1.0, FORWARD, WEAK),
    ).astype(object)
    classes[~active] = INACTIVE

    result = InputOutputResult(
        sectors=labels,
        output=x,
        technical_coefficients=a,
        leontief_inverse=l_inv,
        allocation_coefficients=b,
        ghosh_inverse=g_inv,
        output_multiplier=multiplier,
        backward_linkage=backward,
        forward_linkage=forward_index,
        key_sector=classes,
        active=active,
        forward_basis=forward,
    )
    for array in (labels, x, a, l_inv, b, g_inv, multiplier, backward, forward_index, classes, active):
        array.setflags(write=False)
    return result


def _inverse(matrix: FloatArray, what: str) -> FloatArray:
    """Full inverse via ``solve`` against the identity (LU once, every column needed anyway)."""
    try:
        inverse: FloatArray = np.linalg.solve(matrix, np.eye(matrix.shape[0]))
    except np.linalg.LinAlgError as exc:
        raise ComplexityInputError(
            f"{what} is singular: the table has a closed, self-sustaining loop"
        ) from exc
    if not np.isfinite(inverse).all():
        raise ComplexityInputError(f"{what} is numerically singular")
    return inverse


def _index(sums: FloatArray, active: BoolArray) -> FloatArray:
    """sums / mean(sums over active sectors); 0.0 for inactive sectors."""
    out = np.zeros_like(sums)
    out[active] = sums[active] / sums[active].mean()
    return out

"""ECI/PCI eigenvectors from the symmetric formulation, solved iteratively with ARPACK (``eigsh``)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.linalg import blas
from scipy.sparse.linalg import ArpackError, ArpackNoConvergence, LinearOperator, eigsh

from ._types import BoolArray, FloatArray
from .errors import ComplexityInputError, ComplexityWarning, show

# Below this share of ones a CSR copy of B makes each Lanczos step cheaper than the dense BLAS matvec.
_SPARSE_B_DENSITY = 0.3
# lambda_2 this close to 1 means the location-product network falls apart into pieces.
_DISCONNECTED_GAP = 1e-10
# Forming the Gram matrix of the smaller side (one SYRK, n_small^2 * n_large / 2 multiply-adds) pays off when
# it costs less than the Lanczos steps it replaces, each two sparse (or dense) products with B, for the
# ~100 steps ARPACK needs at tol=0 on these spectra (measured: 85-130 on random panels, where lambda_2 and
# lambda_3 are close). Rates measured on one core: SYRK ~15 G multiply-adds/s, a CSR or dense matvec of B
# ~1 G/s, plus ~60 us of Python and ARPACK per step. At 300 x 1000 this is 3 ms against ~25 ms.
_EXPECTED_STEPS = 100
_GEMM_RATE = 15e9
_MATVEC_RATE = 1e9
_STEP_OVERHEAD_S = 60e-6


@dataclass(frozen=True, slots=True)
class Eigenvectors:
    """Raw (unstandardised) complexity vectors, sign already fixed.

    ``kc`` = M1 @ kp exactly (M1 = M / diversity), which is what lets PCI be standardised with ECI's mean and
    spread and keeps ECI_c = mean of PCI over the products c makes.
    """

    kc: FloatArray
    kp: FloatArray
    eigenvalue: float


def complexity_eigenvectors(
    mcp: BoolArray,
    m: FloatArray,
    *,
    time: object = None,
    diversity: FloatArray | None = None,
    ubiquity: FloatArray | None = None,
    gram: bool | None = None,
    stacklevel: int = 3,
) -> Eigenvectors:
    """Second eigenvector of M_pp = D_u^-1 M^T D_d^-1 M, without forming or densely diagonalising it.

    ``m`` is ``mcp`` as float64 (the caller already has it, and its row and column sums if passed);
    ``stacklevel`` points the disconnected-network warning at the public caller.

    M_pp is similar to the symmetric S = B^T B with B = D_d^-1/2 M D_u^-1/2, whose top eigenpair is known in
    closed form (eigenvalue 1, vector sqrt(ubiquity)). We deflate that pair and ask ARPACK for the largest
    remaining eigenvalue of B^T B or B B^T, whichever side is smaller; the two share their non-zero spectrum.
    That smaller-side matrix is either formed once (one SYRK; ``gram=True``) or applied as two products with
    B per Lanczos step (``gram=False``); by default whichever the cost model above says is cheaper.
    """
    if diversity is None:
        diversity = m.sum(axis=1)
    if ubiquity is None:
        ubiquity = m.sum(axis=0)
    inv_sqrt_d = 1.0 / np.sqrt(diversity)
    inv_sqrt_u = 1.0 / np.sqrt(ubiquity)
    b_dense = m * inv_sqrt_d[:, None]
    b_dense *= inv_sqrt_u[None, :]

    n_loc, n_prod = m.shape
    product_side = n_prod <= n_loc
    n, n_other = (n_prod, n_loc) if product_side else (n_loc, n_prod)
    top = np.sqrt(ubiquity if product_side else diversity)
    top /= np.linalg.norm(top)
    share = float(diversity.sum()) / m.size
    if gram is None:
        gram = _gram_is_cheaper(n, n_other, share)

    operator: FloatArray | LinearOperator
    if gram:
        # SYRK writes one triangle; B^T is a Fortran-ordered view of B, so BLAS gets it without a copy:
        # trans=0 gives B^T B (products), trans=1 gives B B^T (locations).
        upper = np.asarray(
            blas.dsyrk(1.0, b_dense.T, trans=0 if product_side else 1, lower=0), dtype=np.float64
        )
        upper = np.triu(upper)
        s_matrix = upper + np.triu(upper, 1).T
        del upper
        s_matrix -= np.outer(top, top)
        operator = s_matrix
    else:
        b: FloatArray | sp.csr_array = sp.csr_array(b_dense) if share < _SPARSE_B_DENSITY else b_dense
        bt = b.T

        def deflated(x: FloatArray) -> FloatArray:
            x = np.asarray(x, dtype=np.float64).ravel()
            y: FloatArray = np.asarray(bt @ (b @ x) if product_side else b @ (bt @ x), dtype=np.float64)
            return y - top * float(top @ x)

        operator = LinearOperator((n, n), matvec=deflated, dtype=np.float64)
    del b_dense
    # A fixed, generic start vector keeps results bit-reproducible from run to run.
    v0 = 1.0 + 0.5 * np.sin(np.arange(n, dtype=np.float64) * 2.399963229728653)
    v0 -= top * float(top @ v0)
    try:
        values, vectors = eigsh(operator, k=1, which="LA", v0=v0, tol=0.0, maxiter=max(1000, 20 * n))
    except (ArpackNoConvergence, ArpackError) as exc:
        raise ComplexityInputError(
            f"period {show(time)}: the ECI eigenproblem did not converge ({exc})"
        ) from exc
    eigenvalue = float(values[0])
    vector = np.asarray(vectors[:, 0], dtype=np.float64)
    if eigenvalue > 1.0 - _DISCONNECTED_GAP:
        warnings.warn(
            ComplexityWarning(
                f"period {show(time)}: the location-product network is disconnected (second eigenvalue "
                f"{eigenvalue:.12f}); ECI/PCI separate the components and are not unique"
            ),
            stacklevel=stacklevel,
        )

    # From a location-side vector y back to products: kp is proportional to D_u^-1 M^T D_d^-1/2 y.
    kp = vector * inv_sqrt_u if product_side else (m.T @ (vector * inv_sqrt_d)) / ubiquity
    kc: FloatArray = (m @ kp) / diversity

    sign = _orientation(kc, kp, diversity, ubiquity)
    return Eigenvectors(kc=sign * kc, kp=sign * kp, eigenvalue=eigenvalue)


def _gram_is_cheaper(n: int, n_other: int, share: float) -> bool:
    """Whether one SYRK (n x n from an n x n_other B) beats ~100 Lanczos steps with B (share = ones in M)."""
    syrk_s = n * n * n_other / 2 / _GEMM_RATE
    nnz = n * n_other * (share if share < _SPARSE_B_DENSITY else 1.0)
    steps_s = _EXPECTED_STEPS * (2 * nnz / _MATVEC_RATE + _STEP_OVERHEAD_S)
    return syrk_s < steps_s


def _orientation(kc: FloatArray, kp: FloatArray, diversity: FloatArray, ubiquity: FloatArray) -> float:
    """+1 or -1 so that ECI rises with diversity, as both reference packages do.

    When diversity is constant (the correlation is undefined) we fall back to PCI falling with ubiquity,
    then to a positive first non-zero ECI, so the sign is never left to the solver.
    """
    for x, y, want in ((diversity, kc, 1.0), (ubiquity, kp, -1.0)):
        if np.ptp(x) > 0 and np.ptp(y) > 0:
            corr = float(np.corrcoef(x, y)[0, 1])
            if np.isfinite(corr) and corr != 0.0:
                return want if corr * want > 0 else -want
    nonzero = np.flatnonzero(kc)
    return 1.0 if nonzero.size == 0 or kc[nonzero[0]] > 0 else -1.0

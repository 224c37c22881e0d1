"""ECI/PCI eigenvectors from the symmetric formulation, solved iteratively with ARPACK (``eigsh``)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import ArpackError, ArpackNoConvergence, LinearOperator, eigsh

from ._types import BoolArray, FloatArray
from .errors import ComplexityInputError, ComplexityWarning, show

# Below this share of ones a CSR copy of B makes each Lanczos step cheaper than the dense BLAS matvec.
_SPARSE_B_DENSITY = 0.3
# lambda_2 this close to 1 means the location-product network falls apart into pieces.
_DISCONNECTED_GAP = 1e-10


@dataclass(frozen=True, slots=True)
class Eigenvectors:
    """Raw (unstandardised) complexity vectors, sign already fixed.

    ``kc`` = M1 @ kp exactly (M1 = M / diversity), which is what lets PCI be standardised with ECI's mean and
    spread and keeps ECI_c = mean of PCI over the products c makes.
    """

    kc: FloatArray
    kp: FloatArray
    eigenvalue: float


def complexity_eigenvectors(mcp: BoolArray, m: FloatArray, *, time: object = None) -> Eigenvectors:
    """Second eigenvector of M_pp = D_u^-1 M^T D_d^-1 M, without forming or densely diagonalising it.

    ``m`` is ``mcp`` as float64 (the caller already has it).

    M_pp is similar to the symmetric S = B^T B with B = D_d^-1/2 M D_u^-1/2, whose top eigenpair is known in
    closed form (eigenvalue 1, vector sqrt(ubiquity)). We deflate that pair and ask ARPACK for the largest
    remaining eigenvalue of B^T B or B B^T, whichever side is smaller; the two share their non-zero spectrum.
    """
    m = mcp.astype(np.float64)
    diversity = m.sum(axis=1)
    ubiquity = m.sum(axis=0)
    inv_sqrt_d = 1.0 / np.sqrt(diversity)
    inv_sqrt_u = 1.0 / np.sqrt(ubiquity)
    b_dense = m * inv_sqrt_d[:, None]
    b_dense *= inv_sqrt_u[None, :]
    b: FloatArray | sp.csr_array = sp.csr_array(b_dense) if float(m.mean()) < _SPARSE_B_DENSITY else b_dense
    bt = b.T

    n_loc, n_prod = m.shape
    product_side = n_prod <= n_loc
    n = n_prod if product_side else n_loc
    top = np.sqrt(ubiquity if product_side else diversity)
    top /= np.linalg.norm(top)

    def gram(x: FloatArray) -> FloatArray:
        x = np.asarray(x, dtype=np.float64).ravel()
        y: FloatArray = np.asarray(bt @ (b @ x) if product_side else b @ (bt @ x), dtype=np.float64)
        return y - top * float(top @ x)

    operator = LinearOperator((n, n), matvec=gram, dtype=np.float64)
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
            stacklevel=3,
        )

    # From a location-side vector y back to products: kp is proportional to D_u^-1 M^T D_d^-1/2 y.
    kp = vector * inv_sqrt_u if product_side else (m.T @ (vector * inv_sqrt_d)) / ubiquity
    kc: FloatArray = (m @ kp) / diversity

    sign = _orientation(kc, kp, diversity, ubiquity)
    return Eigenvectors(kc=sign * kc, kp=sign * kp, eigenvalue=eigenvalue)


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

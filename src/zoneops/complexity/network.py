"""Product proximity, density (optionally k-nearest-neighbour), and the complexity outlook (COI, COG)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ._types import BoolArray, Convention, FloatArray

# Rows per block when dividing co-occurrences by ubiquities: big enough for speed, small enough that the
# temporary (block x products) never rivals the products x products result in memory.
_BLOCK_ROWS = 256


def discrete_proximity(
    m32: npt.NDArray[np.float32], ubiquity: FloatArray, *, asymmetric: bool, diagonal: float
) -> FloatArray:
    """phi[p,q] = C[p,q] / max(u_p, u_q) (symmetric) or C[p,q] / u_p (asymmetric), C = M^T M.

    ``m32`` is M as float32: the co-occurrence counts are integers, exact in single precision below 2**24
    locations, so the largest product of the whole computation runs at single-precision speed with no loss.
    min(C/u_p, C/u_q) and C/max(u_p, u_q) are the same IEEE double (division is correctly rounded and
    monotonic), so the symmetric form needs no second matrix; the division is exact, not a multiplication by
    a reciprocal, because the Stata k-NN rule below is sensitive to the last bit of phi.
    """
    co = m32.T @ m32
    n = co.shape[0]
    phi = np.empty((n, n), dtype=np.float64)
    for start in range(0, n, _BLOCK_ROWS):
        rows = slice(start, min(start + _BLOCK_ROWS, n))
        denominator = (
            ubiquity[rows, None] if asymmetric else np.maximum(ubiquity[rows, None], ubiquity[None, :])
        )
        np.divide(co[rows], denominator, out=phi[rows])
    del co
    np.fill_diagonal(phi, diagonal)
    return phi


def continuous_proximity(levels: FloatArray, *, diagonal: float) -> tuple[FloatArray, FloatArray]:
    """phi = (1 + corr) / 2 with corr the Pearson correlation between product columns of ``levels``.

    Returns ``(phi, column_sd)``; callers must reject columns with zero spread (correlation undefined).
    """
    centred = levels - levels.mean(axis=0)
    cov = centred.T @ centred
    del centred
    sd = np.sqrt(np.diag(cov).copy())
    with np.errstate(divide="ignore", invalid="ignore"):
        cov /= sd[:, None]
        cov /= sd[None, :]
    np.clip(cov, -1.0, 1.0, out=cov)
    cov += 1.0
    cov *= 0.5
    np.fill_diagonal(cov, diagonal)
    return cov, sd


def neighbour_weights(phi: FloatArray, knn: int, convention: Convention) -> FloatArray:
    """Proximity restricted, per product (row), to its k most proximate other products; zeros elsewhere.

    ``"ecomplexity"``: exactly k other products, ties at the k-th value broken towards the lower index.
    ``"stata"``: the rule of the Stata package, reproduced bit for bit: keep phi >= tau where
    tau = ((t - 1) + |t + 1|) / 2 evaluated in double precision and t is the k-th largest value of the row
    (the zero diagonal included). tau is max(t, -1) = t in exact arithmetic, but the rounding often lifts it
    one ulp above t, which drops the k-th neighbour and every product tied with it.
    """
    n = phi.shape[0]
    if convention == "stata":
        kth = np.partition(phi, n - knn, axis=1)[:, n - knn]
        tau = ((kth + -1.0) + np.abs(kth - -1.0)) / 2.0
        keep = phi >= tau[:, None]
    else:
        others = phi.copy()
        np.fill_diagonal(others, -np.inf)
        kth = np.partition(others, n - knn, axis=1)[:, n - knn]
        keep = others > kth[:, None]
        missing = knn - keep.sum(axis=1)
        tied = others == kth[:, None]
        del others
        tied &= np.cumsum(tied, axis=1) <= missing[:, None]
        keep |= tied
        del tied
    return np.where(keep, phi, 0.0)


def density_and_outlook(
    *,
    mcp: BoolArray,
    m64: FloatArray,
    levels: FloatArray,
    phi: FloatArray,
    weights: FloatArray | None,
    symmetric: bool,
    kp: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Density, the row sums of its weights, raw COI and raw COG (COG before dividing by the ECI spread).

    density[c,p] = sum_j levels[c,j] w[p,j] / sum_j w[p,j], with w = phi or the k-NN ``weights``;
    COI_c = sum_p density[c,p] (1 - M[c,p]) PCI_p;
    COG[c,p] = (1 - M[c,p]) sum_j (1 - M[c,j]) phi[j,p] s_j, with s_j = PCI_j / sum_k phi[j,k].

    The two big products share their right-hand side phi when it is symmetric and unrestricted, so they
    run as one GEMM on the stacked [levels; M diag(s)]; (1 - M) @ A is s^T phi - (M diag(s)) @ phi.
    Products whose weights sum to zero get density 0 (Stata's ``editmissing`` in the k-NN case), and rows
    of phi summing to zero add nothing to COG; the caller records both because the ratio is 0/0 there.
    """
    n_loc = mcp.shape[0]
    phi_sums = phi.sum(axis=1)
    scale = np.divide(kp, phi_sums, out=np.zeros_like(kp), where=phi_sums > 0)
    m_scaled = m64 * scale[None, :]
    if weights is None and symmetric:
        both = np.concatenate([levels, m_scaled]) @ phi
        numerator, cog = both[:n_loc], both[n_loc:]
        weight_sums = phi_sums
    else:
        w = phi if weights is None else weights
        numerator = levels @ w.T
        cog = m_scaled @ phi
        weight_sums = w.sum(axis=1)
    del m_scaled
    safe = np.where(weight_sums > 0, weight_sums, 1.0)
    # In place: the numerator is not needed afterwards, and a fresh N x P array costs page faults.
    dens: FloatArray = np.divide(numerator, safe[None, :], out=numerator)
    if (weight_sums <= 0).any():
        dens[:, weight_sums <= 0] = 0.0
    absent = ~mcp
    coi_raw: FloatArray = (dens * absent) @ kp
    np.subtract((scale @ phi)[None, :], cog, out=cog)
    cog[mcp] = 0.0  # assignment, not multiplication: no -0.0 for products already present
    return dens, weight_sums, coi_raw, np.ascontiguousarray(cog)

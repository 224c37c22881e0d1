r"""Economic complexity and input-output linkages in pure NumPy/SciPy (no Django; pandas only at the edges).

Economic complexity (one period)
--------------------------------
Let X be the location x product matrix of values x_cp (exports, output, employment), with row totals x_c,
column totals x_p and grand total x. Locations and products whose total is zero are left out (recorded).

* RCA (Balassa):    RCA_cp  = (x_cp / x_c) / (x_p / x)
* RPOP (per capita): RPOP_cp = (x_cp / x_p) / (pop_c / pop), pop = sum of the locations' population
* Presence:          M_cp = 1 if RCA_cp (or RPOP_cp) passes the threshold T (``>`` or ``>=``); or M given.
* Diversity d_c = sum_p M_cp, ubiquity u_p = sum_c M_cp.

ECI and PCI come from the eigenproblem M_pp kp = lambda kp with M_pp = D_u^-1 M^T D_d^-1 M (the method of
reflections at its fixed point). M_pp is similar to the symmetric positive semi-definite S = B^T B with
B = D_d^-1/2 M D_u^-1/2; S's top eigenpair is lambda = 1 with eigenvector sqrt(u) (the trivial, constant
kp). We deflate it and take the largest remaining eigenvector with ARPACK (``scipy.sparse.linalg.eigsh`` on
the smaller side, B B^T or B^T B, float64, tolerance 0, fixed start vector), never a dense ``eig`` of a
products x products matrix. The smaller-side matrix is formed once (one SYRK) when that is cheaper than the
~100 Lanczos steps, e.g. 300 x 300 for 300 locations x 1000 products; otherwise each step applies B twice.
Then kp = D_u^-1/2 v (from a location-side vector y, kp = D_u^-1 M^T D_d^-1/2 y up to scale),
kc = D_d^-1 M kp (so kc_c is the mean kp of c's products), with the sign chosen so that kc correlates
positively with diversity. Standardisation:

    ECI = (kc - mean(kc)) / sd(kc),   PCI = (kp - mean(kc)) / sd(kc)

PCI uses ECI's mean and spread, which keeps ECI_c = mean of PCI over the products c makes.

Proximity phi (products x products), with C = M^T M the co-occurrence counts:

* discrete, symmetric: phi_pq = min(C_pq / u_p, C_pq / u_q) (minimum conditional probability);
* discrete, asymmetric: phi_pq = C_pq / u_p = P(q | p);
* continuous: phi_pq = (1 + corr(RCA_.p, RCA_.q)) / 2 (Pearson over locations; RPOP with RPOP presence).

Density of product p around location c, with weights W (= phi, or phi cut to each product's k nearest
products): density_cp = sum_j L_cj W_pj / sum_j W_pj, where the levels L are M (discrete) or RCA/RPOP
(continuous). Distance = 1 - density. Complexity outlook (PCI raw, before standardisation):

    COI_c  = sum_p density_cp (1 - M_cp) kp_p                                   (then standardised)
    COG_cp = (1 - M_cp) sum_j (1 - M_cj) phi_jp kp_j / sum_k phi_jk             (then / sd(kc))

Two conventions (argument ``convention``)
-----------------------------------------
``"stata"`` (default) reproduces the cid-harvard Stata package ``ecomplexity`` (its ecomplexity.ado,
proxdiscrete/proxcontinous.ado, calculate_density.ado, ecipci.ado, coicog.ado); ``"ecomplexity"``
reproduces the PyPI package ``ecomplexity`` 0.5.3. Every difference we found, and what we do:

1. Presence rule: Stata M = RCA > T; ecomplexity M = RCA >= T. (``rule`` overrides either.)
2. Proximity diagonal: Stata subtracts the identity (phi_pp = 0, a product is not its own neighbour);
   ecomplexity keeps phi_pp = C_pp/u_p = 1 (discrete) or (1 + 1)/2 = 1 (continuous), so its density includes
   the location's own M_cp and its COG includes the j = p term.
3. Standard deviation: Stata standardises with ``summarize`` over its long data set, where each location's
   kc (and COI) appears once per product: the mean is the same, the sd is the sample sd (ddof=1) over N*P
   rows, i.e. sd_pop * sqrt(N P / (N P - 1)). ecomplexity uses ``np.std`` over locations (ddof=0). This
   affects ECI, PCI, COI and COG (divided by sd(kc)).
4. k-nearest-neighbour density. Stata: for each product p, t = k-th largest phi_p. (the zero diagonal
   included), tau = ((t - 1) + |t + 1|) / 2 in double precision, keep phi_pj >= tau, weight by phi,
   normalise per product, density 0 if nothing is kept. tau = max(t, -1) = t exactly, but the rounding often
   lifts tau one ulp above t, dropping the k-th neighbour and all its ties; we reproduce that bit for bit
   (it is needed to match the Stata fixtures). ecomplexity 0.5.3: scikit-learn ``NearestNeighbors`` on 1 - phi
   picks exactly k other products, but the code then sums their *unweighted* levels without normalising (the
   weighted sum is computed and discarded), a bug. Our ``"ecomplexity"`` convention keeps its neighbour set
   (exactly k other products; ties at the k-th value go to the lower index) and weights it by proximity and
   normalises, as intended. knn is therefore the one option not bit-compatible with ecomplexity 0.5.3.
5. Missing population (RPOP). Stata drops the location before anything is computed (so world product totals
   exclude it). ecomplexity 0.5.3 keeps its exports in the totals, gets NaN RPOP, coerces it to M = 0, and the
   NaN later spreads to every ECI/PCI of the year. Both conventions here drop the location (recorded).
6. Zero diversity or ubiquity after the presence test (e.g. RCA > 2). Stata returns missing ECI/PCI/COI/COG
   for the whole period (density is still computed); ecomplexity 0.5.3 returns NaN for ECI, PCI, and (with a
   zero-ubiquity product) density, COI and COG. Both conventions here drop those locations/products, record
   them, and compute the rest; with discrete proximity the kept densities equal Stata's. With continuous
   proximity, dropped products no longer contribute to the kept products' density.
7. Locations/products with zero total, or absent population: both references drop them silently; we drop
   with a ``ComplexityWarning`` and a ``DropRecord`` (or raise with ``on_empty="raise"``). ecomplexity coerces
   NaN values to 0 and keeps the first of duplicate rows; we raise ``ComplexityInputError`` for both.
8. Presence from RCA or RPOP together: Stata's ``rca() rpop()`` is a union (M = 1 if either passes);
   ecomplexity's ``presence_test="both"`` (proximity only) adds the two 0/1 matrices, giving M = 2. We offer
   the union as ``presence="rca_or_rpop"``.
9. Supplied presence (``"manual"``): ecomplexity reports the supplied matrix in its ``rca`` column and, with
   continuous proximity, correlates the supplied matrix and weighs density by M; Stata (``bi``) has no RCA.
   We follow ecomplexity in both conventions (values must be 0/1).
10. Sign of the eigenvector: both use sign(corr(diversity, kc)). When that correlation is zero or undefined
    Stata's ``2*(corr > 0) - 1`` picks -1 (or +1 for missing) and ecomplexity's ``np.sign`` gives 0/NaN; we
    fall back to PCI falling with ubiquity, then to a positive first ECI.
11. Eigen solver: Stata ``eigensystem`` and ecomplexity ``np.linalg.eig`` on the non-symmetric M_pp; we use
    the symmetric similar matrix and ARPACK. The eigenvector is the same up to scale, and every output is
    invariant to that scale (ECI/PCI/COI are standardised, COG is divided by sd(kc)).
12. Input precision: Stata's ``import delimited`` stores values as float32, so its RCA is that of rounded
    values (relative differences around 1e-8 against float64 input); we compute in float64 throughout.
13. Outputs: Stata reports ``rca`` only when ``rca()`` is given and ``rpop`` with ``rpop()``; ecomplexity
    reports both ``rca`` and ``rpop`` under RPOP presence. We always report ``rca`` and add ``rpop`` when a
    population is given. Density orientation is the same in both (row p of phi, normalised by its row sum;
    older Stata releases used columns, which only matters for asymmetric proximity).

Input-output
------------
See :mod:`zoneops.complexity.inputoutput` (technical coefficients, Leontief and Ghosh inverses, output
multipliers, Rasmussen-Hirschman backward/forward linkages, key-sector classes, zero-output sectors).

Public API
----------
``compute_matrix`` (one period, dense or sparse matrix) -> ``ComplexityResult`` (``.location(label)`` ->
``LocationProfile``); ``compute`` (long-format pandas frame, all periods) -> ``ComplexityPanel``;
``linkages`` -> ``InputOutputResult``; errors ``ComplexityInputError``, warnings ``ComplexityWarning``,
drop records ``DropRecord``; CLI functions in :mod:`zoneops.complexity.cli`.
"""

from typing import TYPE_CHECKING

from .core import ComplexityResult, LocationProfile, compute_matrix
from .errors import ComplexityInputError, ComplexityWarning, DropRecord
from .inputoutput import InputOutputResult, linkages

if TYPE_CHECKING:
    from .panel import ComplexityPanel, compute


def __getattr__(name: str) -> object:
    # The long-format adapter is the only module that needs pandas; import it (and pandas) on first use.
    if name in ("ComplexityPanel", "compute"):
        from . import panel

        return getattr(panel, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ComplexityInputError",
    "ComplexityPanel",
    "ComplexityResult",
    "ComplexityWarning",
    "DropRecord",
    "InputOutputResult",
    "LocationProfile",
    "compute",
    "compute_matrix",
    "linkages",
]

"""One period: from a location x product value matrix to every complexity output."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAliasType, get_args

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from . import network, spectral
from ._types import (
    BoolArray,
    Convention,
    FloatArray,
    IntArray,
    LabelArray,
    OnEmpty,
    Presence,
    Rule,
)
from .errors import ComplexityInputError, ComplexityWarning, DropRecord, plain, show
from .presence import balassa_rca, present, rpop, totals

MatrixInput = npt.ArrayLike | sp.sparray | sp.spmatrix

DEFAULT_RULE: dict[Convention, Rule] = {"stata": ">", "ecomplexity": ">="}
# Stata subtracts the identity from every proximity matrix; ecomplexity leaves C_pp/u_p = 1 (or corr = 1).
PROXIMITY_DIAGONAL: dict[Convention, float] = {"stata": 0.0, "ecomplexity": 1.0}


@dataclass(frozen=True, slots=True, eq=False)
class LocationProfile:
    """Everything a single location (e.g. one zone) needs from one period, aligned on ``products``."""

    time: object
    location: object
    products: LabelArray
    rca: FloatArray
    mcp: BoolArray
    density: FloatArray
    distance: FloatArray
    pci: FloatArray
    cog: FloatArray
    eci: float
    coi: float
    diversity: int


@dataclass(frozen=True, slots=True, eq=False)
class ComplexityResult:
    """All outputs of one period. Matrices are (locations x products); arrays are read-only.

    ``rca`` is Balassa's RCA (for ``presence="manual"`` it echoes the supplied matrix, as ecomplexity does);
    ``rpop`` is set when a population was given. ``proximity`` carries the convention's diagonal.
    Locations and products left out (no activity, no population, nothing passing the presence test) are
    absent from the label arrays and listed in ``dropped``; ``notes`` lists documented substitutions.
    """

    time: object
    locations: LabelArray
    products: LabelArray
    convention: Convention
    presence: Presence
    rca: FloatArray
    rpop: FloatArray | None
    mcp: BoolArray
    diversity: IntArray
    ubiquity: IntArray
    eci: FloatArray
    pci: FloatArray
    proximity: FloatArray
    density: FloatArray
    coi: FloatArray
    cog: FloatArray
    dropped: tuple[DropRecord, ...] = field(default=())
    notes: tuple[str, ...] = field(default=())

    @property
    def distance(self) -> FloatArray:
        """1 - density, the usual 'distance' of a location to a product."""
        out: FloatArray = 1.0 - self.density
        return out

    def location_index(self, label: object) -> int:
        hits = np.flatnonzero(self.locations == label)
        if hits.size == 0:
            raise KeyError(f"location {show(label)} is not in period {show(self.time)} (see .dropped)")
        return int(hits[0])

    def location(self, label: object) -> LocationProfile:
        """The row of one location: RCA, presence, density, distance, PCI, COG per product; ECI and COI."""
        i = self.location_index(label)
        return LocationProfile(
            time=self.time,
            location=self.locations[i],
            products=self.products,
            rca=self.rca[i],
            mcp=self.mcp[i],
            density=self.density[i],
            distance=1.0 - self.density[i],
            pci=self.pci,
            cog=self.cog[i],
            eci=float(self.eci[i]),
            coi=float(self.coi[i]),
            diversity=int(self.diversity[i]),
        )


def compute_matrix(
    *,
    values: MatrixInput,
    locations: Sequence[Any] | npt.ArrayLike,
    products: Sequence[Any] | npt.ArrayLike,
    time: object = None,
    presence: Presence = "rca",
    threshold: float = 1.0,
    rpop_threshold: float | None = None,
    rule: Rule | None = None,
    population: npt.ArrayLike | None = None,
    convention: Convention = "stata",
    continuous: bool = False,
    asymmetric: bool = False,
    knn: int | None = None,
    on_empty: OnEmpty = "drop",
) -> ComplexityResult:
    """Complexity outputs for one period of a location x product matrix (dense or ``scipy.sparse``).

    ``presence``: ``"rca"`` (M from Balassa RCA), ``"rpop"`` (M from RPOP, needs ``population``, one value per
    location), ``"rca_or_rpop"`` (union, thresholds ``threshold`` and ``rpop_threshold``), or ``"manual"``
    (``values`` is the 0/1 presence matrix). ``rule`` defaults to the convention's (``">"`` for Stata,
    ``">="`` for ecomplexity). ``continuous`` switches to Pearson proximity on RCA (or RPOP); ``asymmetric``
    to the conditional-probability proximity; ``knn`` restricts density to each product's k nearest products.
    ``on_empty="raise"`` turns every drop into a ``ComplexityInputError``.
    """
    return compute_period(
        values=values,
        locations=locations,
        products=products,
        time=time,
        presence=presence,
        threshold=threshold,
        rpop_threshold=rpop_threshold,
        rule=rule,
        population=population,
        convention=convention,
        continuous=continuous,
        asymmetric=asymmetric,
        knn=knn,
        on_empty=on_empty,
        trusted=False,
        stacklevel=3,
    )


def compute_period(
    *,
    values: MatrixInput,
    locations: Sequence[Any] | npt.ArrayLike,
    products: Sequence[Any] | npt.ArrayLike,
    time: object,
    presence: Presence,
    threshold: float,
    rpop_threshold: float | None,
    rule: Rule | None,
    population: npt.ArrayLike | None,
    convention: Convention,
    continuous: bool,
    asymmetric: bool,
    knn: int | None,
    on_empty: OnEmpty,
    trusted: bool,
    stacklevel: int,
) -> ComplexityResult:
    """:func:`compute_matrix`, for the long-format adapter too (not public).

    ``trusted=True`` says ``values`` is a float64 ndarray the callee may overwrite, already checked finite and
    non-negative, with unique labels: the panel has checked its whole column at once, and re-checking every
    period would cost as much as the RCA. ``stacklevel`` points warnings at the public caller.
    """
    time = plain(time)
    _check_choice("convention", convention, Convention)
    _check_choice("presence", presence, Presence)
    _check_choice("on_empty", on_empty, OnEmpty)
    if rule is not None:
        _check_choice("rule", rule, Rule)
    effective_rule: Rule = DEFAULT_RULE[convention] if rule is None else rule
    if not np.isfinite(threshold):
        raise ComplexityInputError(f"threshold must be a finite number, got {show(threshold)}")
    if continuous and asymmetric:
        raise ComplexityInputError("asymmetric proximity is defined for discrete proximity only")
    if knn is not None and (isinstance(knn, bool) or not isinstance(knn, int | np.integer) or knn < 1):
        raise ComplexityInputError(f"knn must be a positive integer, got {show(knn)}")

    matrix: FloatArray | sp.csr_array
    if trusted:
        assert isinstance(values, np.ndarray)
        matrix = values
        loc_labels, prod_labels = np.asarray(locations), np.asarray(products)
    else:
        matrix = _as_matrix(values, time)
        loc_labels = _labels(locations, "locations", matrix.shape[0], time)
        prod_labels = _labels(products, "products", matrix.shape[1], time)
        _check_values(matrix, loc_labels, prod_labels, time)
    if presence == "manual":
        _check_binary(matrix, loc_labels, prod_labels, time)

    needs_pop = presence in ("rpop", "rca_or_rpop")
    pop: FloatArray | None = None
    if needs_pop:
        if population is None:
            raise ComplexityInputError(f"presence={show(presence)} needs a population for every location")
        pop = np.asarray(population, dtype=np.float64).ravel()
        if pop.shape[0] != matrix.shape[0]:
            raise ComplexityInputError(
                f"population has {pop.shape[0]} values but there are {matrix.shape[0]} locations"
            )

    drops: list[DropRecord] = []
    notes: list[str] = []

    def drop(kind: str, mask: BoolArray, labels: LabelArray, reason: str) -> None:
        for label in labels[mask]:
            record = DropRecord(
                time=time,
                kind="location" if kind == "location" else "product",
                label=plain(label),
                reason=reason,
            )
            if on_empty == "raise":
                raise ComplexityInputError(_raise_message(record))
            drops.append(record)

    # Order matters and follows Stata: population first (it changes product totals), then empty rows/columns.
    if pop is not None:
        bad_pop = ~(np.isfinite(pop) & (pop > 0))
        drop("location", bad_pop, loc_labels, "population is missing or not positive")
        matrix, loc_labels, pop = _keep_rows(matrix, ~bad_pop, loc_labels, pop)
    row_totals, col_totals, _ = totals(matrix)
    empty_rows = row_totals <= 0
    drop("location", empty_rows, loc_labels, "no activity (all values are zero)")
    matrix, loc_labels, pop = _keep_rows(matrix, ~empty_rows, loc_labels, pop)
    empty_cols = col_totals <= 0
    drop("product", empty_cols, prod_labels, "no activity (all values are zero)")
    matrix, prod_labels = _keep_cols(matrix, ~empty_cols, prod_labels)
    _require_size(matrix.shape, time, "with any activity")

    rpop_matrix: FloatArray | None = None
    if presence == "manual":
        rca = _dense(matrix)
        mcp = rca > 0.5
    else:
        # RPOP below still needs the raw values, so only overwrite them when there is no population.
        rca = balassa_rca(matrix, in_place=trusted and pop is None)
        if pop is not None:
            rpop_matrix = rpop(matrix, pop)
        if presence == "rca":
            mcp = present(rca, threshold, effective_rule)
        elif presence == "rpop":
            assert rpop_matrix is not None
            mcp = present(rpop_matrix, threshold, effective_rule)
        else:
            assert rpop_matrix is not None
            second = threshold if rpop_threshold is None else rpop_threshold
            mcp = present(rca, threshold, effective_rule) | present(rpop_matrix, second, effective_rule)
    del matrix

    test = _describe_test(presence, threshold, rpop_threshold, effective_rule)
    diversity = np.count_nonzero(mcp, axis=1).astype(np.int64)
    ubiquity = np.count_nonzero(mcp, axis=0).astype(np.int64)
    no_diversity = diversity == 0
    drop("location", no_diversity, loc_labels, f"zero diversity: no product passes {test}")
    no_ubiquity = ubiquity == 0
    drop("product", no_ubiquity, prod_labels, f"zero ubiquity: no location passes {test}")
    keep_rows, keep_cols = ~no_diversity, ~no_ubiquity
    if not (keep_rows.all() and keep_cols.all()):
        mcp = mcp[np.ix_(keep_rows, keep_cols)]
        rca = rca[np.ix_(keep_rows, keep_cols)]
        if rpop_matrix is not None:
            rpop_matrix = rpop_matrix[np.ix_(keep_rows, keep_cols)]
        loc_labels, prod_labels = loc_labels[keep_rows], prod_labels[keep_cols]
        # The dropped rows and columns hold no ones, so the kept counts do not change.
        diversity, ubiquity = diversity[keep_rows], ubiquity[keep_cols]
    _require_size(mcp.shape, time, f"passing {test}")
    if knn is not None and knn > mcp.shape[1] - 1:
        raise ComplexityInputError(
            f"period {show(time)}: knn={knn} but only {mcp.shape[1]} products remain (knn must be < products)"
        )

    m64 = mcp.astype(np.float64)
    vectors = spectral.complexity_eigenvectors(
        mcp,
        m64,
        time=time,
        diversity=diversity.astype(np.float64),
        ubiquity=ubiquity.astype(np.float64),
        stacklevel=stacklevel + 1,
    )

    diag = PROXIMITY_DIAGONAL[convention]
    if continuous:
        levels_for_prox = rpop_matrix if presence == "rpop" and rpop_matrix is not None else rca
        proximity, spread = network.continuous_proximity(levels_for_prox, diagonal=diag)
        flat = spread <= 0
        if flat.any():
            names = ", ".join(show(p) for p in prod_labels[flat][:5])
            raise ComplexityInputError(
                f"period {show(time)}: continuous proximity is undefined for product(s) {names}: "
                "their levels are identical in every location"
            )
        # ecomplexity (and Stata's `levels`) weigh continuous density by the same levels used for proximity;
        # with a supplied M there are no such levels, so density falls back to M as in ecomplexity.
        density_levels = m64 if presence == "manual" else levels_for_prox
    else:
        proximity = network.discrete_proximity(
            mcp.astype(np.float32), ubiquity.astype(np.float64), asymmetric=asymmetric, diagonal=diag
        )
        density_levels = m64

    weights = None if knn is None else network.neighbour_weights(proximity, int(knn), convention)
    dens, weight_sums, coi_raw, cog_raw = network.density_and_outlook(
        mcp=mcp,
        m64=m64,
        levels=density_levels,
        phi=proximity,
        weights=weights,
        symmetric=not asymmetric,
        kp=vectors.kp,
    )
    del weights, density_levels, m64
    if (weight_sums <= 0).any():
        names = ", ".join(show(p) for p in prod_labels[weight_sums <= 0][:5])
        notes.append(
            f"period {show(time)}: density set to 0 for product(s) {names}: no proximate product "
            "(the ratio is 0/0)"
        )

    n_prod = mcp.shape[1]
    eci_mean, eci_sd = _spread(vectors.kc, n_prod, convention, "ECI", time)
    eci = (vectors.kc - eci_mean) / eci_sd
    pci = (vectors.kp - eci_mean) / eci_sd
    cog_raw /= eci_sd
    coi_mean, coi_sd = _spread(coi_raw, n_prod, convention, "COI", time)
    coi = (coi_raw - coi_mean) / coi_sd

    if drops:
        shown = "; ".join(r.describe() for r in drops[:3])
        more = f" (and {len(drops) - 3} more)" if len(drops) > 3 else ""
        warnings.warn(ComplexityWarning(f"{shown}{more}"), stacklevel=stacklevel)
    for note in notes:
        warnings.warn(ComplexityWarning(note), stacklevel=stacklevel)

    result = ComplexityResult(
        time=time,
        locations=loc_labels,
        products=prod_labels,
        convention=convention,
        presence=presence,
        rca=rca,
        rpop=rpop_matrix,
        mcp=mcp,
        diversity=diversity,
        ubiquity=ubiquity,
        eci=eci,
        pci=pci,
        proximity=proximity,
        density=dens,
        coi=coi,
        cog=cog_raw,
        dropped=tuple(drops),
        notes=tuple(notes),
    )
    for name in (
        "locations",
        "products",
        "rca",
        "rpop",
        "mcp",
        "diversity",
        "ubiquity",
        "eci",
        "pci",
        "proximity",
        "density",
        "coi",
        "cog",
    ):
        array = getattr(result, name)
        if array is not None:
            array.setflags(write=False)
    return result


def _spread(
    values: FloatArray, n_prod: int, convention: Convention, what: str, time: object
) -> tuple[float, float]:
    """Mean and standard deviation used to standardise ECI (and PCI, COG) or COI.

    Stata standardises with ``summarize`` over its long data set, where each location's value is repeated
    once per product: the mean is unchanged and the sample sd (ddof=1) is taken over N*P rows.
    ecomplexity uses ``np.std`` over locations (ddof=0).
    """
    mean = float(values.mean())
    squares = float(((values - mean) ** 2).sum())
    if convention == "stata":
        rows = values.size * n_prod
        sd = float(np.sqrt(squares * n_prod / (rows - 1)))
    else:
        sd = float(np.sqrt(squares / values.size))
    if not np.isfinite(sd) or sd <= 0:
        raise ComplexityInputError(
            f"period {show(time)}: {what} cannot be standardised: every location has the same value"
        )
    return mean, sd


def _check_choice(name: str, value: object, alias: TypeAliasType) -> None:
    allowed = get_args(alias.__value__)
    if value not in allowed:
        raise ComplexityInputError(
            f"{name} must be one of {', '.join(map(repr, allowed))}; got {show(value)}"
        )


def _as_matrix(values: MatrixInput, time: object) -> FloatArray | sp.csr_array:
    if sp.issparse(values):
        csr = sp.csr_array(values)
        if len(csr.shape) != 2:
            raise ComplexityInputError(f"period {show(time)}: values must be a 2-D matrix")
        converted: sp.csr_array = csr.astype(np.float64)
        converted.sum_duplicates()
        return converted
    try:
        dense = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ComplexityInputError(f"period {show(time)}: values must be numeric ({exc})") from exc
    if dense.ndim != 2:
        raise ComplexityInputError(f"period {show(time)}: values must be a 2-D matrix, got {dense.ndim}-D")
    return dense


def _labels(labels: Sequence[Any] | npt.ArrayLike, what: str, size: int, time: object) -> LabelArray:
    array = np.asarray(labels)
    if array.ndim != 1 or array.shape[0] != size:
        raise ComplexityInputError(
            f"period {show(time)}: {size} {what} in the matrix but {array.size} labels"
        )
    unique, counts = np.unique(array, return_counts=True)
    if (counts > 1).any():
        raise ComplexityInputError(
            f"period {show(time)}: duplicate {what} label {show(unique[counts > 1][0])}"
        )
    return array


def _first(matrix: FloatArray | sp.csr_array, bad: BoolArray) -> tuple[float, int, int]:
    """Value, row and column of the first flagged stored entry (``bad`` is aligned on the stored values).

    Positions are only worked out on this error path, so the checks themselves stay one vectorised pass.
    """
    i = int(np.flatnonzero(bad)[0])
    if isinstance(matrix, sp.csr_array):
        row = int(np.searchsorted(matrix.indptr, i, side="right")) - 1
        return float(matrix.data[i]), row, int(matrix.indices[i])
    row, col = divmod(i, matrix.shape[1])
    return float(matrix.flat[i]), row, col


def _stored_values(matrix: FloatArray | sp.csr_array) -> FloatArray:
    """Stored values, row-major: every cell of a dense matrix (a view), the explicit entries of a CSR."""
    if isinstance(matrix, sp.csr_array):
        return matrix.data
    return np.ascontiguousarray(matrix).ravel()


def _check_values(
    matrix: FloatArray | sp.csr_array, locs: LabelArray, prods: LabelArray, time: object
) -> None:
    data = _stored_values(matrix)
    finite = np.isfinite(data)
    if not finite.all():
        _, row, col = _first(matrix, ~finite)
        raise ComplexityInputError(
            f"period {show(time)}: value for location {show(locs[row])}, "
            f"product {show(prods[col])} is missing or not finite"
        )
    negative = data < 0
    if negative.any():
        value, row, col = _first(matrix, negative)
        raise ComplexityInputError(
            f"period {show(time)}: negative value {show(value)} for location {show(locs[row])}, "
            f"product {show(prods[col])}"
        )


def _check_binary(
    matrix: FloatArray | sp.csr_array, locs: LabelArray, prods: LabelArray, time: object
) -> None:
    data = _stored_values(matrix)
    bad = (data != 0) & (data != 1)
    if bad.any():
        value, row, col = _first(matrix, bad)
        raise ComplexityInputError(
            f"period {show(time)}: presence='manual' needs 0/1 values; got {show(value)} for location "
            f"{show(locs[row])}, product {show(prods[col])}"
        )


def _keep_rows(
    matrix: FloatArray | sp.csr_array, keep: BoolArray, labels: LabelArray, pop: FloatArray | None
) -> tuple[FloatArray | sp.csr_array, LabelArray, FloatArray | None]:
    if keep.all():
        return matrix, labels, pop
    return matrix[keep], labels[keep], None if pop is None else pop[keep]


def _keep_cols(
    matrix: FloatArray | sp.csr_array, keep: BoolArray, labels: LabelArray
) -> tuple[FloatArray | sp.csr_array, LabelArray]:
    if keep.all():
        return matrix, labels
    return matrix[:, keep], labels[keep]


def _dense(matrix: FloatArray | sp.csr_array) -> FloatArray:
    if isinstance(matrix, sp.csr_array):
        return matrix.toarray()
    return np.array(matrix, dtype=np.float64)


def _require_size(shape: tuple[int, ...], time: object, what: str) -> None:
    if shape[0] < 2 or shape[1] < 2:
        raise ComplexityInputError(
            f"period {show(time)}: complexity needs at least 2 locations and 2 products {what}; "
            f"found {shape[0]} location(s) and {shape[1]} product(s)"
        )


def _describe_test(presence: Presence, threshold: float, rpop_threshold: float | None, rule: Rule) -> str:
    if presence == "manual":
        return "the supplied presence matrix"
    if presence == "rca_or_rpop":
        second = threshold if rpop_threshold is None else rpop_threshold
        return f"RCA {rule} {threshold:g} or RPOP {rule} {second:g}"
    return f"{presence.upper()} {rule} {threshold:g}"


def _raise_message(record: DropRecord) -> str:
    where = "" if record.time is None else f"period {show(record.time)}: "
    return f"{where}{record.kind} {show(record.label)}: {record.reason}"

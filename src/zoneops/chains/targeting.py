"""Which industries the zone should attract: relatedness and complexity over a peer matrix.

The zone loads a location × GB/T-class matrix of its peers (e.g. the 178 national high-tech zones'
revenue by class). For the latest year, ``zoneops.complexity`` gives each class's RCA in the zone's own
row, its density (how much of what the zone already does is related to it: feasibility), its PCI and the
zone's complexity outlook gain (COG). Market size is the class's total over all peers; market growth is
that total's change on the previous year in the dataset.

Every component becomes a percentile rank among the classes (0 to 1), so weights mean the same whatever the
measure's unit: feasibility = the density rank; attractiveness = weighted ranks of PCI, COG, market size and
growth; score = w_f · feasibility + w_a · attractiveness. Strategy presets set the weights; each weight can be
overridden per request.

Position classes, after the Metroverse's reading of a location's industries:

* ``strength`` — RCA ≥ 1 and the zone's value grew at least as fast as the market;
* ``threat`` — RCA ≥ 1 but growing slower than the market (losing share);
* ``opportunity`` — present with RCA < 1, density at or above the median class: room to grow;
* ``possible_entrant`` — absent, density at or above the median: related enough to enter;
* ``weakness`` — RCA < 1 and density below the median: little local capability to build on.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from django.http import Http404
from django.utils.translation import gettext as _

from zoneops.accounts.models import User
from zoneops.chains import selectors
from zoneops.chains.models import PeerDataset, PeerValue
from zoneops.complexity import ComplexityResult, compute_matrix
from zoneops.core.access import Perm, require_perm, zone_scope
from zoneops.core.errors import InvalidInput
from zoneops.enterprises.models import IndustryClass


@dataclass(frozen=True)
class Weights:
    feasibility: float
    attractiveness: float
    pci: float
    cog: float
    market_size: float
    market_growth: float


STRATEGIES: dict[str, Weights] = {
    # Close to what the zone already does; big, growing markets.
    "low_hanging": Weights(0.7, 0.3, 0.2, 0.1, 0.4, 0.3),
    "balanced": Weights(0.5, 0.5, 0.3, 0.25, 0.25, 0.2),
    # Further from today's capabilities, but complex and opening new related industries.
    "long_jumps": Weights(0.25, 0.75, 0.45, 0.35, 0.1, 0.1),
}
POSITIONS = ("strength", "threat", "opportunity", "possible_entrant", "weakness")


@dataclass
class RelatedStrength:
    industry: str
    name: str
    proximity: float


@dataclass
class NodeFill:
    node_id: int
    chain_id: int
    name: str
    chain: str
    gap_class: str


@dataclass
class Opportunity:
    industry: str
    name: str
    position: str
    rca: float
    present: bool
    density: float
    pci: float
    cog: float
    local_value: float
    market_size: float
    market_growth: float | None
    feasibility: float
    attractiveness: float
    score: float
    related: list[RelatedStrength] = field(default_factory=list)
    nodes: list[NodeFill] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    rank: int = 0


@dataclass
class OpportunityTable:
    dataset: PeerDataset
    year: int
    previous_year: int | None
    strategy: str
    weights: Weights
    locations: int
    eci: float
    opportunities: list[Opportunity]


def _ranks(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Percentile ranks in [0, 1] (ties share the mean rank); NaN counts as the lowest."""
    filled = np.where(np.isnan(values), -np.inf, values)
    order = filled.argsort(kind="stable")
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.arange(len(values), dtype=np.float64)
    # Mean rank for ties, so equal inputs score equally.
    _uniq, inverse, counts = np.unique(filled, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=ranks)
    ranks = sums[inverse] / counts[inverse]
    return ranks / max(len(values) - 1, 1)


@dataclass(frozen=True)
class _Matrices:
    year: int
    previous_year: int | None
    locations: list[str]
    products: list[str]
    current: npt.NDArray[np.float64]
    before: npt.NDArray[np.float64]
    result: ComplexityResult


@functools.lru_cache(maxsize=8)
def _matrices(*, dataset_id: int, version: str) -> _Matrices | None:
    """The dataset's last two years as matrices with the complexity of the last; cached per process and
    keyed by the dataset's ``updated_at``, which every reload changes."""
    years = sorted(set(PeerValue.objects.filter(dataset_id=dataset_id).values_list("year", flat=True)))
    if not years:
        return None
    year = years[-1]
    previous = years[-2] if len(years) > 1 else None
    rows = list(
        PeerValue.objects.filter(
            dataset_id=dataset_id, year__in=[y for y in (year, previous) if y is not None]
        ).values_list("year", "location", "industry_id", "value")
    )
    locations = sorted({r[1] for r in rows})
    products = sorted({r[2] for r in rows})
    loc_index = {loc: i for i, loc in enumerate(locations)}
    prod_index = {prod: j for j, prod in enumerate(products)}
    current = np.zeros((len(locations), len(products)))
    before = np.zeros_like(current)
    for row_year, location, industry, value in rows:
        target = current if row_year == year else before
        target[loc_index[location], prod_index[industry]] = value
    result = compute_matrix(values=current, locations=locations, products=products, time=year)
    return _Matrices(year, previous, locations, products, current, before, result)


def default_dataset(*, user: User) -> PeerDataset:
    dataset = PeerDataset.objects.filter(zone_scope(user)).order_by("-is_default", "-updated_at").first()
    if dataset is None:
        raise Http404
    return dataset


def weights_for(*, strategy: str, overrides: dict[str, float | None] | None = None) -> Weights:
    if strategy not in STRATEGIES:
        raise InvalidInput.single(
            "strategy", _("Choose one of: %(choices)s.") % {"choices": ", ".join(STRATEGIES)}
        )
    base = STRATEGIES[strategy]
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    for name, value in given.items():
        if value < 0 or not np.isfinite(value):
            raise InvalidInput.single(f"w_{name}", _("Enter a weight of at least 0."))
    values = {name: given.get(name, getattr(base, name)) for name in Weights.__dataclass_fields__}
    if values["feasibility"] + values["attractiveness"] <= 0:
        raise InvalidInput.single("w_feasibility", _("Feasibility and attractiveness cannot both weigh 0."))
    if values["pci"] + values["cog"] + values["market_size"] + values["market_growth"] <= 0:
        raise InvalidInput.single("w_pci", _("The attractiveness weights cannot all be 0."))
    return Weights(**values)


def opportunities(
    *,
    user: User,
    strategy: str = "balanced",
    weights: dict[str, float | None] | None = None,
    include_present: bool = False,
    dataset: PeerDataset | None = None,
) -> OpportunityTable:
    """Industries ranked for the user's zone, each explaining itself."""
    require_perm(user, Perm.CHAIN_VIEW)
    chosen = weights_for(strategy=strategy, overrides=weights)
    dataset = dataset or default_dataset(user=user)
    years = sorted(set(PeerValue.objects.filter(dataset=dataset).values_list("year", flat=True)))
    if not years:
        raise Http404
    year = years[-1]
    previous = years[-2] if len(years) > 1 else None
    rows = list(
        PeerValue.objects.filter(
            dataset=dataset, year__in=[y for y in (year, previous) if y is not None]
        ).values_list("year", "location", "industry_id", "value")
    )
    locations = sorted({r[1] for r in rows})
    products = sorted({r[2] for r in rows})
    loc_index = {loc: i for i, loc in enumerate(locations)}
    prod_index = {prod: j for j, prod in enumerate(products)}
    current = np.zeros((len(locations), len(products)))
    before = np.zeros_like(current)
    for row_year, location, industry, value in rows:
        target = current if row_year == year else before
        target[loc_index[location], prod_index[industry]] = value
    result = compute_matrix(values=current, locations=locations, products=products, time=year)
    home = dataset.home_location
    profile = result.location(home)
    kept = [str(p) for p in result.products]
    kept_cols = np.array([prod_index[p] for p in kept])
    home_row = current[loc_index[home], kept_cols]
    home_before = before[loc_index[home], kept_cols]
    market = current[:, kept_cols].sum(axis=0)
    market_before = before[:, kept_cols].sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = (
            np.where(market_before > 0, market / market_before - 1, np.nan)
            if previous
            else np.full(len(kept), np.nan)
        )
        local_growth = np.where(home_before > 0, home_row / home_before - 1, np.nan)
    feasibility = _ranks(np.asarray(profile.density, dtype=np.float64))
    attract_parts = (
        (chosen.pci, _ranks(np.asarray(result.pci, dtype=np.float64))),
        (chosen.cog, _ranks(np.asarray(profile.cog, dtype=np.float64))),
        (chosen.market_size, _ranks(np.log1p(market))),
        (chosen.market_growth, _ranks(growth)),
    )
    attract_total = sum(w for w, _r in attract_parts)
    attractiveness = np.sum([w * r for w, r in attract_parts], axis=0) / attract_total
    f_total = chosen.feasibility + chosen.attractiveness
    score = (chosen.feasibility * feasibility + chosen.attractiveness * attractiveness) / f_total
    median_density = float(np.median(profile.density))
    present_idx = np.flatnonzero(profile.mcp)
    names = dict(IndustryClass.objects.filter(code__in=kept).values_list("code", "name_zh"))
    fills = _node_fills(user=user, classes=set(kept))
    pci_rank = _ranks(np.asarray(result.pci, dtype=np.float64))
    table: list[Opportunity] = []
    for j, code in enumerate(kept):
        rca = float(profile.rca[j])
        present = bool(home_row[j] > 0)
        density = float(profile.density[j])
        if profile.mcp[j]:
            grew = local_growth[j]
            position = (
                "strength" if np.isnan(growth[j]) or (not np.isnan(grew) and grew >= growth[j]) else "threat"
            )
        elif density >= median_density:
            position = "opportunity" if present else "possible_entrant"
        else:
            position = "weakness"
        if profile.mcp[j] and not include_present:
            continue
        related_idx = present_idx[present_idx != j]
        closest = related_idx[np.argsort(-result.proximity[j, related_idx], kind="stable")[:3]]
        related = [
            RelatedStrength(kept[k], names.get(kept[k], ""), round(float(result.proximity[j, k]), 4))
            for k in closest
            if result.proximity[j, k] > 0
        ]
        opportunity = Opportunity(
            industry=code,
            name=names.get(code, ""),
            position=position,
            rca=round(rca, 4),
            present=present,
            density=round(density, 4),
            pci=round(float(result.pci[j]), 4),
            cog=round(float(profile.cog[j]), 4),
            local_value=float(home_row[j]),
            market_size=float(market[j]),
            market_growth=None if np.isnan(growth[j]) else round(float(growth[j]) * 100, 2),
            feasibility=round(float(feasibility[j]), 4),
            attractiveness=round(float(attractiveness[j]), 4),
            score=round(float(score[j]), 4),
            related=related,
            nodes=fills.get(code, []),
        )
        opportunity.reasons = _reasons(opportunity, pci_rank=float(pci_rank[j]))
        table.append(opportunity)
    table.sort(key=lambda o: (-o.score, o.industry))
    for rank, opportunity in enumerate(table, start=1):
        opportunity.rank = rank
    return OpportunityTable(
        dataset=dataset,
        year=year,
        previous_year=previous,
        strategy=strategy,
        weights=chosen,
        locations=len(result.locations),
        eci=round(profile.eci, 4),
        opportunities=table,
    )


def _node_fills(*, user: User, classes: set[str]) -> dict[str, list[NodeFill]]:
    """Per GB/T class, the zone's chain nodes it belongs to, with each node's gap class."""
    fills: dict[str, list[NodeFill]] = {}
    for chain in selectors.chain_list(user=user):
        for gap in selectors.chain_gaps(user=user, chain=chain, with_candidates=False):
            for industry in gap.node.industries.all():
                if industry.code in classes:
                    fills.setdefault(industry.code, []).append(
                        NodeFill(gap.node.pk, chain.pk, gap.node.name, chain.name, gap.gap_class)
                    )
    return fills


def _reasons(opportunity: Opportunity, *, pci_rank: float) -> list[str]:
    reasons: list[str] = []
    if opportunity.related:
        reasons.append(
            _("Feasible: related to the zone's strengths %(list)s.")
            % {"list": "、".join(f"{r.industry} {r.name} ({r.proximity:.2f})" for r in opportunity.related)}
        )
    else:
        reasons.append(_("Little related local capability: a long jump."))
    gaps = [n for n in opportunity.nodes if n.gap_class != "strong"]
    if gaps:
        reasons.append(
            _("Fills chain gaps: %(list)s.")
            % {"list": "、".join(f"{n.chain} · {n.name} ({_(n.gap_class)})" for n in gaps)}
        )
    elif opportunity.nodes:
        reasons.append(
            _("Strengthens chain nodes: %(list)s.")
            % {"list": "、".join(f"{n.chain} · {n.name}" for n in opportunity.nodes)}
        )
    reasons.append(
        _("Complexity: PCI %(pci).2f, more complex than %(share).0f%% of industries.")
        % {"pci": opportunity.pci, "share": pci_rank * 100}
    )
    if opportunity.market_growth is not None:
        reasons.append(
            _("Market: %(size).1f bn yuan across the peers, %(growth)+.1f%% on the previous year.")
            % {"size": opportunity.market_size / 1e9, "growth": opportunity.market_growth}
        )
    else:
        reasons.append(
            _("Market: %(size).1f bn yuan across the peers.") % {"size": opportunity.market_size / 1e9}
        )
    return reasons

"""Reads of the chain-investment side, already scoped to what the user may see: clusters, chains and
their maps, gap analysis, candidates, chain-master views."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from zoneops.accounts.models import User, Zone
from zoneops.chains.models import (
    Chain,
    ChainNode,
    Cluster,
    ClusterMembership,
    CompanySize,
    MembershipStatus,
    NodeMembership,
    OutsideCompany,
    PeerDataset,
    SupplyRelation,
)
from zoneops.core import clock
from zoneops.core.access import Perm, enterprise_scope, has_perm, is_enterprise_user, require_perm, zone_scope
from zoneops.enterprises.models import Enterprise
from zoneops.indicators.models import EnterprisePeriodTotal

TAX_DRIVING_THRESHOLD = Decimal(10_000_000)
_SEVERITY = {"missing": 1.0, "weak": 0.5, "strong": 0.0}
_SIZE_SCORE: dict[str, float] = {CompanySize.LARGE: 1.0, CompanySize.MEDIUM: 0.6, CompanySize.SMALL: 0.3}


def cluster_list(*, user: User) -> QuerySet[Cluster]:
    """The zone's clusters with their enterprise counts and chain masters (staff roles only)."""
    if not has_perm(user, Perm.DIRECTORY_VIEW):
        return Cluster.objects.none()
    masters = ClusterMembership.objects.filter(is_chain_master=True).select_related("enterprise")
    return (
        Cluster.objects.filter(zone_scope(user))
        .annotate(
            enterprise_count=Count("memberships", distinct=True),
            above_scale_count=Count(
                "memberships", filter=Q(memberships__enterprise__above_scale=True), distinct=True
            ),
        )
        .prefetch_related(Prefetch("memberships", queryset=masters, to_attr="master_memberships"))
        .order_by("sort_order", "code")
    )


def cluster_get(*, user: User, cluster_id: int) -> Cluster:
    cluster = cluster_list(user=user).filter(pk=cluster_id).first()
    if cluster is None:
        raise Http404
    return cluster


def chain_list(*, user: User, cluster_id: int | None = None) -> QuerySet[Chain]:
    if not has_perm(user, Perm.CHAIN_VIEW):
        return Chain.objects.none()
    chains = Chain.objects.filter(zone_scope(user))
    if cluster_id is not None:
        chains = chains.filter(cluster_id=cluster_id)
    return (
        chains.select_related("cluster", "zone")
        .prefetch_related("masters")
        .annotate(node_count=Count("nodes", distinct=True))
        .order_by("cluster__sort_order", "sort_order", "code")
    )


def chain_get(*, user: User, chain_id: int) -> Chain:
    chain = chain_list(user=user).filter(pk=chain_id).first()
    if chain is None:
        raise Http404
    return chain


def node_get(*, user: User, node_id: int) -> ChainNode:
    node = (
        ChainNode.objects.filter(pk=node_id, chain__in=chain_list(user=user).values("pk"))
        .select_related("chain", "chain__cluster")
        .first()
    )
    if node is None:
        raise Http404
    return node


def memberships(*, user: User, chain: Chain, status: str | None = None) -> QuerySet[NodeMembership]:
    require_perm(user, Perm.CHAIN_VIEW)
    rows = NodeMembership.objects.filter(node__chain=chain).select_related("enterprise", "node")
    if status is not None:
        rows = rows.filter(status=status)
    return rows.order_by("node__sort_order", "-score", "enterprise__name", "pk")


def membership_get(*, user: User, membership_id: int) -> NodeMembership:
    row = (
        NodeMembership.objects.filter(pk=membership_id, node__chain__in=chain_list(user=user).values("pk"))
        .select_related("node", "node__chain", "node__chain__zone", "enterprise")
        .first()
    )
    if row is None:
        raise Http404
    return row


# --- figures of a year -----------------------------------------------------------------------------


def closed_year(*, zone: Zone | None) -> int:
    """The zone's last full year (by the zone's clock): the default year of gap analyses and chain-master
    views."""
    return clock.today(zone=zone).year - 1


MANY_ENTERPRISES = 500


def year_totals(*, zone_id: int, indicator: str, year: int, enterprise_ids: set[int]) -> dict[int, Decimal]:
    """Each enterprise's year-to-date value at the latest month of ``year`` it reported (December for a
    closed year), read from the stored totals."""
    if not enterprise_ids:
        return {}
    of_year = EnterprisePeriodTotal.objects.filter(
        zone_id=zone_id,
        indicator_id=indicator,
        period__gte=dt.date(year, 1, 1),
        period__lte=dt.date(year, 12, 1),
    )
    december = of_year.filter(period=dt.date(year, 12, 1))
    # Most enterprises reported December: one row each rather than every month. For thousands of them (a
    # province's chain members) the zone's whole December is read and picked from: cheaper than sending
    # thousands of ids to the database.
    if len(enterprise_ids) > MANY_ENTERPRISES:
        totals = {e: ytd for e, ytd in december.values_list("enterprise_id", "ytd") if e in enterprise_ids}
    else:
        totals = dict(december.filter(enterprise_id__in=enterprise_ids).values_list("enterprise_id", "ytd"))
    rest = enterprise_ids - totals.keys()
    if rest:
        rows = (
            of_year.filter(enterprise_id__in=rest)
            .order_by("enterprise_id", "period")
            .values_list("enterprise_id", "ytd")
        )
        # Ordered by period, so the last value per enterprise is its latest YTD.
        totals.update(dict(rows))
    return totals


# --- gap analysis ----------------------------------------------------------------------------------


@dataclass
class LocalEnterprise:
    enterprise_id: int
    name: str
    above_scale: bool
    revenue: Decimal | None


@dataclass
class Candidate:
    company_id: int
    name: str
    industry: str
    size: str
    revenue: Decimal | None
    city: str
    supplies_masters: list[str]
    score: float
    reasons: list[str]


@dataclass
class NodeGap:
    node: ChainNode
    gap_class: str
    importance: float
    procurement_share: float | None
    gap_score: float
    local_enterprises: list[LocalEnterprise]
    local_revenue: Decimal
    above_scale_count: int
    suggested_count: int
    candidates: list[Candidate] = field(default_factory=list)
    rank: int = 0


def _gap_class(*, chain: Chain, count: int, revenue: Decimal) -> str:
    if count == 0:
        return "missing"
    if count < chain.weak_min_enterprises or revenue < chain.weak_min_revenue:
        return "weak"
    return "strong"


def _candidates(*, chain: Chain, nodes: list[ChainNode], master_ids: set[int]) -> dict[int, list[Candidate]]:
    """Outside companies per node, best first: a supplier of the chain's masters first (以商招商), then
    size and revenue, then whether staff placed it on the node or it only shares the node's class."""
    classes_of = {node.pk: {c.code for c in node.industries.all()} for node in nodes}
    all_classes = set().union(*classes_of.values()) if classes_of else set()
    companies = list(
        OutsideCompany.objects.filter(zone_id=chain.zone_id)
        .filter(Q(node__in=[n.pk for n in nodes]) | Q(industry_id__in=all_classes))
        .select_related("industry")
        .prefetch_related("supplies_masters")
        .order_by("name", "pk")
    )
    result: dict[int, list[Candidate]] = defaultdict(list)
    for node in nodes:
        for company in companies:
            placed = company.node_id == node.pk
            same_class = company.industry_id in classes_of[node.pk]
            if not placed and not (same_class and company.node_id is None):
                continue
            masters = [m.short_name or m.name for m in company.supplies_masters.all() if m.pk in master_ids]
            revenue_score = (
                min(1.0, math.log10(float(company.revenue) + 1) / 11) if company.revenue is not None else 0.0
            )
            score = (
                0.4 * (1.0 if masters else 0.0)
                + 0.3 * _SIZE_SCORE.get(company.size, 0.3)
                + 0.2 * revenue_score
                + 0.1 * (1.0 if placed else 0.0)
            )
            reasons: list[str] = []
            if masters:
                reasons.append(_("already supplies %(masters)s") % {"masters": "、".join(masters)})
            reasons.append(_("%(size)s company") % {"size": company.get_size_display()})
            if same_class:
                reasons.append(_("class %(code)s") % {"code": company.industry_id})
            result[node.pk].append(
                Candidate(
                    company_id=company.pk,
                    name=company.name,
                    industry=company.industry_id,
                    size=company.size,
                    revenue=company.revenue,
                    city=company.city,
                    supplies_masters=masters,
                    score=round(score, 4),
                    reasons=reasons,
                )
            )
        result[node.pk].sort(key=lambda c: (-c.score, c.name, c.company_id))
    return result


def chain_gaps(
    *, user: User, chain: Chain, year: int | None = None, with_candidates: bool = True
) -> list[NodeGap]:
    """Every node of the chain with its local enterprises, gap class and importance, most urgent first:
    missing before weak before strong, more important first within a class.

    Importance blends the staff's weight (1–5) with the chain masters' procurement at the node (the
    node's share of their purchases, scaled to the largest node), half each, when purchases are known."""
    return chains_gaps(user=user, chains=[chain], year=year, with_candidates=with_candidates)[chain.pk]


class _Member(NamedTuple):
    """What a gap reads of a node membership that is not rejected."""

    node_id: int
    enterprise_id: int
    status: str
    name: str
    above_scale: bool


def chains_gaps(
    *, user: User, chains: list[Chain], year: int | None = None, with_candidates: bool = True
) -> dict[int, list[NodeGap]]:
    """:func:`chain_gaps` for several chains of one zone at once, with the same handful of queries however
    many chains there are (the cockpit and the gap-coverage view read every chain). Without candidates
    the nodes' industry classes are not read either (only the candidates and the node panel use them)."""
    require_perm(user, Perm.CHAIN_VIEW)
    if not chains:
        return {}
    year = year if year is not None else closed_year(zone=chains[0].zone)
    chain_ids = [c.pk for c in chains]
    nodes_of: dict[int, list[ChainNode]] = defaultdict(list)
    node_rows = ChainNode.objects.filter(chain_id__in=chain_ids).order_by("sort_order", "code")
    for node in node_rows.prefetch_related("industries") if with_candidates else node_rows:
        nodes_of[node.chain_id].append(node)
    # Plain rows, not model instances: a province's chains hold thousands of memberships.
    member_rows = [
        _Member(*row)
        for row in NodeMembership.objects.filter(node__chain_id__in=chain_ids)
        .exclude(status=MembershipStatus.REJECTED)
        .order_by("enterprise__name", "enterprise_id")
        .values_list("node_id", "enterprise_id", "status", "enterprise__name", "enterprise__above_scale")
    ]
    chain_of_node = {node.pk: chain_id for chain_id, nodes in nodes_of.items() for node in nodes}
    members_of: dict[int, list[_Member]] = defaultdict(list)
    for m in member_rows:
        members_of[chain_of_node[m.node_id]].append(m)
    revenue = year_totals(
        zone_id=chains[0].zone_id,
        indicator="revenue",
        year=year,
        enterprise_ids={m.enterprise_id for m in member_rows if m.status == MembershipStatus.CONFIRMED},
    )
    masters_of: dict[int, set[int]] = defaultdict(set)
    for chain_id, enterprise_id in Chain.masters.through.objects.filter(chain_id__in=chain_ids).values_list(
        "chain_id", "enterprise_id"
    ):
        masters_of[chain_id].add(enterprise_id)
    # Purchases by node and customer; each chain counts its own masters' only.
    purchases_of: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for node_id, customer_id, total in (
        SupplyRelation.objects.filter(node__chain_id__in=chain_ids, year=year)
        .values_list("node_id", "customer_id")
        .annotate(total=Sum("amount"))
        .values_list("node_id", "customer_id", "total")
    ):
        chain_id = chain_of_node[node_id]
        if customer_id in masters_of[chain_id]:
            bought = purchases_of[chain_id]
            bought[node_id] = bought.get(node_id, Decimal(0)) + total
    return {
        chain.pk: _gaps_of_chain(
            chain=chain,
            nodes=nodes_of[chain.pk],
            member_rows=members_of[chain.pk],
            revenue=revenue,
            purchases=purchases_of[chain.pk],
            candidates=(
                _candidates(chain=chain, nodes=nodes_of[chain.pk], master_ids=masters_of[chain.pk])
                if with_candidates
                else {}
            ),
        )
        for chain in chains
    }


def _gaps_of_chain(
    *,
    chain: Chain,
    nodes: list[ChainNode],
    member_rows: list[_Member],
    revenue: dict[int, Decimal],
    purchases: dict[int, Decimal],
    candidates: dict[int, list[Candidate]],
) -> list[NodeGap]:
    # Grouped by node once: a province's chain holds hundreds of members over dozens of nodes.
    confirmed_on: dict[int, list[_Member]] = defaultdict(list)
    suggested_on: dict[int, int] = defaultdict(int)
    for m in member_rows:
        if m.status == MembershipStatus.CONFIRMED:
            confirmed_on[m.node_id].append(m)
        elif m.status == MembershipStatus.SUGGESTED:
            suggested_on[m.node_id] += 1
    total_purchases = sum(purchases.values(), Decimal(0))
    top_purchase = max(purchases.values(), default=Decimal(0))
    gaps: list[NodeGap] = []
    for node in nodes:
        locals_ = [
            LocalEnterprise(
                enterprise_id=m.enterprise_id,
                name=m.name,
                above_scale=m.above_scale,
                revenue=revenue.get(m.enterprise_id),
            )
            for m in confirmed_on[node.pk]
        ]
        locals_.sort(key=lambda e: (-(e.revenue or 0), e.name))
        local_revenue = sum((e.revenue or Decimal(0) for e in locals_), Decimal(0))
        gap_class = _gap_class(chain=chain, count=len(locals_), revenue=local_revenue)
        weight = node.importance / 5
        share: float | None = None
        if top_purchase > 0:
            bought = purchases.get(node.pk, Decimal(0))
            share = float(bought / total_purchases)
            importance = 0.5 * weight + 0.5 * float(bought / top_purchase)
        else:
            importance = weight
        gaps.append(
            NodeGap(
                node=node,
                gap_class=gap_class,
                importance=round(importance, 4),
                procurement_share=round(share, 4) if share is not None else None,
                gap_score=round(_SEVERITY[gap_class] * importance, 4),
                local_enterprises=locals_,
                local_revenue=local_revenue,
                above_scale_count=sum(1 for e in locals_ if e.above_scale),
                suggested_count=suggested_on[node.pk],
                candidates=candidates.get(node.pk, []),
            )
        )
    gaps.sort(key=lambda g: (-_SEVERITY[g.gap_class], -g.importance, g.node.sort_order, g.node.code))
    for rank, gap in enumerate(gaps, start=1):
        gap.rank = rank
    return gaps


def node_gap(*, user: User, node: ChainNode, year: int | None = None) -> NodeGap:
    return next(g for g in chain_gaps(user=user, chain=node.chain, year=year) if g.node.pk == node.pk)


# --- chain masters ----------------------------------------------------------------------------------


@dataclass
class SupplierRow:
    supplier_id: int
    name: str
    local: bool
    node: str | None
    amount: Decimal
    share: Decimal | None
    tax: Decimal | None
    revenue: Decimal | None


@dataclass
class ChainMasterView:
    enterprise: Enterprise
    year: int
    chains: list[Chain]
    procurement: Decimal
    local_procurement: Decimal
    local_supply_rate: Decimal | None
    suppliers: list[SupplierRow]
    outside_suppliers: list[SupplierRow]
    suppliers_tax_over_10m: int | None
    local_suppliers_tax: Decimal | None
    figures_visible: bool


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if whole <= 0:
        return None
    return (part * 100 / whole).quantize(Decimal("0.01"))


def chain_master_view(*, user: User, enterprise_id: int, year: int | None = None) -> ChainMasterView:
    """A chain master's procurement in a year: local supply rate, its local suppliers with their tax and
    revenue (the driving effect), and what it still buys outside the zone.

    An enterprise contact sees its own enterprise's purchases but none of its suppliers' figures."""
    enterprise = (
        Enterprise.objects.filter(enterprise_scope(user), pk=enterprise_id).select_related("zone").first()
    )
    if enterprise is None:
        raise Http404
    own_only = is_enterprise_user(user)
    if not own_only:
        require_perm(user, Perm.CHAIN_VIEW)
    year = year if year is not None else closed_year(zone=enterprise.zone)
    relations = list(
        SupplyRelation.objects.filter(customer=enterprise, year=year)
        .select_related("supplier", "outside_supplier", "node")
        .order_by("-amount", "pk")
    )
    total = sum((r.amount for r in relations), Decimal(0))
    local_rows = [r for r in relations if r.supplier_id is not None]
    local_total = sum((r.amount for r in local_rows), Decimal(0))
    supplier_ids = {r.supplier_id for r in local_rows if r.supplier_id is not None}
    tax = (
        {}
        if own_only
        else year_totals(zone_id=enterprise.zone_id, indicator="tax", year=year, enterprise_ids=supplier_ids)
    )
    revenue = (
        {}
        if own_only
        else year_totals(
            zone_id=enterprise.zone_id, indicator="revenue", year=year, enterprise_ids=supplier_ids
        )
    )
    suppliers = [
        SupplierRow(
            supplier_id=r.supplier.pk,
            name=r.supplier.name,
            local=True,
            node=r.node.name if r.node else None,
            amount=r.amount,
            share=_percent(r.amount, total),
            tax=tax.get(r.supplier.pk),
            revenue=revenue.get(r.supplier.pk),
        )
        for r in local_rows
        if r.supplier is not None
    ]
    outside = [
        SupplierRow(
            supplier_id=r.outside_supplier.pk,
            name=r.outside_supplier.name,
            local=False,
            node=r.node.name if r.node else None,
            amount=r.amount,
            share=_percent(r.amount, total),
            tax=None,
            revenue=r.outside_supplier.revenue,
        )
        for r in relations
        if r.outside_supplier is not None
    ]
    return ChainMasterView(
        enterprise=enterprise,
        year=year,
        chains=list(enterprise.chains_led.select_related("cluster").order_by("code")),
        procurement=total,
        local_procurement=local_total,
        local_supply_rate=_percent(local_total, total),
        suppliers=suppliers,
        outside_suppliers=[] if own_only else outside,
        suppliers_tax_over_10m=None
        if own_only
        else sum(1 for s in suppliers if s.tax is not None and s.tax > TAX_DRIVING_THRESHOLD),
        local_suppliers_tax=None if own_only else sum((s.tax or Decimal(0) for s in suppliers), Decimal(0)),
        figures_visible=not own_only,
    )


def chain_masters(*, user: User) -> QuerySet[Enterprise]:
    if not has_perm(user, Perm.CHAIN_VIEW):
        return Enterprise.objects.none()
    return (
        Enterprise.objects.filter(zone_scope(user), chains_led__isnull=False)
        .distinct()
        .order_by("name", "pk")
    )


def outside_companies(
    *, user: User, node_id: int | None = None, search: str = ""
) -> QuerySet[OutsideCompany]:
    if not has_perm(user, Perm.CHAIN_VIEW):
        return OutsideCompany.objects.none()
    rows = OutsideCompany.objects.filter(zone_scope(user)).select_related("industry", "node")
    if node_id is not None:
        rows = rows.filter(node_id=node_id)
    if search:
        rows = rows.filter(Q(name__icontains=search) | Q(name_en__icontains=search))
    return rows.order_by("name", "pk")


def outside_company_get(*, user: User, company_id: int) -> OutsideCompany:
    company = outside_companies(user=user).filter(pk=company_id).first()
    if company is None:
        raise Http404
    return company


def supply_relations(*, user: User, year: int | None = None) -> QuerySet[SupplyRelation]:
    """Supply relations the user may see: the zone's for staff, an enterprise contact's own purchases
    and sales only."""
    rows = SupplyRelation.objects.select_related("customer", "supplier", "outside_supplier", "node")
    if is_enterprise_user(user):
        rows = rows.filter(Q(customer_id=user.enterprise_id) | Q(supplier_id=user.enterprise_id))
    elif has_perm(user, Perm.CHAIN_VIEW):
        rows = rows.filter(zone_scope(user))
    else:
        return SupplyRelation.objects.none()
    if year is not None:
        rows = rows.filter(year=year)
    return rows.order_by("-year", "customer_id", "-amount", "pk")


def peer_datasets(*, user: User) -> QuerySet[PeerDataset]:
    if not has_perm(user, Perm.CHAIN_VIEW):
        return PeerDataset.objects.none()
    return (
        PeerDataset.objects.filter(zone_scope(user))
        .annotate(value_count=Count("values"))
        .order_by("-is_default", "name", "pk")
    )

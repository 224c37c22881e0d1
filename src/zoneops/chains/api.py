"""API of chain investment: chains and their nodes, gaps, node members, candidates, supply relations,
peer datasets, opportunities and chain-master views."""

from decimal import Decimal
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from zoneops.chains import selectors, services, targeting
from zoneops.chains.models import Chain, ChainEdge, ChainNode, NodeMembership, OutsideCompany, SupplyRelation
from zoneops.core.access import Perm, require_perm
from zoneops.core.errors import FieldError, InvalidInput
from zoneops.core.web import request_user
from zoneops.enterprises.models import Enterprise
from zoneops.investment.services import lead_start

router = Router(tags=["chains"])
opportunities_router = Router(tags=["chains"])
candidates_router = Router(tags=["chains"])
supply_router = Router(tags=["chains"])
peers_router = Router(tags=["chains"])
enterprise_router = Router(tags=["chains"])


def _zone_of(request: HttpRequest) -> Any:
    user = request_user(request)
    if user.zone is None:
        raise InvalidInput.single("zone", _("Act from an account of the zone."))
    return user, user.zone


# --- chains ---------------------------------------------------------------------------------------


class EnterpriseRef(Schema):
    enterprise_id: int
    name: str


class ChainOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    cluster_id: int
    cluster: str
    master_ids: list[int]
    masters: list[EnterpriseRef]
    node_count: int
    weak_min_enterprises: int
    weak_min_revenue: Decimal


def _chain_out(chain: Chain) -> ChainOut:
    masters = sorted(chain.masters.all(), key=lambda m: m.pk)
    return ChainOut(
        id=chain.pk,
        code=chain.code,
        name=chain.name,
        name_en=chain.name_en,
        cluster_id=chain.cluster_id,
        cluster=chain.cluster.name,
        master_ids=[m.pk for m in masters],
        masters=[EnterpriseRef(enterprise_id=m.pk, name=m.name) for m in masters],
        node_count=getattr(chain, "node_count", None) or chain.nodes.count(),
        weak_min_enterprises=chain.weak_min_enterprises,
        weak_min_revenue=chain.weak_min_revenue,
    )


@router.get("", response=list[ChainOut])
def chain_list(request: HttpRequest, cluster_id: int | None = None) -> list[ChainOut]:
    """The zone's chains with their cluster and chain masters."""
    user = request_user(request)
    require_perm(user, Perm.CHAIN_VIEW)
    return [_chain_out(c) for c in selectors.chain_list(user=user, cluster_id=cluster_id)]


class NodeOut(Schema):
    node_id: int
    code: str
    name: str
    name_en: str
    segment: str
    industries: list[str]
    keywords: list[str]
    importance: int


def _node_out(node: ChainNode) -> NodeOut:
    return NodeOut(
        node_id=node.pk,
        code=node.code,
        name=node.name,
        name_en=node.name_en,
        segment=node.segment,
        industries=sorted(c.code for c in node.industries.all()),
        keywords=list(node.keywords),
        importance=node.importance,
    )


class EdgeOut(Schema):
    edge_id: int
    source_id: int
    target_id: int


class ChainDetail(ChainOut):
    description: str
    nodes: list[NodeOut]
    edges: list[EdgeOut]


def _chain_detail(chain: Chain) -> ChainDetail:
    nodes = chain.nodes.prefetch_related("industries").order_by("sort_order", "code")
    return ChainDetail(
        **_chain_out(chain).dict(),
        description=chain.description,
        nodes=[_node_out(n) for n in nodes],
        edges=[
            EdgeOut(edge_id=e.pk, source_id=e.source_id, target_id=e.target_id)
            for e in chain.edges.order_by("pk")
        ],
    )


@router.post("/import", response={200: ChainDetail, 201: ChainDetail})
def chain_import(request: HttpRequest, file: File[UploadedFile]) -> Status[ChainDetail]:
    """Create or replace a chain from its JSON file. All-or-nothing: every problem names its field."""
    user, zone = _zone_of(request)
    require_perm(user, Perm.CHAIN_EDIT)
    data = services.chain_file_read(content=file.read())
    existed = Chain.objects.filter(zone=zone, code=str(data.get("code", ""))).exists()
    chain = services.chain_import(actor=user, zone=zone, data=data)
    return Status(200 if existed else 201, _chain_detail(selectors.chain_get(user=user, chain_id=chain.pk)))


@router.get("/{chain_id}", response=ChainDetail)
def chain_detail(request: HttpRequest, chain_id: int) -> ChainDetail:
    return _chain_detail(selectors.chain_get(user=request_user(request), chain_id=chain_id))


@router.get("/{chain_id}/export", response={200: None})
def chain_export(request: HttpRequest, chain_id: int) -> HttpResponse:
    """The chain as a JSON file (nodes, classes, keywords, edges, masters, thresholds) for import."""
    chain = selectors.chain_get(user=request_user(request), chain_id=chain_id)
    response = HttpResponse(
        services.chain_file_text(chain=chain), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="chain-{chain.code}.json"'
    return response


class CandidateOut(Schema):
    company_id: int
    name: str
    industry: str
    size: str
    revenue: Decimal | None
    city: str
    supplies_masters: list[str]
    score: float
    reasons: list[str]


class LocalOut(Schema):
    enterprise_id: int
    name: str
    above_scale: bool
    revenue: Decimal | None


class GapOut(Schema):
    rank: int
    node_id: int
    code: str
    name: str
    segment: str
    gap_class: str
    importance: float
    procurement_share: float | None
    gap_score: float
    local_enterprises: list[LocalOut]
    local_revenue: Decimal
    above_scale_count: int
    suggested_count: int
    candidates: list[CandidateOut]


def _gap_out(gap: selectors.NodeGap, *, candidates: int | None) -> GapOut:
    chosen = gap.candidates if candidates is None else gap.candidates[:candidates]
    return GapOut(
        rank=gap.rank,
        node_id=gap.node.pk,
        code=gap.node.code,
        name=gap.node.name,
        segment=gap.node.segment,
        gap_class=gap.gap_class,
        importance=gap.importance,
        procurement_share=gap.procurement_share,
        gap_score=gap.gap_score,
        local_enterprises=[LocalOut(**vars(e)) for e in gap.local_enterprises],
        local_revenue=gap.local_revenue,
        above_scale_count=gap.above_scale_count,
        suggested_count=gap.suggested_count,
        candidates=[CandidateOut(**vars(c)) for c in chosen],
    )


@router.get("/{chain_id}/gaps", response=list[GapOut])
def chain_gaps(
    request: HttpRequest,
    chain_id: int,
    year: int | None = None,
    candidates: int = 5,
) -> list[GapOut]:
    """Nodes ranked by gap: missing before weak before strong, more important first; each with its local
    enterprises and its best outside candidates."""
    user = request_user(request)
    chain = selectors.chain_get(user=user, chain_id=chain_id)
    shown = max(0, min(candidates, 100))
    return [_gap_out(g, candidates=shown) for g in selectors.chain_gaps(user=user, chain=chain, year=year)]


class NodeIn(Schema):
    code: str | None = None
    name: str | None = None
    name_en: str | None = None
    segment: Literal["upstream", "midstream", "downstream"] | None = None
    industries: list[str] | None = None
    keywords: list[str] | None = None
    importance: int | None = None


def _node_of(user: Any, chain_id: int, node_id: int) -> ChainNode:
    node = selectors.node_get(user=user, node_id=node_id)
    if node.chain_id != chain_id:
        raise Http404
    return node


@router.post("/{chain_id}/nodes", response={201: NodeOut})
def node_create(request: HttpRequest, chain_id: int, payload: NodeIn) -> Status[NodeOut]:
    user = request_user(request)
    chain = selectors.chain_get(user=user, chain_id=chain_id)
    node = services.node_save(actor=user, chain=chain, values=payload.dict(exclude_unset=True))
    return Status(201, _node_out(node))


@router.patch("/{chain_id}/nodes/{node_id}", response=NodeOut)
def node_update(request: HttpRequest, chain_id: int, node_id: int, payload: NodeIn) -> NodeOut:
    user = request_user(request)
    node = _node_of(user, chain_id, node_id)
    return _node_out(
        services.node_save(actor=user, chain=node.chain, node=node, values=payload.dict(exclude_unset=True))
    )


@router.delete("/{chain_id}/nodes/{node_id}", response={204: None})
def node_delete(request: HttpRequest, chain_id: int, node_id: int) -> Status[None]:
    user = request_user(request)
    services.node_delete(actor=user, node=_node_of(user, chain_id, node_id))
    return Status(204, None)


class MembershipOut(Schema):
    membership_id: int
    node_id: int
    enterprise_id: int
    enterprise: str
    status: str
    score: float
    reason: str


def _membership_out(m: NodeMembership) -> MembershipOut:
    return MembershipOut(
        membership_id=m.pk,
        node_id=m.node_id,
        enterprise_id=m.enterprise_id,
        enterprise=m.enterprise.name,
        status=m.status,
        score=m.score,
        reason=m.reason,
    )


class NodeDetail(Schema):
    node: NodeOut
    gap: GapOut
    members: list[MembershipOut]


@router.get("/{chain_id}/nodes/{node_id}", response=NodeDetail)
def node_detail(request: HttpRequest, chain_id: int, node_id: int, year: int | None = None) -> NodeDetail:
    """One node: its gap, its enterprises (confirmed, suggested, rejected) and every candidate."""
    user = request_user(request)
    node = _node_of(user, chain_id, node_id)
    gap = selectors.node_gap(user=user, node=node, year=year)
    members = selectors.memberships(user=user, chain=node.chain).filter(node=node)
    return NodeDetail(
        node=_node_out(gap.node),
        gap=_gap_out(gap, candidates=None),
        members=[_membership_out(m) for m in members],
    )


class EdgeIn(Schema):
    source_id: int
    target_id: int


@router.post("/{chain_id}/edges", response={201: EdgeOut})
def edge_create(request: HttpRequest, chain_id: int, payload: EdgeIn) -> Status[EdgeOut]:
    user = request_user(request)
    chain = selectors.chain_get(user=user, chain_id=chain_id)
    nodes = {n.pk: n for n in chain.nodes.filter(pk__in=[payload.source_id, payload.target_id])}
    missing = [
        FieldError(name, _("No node with this id in the chain."))
        for name, pk in (("source_id", payload.source_id), ("target_id", payload.target_id))
        if pk not in nodes
    ]
    if missing:
        raise InvalidInput(missing)
    edge = services.edge_add(
        actor=user, chain=chain, source=nodes[payload.source_id], target=nodes[payload.target_id]
    )
    return Status(201, EdgeOut(edge_id=edge.pk, source_id=edge.source_id, target_id=edge.target_id))


@router.delete("/{chain_id}/edges/{edge_id}", response={204: None})
def edge_delete(request: HttpRequest, chain_id: int, edge_id: int) -> Status[None]:
    user = request_user(request)
    chain = selectors.chain_get(user=user, chain_id=chain_id)
    services.edge_remove(actor=user, edge=get_object_or_404(ChainEdge, pk=edge_id, chain=chain))
    return Status(204, None)


class SuggestOut(Schema):
    suggested: int


@router.post("/{chain_id}/suggest-members", response=SuggestOut)
def members_suggest(request: HttpRequest, chain_id: int) -> SuggestOut:
    """Suggest the zone's enterprises for every node from their class and product words."""
    user = request_user(request)
    chain = selectors.chain_get(user=user, chain_id=chain_id)
    return SuggestOut(suggested=services.node_members_suggest(actor=user, chain=chain))


@router.get("/{chain_id}/memberships", response=list[MembershipOut])
@paginate(PageNumberPagination, page_size=100)
def membership_list(
    request: HttpRequest, chain_id: int, status: Literal["suggested", "confirmed", "rejected"] | None = None
) -> list[MembershipOut]:
    user = request_user(request)
    chain = selectors.chain_get(user=user, chain_id=chain_id)
    return [_membership_out(m) for m in selectors.memberships(user=user, chain=chain, status=status)]


class DecisionIn(Schema):
    status: Literal["confirmed", "rejected"]


@router.patch("/memberships/{membership_id}", response=MembershipOut)
def membership_decide(request: HttpRequest, membership_id: int, payload: DecisionIn) -> MembershipOut:
    """Confirm or reject an enterprise on a node."""
    user = request_user(request)
    membership = selectors.membership_get(user=user, membership_id=membership_id)
    return _membership_out(
        services.node_member_decide(actor=user, membership=membership, status=payload.status)
    )


class MemberIn(Schema):
    enterprise_id: int


@router.post("/{chain_id}/nodes/{node_id}/members", response={201: MembershipOut})
def member_add(request: HttpRequest, chain_id: int, node_id: int, payload: MemberIn) -> Status[MembershipOut]:
    user = request_user(request)
    node = _node_of(user, chain_id, node_id)
    enterprise = Enterprise.objects.filter(zone_id=node.chain.zone_id, pk=payload.enterprise_id).first()
    if enterprise is None:
        raise InvalidInput.single("enterprise_id", _("No enterprise with this id in the zone."))
    return Status(
        201, _membership_out(services.node_member_add(actor=user, node=node, enterprise=enterprise))
    )


# --- opportunities --------------------------------------------------------------------------------


class RelatedOut(Schema):
    industry: str
    name: str
    proximity: float


class NodeFillOut(Schema):
    node_id: int
    chain_id: int
    name: str
    chain: str
    gap_class: str


class OpportunityOut(Schema):
    rank: int
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
    related: list[RelatedOut]
    nodes: list[NodeFillOut]
    reasons: list[str]


class WeightsOut(Schema):
    feasibility: float
    attractiveness: float
    pci: float
    cog: float
    market_size: float
    market_growth: float


class OpportunityPage(Schema):
    dataset_id: int
    dataset: str
    year: int
    previous_year: int | None
    locations: int
    eci: float
    strategy: str
    weights: WeightsOut
    count: int
    items: list[OpportunityOut]


class OpportunityQuery(Schema):
    strategy: Literal["low_hanging", "balanced", "long_jumps"] = "balanced"
    w_feasibility: float | None = Field(None, ge=0)
    w_attractiveness: float | None = Field(None, ge=0)
    w_pci: float | None = Field(None, ge=0)
    w_cog: float | None = Field(None, ge=0)
    w_market_size: float | None = Field(None, ge=0)
    w_market_growth: float | None = Field(None, ge=0)
    position: Literal["strength", "threat", "opportunity", "possible_entrant", "weakness"] | None = None
    include_present: bool = False
    limit: int = Field(100, ge=1, le=1000)


@opportunities_router.get("", response=OpportunityPage)
def opportunity_list(request: HttpRequest, query: Query[OpportunityQuery]) -> OpportunityPage:
    """Industries ranked for the user's zone by feasibility (density) and attractiveness (PCI, COG,
    market size and growth), each with its reasons: related local strengths and the chain gaps it fills."""
    user = request_user(request)
    table = targeting.opportunities(
        user=user,
        strategy=query.strategy,
        weights={
            "feasibility": query.w_feasibility,
            "attractiveness": query.w_attractiveness,
            "pci": query.w_pci,
            "cog": query.w_cog,
            "market_size": query.w_market_size,
            "market_growth": query.w_market_growth,
        },
        include_present=query.include_present or query.position in ("strength", "threat"),
    )
    items = [o for o in table.opportunities if query.position is None or o.position == query.position]
    return OpportunityPage(
        dataset_id=table.dataset.pk,
        dataset=table.dataset.name,
        year=table.year,
        previous_year=table.previous_year,
        locations=table.locations,
        eci=table.eci,
        strategy=table.strategy,
        weights=WeightsOut(**vars(table.weights)),
        count=len(items),
        items=[
            OpportunityOut(
                **{k: v for k, v in vars(o).items() if k not in ("related", "nodes")},
                related=[RelatedOut(**vars(r)) for r in o.related],
                nodes=[NodeFillOut(**vars(n)) for n in o.nodes],
            )
            for o in items[: query.limit]
        ],
    )


# --- candidates (the outside-company registry) ---------------------------------------------------


class CompanyOut(Schema):
    id: int
    name: str
    name_en: str
    industry: str
    node_id: int | None
    size: str
    revenue: Decimal | None
    employees: int | None
    province: str
    city: str
    listed: bool
    supplies_master_ids: list[int]
    is_synthetic: bool

    @staticmethod
    def resolve_industry(obj: OutsideCompany) -> str:
        return obj.industry_id

    @staticmethod
    def resolve_supplies_master_ids(obj: OutsideCompany) -> list[int]:
        return sorted(m.pk for m in obj.supplies_masters.all())


class CompanyIn(Schema):
    name: str | None = None
    name_en: str | None = None
    industry: str | None = None
    node: int | None = None
    size: Literal["large", "medium", "small"] | None = None
    revenue: Decimal | None = None
    employees: int | None = None
    province: str | None = None
    city: str | None = None
    listed: bool | None = None
    notes: str | None = None


@candidates_router.get("", response=list[CompanyOut])
@paginate(PageNumberPagination, page_size=50)
def candidate_list(request: HttpRequest, node_id: int | None = None, search: str = "") -> Any:
    """The registry of outside companies that could be attracted."""
    user = request_user(request)
    require_perm(user, Perm.CHAIN_VIEW)
    return selectors.outside_companies(user=user, node_id=node_id, search=search).prefetch_related(
        "supplies_masters"
    )


@candidates_router.post("", response={201: CompanyOut})
def candidate_create(request: HttpRequest, payload: CompanyIn) -> Status[OutsideCompany]:
    user, zone = _zone_of(request)
    company = services.outside_company_save(actor=user, zone=zone, values=payload.dict(exclude_unset=True))
    return Status(201, company)


@candidates_router.get("/{company_id}", response=CompanyOut)
def candidate_detail(request: HttpRequest, company_id: int) -> OutsideCompany:
    return selectors.outside_company_get(user=request_user(request), company_id=company_id)


@candidates_router.patch("/{company_id}", response=CompanyOut)
def candidate_update(request: HttpRequest, company_id: int, payload: CompanyIn) -> OutsideCompany:
    user, zone = _zone_of(request)
    company = selectors.outside_company_get(user=user, company_id=company_id)
    return services.outside_company_save(
        actor=user, zone=zone, company=company, values=payload.dict(exclude_unset=True)
    )


class LeadIn(Schema):
    node_id: int | None = None


class LeadOut(Schema):
    lead_id: int
    company_name: str
    candidate_id: int | None
    stage: str
    source: str
    referred_by_id: int | None
    officer_id: int | None
    node_ids: list[int]


@candidates_router.post("/{company_id}/lead", response={201: LeadOut})
def candidate_lead(request: HttpRequest, company_id: int, payload: LeadIn) -> Status[LeadOut]:
    """Start a lead in the investment pipeline for this candidate (optionally for the gap node it fills)."""
    user = request_user(request)
    company = selectors.outside_company_get(user=user, company_id=company_id)
    node = selectors.node_get(user=user, node_id=payload.node_id) if payload.node_id is not None else None
    lead = lead_start(actor=user, candidate=company, node=node)
    return Status(
        201,
        LeadOut(
            lead_id=lead.pk,
            company_name=lead.company_name,
            candidate_id=lead.candidate_id,
            stage=lead.stage,
            source=lead.source,
            referred_by_id=lead.referred_by_id,
            officer_id=lead.officer_id,
            node_ids=sorted(n.pk for n in lead.nodes.all()),
        ),
    )


# --- supply relations -----------------------------------------------------------------------------


class SupplyOut(Schema):
    id: int
    customer_id: int
    customer: str
    supplier_id: int | None
    outside_supplier_id: int | None
    supplier: str
    node_id: int | None
    year: int
    amount: Decimal


def _supply_out(r: SupplyRelation) -> SupplyOut:
    supplier = r.supplier.name if r.supplier else (r.outside_supplier.name if r.outside_supplier else "")
    return SupplyOut(
        id=r.pk,
        customer_id=r.customer_id,
        customer=r.customer.name,
        supplier_id=r.supplier_id,
        outside_supplier_id=r.outside_supplier_id,
        supplier=supplier,
        node_id=r.node_id,
        year=r.year,
        amount=r.amount,
    )


@supply_router.get("", response=list[SupplyOut])
@paginate(PageNumberPagination, page_size=100)
def supply_list(request: HttpRequest, year: int | None = None) -> list[SupplyOut]:
    """Supply relations: the zone's for staff; an enterprise contact sees its own purchases and sales."""
    return [_supply_out(r) for r in selectors.supply_relations(user=request_user(request), year=year)]


class SupplyIn(Schema):
    customer_id: int
    supplier_id: int | None = None
    outside_supplier_id: int | None = None
    node_id: int | None = None
    year: int
    amount: Decimal


@supply_router.post("", response={201: SupplyOut})
def supply_record(request: HttpRequest, payload: SupplyIn) -> Status[SupplyOut]:
    """Record (or correct) a year of purchases of a local enterprise from one supplier."""
    user, zone = _zone_of(request)
    require_perm(user, Perm.CHAIN_EDIT)
    errors: list[FieldError] = []
    customer = Enterprise.objects.filter(zone=zone, pk=payload.customer_id).first()
    if customer is None:
        errors.append(FieldError("customer_id", _("No enterprise with this id in the zone.")))
    supplier = None
    if payload.supplier_id is not None:
        supplier = Enterprise.objects.filter(zone=zone, pk=payload.supplier_id).first()
        if supplier is None:
            errors.append(FieldError("supplier_id", _("No enterprise with this id in the zone.")))
    outside = None
    if payload.outside_supplier_id is not None:
        outside = OutsideCompany.objects.filter(zone=zone, pk=payload.outside_supplier_id).first()
        if outside is None:
            errors.append(FieldError("outside_supplier_id", _("No outside company with this id.")))
    node = None
    if payload.node_id is not None:
        node = ChainNode.objects.filter(chain__zone=zone, pk=payload.node_id).first()
        if node is None:
            errors.append(FieldError("node_id", _("No chain node with this id in the zone.")))
    if errors:
        raise InvalidInput(errors)
    assert customer is not None
    relation = services.supply_relation_record(
        actor=user,
        customer=customer,
        supplier=supplier,
        outside_supplier=outside,
        node=node,
        year=payload.year,
        amount=payload.amount,
    )
    return Status(201, _supply_out(relation))


# --- peer datasets --------------------------------------------------------------------------------


class PeerDatasetOut(Schema):
    id: int
    name: str
    measure: str
    home_location: str
    is_default: bool
    values: int


class PeerForm(Schema):
    name: str
    home_location: str
    measure: str = "revenue"
    description: str = ""


@peers_router.get("", response=list[PeerDatasetOut])
def peer_list(request: HttpRequest) -> list[PeerDatasetOut]:
    """The peer datasets loaded for the zone; the default one feeds the opportunities."""
    user = request_user(request)
    require_perm(user, Perm.CHAIN_VIEW)
    return [
        PeerDatasetOut(
            id=d.pk,
            name=d.name,
            measure=d.measure,
            home_location=d.home_location,
            is_default=d.is_default,
            values=getattr(d, "value_count", 0),
        )
        for d in selectors.peer_datasets(user=user)
    ]


@peers_router.post("", response={201: PeerDatasetOut})
def peer_upload(
    request: HttpRequest, file: File[UploadedFile], form: Form[PeerForm]
) -> Status[PeerDatasetOut]:
    """Load a peer matrix from CSV (year,location,industry,value) and use it for opportunities."""
    user, zone = _zone_of(request)
    try:
        text = file.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput.single("file", _("The file is not UTF-8 text.")) from exc
    dataset = services.peer_dataset_load(
        actor=user,
        zone=zone,
        name=form.name,
        home_location=form.home_location,
        measure=form.measure,
        description=form.description,
        rows=text,
    )
    return Status(
        201,
        PeerDatasetOut(
            id=dataset.pk,
            name=dataset.name,
            measure=dataset.measure,
            home_location=dataset.home_location,
            is_default=dataset.is_default,
            values=dataset.values.count(),
        ),
    )


# --- chain masters --------------------------------------------------------------------------------


class SupplierOut(Schema):
    supplier_id: int
    name: str
    local: bool
    node: str | None
    amount: Decimal
    share: Decimal | None
    tax: Decimal | None
    revenue: Decimal | None


class ChainMasterOut(Schema):
    enterprise_id: int
    name: str
    year: int
    chains: list[int]
    procurement: Decimal
    local_procurement: Decimal
    local_supply_rate: Decimal | None = Field(description="percent of procurement bought in the zone")
    suppliers: list[SupplierOut]
    outside_suppliers: list[SupplierOut]
    suppliers_tax_over_10m: int | None
    local_suppliers_tax: Decimal | None


@enterprise_router.get("/{enterprise_id}/chain-master", response=ChainMasterOut)
def chain_master(request: HttpRequest, enterprise_id: int, year: int | None = None) -> ChainMasterOut:
    """A chain master's local supply rate, local suppliers with their tax and revenue (the driving
    effect: how many paid over 10 million yuan of tax), and its purchases outside the zone."""
    view = selectors.chain_master_view(user=request_user(request), enterprise_id=enterprise_id, year=year)
    return ChainMasterOut(
        enterprise_id=view.enterprise.pk,
        name=view.enterprise.name,
        year=view.year,
        chains=[c.pk for c in view.chains],
        procurement=view.procurement,
        local_procurement=view.local_procurement,
        local_supply_rate=view.local_supply_rate,
        suppliers=[SupplierOut(**vars(s)) for s in view.suppliers],
        outside_suppliers=[SupplierOut(**vars(s)) for s in view.outside_suppliers],
        suppliers_tax_over_10m=view.suppliers_tax_over_10m,
        local_suppliers_tax=view.local_suppliers_tax,
    )

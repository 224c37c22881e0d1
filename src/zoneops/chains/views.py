"""Pages of chain investment: clusters, chain maps with gaps, node panels, opportunities, chain masters."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zoneops.chains import selectors, services, targeting
from zoneops.chains.models import ChainEdge, MembershipStatus, Segment
from zoneops.core.access import Perm, has_perm, require_perm
from zoneops.core.errors import InvalidInput
from zoneops.core.web import request_user
from zoneops.indicators.models import ClusterTarget
from zoneops.indicators.selectors import cluster_progress, latest_period
from zoneops.investment import selectors as pipeline
from zoneops.investment.services import lead_start

GAP_COLOURS = {"missing": "#d64545", "weak": "#f5a623", "strong": "#2e9d5b"}
SEGMENT_COLUMN = {Segment.UPSTREAM: 0, Segment.MIDSTREAM: 1, Segment.DOWNSTREAM: 2}


def _year(request: HttpRequest) -> int:
    text = request.GET.get("year", "")
    if text.isdigit() and 1990 <= int(text) <= 2100:
        return int(text)
    return selectors.closed_year(zone=request_user(request).zone)


def _gap_summary(gaps: list[selectors.NodeGap]) -> dict[str, int]:
    counts = Counter(g.gap_class for g in gaps)
    return {key: counts.get(key, 0) for key in ("missing", "weak", "strong")}


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Clusters with their targets and chains; each chain with its gap counts."""
    user = request_user(request)
    require_perm(user, Perm.CHAIN_VIEW)
    period = latest_period(user=user, indicator="revenue")
    progress = (
        {p.cluster_id: p for p in cluster_progress(user=user, indicator="revenue", period=period)}
        if period
        else {}
    )
    chains = list(selectors.chain_list(user=user))
    summaries = {
        c.pk: _gap_summary(selectors.chain_gaps(user=user, chain=c, with_candidates=False)) for c in chains
    }
    clusters = [
        {
            "cluster": cluster,
            "progress": progress.get(cluster.pk),
            "chains": [{"chain": c, "gaps": summaries[c.pk]} for c in chains if c.cluster_id == cluster.pk],
        }
        for cluster in selectors.cluster_list(user=user)
    ]
    return render(
        request,
        "chains/index.html",
        {
            "clusters": clusters,
            "period": period,
            "masters": selectors.chain_masters(user=user),
            "can_edit": has_perm(user, Perm.CHAIN_EDIT),
        },
    )


@login_required
def cluster_page(request: HttpRequest, cluster_id: int) -> HttpResponse:
    user = request_user(request)
    require_perm(user, Perm.CHAIN_VIEW)
    cluster = selectors.cluster_get(user=user, cluster_id=cluster_id)
    period = latest_period(user=user, indicator="revenue")
    progress = (
        next(
            (
                p
                for p in cluster_progress(user=user, indicator="revenue", period=period)
                if p.cluster_id == cluster.pk
            ),
            None,
        )
        if period
        else None
    )
    chains = []
    for chain in selectors.chain_list(user=user, cluster_id=cluster.pk):
        gaps = selectors.chain_gaps(user=user, chain=chain, with_candidates=False)
        chains.append({"chain": chain, "gaps": gaps, "summary": _gap_summary(gaps)})
    targets = (
        ClusterTarget.objects.filter(cluster=cluster)
        .select_related("indicator")
        .order_by("-year", "indicator_id")
    )
    return render(
        request,
        "chains/cluster.html",
        {"cluster": cluster, "progress": progress, "period": period, "chains": chains, "targets": targets},
    )


def _graph(gaps: list[selectors.NodeGap], edges: list[ChainEdge]) -> dict[str, Any]:
    """ECharts graph data: nodes laid out in three columns by segment, coloured by gap class."""
    rows: Counter[int] = Counter()
    nodes = []
    for gap in sorted(gaps, key=lambda g: (g.node.sort_order, g.node.code)):
        column = SEGMENT_COLUMN.get(Segment(gap.node.segment), 1)
        rows[column] += 1
        nodes.append(
            {
                "id": str(gap.node.pk),
                "name": gap.node.name,
                "x": column * 320,
                "y": rows[column] * 70,
                "gap": gap.gap_class,
                "local": len(gap.local_enterprises),
                "candidates": len(gap.candidates),
                "importance": gap.importance,
                "itemStyle": {"color": GAP_COLOURS[gap.gap_class]},
                "symbolSize": 26 + 22 * gap.importance,
            }
        )
    return {
        "nodes": nodes,
        "links": [{"source": str(e.source_id), "target": str(e.target_id)} for e in edges],
        "labels": {
            "missing": _("missing"),
            "weak": _("weak"),
            "strong": _("strong"),
            "local": _("local enterprises"),
            "candidates": _("candidates"),
        },
    }


@login_required
def chain_page(request: HttpRequest, chain_id: int) -> HttpResponse:
    """The chain map: nodes coloured by coverage; clicking a node opens its panel."""
    user = request_user(request)
    chain = selectors.chain_get(user=user, chain_id=chain_id)
    year = _year(request)
    gaps = selectors.chain_gaps(user=user, chain=chain, year=year)
    edges = list(chain.edges.select_related("source", "target").order_by("pk"))
    return render(
        request,
        "chains/chain.html",
        {
            "chain": chain,
            "year": year,
            "gaps": gaps,
            "edges": edges,
            "summary": _gap_summary(gaps),
            "graph_json": json.dumps(_graph(gaps, edges), ensure_ascii=False),
            "can_edit": has_perm(user, Perm.CHAIN_EDIT),
            "can_see_leads": has_perm(user, Perm.LEAD_VIEW),
            "segments": Segment.choices,
            "nodes": [g.node for g in sorted(gaps, key=lambda g: (g.node.sort_order, g.node.code))],
        },
    )


def _panel(request: HttpRequest, node_id: int, *, note: str = "", error: str = "") -> HttpResponse:
    user = request_user(request)
    node = selectors.node_get(user=user, node_id=node_id)
    year = _year(request)
    gap = selectors.node_gap(user=user, node=node, year=year)
    members = list(selectors.memberships(user=user, chain=node.chain).filter(node=node))
    # Candidates already worked in the pipeline show their lead instead of "start a lead" (for those who
    # may see leads; the pipeline is commercially sensitive).
    open_leads = (
        pipeline.open_leads_by_candidate(user=user, candidate_ids=[c.company_id for c in gap.candidates])
        if has_perm(user, Perm.LEAD_VIEW)
        else {}
    )
    return render(
        request,
        "chains/_node_panel.html",
        {
            "gap": gap,
            "node": gap.node,
            "year": year,
            "suggested": [m for m in members if m.status == MembershipStatus.SUGGESTED],
            "rejected": [m for m in members if m.status == MembershipStatus.REJECTED],
            "can_edit": has_perm(user, Perm.CHAIN_EDIT),
            "open_leads": open_leads,
            "note": note,
            "error": error,
        },
    )


@login_required
def node_panel(request: HttpRequest, node_id: int) -> HttpResponse:
    """A node's enterprises, suggestions, gap and ranked candidates (loaded into the chain map)."""
    return _panel(request, node_id)


@login_required
@require_POST
def membership_decide(request: HttpRequest, membership_id: int) -> HttpResponse:
    user = request_user(request)
    membership = selectors.membership_get(user=user, membership_id=membership_id)
    try:
        services.node_member_decide(actor=user, membership=membership, status=request.POST.get("status", ""))
    except InvalidInput as exc:
        return _panel(request, membership.node_id, error=str(exc.errors[0].message))
    return _panel(request, membership.node_id, note=_("Saved."))


@login_required
@require_POST
def lead_create(request: HttpRequest, company_id: int) -> HttpResponse:
    """ "Start a lead": hand a candidate to the investment pipeline for the node it would fill."""
    user = request_user(request)
    company = selectors.outside_company_get(user=user, company_id=company_id)
    node_id = int(request.POST.get("node_id", "0") or 0)
    node = selectors.node_get(user=user, node_id=node_id)
    try:
        lead = lead_start(actor=user, candidate=company, node=node)
    except InvalidInput as exc:
        return _panel(request, node.pk, error=exc.errors[0].message)
    return _panel(
        request, node.pk, note=_("Lead %(id)s started for %(name)s.") % {"id": lead.pk, "name": company.name}
    )


def _values_from(request: HttpRequest) -> dict[str, Any]:
    return {
        "code": request.POST.get("code", ""),
        "name": request.POST.get("name", ""),
        "name_en": request.POST.get("name_en", ""),
        "segment": request.POST.get("segment", ""),
        "industries": [
            c.strip() for c in request.POST.get("industries", "").replace("，", ",").split(",") if c.strip()
        ],
        "keywords": [
            k.strip() for k in request.POST.get("keywords", "").replace("，", ",").split(",") if k.strip()
        ],
        "importance": int(request.POST["importance"]) if request.POST.get("importance", "").isdigit() else 0,
    }


def _error_text(exc: InvalidInput) -> str:
    return "; ".join(f"{e.field}: {e.message}" for e in exc.errors)


@login_required
@require_POST
def node_save(request: HttpRequest, chain_id: int) -> HttpResponse:
    """Add a node, or change one (``node_id`` given), from the chain page's form."""
    user = request_user(request)
    chain = selectors.chain_get(user=user, chain_id=chain_id)
    node = None
    if request.POST.get("node_id"):
        node = selectors.node_get(user=user, node_id=int(request.POST["node_id"]))
        if node.chain_id != chain.pk:
            raise Http404
    try:
        saved = services.node_save(actor=user, chain=chain, node=node, values=_values_from(request))
    except InvalidInput as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Node %(name)s saved.") % {"name": saved.name})
    return redirect("chains:chain", chain_id=chain.pk)


@login_required
@require_POST
def node_remove(request: HttpRequest, node_id: int) -> HttpResponse:
    user = request_user(request)
    node = selectors.node_get(user=user, node_id=node_id)
    chain_id = node.chain_id
    try:
        services.node_delete(actor=user, node=node)
    except InvalidInput as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Node deleted."))
    return redirect("chains:chain", chain_id=chain_id)


@login_required
@require_POST
def edge_save(request: HttpRequest, chain_id: int) -> HttpResponse:
    user = request_user(request)
    chain = selectors.chain_get(user=user, chain_id=chain_id)
    ids = [request.POST.get("source", ""), request.POST.get("target", "")]
    nodes = {str(n.pk): n for n in chain.nodes.filter(pk__in=[int(i) for i in ids if i.isdigit()])}
    try:
        if ids[0] not in nodes or ids[1] not in nodes:
            raise InvalidInput.single("source", _("No node with this id in the chain."))
        services.edge_add(actor=user, chain=chain, source=nodes[ids[0]], target=nodes[ids[1]])
    except InvalidInput as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Link added."))
    return redirect("chains:chain", chain_id=chain.pk)


@login_required
@require_POST
def edge_remove(request: HttpRequest, edge_id: int) -> HttpResponse:
    user = request_user(request)
    edge = get_object_or_404(ChainEdge, pk=edge_id, chain__in=selectors.chain_list(user=user).values("pk"))
    chain_id = edge.chain_id
    services.edge_remove(actor=user, edge=edge)
    messages.success(request, _("Link removed."))
    return redirect("chains:chain", chain_id=chain_id)


@login_required
@require_POST
def members_suggest(request: HttpRequest, chain_id: int) -> HttpResponse:
    user = request_user(request)
    chain = selectors.chain_get(user=user, chain_id=chain_id)
    count = services.node_members_suggest(actor=user, chain=chain)
    messages.success(request, _("%(count)s new suggestions to review.") % {"count": count})
    return redirect("chains:chain", chain_id=chain.pk)


@login_required
def chain_export(request: HttpRequest, chain_id: int) -> HttpResponse:
    chain = selectors.chain_get(user=request_user(request), chain_id=chain_id)
    response = HttpResponse(
        services.chain_file_text(chain=chain), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="chain-{chain.code}.json"'
    return response


@login_required
@require_POST
def chain_import(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    require_perm(user, Perm.CHAIN_EDIT)
    upload = request.FILES.get("file")
    try:
        if upload is None or user.zone is None:
            raise InvalidInput.single("file", _("Choose a chain file."))
        data = services.chain_file_read(content=upload.read())
        chain = services.chain_import(actor=user, zone=user.zone, data=data)
    except InvalidInput as exc:
        messages.error(request, _error_text(exc))
        return redirect("chains:index")
    messages.success(request, _("Chain %(name)s imported.") % {"name": chain.name})
    return redirect("chains:chain", chain_id=chain.pk)


def _weight(request: HttpRequest, name: str) -> float | None:
    try:
        value = float(request.GET.get(f"w_{name}", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


@login_required
def opportunities_page(request: HttpRequest) -> HttpResponse:
    """Feasibility × attractiveness: scatter and ranked table with each industry's reasons."""
    user = request_user(request)
    require_perm(user, Perm.CHAIN_VIEW)
    strategy = request.GET.get("strategy", "balanced")
    if strategy not in targeting.STRATEGIES:
        strategy = "balanced"
    weights = {name: _weight(request, name) for name in targeting.Weights.__dataclass_fields__}
    position = request.GET.get("position", "")
    error = ""
    try:
        table = targeting.opportunities(
            user=user, strategy=strategy, weights=weights, include_present=position in ("strength", "threat")
        )
    except Http404:
        return render(
            request, "chains/opportunities.html", {"table": None, "strategies": targeting.STRATEGIES}
        )
    except InvalidInput as exc:
        error = _error_text(exc)
        table = targeting.opportunities(user=user, strategy=strategy)
    rows = [o for o in table.opportunities if not position or o.position == position]
    scatter = [
        {"value": [o.feasibility, o.attractiveness], "name": f"{o.industry} {o.name}", "position": o.position}
        for o in rows
    ]
    return render(
        request,
        "chains/opportunities.html",
        {
            "table": table,
            "rows": rows[:100],
            "strategy": strategy,
            "strategies": targeting.STRATEGIES,
            "position": position,
            "positions": targeting.POSITIONS,
            "weights": table.weights,
            "error": error,
            "scatter_json": json.dumps(
                {
                    "points": scatter,
                    "x": _("feasibility"),
                    "y": _("attractiveness"),
                },
                ensure_ascii=False,
            ),
        },
    )


@login_required
def master_page(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """A chain master's local supply rate and driving effect."""
    user = request_user(request)
    view = selectors.chain_master_view(user=user, enterprise_id=enterprise_id, year=_year(request))
    return render(request, "chains/master.html", {"view": view, "threshold": selectors.TAX_DRIVING_THRESHOLD})

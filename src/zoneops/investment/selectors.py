"""Reads of the investment pipeline, all behind LEAD_VIEW (leads are commercially sensitive): the leads,
one lead with its timeline, the board's columns, the funnel, gap coverage, value, chain-master
referrals and the leads that need attention."""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from zoneops.accounts.models import User
from zoneops.chains.models import Chain
from zoneops.core.access import Perm, has_perm, require_perm, zone_scope
from zoneops.investment.models import (
    OPEN_STAGES,
    STAGE_ORDER,
    Lead,
    LeadEvent,
    LeadSource,
    LeadStage,
    PipelineSettings,
)
from zoneops.investment.services import stage_limits, stale_reasons

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class LeadFilter:
    stage: str | None = None
    cluster_id: int | None = None
    chain_id: int | None = None
    officer_id: int | None = None
    source: str | None = None
    team: str = ""
    search: str = ""


def leads(*, user: User, filters: LeadFilter | None = None) -> QuerySet[Lead]:
    """The zone's leads for pipeline staff, supervisors and leaders; nothing for anyone else."""
    if not has_perm(user, Perm.LEAD_VIEW):
        return Lead.objects.none()
    rows = Lead.objects.filter(zone_scope(user))
    f = filters or LeadFilter()
    if f.stage:
        rows = rows.filter(stage=f.stage)
    if f.cluster_id:
        rows = rows.filter(chain__cluster_id=f.cluster_id)
    if f.chain_id:
        rows = rows.filter(chain_id=f.chain_id)
    if f.officer_id:
        rows = rows.filter(officer_id=f.officer_id)
    if f.source:
        rows = rows.filter(source=f.source)
    if f.team:
        rows = rows.filter(team=f.team)
    if f.search:
        rows = rows.filter(Q(company_name__icontains=f.search) | Q(notes__icontains=f.search))
    return rows.select_related("officer", "chain", "chain__cluster", "referred_by", "key_project").order_by(
        "-opened_on", "-id"
    )


def open_leads_by_candidate(*, user: User, candidate_ids: Iterable[int]) -> dict[int, Lead]:
    """The open lead (if any) of each of these registry candidates."""
    found: dict[int, Lead] = {}
    for lead in leads(user=user).filter(candidate_id__in=list(candidate_ids), stage__in=OPEN_STAGES):
        if lead.candidate_id is not None:
            found.setdefault(lead.candidate_id, lead)
    return found


def lead_get(*, user: User, lead_id: int) -> Lead:
    lead = (
        leads(user=user)
        .filter(pk=lead_id)
        .select_related("candidate", "leader", "enterprise", "duplicate_of", "zone")
        .prefetch_related(
            "nodes",
            "nodes__chain",
            "contacts",
            "documents",
            "duplicates",
            Prefetch("events", queryset=LeadEvent.objects.select_related("actor").order_by("at", "pk")),
        )
        .first()
    )
    if lead is None:
        raise Http404
    return lead


def board(*, user: User, filters: LeadFilter, per_column: int = 40) -> list[tuple[str, str, int, list[Lead]]]:
    """The pipeline board: one column per stage (lost and on hold last) with its count and newest leads."""
    rows = leads(user=user, filters=dataclasses.replace(filters, stage=None))
    columns = []
    for stage in (*STAGE_ORDER, LeadStage.ON_HOLD, LeadStage.LOST):
        in_stage = rows.filter(stage=stage)
        columns.append(
            (
                stage,
                str(LeadStage(stage).label),
                in_stage.count(),
                list(in_stage.order_by("stage_entered_on", "pk")[:per_column]),
            )
        )
    return columns


# --- the funnel -----------------------------------------------------------------------------------


@dataclass
class FunnelRow:
    """Leads opened in the year that reached each stage of ``STAGE_ORDER`` (skipping counts as passing)."""

    key: str
    label: str
    reached: list[int]

    @property
    def conversion(self) -> list[float | None]:
        """Share of the leads at each stage that reached the next, in per cent."""
        return [
            round(100 * self.reached[i + 1] / self.reached[i], 1) if self.reached[i] else None
            for i in range(len(self.reached) - 1)
        ]


@dataclass
class Funnel:
    year: int
    stages: list[tuple[str, str]]
    total: FunnelRow
    by_month: list[tuple[str, dict[str, int]]]  # (YYYY-MM, {stage: leads entering it that month})
    median_days: dict[str, float | None]  # days spent in each stage by the leads that left it
    by_source: list[FunnelRow]
    by_cluster: list[FunnelRow]
    by_chain: list[FunnelRow]
    by_officer: list[FunnelRow]
    by_team: list[FunnelRow]
    lost: int
    on_hold: int
    current: dict[str, int] = field(default_factory=dict)


def _funnel_stages() -> list[tuple[str, str]]:
    return [(s, str(LeadStage(s).label)) for s in STAGE_ORDER]


def _reached_from(furthest: Mapping[int, int]) -> list[int]:
    """How many leads reached each stage, from how many got no further than each (skipping counts as
    passing: a lead whose furthest stage is signed reached every stage before it)."""
    counts = [0] * len(STAGE_ORDER)
    for index, leads_there in furthest.items():
        for stage_index in range(index + 1):
            counts[stage_index] += leads_there
    return counts


def _reached(rows: Iterable[Lead]) -> list[int]:
    return _reached_from(Counter(lead.furthest for lead in rows))


def _grouped(rows: list[Lead], key: str, label_of: Mapping[Any, str]) -> list[FunnelRow]:
    groups: dict[Any, list[Lead]] = defaultdict(list)
    for lead in rows:
        groups[getattr(lead, key)].append(lead)
    result = [
        FunnelRow(
            key=str(k), label=label_of.get(k, str(k) if k not in (None, "") else "—"), reached=_reached(v)
        )
        for k, v in groups.items()
    ]
    return sorted(result, key=lambda r: (-r.reached[0], r.label))


def funnel(*, user: User, year: int) -> Funnel:
    """The funnel of the leads opened in ``year``: how many reached each stage, in total and by source,
    cluster, chain, officer and team; stage entries by month; median days per stage; conversion."""
    require_perm(user, Perm.LEAD_VIEW)
    rows = list(
        leads(user=user)
        .filter(opened_on__year=year)
        .select_related("chain__cluster")
        .prefetch_related(Prefetch("events", queryset=LeadEvent.objects.order_by("at", "pk")))
    )
    stages = _funnel_stages()
    by_month: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STAGE_ORDER, 0))
    durations: dict[str, list[int]] = defaultdict(list)
    for lead in rows:
        entered: tuple[str, dt.date] | None = None
        for event in lead.events.all():
            if event.action not in ("create", "transition"):
                continue
            if event.stage_to in STAGE_ORDER:
                by_month[f"{event.on:%Y-%m}"][event.stage_to] += 1
            if entered is not None:
                durations[entered[0]].append((event.on - entered[1]).days)
            entered = (event.stage_to, event.on)
    clusters = {
        lead.chain.cluster_id: lead.chain.cluster.name for lead in rows if lead.chain and lead.chain.cluster
    }
    chains = {lead.chain_id: lead.chain.name for lead in rows if lead.chain}
    officers = {
        lead.officer_id: (lead.officer.get_full_name() or lead.officer.username)
        for lead in rows
        if lead.officer
    }
    for lead in rows:
        lead.cluster_key = lead.chain.cluster_id if lead.chain else None  # type: ignore[attr-defined]
    current = dict.fromkeys(LeadStage.values, 0)
    for lead in rows:
        current[lead.stage] += 1
    return Funnel(
        year=year,
        stages=stages,
        total=FunnelRow(key="all", label=_("All"), reached=_reached(rows)),
        by_month=sorted(by_month.items()),
        median_days={
            s: float(statistics.median(durations[s])) if durations.get(s) else None for s in STAGE_ORDER
        },
        by_source=_grouped(rows, "source", {k: str(v) for k, v in LeadSource.choices}),
        by_cluster=_grouped(rows, "cluster_key", clusters),
        by_chain=_grouped(rows, "chain_id", chains),
        by_officer=_grouped(rows, "officer_id", officers),
        by_team=_grouped(rows, "team", {}),
        lost=current[LeadStage.LOST],
        on_hold=current[LeadStage.ON_HOLD],
        current=current,
    )


@dataclass(frozen=True)
class FunnelTotals:
    """The funnel's headline (what the cockpit shows): leads opened in the year that reached each stage,
    and how many of them sit in each stage now. Counted in the database, without reading the leads."""

    year: int
    stages: list[tuple[str, str]]
    reached: list[int]
    current: dict[str, int]


def funnel_totals(*, user: User, year: int) -> FunnelTotals:
    require_perm(user, Perm.LEAD_VIEW)
    opened = leads(user=user).filter(opened_on__year=year).order_by()
    current = dict.fromkeys(LeadStage.values, 0)
    for stage, count in opened.values_list("stage").annotate(n=Count("id")).values_list("stage", "n"):
        current[stage] = count
    furthest = dict(opened.values_list("furthest").annotate(n=Count("id")).values_list("furthest", "n"))
    return FunnelTotals(
        year=year,
        stages=_funnel_stages(),
        reached=_reached_from(furthest),
        current=current,
    )


# --- gap coverage ---------------------------------------------------------------------------------


@dataclass
class GapNode:
    """A missing or weak chain node, as the chain's gap analysis classes it."""

    chain_id: int
    chain: str
    node_id: int
    node: str
    gap: str  # missing | weak
    importance: float


@dataclass
class GapCoverage(GapNode):
    working: int  # leads on the node that are not lost: open, on hold, or gone on to be signed
    leads: list[Lead]  # every lead on the node, lost ones too; left empty by a summary read

    @property
    def uncovered(self) -> bool:
        """Nobody works on it: no lead on the node that is open or went on to be signed."""
        return self.working == 0


def gap_nodes(*, user: User, chain_id: int | None = None) -> list[GapNode]:
    """The missing and weak nodes of the zone's chains (or of one chain), chain by chain, worst first."""
    from zoneops.chains.selectors import chains_gaps

    chains = Chain.objects.filter(zone_scope(user)).select_related("zone").order_by("sort_order", "pk")
    if chain_id is not None:
        chains = chains.filter(pk=chain_id)
    chain_list = list(chains)
    gaps_of = chains_gaps(user=user, chains=chain_list, with_candidates=False)
    return [
        GapNode(
            chain_id=chain.pk,
            chain=chain.name,
            node_id=gap.node.pk,
            node=gap.node.name,
            gap=gap.gap_class,
            importance=float(gap.importance),
        )
        for chain in chain_list
        for gap in gaps_of[chain.pk]
        if gap.gap_class in ("missing", "weak")
    ]


def gap_coverage(
    *, user: User, chain_id: int | None = None, with_leads: bool = True, nodes: list[GapNode] | None = None
) -> list[GapCoverage]:
    """Each missing or weak node of the zone's chains with the leads working on it; uncovered first.
    ``with_leads=False`` is the summary the cockpit reads: the counts without loading the leads; ``nodes``
    are the gap nodes when the caller already has them (the cockpit keeps them for a while)."""
    require_perm(user, Perm.LEAD_VIEW)
    if not has_perm(user, Perm.CHAIN_VIEW):
        return []  # no chain to read, so no gap to cover
    if nodes is None:
        nodes = gap_nodes(user=user, chain_id=chain_id)
    on_nodes = Lead.nodes.through.objects.filter(lead__in=leads(user=user).values("pk"))
    working: dict[int, int] = {
        row["chainnode_id"]: row["n"]
        for row in on_nodes.exclude(lead__stage=LeadStage.LOST)
        .values("chainnode_id")
        .annotate(n=Count("lead_id"))
    }
    by_node: dict[int, list[Lead]] = defaultdict(list)
    if with_leads:
        lead_of = {lead.pk: lead for lead in leads(user=user)}
        for node_id, lead_id in on_nodes.values_list("chainnode_id", "lead_id").order_by("lead_id"):
            by_node[node_id].append(lead_of[lead_id])
    rows = [
        GapCoverage(
            **dataclasses.asdict(node),
            working=working.get(node.node_id, 0),
            leads=by_node.get(node.node_id, []),
        )
        for node in nodes
    ]
    rows.sort(key=lambda r: (not r.uncovered, r.gap != "missing", -r.importance, r.chain, r.node))
    return rows


# --- value and referrals --------------------------------------------------------------------------


@dataclass
class PipelineValue:
    year: int
    intended_by_stage: dict[str, Decimal]
    signed_in_year: Decimal
    signed_count: int
    target: Decimal | None
    signed_to_started_to_operating: tuple[int, int, int]

    @property
    def target_share(self) -> float | None:
        return round(float(100 * self.signed_in_year / self.target), 1) if self.target else None


def value(*, user: User, year: int) -> PipelineValue:
    """Intended investment by stage, the year's signed amount against its target, and how many leads
    got to signing, construction and operation; summed in the database."""
    require_perm(user, Perm.LEAD_VIEW)
    rows = leads(user=user).order_by()
    intended: dict[str, Decimal] = {s: Decimal(0) for s in LeadStage.values}
    for stage, total in (
        rows.values_list("stage").annotate(total=Sum("intended_investment")).values_list("stage", "total")
    ):
        intended[stage] = (total or Decimal(0)).quantize(CENT)  # SQLite's SUM drops the scale

    def reached(stage: str) -> Count:
        return Count("id", filter=Q(furthest__gte=STAGE_ORDER.index(stage)))

    totals = rows.aggregate(
        signed_amount=Sum("signed_amount", filter=Q(signed_on__year=year)),
        signed_count=Count("id", filter=Q(signed_on__year=year)),
        signed=reached(LeadStage.SIGNED),
        started=reached(LeadStage.CONSTRUCTION),
        operating=reached(LeadStage.OPERATING),
    )
    targets = year_targets(user.zone_id or 0)
    return PipelineValue(
        year=year,
        intended_by_stage=intended,
        signed_in_year=(totals["signed_amount"] or Decimal(0)).quantize(CENT),
        signed_count=totals["signed_count"],
        target=Decimal(targets[str(year)]) if str(year) in targets else None,
        signed_to_started_to_operating=(totals["signed"], totals["started"], totals["operating"]),
    )


def year_targets(zone_id: int) -> dict[str, str]:
    """The zone's signed-investment target of each year, in yuan (``{"2022": "20000000000.00"}``)."""
    row = PipelineSettings.objects.filter(zone_id=zone_id).first()
    return dict(row.year_targets) if row is not None else {}


@dataclass
class Referral:
    enterprise_id: int
    enterprise: str
    leads: int
    by_stage: dict[str, int]
    signed: int
    signed_amount: Decimal


def referrals(*, user: User) -> list[Referral]:
    """Leads each chain master brought (以商招商) and how they ended."""
    require_perm(user, Perm.LEAD_VIEW)
    groups: dict[int, list[Lead]] = defaultdict(list)
    names: dict[int, str] = {}
    for lead in leads(user=user).filter(referred_by__isnull=False):
        assert lead.referred_by is not None
        groups[lead.referred_by.pk].append(lead)
        names[lead.referred_by.pk] = lead.referred_by.name
    signed_index = STAGE_ORDER.index(LeadStage.SIGNED)
    result = []
    for pk, rows in groups.items():
        by_stage = dict.fromkeys(LeadStage.values, 0)
        for lead in rows:
            by_stage[lead.stage] += 1
        signed = [lead for lead in rows if lead.furthest >= signed_index]
        result.append(
            Referral(
                enterprise_id=pk,
                enterprise=names[pk],
                leads=len(rows),
                by_stage=by_stage,
                signed=len(signed),
                signed_amount=sum((lead.signed_amount or Decimal(0) for lead in signed), Decimal(0)),
            )
        )
    return sorted(result, key=lambda r: (-r.leads, r.enterprise))


def needing_attention(*, user: User, today: dt.date) -> list[tuple[Lead, list[str]]]:
    """The leaders' list: leads whose next action is overdue or that sat in a stage past the limit, and
    companies worked by two teams."""
    require_perm(user, Perm.LEAD_VIEW)
    if user.zone_id is None:
        return []
    limits = stage_limits(user.zone_id)
    found = []
    for lead in leads(user=user).exclude(stage__in=[LeadStage.LOST, LeadStage.OPERATING]):
        reasons = stale_reasons(lead=lead, today=today, limits=limits)
        if lead.duplicate_of_id is not None:
            reasons.append(_("also worked by another team (lead %(id)s)") % {"id": lead.duplicate_of_id})
        if reasons:
            found.append((lead, reasons))
    return found

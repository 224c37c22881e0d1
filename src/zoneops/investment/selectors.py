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
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from zoneops.accounts.models import Role, User
from zoneops.accounts.selectors import users_with_role, with_current
from zoneops.chains.models import Chain, Cluster
from zoneops.core.access import Perm, has_perm, require_perm, zone_scope
from zoneops.enterprises.models import Enterprise
from zoneops.investment.models import (
    OPEN_STAGES,
    STAGE_ORDER,
    Lead,
    LeadDocument,
    LeadEvent,
    LeadSource,
    LeadStage,
    PipelineSettings,
)
from zoneops.investment.services import stage_limits, stale_reasons

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

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


def officer_choices(*, user: User, current: User | None = None) -> list[User]:
    """Who may be a lead's officer: the zone's active users who may edit leads (LEAD_EDIT, the rule the
    lead services check), and the lead's officer now (so saving the form posts back one deactivated or
    assigned otherwise since, which the services let stand while unchanged)."""
    if user.zone_id is None:
        return []
    staff = User.objects.filter(zone_id=user.zone_id, is_active=True).select_related("department")
    return with_current([u for u in staff.order_by("username") if has_perm(u, Perm.LEAD_EDIT)], current)


def leader_choices(*, user: User, current: User | None = None) -> list[User]:
    """Who may be a lead's leader in charge: the zone's leaders, and the lead's leader now."""
    if user.zone is None:
        return []
    return with_current(list(users_with_role(zone=user.zone, role=Role.LEADER).order_by("username")), current)


def board_choices(*, user: User) -> dict[str, Any]:
    """What the board's filters offer: the zone's clusters, chains, officers and the sources."""
    if user.zone is None:
        return {"clusters": [], "chains": [], "officers": [], "sources": LeadSource.choices}
    return {
        "clusters": list(Cluster.objects.filter(zone=user.zone).order_by("sort_order")),
        "chains": list(Chain.objects.filter(zone=user.zone).order_by("sort_order", "pk")),
        "officers": officer_choices(user=user),
        "sources": LeadSource.choices,
    }


def lead_form_choices(*, user: User, lead: Lead | None = None) -> dict[str, Any]:
    """What the lead forms offer: chains and their nodes, chain masters, officers, leaders, sources."""
    masters = list(
        Enterprise.objects.filter(zone=user.zone, chains_led__isnull=False).distinct().order_by("name")
    )
    return {
        "chains": list(
            Chain.objects.filter(zone=user.zone).prefetch_related("nodes").order_by("sort_order", "pk")
        ),
        "chain_masters": with_current(masters, lead.referred_by if lead is not None else None),
        # A new lead is the acting user's unless another officer is chosen.
        "officer_choices": officer_choices(user=user, current=lead.officer if lead else user),
        "leaders": leader_choices(user=user, current=lead.leader if lead else None),
        "sources": LeadSource.choices,
    }


# --- the pipeline as it stood at a day's end --------------------------------------------------------

_STEPS = ("create", "transition")
SIGNED_INDEX = STAGE_ORDER.index(LeadStage.SIGNED)


class _Then(TypedDict):
    stage_then: str
    furthest_then: int
    entered_then: dt.date | None


def _at(rows: QuerySet[Lead], as_of: dt.date | None) -> QuerySet[WithAnnotations[Lead, _Then]]:
    """The leads with ``stage_then``, ``furthest_then`` (index in ``STAGE_ORDER``) and ``entered_then``:
    their stored stage, furthest stage and stage date now (``as_of`` None), or — for a past day — the
    leads opened by then as their timelines say they stood at its end (the last step by then, the
    furthest stage reached by then). A lead without a timeline counts as a new lead since it opened.
    Everything else (company, nodes, intended amounts, next action) is the lead's data now: the timeline
    records the stages, not every edit."""
    if as_of is None:
        return rows.annotate(
            stage_then=F("stage"), furthest_then=F("furthest"), entered_then=F("stage_entered_on")
        )
    steps = LeadEvent.objects.filter(lead=OuterRef("pk"), action__in=_STEPS, on__lte=as_of)
    last = steps.order_by("-at", "-pk")
    rank = Case(
        *(When(stage_to=stage, then=Value(i)) for i, stage in enumerate(STAGE_ORDER)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return rows.filter(opened_on__lte=as_of).annotate(
        stage_then=Coalesce(Subquery(last.values("stage_to")[:1]), Value(LeadStage.LEAD)),
        furthest_then=Coalesce(
            Subquery(steps.annotate(rank=rank).order_by("-rank").values("rank")[:1]), Value(0)
        ),
        entered_then=Coalesce(Subquery(last.values("on")[:1]), F("opened_on")),
    )


def _rewound(rows: Iterable[WithAnnotations[Lead, _Then]]) -> list[Lead]:
    """The leads of ``_at`` with their stage, furthest stage and stage date set to the day's (in memory,
    for reading only: these objects are never saved)."""
    result = list(rows)
    for lead in result:
        lead.stage = lead.stage_then
        lead.furthest = lead.furthest_then
        lead.stage_entered_on = lead.entered_then
    return list(result)


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


def document_get(*, user: User, document_id: int) -> LeadDocument:
    """A lead's document, for whoever may read the lead."""
    document = LeadDocument.objects.filter(pk=document_id, lead__in=leads(user=user)).first()
    if document is None:
        raise Http404
    return document


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
    """Leads opened in the year that reached each stage of ``STAGE_ORDER`` (skipping counts as passing),
    and the median days they spent in each stage they left."""

    key: str
    label: str
    reached: list[int]
    median_days: dict[str, float | None] = field(default_factory=dict)

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


def _median_days(rows: Iterable[Lead], stays: Mapping[int, list[tuple[str, int]]]) -> dict[str, float | None]:
    """The median days the leads spent in each stage they left (``stays``: each lead's (stage, days))."""
    durations: dict[str, list[int]] = defaultdict(list)
    for lead in rows:
        for stage, days in stays.get(lead.pk, []):
            durations[stage].append(days)
    return {s: float(statistics.median(durations[s])) if durations.get(s) else None for s in STAGE_ORDER}


def _grouped(
    rows: list[Lead], key: str, label_of: Mapping[Any, str], stays: Mapping[int, list[tuple[str, int]]]
) -> list[FunnelRow]:
    groups: dict[Any, list[Lead]] = defaultdict(list)
    for lead in rows:
        groups[getattr(lead, key)].append(lead)
    result = [
        FunnelRow(
            key=str(k),
            label=label_of.get(k, str(k) if k not in (None, "") else "—"),
            reached=_reached(v),
            median_days=_median_days(v, stays),
        )
        for k, v in groups.items()
    ]
    return sorted(result, key=lambda r: (-r.reached[0], r.label))


def funnel(*, user: User, year: int, as_of: dt.date | None = None) -> Funnel:
    """The funnel of the leads opened in ``year``: how many reached each stage, in total and by source,
    cluster, chain, officer and team; stage entries by month; median days per stage (in total and per
    group); conversion. ``as_of``: as the leads stood at that day's end (see ``_at``)."""
    require_perm(user, Perm.LEAD_VIEW)
    rows = _rewound(
        _at(leads(user=user).filter(opened_on__year=year), as_of)
        .select_related("chain__cluster")
        .prefetch_related(Prefetch("events", queryset=LeadEvent.objects.order_by("at", "pk")))
    )
    stages = _funnel_stages()
    by_month: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STAGE_ORDER, 0))
    stays: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for lead in rows:
        entered: tuple[str, dt.date] | None = None
        for event in lead.events.all():
            if event.action not in _STEPS or (as_of is not None and event.on > as_of):
                continue
            if event.stage_to in STAGE_ORDER:
                by_month[f"{event.on:%Y-%m}"][event.stage_to] += 1
            if entered is not None:
                stays[lead.pk].append((entered[0], (event.on - entered[1]).days))
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
    total = FunnelRow(
        key="all", label=_("All"), reached=_reached(rows), median_days=_median_days(rows, stays)
    )
    return Funnel(
        year=year,
        stages=stages,
        total=total,
        by_month=sorted(by_month.items()),
        median_days=total.median_days,
        by_source=_grouped(rows, "source", {k: str(v) for k, v in LeadSource.choices}, stays),
        by_cluster=_grouped(rows, "cluster_key", clusters, stays),
        by_chain=_grouped(rows, "chain_id", chains, stays),
        by_officer=_grouped(rows, "officer_id", officers, stays),
        by_team=_grouped(rows, "team", {}, stays),
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
    *,
    user: User,
    chain_id: int | None = None,
    with_leads: bool = True,
    nodes: list[GapNode] | None = None,
    as_of: dt.date | None = None,
) -> list[GapCoverage]:
    """Each missing or weak node of the zone's chains with the leads working on it; uncovered first.
    ``with_leads=False`` is the summary the cockpit reads: the counts without loading the leads; ``nodes``
    are the gap nodes when the caller already has them (the cockpit keeps them for a while). ``as_of``:
    the leads as they stood at that day's end (the gaps are today's: the chains keep no history)."""
    require_perm(user, Perm.LEAD_VIEW)
    if not has_perm(user, Perm.CHAIN_VIEW):
        return []  # no chain to read, so no gap to cover
    if nodes is None:
        nodes = gap_nodes(user=user, chain_id=chain_id)
    members = _at(leads(user=user), as_of)
    on_nodes = Lead.nodes.through.objects.filter(lead__in=members.values("pk"))
    working: dict[int, int] = {
        row["chainnode_id"]: row["n"]
        for row in on_nodes.exclude(lead__in=members.filter(stage_then=LeadStage.LOST).values("pk"))
        .values("chainnode_id")
        .annotate(n=Count("lead_id"))
    }
    by_node: dict[int, list[Lead]] = defaultdict(list)
    if with_leads:
        lead_of = {lead.pk: lead for lead in _rewound(members)}
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

    @property
    def started_rate(self) -> float | None:
        """Construction started, in per cent of the leads signed."""
        signed, started, _operating = self.signed_to_started_to_operating
        return round(100 * started / signed, 1) if signed else None

    @property
    def operating_rate(self) -> float | None:
        """In operation, in per cent of the leads whose construction started."""
        _signed, started, operating = self.signed_to_started_to_operating
        return round(100 * operating / started, 1) if started else None


def value(*, user: User, year: int, as_of: dt.date | None = None) -> PipelineValue:
    """The pipeline's value, summed in the database:

    - intended investment by stage: of the leads opened in ``year`` (the funnel's leads), by the stage
      each is in;
    - signed in the year: the agreements dated in ``year``, against the year's target;
    - signed → started → operating: every lead of the zone, whatever the year it opened, that got to
      signing, construction and operation (with the rates from one to the next) — from signing to
      operation takes years, so one year's leads would show next to none (the funnel page says so).

    ``as_of``: as the leads stood at that day's end (see ``_at``)."""
    require_perm(user, Perm.LEAD_VIEW)
    rows = _at(leads(user=user).order_by(), as_of)
    intended: dict[str, Decimal] = {s: Decimal(0) for s in LeadStage.values}
    for stage, total in (
        rows.filter(opened_on__year=year)
        .values_list("stage_then")
        .annotate(total=Sum("intended_investment"))
        .values_list("stage_then", "total")
    ):
        intended[stage] = (total or Decimal(0)).quantize(CENT)  # SQLite's SUM drops the scale

    def reached(stage: str) -> Q:
        return Q(furthest_then__gte=STAGE_ORDER.index(stage))

    signed_in_year = Q(signed_on__year=year) & reached(LeadStage.SIGNED)
    if as_of is not None:
        signed_in_year &= Q(signed_on__lte=as_of)
    totals = rows.aggregate(
        signed_amount=Sum("signed_amount", filter=signed_in_year),
        signed_count=Count("id", filter=signed_in_year),
        signed=Count("id", filter=reached(LeadStage.SIGNED)),
        started=Count("id", filter=reached(LeadStage.CONSTRUCTION)),
        operating=Count("id", filter=reached(LeadStage.OPERATING)),
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


def referrals(*, user: User, as_of: dt.date | None = None) -> list[Referral]:
    """Leads each chain master brought (以商招商) and how they ended (``as_of``: by that day's end)."""
    require_perm(user, Perm.LEAD_VIEW)
    groups: dict[int, list[Lead]] = defaultdict(list)
    names: dict[int, str] = {}
    for lead in _rewound(_at(leads(user=user).filter(referred_by__isnull=False), as_of)):
        assert lead.referred_by is not None
        groups[lead.referred_by.pk].append(lead)
        names[lead.referred_by.pk] = lead.referred_by.name
    signed_index = SIGNED_INDEX
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


def needing_attention(
    *, user: User, today: dt.date, as_of: dt.date | None = None
) -> list[tuple[Lead, list[str]]]:
    """The leaders' list: leads whose next action is overdue or that sat in a stage past the limit, and
    companies worked by two teams — both leads of each such pair, while the other is not lost.
    ``as_of``: the leads as they stood at that day's end (``today`` is then that day)."""
    require_perm(user, Perm.LEAD_VIEW)
    if user.zone_id is None:
        return []
    limits = stage_limits(user.zone_id)
    found = []
    rows = (
        _at(leads(user=user), as_of)
        .exclude(stage_then__in=[LeadStage.LOST, LeadStage.OPERATING])
        .select_related("duplicate_of")
        .prefetch_related("nodes", "duplicates")
    )
    for lead in _rewound(rows):
        reasons = stale_reasons(lead=lead, today=today, limits=limits)
        partners = [lead.duplicate_of] if lead.duplicate_of is not None else []
        partners += sorted(lead.duplicates.all(), key=lambda other: other.pk)
        for other in partners:
            if other.stage != LeadStage.LOST:
                reasons.append(_("also worked by another team (lead %(id)s)") % {"id": other.pk})
        if reasons:
            found.append((lead, reasons))
    return found

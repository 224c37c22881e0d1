"""API of the investment pipeline: leads and every step of them, the funnel, gap coverage, value,
chain-master referrals, the leads needing attention, the monthly report and the zone's settings. Only
investment promotion staff, supervisors and leaders see any of it."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from zoneops.core import clock
from zoneops.core.access import Perm, require_perm
from zoneops.core.errors import InvalidInput
from zoneops.core.excel import XLSX
from zoneops.core.uploads import DOCUMENT_MAX_BYTES
from zoneops.core.web import request_user
from zoneops.investment import reports, selectors, services
from zoneops.investment.models import Lead, LeadContact, LeadDocument, LeadEvent

router = Router(tags=["investment pipeline"])
pipeline_router = Router(tags=["investment pipeline"])


class EventOut(Schema):
    at: dt.datetime
    actor: str | None
    action: str
    stage_from: str
    stage_to: str
    note: str

    @staticmethod
    def resolve_actor(obj: LeadEvent) -> str | None:
        return obj.actor.get_username() if obj.actor else None


class LeadOut(Schema):
    id: int
    company_name: str
    candidate_id: int | None
    chain_id: int | None
    node_ids: list[int]
    source: str
    referred_by_id: int | None
    stage: str
    officer_id: int | None
    team: str
    leader_id: int | None
    intended_investment: Decimal | None
    intended_output: Decimal | None
    next_action: str
    next_action_on: dt.date | None
    opened_on: dt.date | None
    stage_entered_on: dt.date | None
    signed_on: dt.date | None
    signed_amount: Decimal | None
    key_project_id: int | None
    enterprise_id: int | None
    construction_on: dt.date | None
    operating_on: dt.date | None
    closed_reason: str
    duplicate_of_id: int | None
    duplicates: list[int]  # the other way: leads flagged as the same company as this one

    @staticmethod
    def resolve_node_ids(obj: Lead) -> list[int]:
        return sorted(n.pk for n in obj.nodes.all())

    @staticmethod
    def resolve_duplicates(obj: Lead) -> list[int]:
        return sorted(d.pk for d in obj.duplicates.all())


class ContactOut(Schema):
    id: int
    name: str
    title: str
    phone: str
    email: str


class DocumentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: dt.datetime
    url: str

    @staticmethod
    def resolve_url(obj: LeadDocument) -> str:
        return reverse("investment:document", kwargs={"document_id": obj.pk})


class LeadDetail(LeadOut):
    notes: str
    next_stages: list[dict[str, Any]]
    timeline: list[EventOut]
    contacts: list[ContactOut]
    documents: list[DocumentOut]

    @staticmethod
    def resolve_next_stages(obj: Lead) -> list[dict[str, Any]]:
        return [{"stage": s, "reason_required": r} for s, r in services.next_stages(obj)]

    @staticmethod
    def resolve_timeline(obj: Lead) -> list[LeadEvent]:
        return list(obj.events.all())

    @staticmethod
    def resolve_contacts(obj: Lead) -> list[LeadContact]:
        return list(obj.contacts.all())

    @staticmethod
    def resolve_documents(obj: Lead) -> list[LeadDocument]:
        return list(obj.documents.all())


@router.get("", response=list[LeadOut])
@paginate(PageNumberPagination)
def lead_list(
    request: HttpRequest,
    stage: str | None = None,
    cluster_id: int | None = None,
    chain_id: int | None = None,
    officer_id: int | None = None,
    source: str | None = None,
    team: str = "",
    search: str = "",
) -> Any:
    """The zone's leads (investment promotion staff, supervisors, leaders; 403 for anyone else)."""
    user = request_user(request)
    require_perm(user, Perm.LEAD_VIEW)
    filters = selectors.LeadFilter(
        stage=stage,
        cluster_id=cluster_id,
        chain_id=chain_id,
        officer_id=officer_id,
        source=source,
        team=team,
        search=search,
    )
    return selectors.leads(user=user, filters=filters).prefetch_related("nodes", "duplicates")


class LeadIn(Schema):
    company_name: str = ""
    candidate_id: int | None = None
    node_ids: list[int] = []
    source: str
    referred_by_id: int | None = None
    officer_id: int | None = None
    team: str = ""
    leader_id: int | None = None
    intended_investment: Decimal | None = None
    intended_output: Decimal | None = None
    next_action: str = ""
    next_action_on: dt.date | None = None
    notes: str = ""


@router.post("", response={201: LeadDetail})
def lead_create(request: HttpRequest, payload: LeadIn) -> Status[Lead]:
    """A new lead; another officer's open lead for the same company is flagged on both."""
    user = request_user(request)
    require_perm(user, Perm.LEAD_EDIT)
    assert user.zone is not None
    values = payload.dict(exclude_unset=True)
    values.setdefault("source", payload.source)
    lead = services.lead_create(actor=user, zone=user.zone, values=values)
    return Status(201, selectors.lead_get(user=user, lead_id=lead.pk))


class AttentionOut(Schema):
    lead: LeadOut
    reasons: list[str]


@router.get("/attention", response=list[AttentionOut])
def attention(request: HttpRequest) -> Any:
    """The leaders' list: next action overdue, too long in a stage, or worked by two teams."""
    user = request_user(request)
    today = clock.today(zone=user.zone)
    return [
        {"lead": lead, "reasons": reasons}
        for lead, reasons in selectors.needing_attention(user=user, today=today)
    ]


@router.get("/{lead_id}", response=LeadDetail)
def lead_detail(request: HttpRequest, lead_id: int) -> Lead:
    """One lead with its stage, timeline, contacts, documents, the stages it may move to, and its key
    project once signed."""
    return selectors.lead_get(user=request_user(request), lead_id=lead_id)


class LeadPatch(Schema):
    company_name: str | None = None
    node_ids: list[int] | None = None
    source: str | None = None
    referred_by_id: int | None = None
    officer_id: int | None = None
    team: str | None = None
    leader_id: int | None = None
    intended_investment: Decimal | None = None
    intended_output: Decimal | None = None
    next_action: str | None = None
    next_action_on: dt.date | None = None
    notes: str | None = None


@router.patch("/{lead_id}", response=LeadDetail)
def lead_patch(request: HttpRequest, lead_id: int, payload: LeadPatch) -> Lead:
    user = request_user(request)
    lead = selectors.lead_get(user=user, lead_id=lead_id)
    services.lead_update(actor=user, lead=lead, values=payload.dict(exclude_unset=True))
    return selectors.lead_get(user=user, lead_id=lead_id)


class NewEnterpriseIn(Schema):
    name: str
    uscc: str
    industry: str = ""


class TransitionIn(Schema):
    to: str
    reason: str = ""
    signed_on: dt.date | None = None
    signed_amount: Decimal | None = None
    key_project_id: int | None = None
    enterprise_id: int | None = None
    enterprise: NewEnterpriseIn | None = None
    date: dt.date | None = None


@router.post("/{lead_id}/transition", response=LeadDetail)
def lead_transition(request: HttpRequest, lead_id: int, payload: TransitionIn) -> Lead:
    """Move the lead: ``{"to": stage, "reason": ...}``; going back, losing or holding needs a reason (422
    without); a move the stages don't allow answers 409. Signed needs ``signed_on`` and ``signed_amount``
    (the lead becomes a key project: ``key_project_id``); registered needs ``enterprise_id`` or a new
    ``enterprise`` (name, USCC); construction and operation take a ``date``."""
    user = request_user(request)
    lead = selectors.lead_get(user=user, lead_id=lead_id)
    data = payload.dict(exclude={"to", "reason"}, exclude_none=True)
    services.lead_transition(actor=user, lead=lead, to=payload.to, reason=payload.reason, data=data)
    return selectors.lead_get(user=user, lead_id=lead_id)


class ContactIn(Schema):
    name: str
    title: str = ""
    phone: str = ""
    email: str = ""


@router.post("/{lead_id}/contacts", response={201: ContactOut})
def contact_create(request: HttpRequest, lead_id: int, payload: ContactIn) -> Status[LeadContact]:
    user = request_user(request)
    lead = selectors.lead_get(user=user, lead_id=lead_id)
    return Status(201, services.contact_add(actor=user, lead=lead, **payload.dict()))


@router.post("/{lead_id}/documents", response={201: DocumentOut})
def document_create(request: HttpRequest, lead_id: int, file: File[UploadedFile]) -> Status[LeadDocument]:
    """A document (PDF, image or Office file, at most 20 MB; its bytes decide the type)."""
    user = request_user(request)
    lead = selectors.lead_get(user=user, lead_id=lead_id)
    if file.size is not None and file.size > DOCUMENT_MAX_BYTES:
        raise InvalidInput.single("file", _("The file is larger than 20 MB."))
    return Status(
        201, services.document_add(actor=user, lead=lead, name=file.name or "", content=file.read())
    )


# --- analytics ------------------------------------------------------------------------------------


class FunnelRowOut(Schema):
    key: str
    label: str
    reached: list[int]
    conversion: list[float | None]
    median_days: dict[str, float | None]


class FunnelOut(Schema):
    year: int
    stages: list[str]
    total: FunnelRowOut
    by_month: list[dict[str, Any]]
    median_days: dict[str, float | None]
    by_source: list[FunnelRowOut]
    by_cluster: list[FunnelRowOut]
    by_chain: list[FunnelRowOut]
    by_officer: list[FunnelRowOut]
    by_team: list[FunnelRowOut]
    current: dict[str, int]
    lost: int
    on_hold: int


def _year(request: HttpRequest, year: int | None) -> int:
    if year is not None and not 2000 <= year <= 2100:
        raise InvalidInput.single("year", _("Enter a year between 2000 and 2100."))
    return year or clock.today(zone=request_user(request).zone).year


@pipeline_router.get("/funnel", response=FunnelOut)
def funnel(request: HttpRequest, year: int | None = None) -> dict[str, Any]:
    """Leads opened in the year: how many reached each stage (``stages`` order), conversion to the next,
    stage entries by month, median days per stage, and the same (median days too) by source, cluster,
    chain, officer, team."""
    user = request_user(request)
    result = selectors.funnel(user=user, year=_year(request, year))
    return {
        "year": result.year,
        "stages": [s for s, _label in result.stages],
        "total": result.total,
        "by_month": [{"month": month, "entered": counts} for month, counts in result.by_month],
        "median_days": result.median_days,
        "by_source": result.by_source,
        "by_cluster": result.by_cluster,
        "by_chain": result.by_chain,
        "by_officer": result.by_officer,
        "by_team": result.by_team,
        "current": result.current,
        "lost": result.lost,
        "on_hold": result.on_hold,
    }


class CoverageLeadOut(Schema):
    id: int
    company_name: str
    stage: str


class CoverageOut(Schema):
    chain_id: int
    chain: str
    node_id: int
    node: str
    gap: str
    importance: float
    uncovered: bool
    leads: list[CoverageLeadOut]


@pipeline_router.get("/gap-coverage", response=list[CoverageOut])
def gap_coverage(request: HttpRequest, chain_id: int | None = None) -> Any:
    """Each missing or weak chain node with the leads working on it; ``uncovered`` where none (lost
    leads don't count), uncovered first."""
    return selectors.gap_coverage(user=request_user(request), chain_id=chain_id)


class ValueOut(Schema):
    year: int
    intended_by_stage: dict[str, Decimal]
    signed_in_year: Decimal
    signed_count: int
    target: Decimal | None
    target_share: float | None
    signed: int
    started: int
    operating: int
    started_rate: float | None
    operating_rate: float | None


@pipeline_router.get("/value", response=ValueOut)
def pipeline_value(request: HttpRequest, year: int | None = None) -> dict[str, Any]:
    """Intended investment by stage of the leads opened in the year; signed investment in the year against
    its target; signed → started → operating of every lead, whatever its year, with ``started_rate`` (per
    cent of signed) and ``operating_rate`` (per cent of started)."""
    result = selectors.value(user=request_user(request), year=_year(request, year))
    signed, started, operating = result.signed_to_started_to_operating
    return {
        "year": result.year,
        "intended_by_stage": result.intended_by_stage,
        "signed_in_year": result.signed_in_year,
        "signed_count": result.signed_count,
        "target": result.target,
        "target_share": result.target_share,
        "signed": signed,
        "started": started,
        "operating": operating,
        "started_rate": result.started_rate,
        "operating_rate": result.operating_rate,
    }


class ReferralOut(Schema):
    enterprise_id: int
    enterprise: str
    leads: int
    by_stage: dict[str, int]
    signed: int
    signed_amount: Decimal


@pipeline_router.get("/referrals", response=list[ReferralOut])
def pipeline_referrals(request: HttpRequest) -> Any:
    """Leads each chain master referred (以商招商) and their outcome."""
    return selectors.referrals(user=request_user(request))


@pipeline_router.get("/report")
def pipeline_report(request: HttpRequest, year: int | None = None, month: str | None = None) -> HttpResponse:
    """The monthly pipeline report as Excel (funnel, gap coverage, value, referrals, attention list).
    ``month`` (``YYYY-MM``, a past month): the report as the pipeline stood at that month's end, for that
    month's year."""
    user = request_user(request)
    require_perm(user, Perm.LEAD_VIEW)
    asked = reports.report_request(year=_year(request, year), month=month, today=clock.today(zone=user.zone))
    response = HttpResponse(
        reports.pipeline_workbook(user=user, year=asked.year, as_of=asked.as_of), content_type=XLSX
    )
    response["Content-Disposition"] = f'attachment; filename="{asked.filename}"'
    return response


class SettingsIn(Schema):
    stage_limits: dict[str, Any] | None = None
    year_targets: dict[str, Any] | None = None


class SettingsOut(Schema):
    stage_limits: dict[str, int]
    year_targets: dict[str, str]


@pipeline_router.get("/settings", response=SettingsOut)
def settings_get(request: HttpRequest) -> dict[str, Any]:
    user = request_user(request)
    require_perm(user, Perm.LEAD_VIEW)
    zone_id = user.zone_id or 0
    return {"stage_limits": services.stage_limits(zone_id), "year_targets": selectors.year_targets(zone_id)}


@pipeline_router.put("/settings", response=SettingsOut)
def settings_put(request: HttpRequest, payload: SettingsIn) -> dict[str, Any]:
    """Days a lead may sit in each stage; the signed-investment target of each year."""
    user = request_user(request)
    require_perm(user, Perm.LEAD_EDIT)
    if user.zone is None:
        raise InvalidInput.single("zone", _("Sign in as a user of the zone."))
    services.pipeline_settings_set(
        actor=user, zone=user.zone, stage_limits=payload.stage_limits, year_targets=payload.year_targets
    )
    return {
        "stage_limits": services.stage_limits(user.zone.pk),
        "year_targets": selectors.year_targets(user.zone.pk),
    }

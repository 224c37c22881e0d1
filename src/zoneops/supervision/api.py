"""API of supervision items (督办) and department assessment (考核)."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from zoneops.accounts.models import Department, User
from zoneops.core.access import Perm, require_perm
from zoneops.core.errors import InvalidInput
from zoneops.core.excel import XLSX
from zoneops.core.uploads import uploads_read
from zoneops.core.web import request_user
from zoneops.projects.models import KeyProject, Problem
from zoneops.supervision import assessment as scoring
from zoneops.supervision import reports, selectors, services
from zoneops.supervision.models import SupervisionEvent, SupervisionEvidence, SupervisionItem

router = Router(tags=["supervision"])
assessment_router = Router(tags=["supervision"])


class EvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str

    @staticmethod
    def resolve_url(obj: SupervisionEvidence) -> str:
        return reverse("supervision:evidence", args=[obj.pk])


class EventOut(Schema):
    at: dt.datetime
    actor: str | None
    action: str
    action_label: str  # in the request's language
    status_after: str
    note: str
    evidence: str
    deadline_after: dt.date | None
    documents: list[EvidenceOut]

    @staticmethod
    def resolve_documents(obj: SupervisionEvent) -> list[SupervisionEvidence]:
        return list(obj.documents.all())

    @staticmethod
    def resolve_actor(obj: SupervisionEvent) -> str | None:
        return obj.actor.get_username() if obj.actor else None

    @staticmethod
    def resolve_action_label(obj: SupervisionEvent) -> str:
        return str(obj.get_action_display())


class ItemOut(Schema):
    id: int
    number: str
    source: str
    subject: str
    instructions: str
    department_id: int
    department: str
    project_id: int | None
    problem_id: int | None
    leader_id: int | None
    opened_on: dt.date
    working_days: int
    deadline: dt.date
    status: str
    closed_on: dt.date | None
    closed_on_time: bool | None
    extension_requested_to: dt.date | None

    @staticmethod
    def resolve_department(obj: SupervisionItem) -> str:
        return obj.department.name


class ItemDetail(ItemOut):
    timeline: list[EventOut]

    @staticmethod
    def resolve_timeline(obj: SupervisionItem) -> list[SupervisionEvent]:
        return list(obj.events.all())


@router.get("", response=list[ItemOut])
@paginate(PageNumberPagination)
def item_list(
    request: HttpRequest,
    bucket: Literal["open", "due_soon", "overdue", "closed_this_month"] | None = None,
    department_id: int | None = None,
    status: Literal["assigned", "responded", "verified", "returned", "closed"] | None = None,
) -> Any:
    """Items the caller may see: all for the supervision office and leaders; a department's own for its
    staff."""
    return selectors.items(
        user=request_user(request), bucket=bucket, department_id=department_id, status=status
    )


class DepartmentLoadOut(Schema):
    department_id: int
    department: str
    open: int
    overdue: int
    closed: int
    closed_on_time: int


class BoardOut(Schema):
    counts: dict[str, int]
    departments: list[DepartmentLoadOut]


@router.get("/board", response=BoardOut)
def item_board(request: HttpRequest) -> BoardOut:
    data = selectors.board(user=request_user(request))
    return BoardOut(
        counts=data["counts"],  # type: ignore[arg-type]
        departments=[DepartmentLoadOut(**vars(d)) for d in data["departments"]],  # type: ignore[attr-defined]
    )


class ItemIn(Schema):
    source: Literal["project_problem", "service_order", "leader_instruction", "assessment_finding"]
    subject: str
    department_id: int
    working_days: int = Field(..., ge=1, le=250)
    instructions: str = ""
    leader_id: int | None = None
    project_id: int | None = None
    problem_id: int | None = None


@router.post("", response={201: ItemDetail})
def item_create(request: HttpRequest, payload: ItemIn) -> Status[SupervisionItem]:
    """Raise an item: assigned to a department, due in working days."""
    user = request_user(request)
    if user.zone is None:
        raise InvalidInput.single("zone", _("Act from an account of the zone."))
    errors = []
    department = Department.objects.filter(zone=user.zone, pk=payload.department_id).first()
    if department is None:
        errors.append(("department_id", _("No department with this id in the zone.")))
    leader = User.objects.filter(zone=user.zone, pk=payload.leader_id).first() if payload.leader_id else None
    if payload.leader_id and leader is None:
        errors.append(("leader_id", _("No user with this id in the zone.")))
    project = (
        KeyProject.objects.filter(zone=user.zone, pk=payload.project_id).first()
        if payload.project_id
        else None
    )
    if payload.project_id and project is None:
        errors.append(("project_id", _("No project with this id in the zone.")))
    problem = (
        Problem.objects.filter(project__zone=user.zone, pk=payload.problem_id)
        .select_related("project")
        .first()
        if payload.problem_id
        else None
    )
    if payload.problem_id and problem is None:
        errors.append(("problem_id", _("No problem with this id in the zone.")))
    if errors:
        from zoneops.core.errors import FieldError

        raise InvalidInput([FieldError(f, m) for f, m in errors])
    assert department is not None
    item = services.item_raise(
        actor=user,
        zone=user.zone,
        source=payload.source,
        subject=payload.subject,
        department=department,
        working_days=payload.working_days,
        instructions=payload.instructions,
        leader=leader,
        project=project,
        problem=problem,
    )
    return Status(201, selectors.item_get(user=user, item_id=item.pk))


@router.get("/{item_id}", response=ItemDetail)
def item_detail(request: HttpRequest, item_id: int) -> SupervisionItem:
    """One item with its timeline."""
    return selectors.item_get(user=request_user(request), item_id=item_id)


class ExtensionIn(Schema):
    to: dt.date
    reason: str


@router.post("/{item_id}/extension", response=ItemDetail)
def extension_request(request: HttpRequest, item_id: int, payload: ExtensionIn) -> SupervisionItem:
    """The department asks for a later deadline, with its reason."""
    user = request_user(request)
    item = selectors.item_get(user=user, item_id=item_id)
    services.extension_request(actor=user, item=item, to=payload.to, reason=payload.reason)
    return selectors.item_get(user=user, item_id=item_id)


class DecisionIn(Schema):
    approve: bool
    note: str = ""


@router.post("/{item_id}/extension/decision", response=ItemDetail)
def extension_decide(request: HttpRequest, item_id: int, payload: DecisionIn) -> SupervisionItem:
    user = request_user(request)
    item = selectors.item_get(user=user, item_id=item_id)
    services.extension_decide(actor=user, item=item, approve=payload.approve, note=payload.note)
    return selectors.item_get(user=user, item_id=item_id)


@router.post("/{item_id}/files", response=ItemDetail)
def item_files(
    request: HttpRequest,
    item_id: int,
    action: Form[Literal["respond", "progress"]],
    note: Form[str],
    files: File[list[UploadedFile]],
    evidence: Form[str] = "",
) -> SupervisionItem:
    """The department's response or progress report with evidence files (multipart: PDF, image or Office
    document, at most 20 MB each; their bytes decide the type). A bad file leaves the step undone."""
    user = request_user(request)
    item = selectors.item_get(user=user, item_id=item_id)
    uploads = uploads_read(files)
    if action == "progress":
        services.item_progress(actor=user, item=item, note=note, files=uploads)
    else:
        services.item_act(actor=user, item=item, action=action, note=note, evidence=evidence, files=uploads)
    return selectors.item_get(user=user, item_id=item_id)


class ActionIn(Schema):
    note: str = ""
    evidence: str = ""


@router.post("/{item_id}/{action}", response=ItemDetail)
def item_action(
    request: HttpRequest,
    item_id: int,
    action: Literal["respond", "progress", "verify", "close", "return", "remind"],
    payload: ActionIn,
) -> SupervisionItem:
    """``respond`` and ``progress`` (the department: its answer, or progress so far without answering
    yet), ``verify``, ``close``, ``return`` (with a reason) and ``remind`` (the supervision office). A step
    the item's state does not allow answers 409. Files go with ``/files``."""
    user = request_user(request)
    item = selectors.item_get(user=user, item_id=item_id)
    if action == "remind":
        services.item_remind(actor=user, item=item)
    elif action == "progress":
        services.item_progress(actor=user, item=item, note=payload.note)
    else:
        services.item_act(actor=user, item=item, action=action, note=payload.note, evidence=payload.evidence)
    return selectors.item_get(user=user, item_id=item_id)


# --- assessment -----------------------------------------------------------------------------------


class MeasureOut(Schema):
    measure: str
    label: str
    weight: int
    achieved: Decimal
    expected: Decimal
    rate: Decimal | None
    points: Decimal
    applies: bool


class AdjustmentOut(Schema):
    id: int
    points: Decimal
    reason: str


class ScoreOut(Schema):
    department_id: int
    department: str
    score: Decimal
    rank: int
    previous_score: Decimal | None
    change: Decimal | None
    breakdown: list[MeasureOut]
    adjustments: list[AdjustmentOut]


def _period(text: str) -> str:
    try:
        return scoring.parse_period(text).code
    except ValueError:
        raise InvalidInput.single("period", _("Write the period as 2022Q1 or 2022.")) from None


@assessment_router.get("", response=list[ScoreOut])
def assessment_list(request: HttpRequest, period: str) -> list[ScoreOut]:
    """Departments ranked by score. The breakdown's lines add up to the score: each measure's points, then
    the bonus and penalty points (``adjustments``, also listed one by one with their reasons)."""
    rows = scoring.assessment(user=request_user(request), period_code=_period(period))
    return [
        ScoreOut(
            department_id=r.department_id,
            department=r.department,
            score=r.score,
            rank=r.rank,
            previous_score=r.previous_score,
            change=r.change,
            breakdown=[MeasureOut(**vars(b)) for b in r.breakdown],
            adjustments=[AdjustmentOut(id=a.pk, points=a.points, reason=a.reason) for a in r.adjustments],
        )
        for r in rows
    ]


class DrillOut(Schema):
    measure: str
    measure_label: str  # in the request's language
    kind: str
    object_id: int
    label: str
    detail: str
    ok: bool


@assessment_router.get("/export", response={200: None})
def assessment_export(request: HttpRequest, period: str) -> HttpResponse:
    code = _period(period)
    response = HttpResponse(
        reports.assessment_workbook(user=request_user(request), period_code=code), content_type=XLSX
    )
    response["Content-Disposition"] = f'attachment; filename="assessment-{code}.xlsx"'
    return response


@assessment_router.get("/{department_id}/items", response=list[DrillOut])
def assessment_items(request: HttpRequest, department_id: int, period: str) -> list[DrillOut]:
    """The milestones, reports, items, orders, leads and projects behind a department's points."""
    rows = scoring.drill_down(
        user=request_user(request), period_code=_period(period), department_id=department_id
    )
    return [DrillOut(**vars(r), measure_label=r.measure_label) for r in rows]


class AdjustmentIn(Schema):
    department_id: int
    period: str
    points: Decimal
    reason: str


@assessment_router.post("/adjustments", response={201: AdjustmentOut})
def adjustment_create(request: HttpRequest, payload: AdjustmentIn) -> Status[AdjustmentOut]:
    """A bonus or penalty for a department and period, with its reason (the supervision office)."""
    user = request_user(request)
    if user.zone is None:
        raise InvalidInput.single("zone", _("Act from an account of the zone."))
    adjustment = services.adjustment_add(
        actor=user,
        zone=user.zone,
        department_id=payload.department_id,
        period=payload.period,
        points=payload.points,
        reason=payload.reason,
    )
    return Status(201, AdjustmentOut(id=adjustment.pk, points=adjustment.points, reason=adjustment.reason))


class WeightsOut(Schema):
    period: str = Field(description='The period the weights are frozen for; "" for the standing scheme.')
    weights: dict[str, int]
    labels: dict[str, str]


class WeightsIn(Schema):
    weights: dict[str, Any]
    period: str = ""


def _weights_out(*, zone_id: int, period: str) -> WeightsOut:
    return WeightsOut(
        period=period,
        weights=scoring.zone_weights(zone_id, period_code=period),
        labels={measure: scoring.measure_label(measure) for measure in scoring.DEFAULT_WEIGHTS},
    )


@assessment_router.get("/weights", response=WeightsOut)
def assessment_weights(request: HttpRequest, period: str = "") -> WeightsOut:
    """The weights a period is assessed under (its own scheme, else the standing one); without a period,
    the standing scheme."""
    user = request_user(request)
    require_perm(user, Perm.ASSESSMENT_VIEW)
    return _weights_out(zone_id=user.zone_id or 0, period=_period(period) if period.strip() else "")


@assessment_router.put("/weights", response=WeightsOut)
def assessment_weights_put(request: HttpRequest, payload: WeightsIn) -> WeightsOut:
    """Set the standing scheme (closed periods keep their weights) or, with a period, that period's own."""
    user = request_user(request)
    if user.zone is None:
        raise InvalidInput.single("zone", _("Act from an account of the zone."))
    scheme = services.assessment_weights_set(
        actor=user, zone=user.zone, weights=payload.weights, period=payload.period
    )
    return _weights_out(zone_id=user.zone.pk, period=scheme.period)

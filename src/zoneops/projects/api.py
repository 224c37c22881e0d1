"""API of key projects: the board, one project, milestones, monthly reports, problems, warning rules and
the monthly scheduling report."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from zoneops.core.access import Perm, require_perm
from zoneops.core.errors import InvalidInput
from zoneops.core.excel import XLSX
from zoneops.core.web import request_user
from zoneops.indicators.parsing import parse_period
from zoneops.projects import reports, selectors, services
from zoneops.projects.models import (
    KeyProject,
    Milestone,
    MonthlyReport,
    Problem,
    ProjectPhoto,
    WarningRuleCode,
)
from zoneops.projects.warnings import reason_text
from zoneops.supervision.services import problem_to_supervision

router = Router(tags=["projects"])


def _month(text: str, field: str = "period") -> dt.date:
    period = parse_period(text)
    if period is None:
        raise InvalidInput.single(field, _("Not a month: write it as YYYY-MM, e.g. 2022-04."))
    return period


class ReasonOut(Schema):
    rule: str
    level: str
    message: str


def _reasons(project: KeyProject) -> list[ReasonOut]:
    return [
        ReasonOut(rule=r["rule"], level=r["level"], message=reason_text(r)) for r in project.warning_reasons
    ]


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    year: int
    level: str
    project_type: str
    status: str
    cluster_id: int | None
    owner_id: int | None
    owner: str | None
    department_id: int
    department: str
    total_investment: Decimal
    planned_investment: Decimal
    capacity_target: Decimal | None
    capacity_unit: str
    expected_output: Decimal | None
    planned_start: dt.date
    planned_completion: dt.date
    leader: str | None
    warning_level: str
    warning_reasons: list[ReasonOut]
    latest_progress: int | None = None
    latest_cumulative: Decimal | None = None

    @staticmethod
    def resolve_owner(obj: KeyProject) -> str | None:
        return obj.owner.name if obj.owner else None

    @staticmethod
    def resolve_department(obj: KeyProject) -> str:
        return obj.department.name

    @staticmethod
    def resolve_leader(obj: KeyProject) -> str | None:
        return str(obj.leader) if obj.leader else None

    @staticmethod
    def resolve_warning_reasons(obj: KeyProject) -> list[ReasonOut]:
        return _reasons(obj)


class BoardQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100)
    # One level, or several joined by | or , ("provincial|municipal": the provincial and municipal ones).
    level: str | None = Field(
        None, pattern=r"^(provincial|municipal|zone)([|,](provincial|municipal|zone))*$"
    )
    project_type: Literal["new_start", "continuing", "completion"] | None = None
    warning_level: Literal["green", "amber", "red"] | None = None
    warning_rule: (
        Literal["investment_behind", "milestone_overdue", "report_missing", "problem_open", "completion_late"]
        | None
    ) = None
    cluster_id: int | None = None
    department_id: int | None = None
    search: str = ""
    sort: Literal["code", "name", "level", "warning", "investment", "completion", "progress"] = "warning"


@router.get("", response=list[ProjectOut])
@paginate(PageNumberPagination)
def project_list(request: HttpRequest, query: Query[BoardQuery]) -> Any:
    """The project board (an enterprise contact: its own enterprise's projects)."""
    return selectors.projects(user=request_user(request), filters=selectors.BoardFilter(**query.dict()))


@router.get("/scheduling-report", response={200: None})
def scheduling_report(request: HttpRequest, period: str) -> HttpResponse:
    """The monthly scheduling report (月调度表) as Excel, one row per project of the month's year."""
    user = request_user(request)
    require_perm(user, Perm.PROJECT_VIEW)
    month = _month(period)
    response = HttpResponse(reports.scheduling_report(user=user, period=month), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="scheduling-{month:%Y-%m}.xlsx"'
    return response


class RuleOut(Schema):
    code: str
    amber: Decimal
    red: Decimal
    enabled: bool


@router.get("/warning-rules", response=list[RuleOut])
def warning_rules(request: HttpRequest) -> list[RuleOut]:
    user = request_user(request)
    require_perm(user, Perm.PROJECT_VIEW)
    return [
        RuleOut(code=r.code, amber=r.amber, red=r.red, enabled=r.enabled)
        for r in selectors.warning_rules(zone_id=user.zone_id or 0)
    ]


class RuleIn(Schema):
    code: Literal[
        "investment_behind", "milestone_overdue", "report_missing", "problem_open", "completion_late"
    ]
    amber: Decimal
    red: Decimal
    enabled: bool = True


@router.put("/warning-rules", response=RuleOut)
def warning_rule_put(request: HttpRequest, payload: RuleIn) -> RuleOut:
    """Set one rule's thresholds; every project's warnings are recomputed."""
    user = request_user(request)
    if user.zone is None:
        raise InvalidInput.single("zone", _("Act from an account of the zone."))
    rule = services.warning_rule_set(
        actor=user,
        zone=user.zone,
        code=WarningRuleCode(payload.code),
        amber=payload.amber,
        red=payload.red,
        enabled=payload.enabled,
    )
    return RuleOut(code=rule.code, amber=rule.amber, red=rule.red, enabled=rule.enabled)


class ProjectIn(Schema):
    code: str | None = None
    name: str | None = None
    year: int | None = None
    level: str | None = None
    project_type: str | None = None
    status: str | None = None
    cluster: int | None = None
    chain_node: int | None = None
    owner: int | None = None
    department: int | None = None
    officer: int | None = None
    leader: int | None = None
    total_investment: Decimal | None = None
    planned_investment: Decimal | None = None
    construction_content: str | None = None
    capacity_target: Decimal | None = None
    capacity_unit: str | None = None
    expected_output: Decimal | None = None
    planned_start: dt.date | None = None
    planned_completion: dt.date | None = None


@router.post("", response={201: ProjectOut})
def project_create(request: HttpRequest, payload: ProjectIn) -> Status[KeyProject]:
    user = request_user(request)
    if user.zone is None:
        raise InvalidInput.single("zone", _("Act from an account of the zone."))
    project = services.project_save(actor=user, zone=user.zone, values=payload.dict(exclude_unset=True))
    return Status(201, selectors.project_get(user=user, project_id=project.pk))


class MilestoneOut(Schema):
    id: int
    kind: str
    name: str
    planned_date: dt.date
    actual_date: dt.date | None


class ReportOut(Schema):
    id: int
    period: dt.date
    investment_month: Decimal
    investment_cumulative: Decimal
    progress_percent: int
    progress_text: str
    on_time: bool
    revision: int
    correction_reason: str
    submitted_at: dt.datetime


class ProblemOut(Schema):
    id: int
    description: str
    raised_on: dt.date
    status: str
    resolved_on: dt.date | None
    supervision_item_id: int | None

    @staticmethod
    def resolve_supervision_item_id(obj: Problem) -> int | None:
        item = getattr(obj, "supervision_item", None)
        return item.pk if item is not None else None


class PhotoOut(Schema):
    id: int
    caption: str
    taken_on: dt.date
    content_type: str
    size: int
    url: str

    @staticmethod
    def resolve_url(obj: ProjectPhoto) -> str:
        return reverse("projects:photo", args=[obj.pk])


class ProjectDetail(ProjectOut):
    construction_content: str
    photos: list[PhotoOut]
    chain_node_id: int | None
    milestones: list[MilestoneOut]
    reports: list[ReportOut]
    problems: list[ProblemOut]
    warning_checked_on: dt.date | None

    @staticmethod
    def resolve_milestones(obj: KeyProject) -> list[Milestone]:
        return list(obj.milestones.all())

    @staticmethod
    def resolve_reports(obj: KeyProject) -> list[MonthlyReport]:
        return list(obj.reports.all())

    @staticmethod
    def resolve_problems(obj: KeyProject) -> list[Problem]:
        return list(obj.problems.all())

    @staticmethod
    def resolve_photos(obj: KeyProject) -> list[ProjectPhoto]:
        return list(obj.photos.all())


@router.get("/{project_id}", response=ProjectDetail)
def project_detail(request: HttpRequest, project_id: int) -> KeyProject:
    return selectors.project_get(user=request_user(request), project_id=project_id)


@router.patch("/{project_id}", response=ProjectDetail)
def project_update(request: HttpRequest, project_id: int, payload: ProjectIn) -> KeyProject:
    user = request_user(request)
    project = selectors.project_get(user=user, project_id=project_id)
    services.project_save(
        actor=user, zone=project.zone, project=project, values=payload.dict(exclude_unset=True)
    )
    return selectors.project_get(user=user, project_id=project_id)


class MilestoneIn(Schema):
    kind: str
    name: str
    planned_date: dt.date
    actual_date: dt.date | None = None


@router.post("/{project_id}/milestones", response={201: MilestoneOut})
def milestone_create(request: HttpRequest, project_id: int, payload: MilestoneIn) -> Status[Milestone]:
    user = request_user(request)
    project = selectors.project_get(user=user, project_id=project_id)
    return Status(201, services.milestone_save(actor=user, project=project, **payload.dict()))


@router.put("/{project_id}/milestones/{milestone_id}", response=MilestoneOut)
def milestone_update(
    request: HttpRequest, project_id: int, milestone_id: int, payload: MilestoneIn
) -> Milestone:
    user = request_user(request)
    project = selectors.project_get(user=user, project_id=project_id)
    milestone = next((m for m in project.milestones.all() if m.pk == milestone_id), None)
    if milestone is None:
        raise InvalidInput.single(
            "milestone_id", _("No milestone %(id)s in this project.") % {"id": milestone_id}
        )
    return services.milestone_save(actor=user, project=project, milestone=milestone, **payload.dict())


class ReportIn(Schema):
    period: str = Field(..., description="YYYY-MM")
    investment_month: Decimal = Field(..., description="yuan invested this month")
    progress_percent: int
    progress_text: str = ""
    reached: dict[int, dt.date] = Field(default_factory=dict, description="milestone id → date reached")
    problems: list[str] = Field(default_factory=list, description="problems needing coordination")
    correction_reason: str = ""


@router.post("/{project_id}/reports", response={201: ReportOut})
def report_create(request: HttpRequest, project_id: int, payload: ReportIn) -> Status[MonthlyReport]:
    """The responsible department's monthly report (a second one for the month corrects it, with a reason)."""
    user = request_user(request)
    project = selectors.project_get(user=user, project_id=project_id)
    report = services.report_submit(
        actor=user,
        project=project,
        period=_month(payload.period),
        investment_month=payload.investment_month,
        progress_percent=payload.progress_percent,
        progress_text=payload.progress_text,
        reached=payload.reached,
        problems=payload.problems,
        correction_reason=payload.correction_reason,
    )
    return Status(201, report)


class PhotoForm(Schema):
    caption: str = ""
    taken_on: dt.date | None = None


@router.post("/{project_id}/photos", response={201: PhotoOut})
def photo_create(
    request: HttpRequest, project_id: int, file: File[UploadedFile], form: Form[PhotoForm]
) -> Status[ProjectPhoto]:
    """A site photo (JPEG, PNG or WebP, at most 10 MB) from the responsible department."""
    user = request_user(request)
    project = selectors.project_get(user=user, project_id=project_id)
    if file.size is not None and file.size > services.PHOTO_MAX_BYTES:
        raise InvalidInput.single("file", _("The photo is larger than 10 MB."))
    photo = services.photo_add(
        actor=user, project=project, content=file.read(), caption=form.caption, taken_on=form.taken_on
    )
    return Status(201, photo)


class ProblemIn(Schema):
    description: str
    guarantee: str = ""


@router.post("/{project_id}/problems", response={201: ProblemOut})
def problem_create(request: HttpRequest, project_id: int, payload: ProblemIn) -> Status[Problem]:
    user = request_user(request)
    project = selectors.project_get(user=user, project_id=project_id)
    return Status(201, services.problem_raise(actor=user, project=project, **payload.dict()))


class SuperviseIn(Schema):
    working_days: int = 10
    department_id: int | None = None
    instructions: str = ""


class SupervisedOut(Schema):
    supervision_item_id: int
    number: str
    deadline: dt.date


@router.post("/problems/{problem_id}/supervise", response={201: SupervisedOut})
def problem_supervise(request: HttpRequest, problem_id: int, payload: SuperviseIn) -> Status[SupervisedOut]:
    """One action: the problem becomes a supervision item for the responsible (or the given) department."""
    user = request_user(request)
    problem = selectors.problem_get(user=user, problem_id=problem_id)
    department = None
    if payload.department_id is not None:
        from zoneops.accounts.models import Department

        department = Department.objects.filter(
            zone_id=problem.project.zone_id, pk=payload.department_id
        ).first()
        if department is None:
            raise InvalidInput.single("department_id", _("No department with this id in the zone."))
    item = problem_to_supervision(
        actor=user,
        problem=problem,
        working_days=payload.working_days,
        department=department,
        instructions=payload.instructions,
    )
    return Status(201, SupervisedOut(supervision_item_id=item.pk, number=item.number, deadline=item.deadline))


class ToOrderIn(Schema):
    service_type_id: int


class ToOrderOut(Schema):
    order_id: int
    number: str
    enterprise_id: int


@router.post("/problems/{problem_id}/service-order", response={201: ToOrderOut})
def problem_service_order(request: HttpRequest, problem_id: int, payload: ToOrderIn) -> Status[ToOrderOut]:
    """One action: the problem becomes a service order for the project's owner enterprise."""
    from zoneops.servicedesk.models import ServiceType
    from zoneops.servicedesk.services import problem_to_order

    user = request_user(request)
    problem = selectors.problem_get(user=user, problem_id=problem_id)
    service_type = ServiceType.objects.filter(
        zone_id=problem.project.zone_id, pk=payload.service_type_id
    ).first()
    if service_type is None:
        raise InvalidInput.single("service_type_id", _("No such service in the zone."))
    order = problem_to_order(actor=user, problem=problem, service_type=service_type)
    return Status(201, ToOrderOut(order_id=order.pk, number=order.number, enterprise_id=order.enterprise_id))


@router.post("/problems/{problem_id}/resolve", response=ProblemOut)
def problem_resolve(request: HttpRequest, problem_id: int) -> Problem:
    user = request_user(request)
    return services.problem_resolve(
        actor=user, problem=selectors.problem_get(user=user, problem_id=problem_id)
    )

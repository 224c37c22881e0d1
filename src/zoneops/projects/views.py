"""Pages of key projects: the board, the project page, the plan and milestone forms, the monthly report form,
the scheduling report."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Field
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zoneops.accounts.models import Department
from zoneops.chains.models import Cluster
from zoneops.core import clock
from zoneops.core.access import Perm, has_perm, require_perm
from zoneops.core.errors import InvalidInput
from zoneops.core.excel import XLSX
from zoneops.core.templatetags.zoneops_tags import person, plain
from zoneops.core.web import request_user
from zoneops.indicators.parsing import parse_period
from zoneops.projects import reports, selectors, services
from zoneops.projects.models import (
    KeyProject,
    Milestone,
    MilestoneKind,
    ProjectLevel,
    ProjectPhoto,
    ProjectStatus,
    ProjectType,
    WarningLevel,
    WarningRuleCode,
)
from zoneops.projects.warnings import reason_text
from zoneops.servicedesk.models import FINISHED_STATES
from zoneops.servicedesk.selectors import catalogue
from zoneops.servicedesk.services import problem_to_order
from zoneops.supervision.services import problem_to_supervision


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


@login_required
def board(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    today = clock.today(zone=user.zone)
    q = request.GET
    filters = selectors.BoardFilter(
        year=_int(q.get("year")) or today.year,
        level=q.get("level") or None,
        project_type=q.get("project_type") or None,
        warning_level=q.get("warning_level") or None,
        warning_rule=q.get("warning_rule") or None,
        cluster_id=_int(q.get("cluster")),
        department_id=_int(q.get("department")),
        search=q.get("search", "").strip(),
        sort=q.get("sort") or "warning",
    )
    page = Paginator(selectors.projects(user=user, filters=filters), 50).get_page(q.get("page"))
    for project in page.object_list:
        project.reason_texts = [reason_text(r) for r in project.warning_reasons]  # type: ignore[attr-defined]
    query = q.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/board.html",
        {
            "page": page,
            "filters": filters,
            "counts": selectors.board_counts(user=user, year=filters.year or today.year),
            "levels": ProjectLevel.choices,
            "types": ProjectType.choices,
            "warning_levels": WarningLevel.choices,
            "rules": WarningRuleCode.choices,
            "clusters": Cluster.objects.filter(zone=user.zone).order_by("sort_order") if user.zone else [],
            "departments": Department.objects.filter(zone=user.zone).order_by("name") if user.zone else [],
            "query": query.urlencode(),
            "latest_period": selectors.latest_report_period(user=user, year=filters.year or today.year),
            "can_plan": has_perm(user, Perm.PROJECT_EDIT),
        },
    )


@login_required
def project_page(request: HttpRequest, project_id: int) -> HttpResponse:
    user = request_user(request)
    project = selectors.project_get(user=user, project_id=project_id)
    today = clock.today(zone=project.zone)
    milestones = list(project.milestones.all())
    gantt = {
        "names": [m.name for m in milestones],
        "planned": [m.planned_date.isoformat() for m in milestones],
        "actual": [m.actual_date.isoformat() if m.actual_date else None for m in milestones],
        "today": today.isoformat(),
        "labels": {"planned": _("planned"), "actual": _("actual"), "today": _("today")},
    }
    can_report = services.may_report(user, project)
    can_supervise = has_perm(user, Perm.SUPERVISION_MANAGE)
    for problem in project.problems.all():
        # A problem with an order still being worked on is not filed again (the service refuses it too).
        problem.open_order = next(  # type: ignore[attr-defined]
            (o for o in problem.service_orders.all() if o.status not in FINISHED_STATES), None
        )
    curve = selectors.investment_curve(project)
    curve["labels"] = {
        "planned": _("planned cumulative"),
        "actual": _("reported cumulative"),
        "unit": _("10k yuan"),
    }
    return render(
        request,
        "projects/project.html",
        {
            "project": project,
            "today": today,
            "reasons": [(r["level"], reason_text(r)) for r in project.warning_reasons],
            "history": project.warning_history.order_by("-on")[:12],
            "gantt_json": json.dumps(gantt, ensure_ascii=False),
            "curve_json": json.dumps(curve, ensure_ascii=False),
            "can_report": can_report,
            "can_supervise": can_supervise,
            "milestones": milestones,
            # The two one-action conversions of a problem: a service order for the owner enterprise (by
            # whoever reports on the project), a supervision item for a department (the supervision office).
            "service_types": list(catalogue(user=user)) if can_report and project.owner_id else [],
            "departments": Department.objects.filter(zone=project.zone).order_by("name")
            if can_supervise
            else [],
            "can_plan": has_perm(user, Perm.PROJECT_EDIT),
        },
    )


# --- the plan: a project's fields and its milestones ----------------------------------------------


def _label(model: type[KeyProject] | type[Milestone], field: str) -> Any:
    """A form field's label is its model field's name, in the reader's language."""
    found = model._meta.get_field(field)
    assert isinstance(found, Field)
    return capfirst(found.verbose_name)


def _optional_choice(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, required=False, coerce=int, empty_value=None)


# Amounts are entered in 10,000 yuan (万元), as in the monthly report; the services take yuan.
WAN_FIELDS = ("total_investment", "planned_investment", "expected_output")


class AmountField(forms.DecimalField):
    """A number as people type it, thousands separators allowed (35,000), as the report form takes it."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.replace(",", "").replace("，", "")
        return super().to_python(value)


class ProjectForm(forms.Form):
    """Parses and renders a project's plan; the service checks it (choices, dates, the code per year)."""

    name = forms.CharField(label=_label(KeyProject, "name"), max_length=200)
    code = forms.CharField(label=_label(KeyProject, "code"), max_length=40)
    year = forms.IntegerField(label=_label(KeyProject, "year"))
    level = forms.ChoiceField(label=_label(KeyProject, "level"), choices=ProjectLevel.choices)
    project_type = forms.ChoiceField(label=_label(KeyProject, "project_type"), choices=ProjectType.choices)
    status = forms.ChoiceField(label=_label(KeyProject, "status"), choices=ProjectStatus.choices)
    cluster = _optional_choice(_label(KeyProject, "cluster"))
    chain_node = _optional_choice(_label(KeyProject, "chain_node"))
    owner = _optional_choice(_label(KeyProject, "owner"))
    total_investment = AmountField(label=gettext_lazy("Total investment (10k yuan)"))
    planned_investment = AmountField(label=gettext_lazy("Planned this year (10k yuan)"))
    construction_content = forms.CharField(
        label=_label(KeyProject, "construction_content"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    capacity_target = AmountField(label=_label(KeyProject, "capacity_target"), required=False)
    capacity_unit = forms.CharField(label=_label(KeyProject, "capacity_unit"), required=False, max_length=60)
    expected_output = AmountField(
        label=gettext_lazy("Expected annual output value (10k yuan)"), required=False
    )
    planned_start = forms.DateField(
        label=_label(KeyProject, "planned_start"), widget=forms.DateInput(attrs={"type": "date"})
    )
    planned_completion = forms.DateField(
        label=_label(KeyProject, "planned_completion"), widget=forms.DateInput(attrs={"type": "date"})
    )
    leader = _optional_choice(_label(KeyProject, "leader"))
    department = forms.TypedChoiceField(label=_label(KeyProject, "department"), coerce=int)
    officer = _optional_choice(_label(KeyProject, "officer"))

    def __init__(self, *args: Any, choices: selectors.PlanChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        none: list[tuple[Any, Any]] = [("", "—")]
        nodes: dict[str, list[tuple[int, str]]] = {}
        for node in choices.chain_nodes:
            nodes.setdefault(node.chain.name, []).append((node.pk, node.name))
        options: dict[str, list[tuple[Any, Any]]] = {
            "cluster": none + [(c.pk, c.name) for c in choices.clusters],
            "chain_node": none + list(nodes.items()),
            "owner": none + [(e.pk, e.name) for e in choices.owners],
            "department": none + [(d.pk, d.name) for d in choices.departments],
            "leader": none + [(u.pk, person(u)) for u in choices.leaders],
            "officer": none + [(u.pk, person(u)) for u in choices.officers],
        }
        for name, listed in options.items():
            field = self.fields[name]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = listed


def _project_initial(project: KeyProject) -> dict[str, Any]:
    initial: dict[str, Any] = {
        name: getattr(project, name) for name in ProjectForm.base_fields if name not in WAN_FIELDS
    }
    for name in ("cluster", "chain_node", "owner", "leader", "department", "officer"):
        initial[name] = getattr(project, f"{name}_id")
    for name in WAN_FIELDS:
        amount = getattr(project, name)
        initial[name] = plain(amount / 10_000) if amount is not None else None
    initial["capacity_target"] = plain(project.capacity_target)
    return initial


def _project_form(request: HttpRequest, project: KeyProject | None) -> HttpResponse:
    """Create or change a key project through the same service as the API (``project_save``)."""
    user = request_user(request)
    require_perm(user, Perm.PROJECT_EDIT)
    zone = project.zone if project is not None else user.zone
    if zone is None:
        raise Http404
    if project is not None:
        initial = _project_initial(project)
    else:
        today = clock.today(zone=zone)
        initial = {"year": today.year, "status": ProjectStatus.PREPARING}
    choices = selectors.plan_choices(zone=zone, project=project)
    form = ProjectForm(request.POST or None, initial=initial, choices=choices)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        for name in WAN_FIELDS:
            if values[name] is not None:
                values[name] = values[name] * 10_000
        try:
            saved = services.project_save(actor=user, zone=zone, values=values, project=project)
        except InvalidInput as invalid:
            for error in invalid.errors:
                form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("projects:project", project_id=saved.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "projects/project_form.html", {"form": form, "project": project}, status=status)


@login_required
def project_new(request: HttpRequest) -> HttpResponse:
    return _project_form(request, None)


@login_required
def project_edit(request: HttpRequest, project_id: int) -> HttpResponse:
    user = request_user(request)
    return _project_form(request, selectors.project_get(user=user, project_id=project_id))


class MilestoneForm(forms.Form):
    kind = forms.ChoiceField(label=_label(Milestone, "kind"), choices=MilestoneKind.choices)
    name = forms.CharField(label=_label(Milestone, "name"), max_length=200)
    planned_date = forms.DateField(
        label=_label(Milestone, "planned_date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    actual_date = forms.DateField(
        label=_label(Milestone, "actual_date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


@login_required
def milestones(request: HttpRequest, project_id: int) -> HttpResponse:
    """The project's milestones, each editable (planned and actual date), and a new one to add; each save
    goes through the same service as the API (``milestone_save``)."""
    user = request_user(request)
    project = selectors.project_get(user=user, project_id=project_id)
    require_perm(user, Perm.PROJECT_EDIT)
    posted = request.POST.get("milestone", "") if request.method == "POST" else None
    rows: list[tuple[Milestone | None, MilestoneForm]] = []
    for milestone in [*project.milestones.all(), None]:
        prefix = f"m{milestone.pk}" if milestone is not None else "new"
        initial = (
            {f: getattr(milestone, f) for f in MilestoneForm.base_fields} if milestone is not None else {}
        )
        bound = posted == (str(milestone.pk) if milestone is not None else "new")
        rows.append(
            (milestone, MilestoneForm(request.POST if bound else None, initial=initial, prefix=prefix))
        )
    chosen = next(((m, f) for m, f in rows if f.is_bound), None)
    if posted is not None and chosen is None:
        raise Http404
    if chosen is not None:
        milestone, form = chosen
        if form.is_valid():
            try:
                services.milestone_save(actor=user, project=project, milestone=milestone, **form.cleaned_data)
            except InvalidInput as invalid:
                for error in invalid.errors:
                    form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("Saved."))
                return redirect("projects:milestones", project_id=project.pk)
    return render(
        request,
        "projects/milestones.html",
        {"project": project, "rows": rows, "today": clock.today(zone=project.zone)},
        status=422 if chosen is not None else 200,
    )


@login_required
def report_form(request: HttpRequest, project_id: int) -> HttpResponse:
    """The monthly report form of the responsible department (a second report corrects, with a reason)."""
    user = request_user(request)
    project = selectors.project_get(user=user, project_id=project_id)
    services.require_report(user, project)
    today = clock.today(zone=project.zone)
    period = parse_period(request.POST.get("period") or request.GET.get("period") or "") or today.replace(
        day=1
    )
    errors: dict[str, str] = {}
    if request.method == "POST":
        reached: dict[int, dt.date] = {}
        for milestone in project.milestones.all():
            text = request.POST.get(f"reached_{milestone.pk}", "").strip()
            if text:
                try:
                    reached[milestone.pk] = dt.date.fromisoformat(text)
                except ValueError:
                    errors["reached"] = _("Enter a valid date (YYYY-MM-DD).")
        try:
            amount = Decimal(request.POST.get("investment_month", "").replace(",", "") or "x")
        except InvalidOperation:
            errors["investment_month"] = _("Enter a number.")
            amount = Decimal(0)
        progress_text = request.POST.get("progress_percent", "")
        if not progress_text.isdigit():
            errors["progress_percent"] = _("Enter a whole number from 0 to 100.")
        if not errors:
            try:
                services.report_submit(
                    actor=user,
                    project=project,
                    period=period,
                    investment_month=amount * 10_000,
                    progress_percent=int(progress_text),
                    progress_text=request.POST.get("progress_text", ""),
                    reached=reached,
                    problems=request.POST.get("problems", "").splitlines(),
                    correction_reason=request.POST.get("correction_reason", ""),
                )
            except InvalidInput as exc:
                errors.update({e.field: e.message for e in exc.errors})
            else:
                messages.success(request, _("Report for %(month)s saved.") % {"month": f"{period:%Y-%m}"})
                return redirect("projects:project", project_id=project.pk)
    existing = next((r for r in project.reports.all() if r.period == period), None)
    return render(
        request,
        "projects/report.html",
        {
            "project": project,
            "period": period,
            "existing": existing,
            "errors": errors,
            "form": request.POST if request.method == "POST" else {},
            "deadline": services.report_deadline(zone_id=project.zone_id, period=period),
        },
        status=422 if errors else 200,
    )


@login_required
@require_POST
def problem_supervise(request: HttpRequest, problem_id: int) -> HttpResponse:
    user = request_user(request)
    problem = selectors.problem_get(user=user, problem_id=problem_id)
    days = _int(request.POST.get("working_days")) or 10
    # The department that must solve it (e.g. the land department for a land problem); by default the
    # project's responsible department.
    department = None
    if request.POST.get("department"):
        department = Department.objects.filter(
            zone_id=problem.project.zone_id, pk=_int(request.POST.get("department")) or 0
        ).first()
        if department is None:
            messages.error(request, _("No department with this id in the zone."))
            return redirect("projects:project", project_id=problem.project_id)
    try:
        item = problem_to_supervision(
            actor=user,
            problem=problem,
            working_days=days,
            department=department,
            instructions=request.POST.get("instructions", ""),
        )
    except InvalidInput as exc:
        messages.error(request, "; ".join(e.message for e in exc.errors))
        return redirect("projects:project", project_id=problem.project_id)
    messages.success(request, _("Supervision item %(number)s raised.") % {"number": item.number})
    return redirect("supervision:item", item_id=item.pk)


@login_required
@require_POST
def problem_service_order(request: HttpRequest, problem_id: int) -> HttpResponse:
    """One action: the problem becomes a service order for the project's owner enterprise, handled by the
    department of the chosen service (e.g. the land department for land supply)."""
    user = request_user(request)
    problem = selectors.problem_get(user=user, problem_id=problem_id)
    # Only a service of the user's own catalogue (the zone's active ones).
    service_type = catalogue(user=user).filter(pk=_int(request.POST.get("service_type")) or 0).first()
    try:
        if service_type is None:
            raise InvalidInput.single("service_type", _("Choose the service."))
        order = problem_to_order(actor=user, problem=problem, service_type=service_type)
    except InvalidInput as exc:
        messages.error(request, "; ".join(e.message for e in exc.errors))
    else:
        messages.success(
            request,
            _("Service order %(number)s filed for %(enterprise)s.")
            % {"number": order.number, "enterprise": order.enterprise.name},
        )
    # Back to the project: the order belongs to the enterprise and the department handling it.
    return redirect("projects:project", project_id=problem.project_id)


@login_required
@require_POST
def problem_resolve(request: HttpRequest, problem_id: int) -> HttpResponse:
    user = request_user(request)
    problem = selectors.problem_get(user=user, problem_id=problem_id)
    try:
        services.problem_resolve(actor=user, problem=problem)
    except InvalidInput as exc:
        messages.error(request, "; ".join(e.message for e in exc.errors))
    return redirect("projects:project", project_id=problem.project_id)


@login_required
def scheduling(request: HttpRequest) -> HttpResponse:
    """The monthly scheduling report as a printable page, with its Excel version."""
    user = request_user(request)
    require_perm(user, Perm.PROJECT_VIEW)
    today = clock.today(zone=user.zone)
    period = (
        parse_period(request.GET.get("period", ""))
        or selectors.latest_report_period(user=user, year=today.year)
        or today.replace(day=1)
    )
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(reports.scheduling_report(user=user, period=period), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="scheduling-{period:%Y-%m}.xlsx"'
        return response
    rows = selectors.scheduling_rows(user=user, period=period)
    for row in rows:
        row.reason_texts = [reason_text(r) for r in row.project.warning_reasons]  # type: ignore[attr-defined]
    return render(request, "projects/scheduling.html", {"rows": rows, "period": period})


@login_required
def photo_file(request: HttpRequest, photo_id: int) -> FileResponse:
    """A project photo, served to whoever may see its project (never a public media URL)."""
    user = request_user(request)
    photo = ProjectPhoto.objects.filter(pk=photo_id).select_related("project").first()
    if photo is None:
        raise Http404
    selectors.project_get(user=user, project_id=photo.project_id)
    return FileResponse(photo.file.open("rb"), content_type=photo.content_type)


@login_required
@require_POST
def photo_upload(request: HttpRequest, project_id: int) -> HttpResponse:
    user = request_user(request)
    project = selectors.project_get(user=user, project_id=project_id)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise InvalidInput.single("file", _("Choose a photo."))
        if upload.size is not None and upload.size > services.PHOTO_MAX_BYTES:
            raise InvalidInput.single("file", _("The photo is larger than 10 MB."))
        services.photo_add(
            actor=user, project=project, content=upload.read(), caption=request.POST.get("caption", "")
        )
    except InvalidInput as exc:
        messages.error(request, "; ".join(e.message for e in exc.errors))
    else:
        messages.success(request, _("Photo added."))
    return redirect("projects:project", project_id=project.pk)

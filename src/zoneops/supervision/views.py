"""Pages of supervision and assessment: the supervision office's board, an item with its timeline and
the steps the reader may take, the assessment ranking with its drill-down."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zoneops.accounts.models import Department, Role
from zoneops.accounts.selectors import users_with_role
from zoneops.core import clock
from zoneops.core.access import Perm, has_perm, is_enterprise_user, require_perm
from zoneops.core.errors import InvalidInput, TransitionNotAllowed
from zoneops.core.excel import XLSX
from zoneops.core.uploads import document_response, uploads_read
from zoneops.core.web import request_user
from zoneops.supervision import assessment as scoring
from zoneops.supervision import reports, selectors, services
from zoneops.supervision.models import ItemSource


@login_required
def board(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    # The supervision office and leaders see every item; any department's staff see their own.
    if not (has_perm(user, Perm.SUPERVISION_VIEW) or (user.department_id and not is_enterprise_user(user))):
        raise PermissionDenied
    bucket = request.GET.get("bucket") or None
    if bucket not in (None, *selectors.BUCKETS):
        bucket = None
    department_id = int(request.GET["department"]) if request.GET.get("department", "").isdigit() else None
    page = Paginator(selectors.items(user=user, bucket=bucket, department_id=department_id), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "supervision/board.html",
        {
            "page": page,
            "board": selectors.board(user=user),
            "bucket": bucket,
            "can_manage": has_perm(user, Perm.SUPERVISION_MANAGE),
            "departments": Department.objects.filter(zone=user.zone).order_by("name") if user.zone else [],
            "leaders": (
                users_with_role(zone=user.zone, role=Role.LEADER).order_by("last_name", "username")
                if user.zone
                else []
            ),
            "sources": ItemSource.choices,
            "today": clock.today(zone=user.zone),
        },
    )


@login_required
@require_POST
def item_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    require_perm(user, Perm.SUPERVISION_MANAGE)
    department = Department.objects.filter(zone=user.zone, pk=request.POST.get("department") or 0).first()
    days = request.POST.get("working_days", "")
    leader_id = request.POST.get("leader", "")
    leader = (
        users_with_role(zone=user.zone, role=Role.LEADER).filter(pk=leader_id).first()
        if user.zone and leader_id.isdigit()
        else None
    )
    try:
        if department is None or user.zone is None:
            raise InvalidInput.single("department", _("No department with this id in the zone."))
        if leader_id and leader is None:
            raise InvalidInput.single("leader", _("No zone leader with this id."))
        if not days.isdigit():
            raise InvalidInput.single("working_days", _("Enter a whole number from 1 to 250."))
        item = services.item_raise(
            actor=user,
            zone=user.zone,
            source=request.POST.get("source", ""),
            subject=request.POST.get("subject", ""),
            department=department,
            working_days=int(days),
            instructions=request.POST.get("instructions", ""),
            leader=leader,
        )
    except InvalidInput as exc:
        messages.error(request, "; ".join(f"{e.field}: {e.message}" for e in exc.errors))
        return redirect("supervision:board")
    return redirect("supervision:item", item_id=item.pk)


@login_required
def item_page(request: HttpRequest, item_id: int) -> HttpResponse:
    user = request_user(request)
    item = selectors.item_get(user=user, item_id=item_id)
    manage = has_perm(user, Perm.SUPERVISION_MANAGE)
    member = services.is_department_member(user, item)
    allowed = [
        action
        for action, (sources, _target) in services.TRANSITIONS.items()
        if item.status in sources
        and ((action == "respond" and (member or manage)) or (action != "respond" and manage))
    ]
    # Progress so far can be reported until the office has verified the answer.
    can_report_progress = (member or manage) and item.status not in ("verified", "closed")
    return render(
        request,
        "supervision/item.html",
        {
            "item": item,
            "events": list(item.events.all()),
            "allowed": allowed,
            "can_manage": manage,
            "is_member": member,
            "can_report_progress": can_report_progress,
            "today": clock.today(zone=item.zone),
        },
    )


@login_required
@require_POST
def item_step(request: HttpRequest, item_id: int) -> HttpResponse:
    user = request_user(request)
    item = selectors.item_get(user=user, item_id=item_id)
    action = request.POST.get("action", "")
    try:
        if action == "remind":
            services.item_remind(actor=user, item=item)
        elif action == "request_extension":
            try:
                to = dt.date.fromisoformat(request.POST.get("to", ""))
            except ValueError:
                raise InvalidInput.single("to", _("Enter a valid date (YYYY-MM-DD).")) from None
            services.extension_request(actor=user, item=item, to=to, reason=request.POST.get("reason", ""))
        elif action in ("approve_extension", "refuse_extension"):
            services.extension_decide(
                actor=user,
                item=item,
                approve=action == "approve_extension",
                note=request.POST.get("note", ""),
            )
        elif action == "progress":
            services.item_progress(
                actor=user,
                item=item,
                note=request.POST.get("note", ""),
                files=uploads_read(request.FILES.getlist("files")),
            )
        else:
            services.item_act(
                actor=user,
                item=item,
                action=action,
                note=request.POST.get("note", ""),
                evidence=request.POST.get("evidence", ""),
                files=uploads_read(request.FILES.getlist("files")),
            )
    except InvalidInput as exc:
        messages.error(request, "; ".join(e.message for e in exc.errors))
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("supervision:item", item_id=item.pk)


@login_required
def evidence_file(request: HttpRequest, evidence_id: int) -> FileResponse:
    """An evidence file, for whoever may read its item."""
    return document_response(selectors.evidence_get(user=request_user(request), evidence_id=evidence_id))


def _period_code(request: HttpRequest) -> str:
    code = request.GET.get("period", "")
    try:
        return scoring.parse_period(code).code
    except ValueError:
        today = clock.today(zone=request_user(request).zone)
        quarter = (today.month - 1) // 3
        return f"{today.year - 1}Q4" if quarter == 0 else f"{today.year}Q{quarter}"


@login_required
def assessment_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    code = _period_code(request)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(reports.assessment_workbook(user=user, period_code=code), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="assessment-{code}.xlsx"'
        return response
    rows = scoring.assessment(user=user, period_code=code)
    measures = [(b.measure, b.label) for b in rows[0].breakdown] if rows else []
    can_adjust = has_perm(user, Perm.ASSESSMENT_ADJUST)
    return render(
        request,
        "supervision/assessment.html",
        {
            "rows": rows,
            "period": code,
            "measures": measures,
            "can_adjust": can_adjust,
            "departments": (
                Department.objects.filter(zone=user.zone).order_by("name") if can_adjust and user.zone else []
            ),
            "adjustments_measure": scoring.ADJUSTMENTS,
        },
    )


@login_required
@require_POST
def assessment_adjustment_new(request: HttpRequest) -> HttpResponse:
    """The supervision office's bonus or penalty for a department and period, with its reason."""
    user = request_user(request)
    require_perm(user, Perm.ASSESSMENT_ADJUST)
    period = request.POST.get("period", "").strip()
    try:
        if user.zone is None:
            raise InvalidInput.single("zone", _("Act from an account of the zone."))
        try:
            department_id = int(request.POST.get("department") or 0)
        except ValueError:
            department_id = 0
        try:
            points = Decimal(request.POST.get("points", "").strip())
        except InvalidOperation:
            raise InvalidInput.single("points", _("Enter points between -20 and 20, not 0.")) from None
        services.adjustment_add(
            actor=user,
            zone=user.zone,
            department_id=department_id,
            period=period,
            points=points,
            reason=request.POST.get("reason", ""),
        )
    except InvalidInput as exc:
        messages.error(request, "; ".join(f"{_field_label(e.field)}: {e.message}" for e in exc.errors))
    else:
        messages.success(request, _("Saved."))
    return redirect(f"{reverse('supervision:assessment')}?{urlencode({'period': period})}")


def _field_label(field: str) -> str:
    labels = {
        "department": _("Department"),
        "department_id": _("Department"),
        "period": _("Period"),
        "points": _("Bonus or penalty points"),
        "reason": _("Reason"),
    }
    return str(labels.get(field, field))


@login_required
def assessment_department(request: HttpRequest, department_id: int) -> HttpResponse:
    user = request_user(request)
    code = _period_code(request)
    row = next(
        (r for r in scoring.assessment(user=user, period_code=code) if r.department_id == department_id), None
    )
    if row is None:
        raise Http404
    items = scoring.drill_down(user=user, period_code=code, department_id=department_id)
    return render(request, "supervision/department.html", {"row": row, "items": items, "period": code})

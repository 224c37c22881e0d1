"""Pages of the service desk: my orders and the filing form (enterprises), the department queue with
deadline timers, the dispatcher's board, the order page with its timeline and steps, statistics with
their Excel version, and the rating link for contacts without a login."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zoneops.accounts.models import Department, User
from zoneops.core import clock
from zoneops.core.access import Perm, has_perm, is_enterprise_user, require_perm
from zoneops.core.errors import InvalidInput, TransitionNotAllowed
from zoneops.core.excel import XLSX
from zoneops.core.uploads import document_response
from zoneops.core.web import request_user
from zoneops.enterprises.models import Enterprise
from zoneops.servicedesk import reports, selectors, services
from zoneops.servicedesk.models import (
    BAD_RATING,
    Guarantee,
    OrderAttachment,
    OrderStatus,
    ServiceOrder,
    ServiceType,
)


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    """An enterprise's "my orders"; for staff, the queue of their scope (a department its own)."""
    user = request_user(request)
    require_perm(user, Perm.ORDER_VIEW)
    today = clock.today(zone=user.zone)
    q = request.GET
    dispatcher = has_perm(user, Perm.ORDER_DISPATCH) or has_perm(user, Perm.SUPERVISION_VIEW)
    filters = selectors.QueueFilter(
        status=q.get("status") or ("all" if is_enterprise_user(user) else "open"),
        department_id=_int(q.get("department")) if dispatcher else None,
        guarantee=q.get("guarantee") or None,
        search=q.get("search", "").strip()[:100],
    )
    page = Paginator(selectors.queue(user=user, filters=filters, today=today), 50).get_page(q.get("page"))
    selectors.timers_attach(orders=list(page.object_list), today=today)
    query = q.copy()
    query.pop("page", None)
    return render(
        request,
        "servicedesk/orders.html",
        {
            "page": page,
            "filters": filters,
            "counts": selectors.queue_counts(user=user, today=today, department_id=filters.department_id),
            "enterprise_view": is_enterprise_user(user),
            "can_file": has_perm(user, Perm.ORDER_FILE) or has_perm(user, Perm.ORDER_DISPATCH),
            "statuses": OrderStatus.choices,
            "guarantees": Guarantee.choices,
            "departments": Department.objects.filter(zone=user.zone).order_by("name")
            if dispatcher and user.zone
            else [],
            "query": query.urlencode(),
        },
    )


def _catalogue_groups(user: User) -> list[tuple[str, list[ServiceType]]]:
    types = list(selectors.catalogue(user=user))
    return [(str(label), [t for t in types if t.guarantee == value]) for value, label in Guarantee.choices]


def _extra_from(post: Any, service_type: ServiceType | None) -> dict[str, str]:
    if service_type is None:
        return {}
    return {f["name"]: post.get(f"extra_{f['name']}", "") for f in service_type.fields}


def _field_rows(chosen: ServiceType | None, post: Any, errors: dict[str, str]) -> list[dict[str, Any]]:
    """The sub-type's own fields with what was typed and the error of each (the form keeps its input)."""
    if chosen is None:
        return []
    return [
        {
            "spec": f,
            "value": post.get(f"extra_{f['name']}", ""),
            "error": errors.get(f"extra.{f['name']}", ""),
        }
        for f in chosen.fields
    ]


@login_required
def order_new(request: HttpRequest) -> HttpResponse:
    """The filing form: a sub-type of the six guarantees, its own fields, files, and the enterprise's
    similar open orders shown before it files again. Order and files are saved together or not at all."""
    user = request_user(request)
    if not (has_perm(user, Perm.ORDER_FILE) or has_perm(user, Perm.ORDER_DISPATCH)):
        raise PermissionDenied(_("Your role may not do this."))
    errors: dict[str, str] = {}
    post = request.POST
    chosen = ServiceType.objects.filter(
        zone=user.zone,
        pk=_int(post.get("service_type") or request.GET.get("service_type")) or 0,
        active=True,
    ).first()
    if request.method == "POST":
        enterprise_id = user.enterprise_id if is_enterprise_user(user) else _int(post.get("enterprise"))
        enterprise = Enterprise.objects.filter(zone=user.zone, pk=enterprise_id or 0).first()
        if chosen is None:
            errors["service_type"] = _("Choose the service.")
        if enterprise is None:
            errors["enterprise"] = _("Choose the enterprise.")
        files = request.FILES.getlist("files")
        if not errors and chosen is not None and enterprise is not None:
            stored: list[OrderAttachment] = []
            try:
                with transaction.atomic():
                    order = services.order_file(
                        actor=user,
                        enterprise=enterprise,
                        service_type=chosen,
                        title=post.get("title", ""),
                        description=post.get("description", ""),
                        extra=_extra_from(post, chosen),
                    )
                    for upload in files:
                        if upload.size is not None and upload.size > services.ATTACHMENT_MAX_BYTES:
                            raise InvalidInput.single("file", _("The file is larger than 20 MB."))
                        stored.append(
                            services.attachment_add(
                                actor=user, order=order, name=upload.name or "", content=upload.read()
                            )
                        )
            except Exception as exc:
                # The rollback took back the rows; the bytes of the files already stored go too.
                for attachment in stored:
                    attachment.file.delete(save=False)
                if not isinstance(exc, InvalidInput):
                    raise
                errors.update({e.field: e.message for e in exc.errors})
                if files:
                    errors.setdefault("file", _("Choose the files again: nothing was saved."))
            else:
                messages.success(request, _("Order %(number)s filed.") % {"number": order.number})
                return redirect("servicedesk:order", order_id=order.pk)
    return render(
        request,
        "servicedesk/new.html",
        {
            "groups": _catalogue_groups(user),
            "chosen": chosen,
            "form": post,
            "errors": errors,
            "field_rows": _field_rows(chosen, post, errors),
            "enterprises": []
            if is_enterprise_user(user)
            else Enterprise.objects.filter(zone=user.zone).order_by("name").only("pk", "name"),
        },
        status=422 if errors else 200,
    )


@login_required
def order_fields(request: HttpRequest) -> HttpResponse:
    """The chosen sub-type's own fields and deadlines (swapped in by htmx when the service changes)."""
    user = request_user(request)
    require_perm(user, Perm.ORDER_VIEW)
    chosen = ServiceType.objects.filter(
        zone=user.zone, pk=_int(request.GET.get("service_type")) or 0, active=True
    ).first()
    return render(
        request, "servicedesk/_fields.html", {"chosen": chosen, "field_rows": _field_rows(chosen, {}, {})}
    )


@login_required
def order_duplicates(request: HttpRequest) -> HttpResponse:
    """Open orders of the enterprise that look like the one being written (htmx, as the title changes)."""
    user = request_user(request)
    require_perm(user, Perm.ORDER_VIEW)
    q = request.GET
    enterprise_id = user.enterprise_id if is_enterprise_user(user) else _int(q.get("enterprise"))
    enterprise = Enterprise.objects.filter(zone=user.zone, pk=enterprise_id or 0).first()
    found: list[ServiceOrder] = []
    title = q.get("title", "").strip()[:200]
    if enterprise is not None and len(title) >= 4:
        found = selectors.possible_duplicates(
            user=user, enterprise=enterprise, title=title, description=q.get("description", "")[:2000]
        )
    return render(request, "servicedesk/_duplicates.html", {"duplicates": found})


@login_required
def order_page(request: HttpRequest, order_id: int) -> HttpResponse:
    user = request_user(request)
    order = selectors.order_get(user=user, order_id=order_id)
    today = clock.today(zone=order.zone)
    selectors.timers_attach(orders=[order], today=today)
    actions = services.actions_for(user, order)
    dispatcher = has_perm(user, Perm.ORDER_DISPATCH)
    department = order.department
    return render(
        request,
        "servicedesk/order.html",
        {
            "order": order,
            "today": today,
            "actions": actions,
            "labels": services.ACTION_LABELS,
            "departments": Department.objects.filter(zone=order.zone).order_by("name")
            if "dispatch" in actions
            else [],
            "handlers": User.objects.filter(zone=order.zone, department=department, is_active=True).order_by(
                "username"
            )
            if "dispatch" in actions and department is not None
            else [],
            "duplicates": selectors.orders(user=user)
            .filter(enterprise=order.enterprise)
            .exclude(pk=order.pk)
            .order_by("-id")[:20]
            if "merge" in actions
            else [],
            "may_attach": order.status in services.ATTACHABLE_STATES
            and (dispatcher or services.may_attach(user, order)),
            "dispatcher": dispatcher,
            "bad_rating": BAD_RATING,
        },
    )


@login_required
@require_POST
def order_step(request: HttpRequest, order_id: int) -> HttpResponse:
    """One step from the order page's forms (the same service as the API's ``/orders/{id}/{action}``)."""
    user = request_user(request)
    order = selectors.order_get(user=user, order_id=order_id)
    post = request.POST
    department = Department.objects.filter(zone=order.zone, pk=_int(post.get("department")) or 0).first()
    handler = User.objects.filter(zone=order.zone, pk=_int(post.get("handler")) or 0).first()
    duplicate = selectors.orders(user=user).filter(pk=_int(post.get("duplicate_of")) or 0).first()
    approve = {"yes": True, "no": False}.get(post.get("approve", ""))
    action = post.get("action", "")
    try:
        services.order_act(
            actor=user,
            order=order,
            action=action,
            note=post.get("note", ""),
            department=department,
            handler=handler,
            rating=_int(post.get("rating")),
            duplicate_of=duplicate,
            days=_int(post.get("days")),
            approve=approve,
        )
    except InvalidInput as exc:
        messages.error(request, "; ".join(e.message for e in exc.errors))
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Done: %(step)s.") % {"step": services.ACTION_LABELS.get(action, action)})
    return redirect("servicedesk:order", order_id=order.pk)


@login_required
@require_POST
def attachment_upload(request: HttpRequest, order_id: int) -> HttpResponse:
    user = request_user(request)
    order = selectors.order_get(user=user, order_id=order_id)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise InvalidInput.single("file", _("Choose a file."))
        if upload.size is not None and upload.size > services.ATTACHMENT_MAX_BYTES:
            raise InvalidInput.single("file", _("The file is larger than 20 MB."))
        services.attachment_add(actor=user, order=order, name=upload.name or "", content=upload.read())
    except InvalidInput as exc:
        messages.error(request, "; ".join(e.message for e in exc.errors))
    else:
        messages.success(request, _("File attached."))
    return redirect("servicedesk:order", order_id=order.pk)


@login_required
def attachment_file(request: HttpRequest, attachment_id: int) -> FileResponse:
    """A file of an order, served to whoever may see the order (never a public media URL)."""
    return document_response(
        selectors.attachment_get(user=request_user(request), attachment_id=attachment_id)
    )


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The general office's board: new orders to accept, returned ones to re-route, extensions to
    decide, late ones, answers waiting for the enterprise, and bad ratings to follow up."""
    user = request_user(request)
    require_perm(user, Perm.ORDER_DISPATCH)
    today = clock.today(zone=user.zone)
    columns = selectors.board_columns(user=user, today=today)
    selectors.timers_attach(orders=[o for rows in columns.values() for o in rows], today=today)
    titles = {
        "submitted": _("To accept"),
        "returned": _("Returned: re-route"),
        "extension": _("Extensions to decide"),
        "overdue": _("Overdue"),
        "answered": _("Answered, awaiting the enterprise"),
        "follow_up": _("Bad ratings to follow up"),
    }
    return render(
        request,
        "servicedesk/board.html",
        {
            "columns": [(key, titles[key], rows) for key, rows in columns.items()],
            "counts": selectors.queue_counts(user=user, today=today),
        },
    )


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@login_required
def stats(request: HttpRequest) -> HttpResponse:
    """Volume by guarantee and department, on-time rate, mean working days to the answer and
    satisfaction over a period (default: the last twelve months), with the same figures in Excel."""
    user = request_user(request)
    if not (has_perm(user, Perm.ORDER_DISPATCH) or has_perm(user, Perm.SUPERVISION_VIEW)):
        raise PermissionDenied(_("Your role may not do this."))
    today = clock.today(zone=user.zone)
    last = _date(request.GET.get("to")) or today
    first = _date(request.GET.get("from")) or (last.replace(day=1) - dt.timedelta(days=365)).replace(day=1)
    error = ""
    if first > last:
        error = _("The period starts after it ends.")
        first, last = last, first
    figures = selectors.statistics(user=user, first=first, last=last, today=today)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(reports.statistics_workbook(figures), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="service-orders-{first}-{last}.xlsx"'
        return response
    chart = {
        "months": [m for m, _filed, _on_time in figures.by_month],
        "filed": [f for _m, f, _on_time in figures.by_month],
        "on_time": [o for _m, _f, o in figures.by_month],
        "labels": {"filed": _("filed"), "on_time": _("answered on time")},
    }
    return render(
        request,
        "servicedesk/stats.html",
        {
            "stats": figures,
            "error": error,
            "chart_json": json.dumps(chart, ensure_ascii=False),
            "query": request.GET.urlencode(),
        },
    )


def rate(request: HttpRequest, token: str) -> HttpResponse:
    """The rating link sent with the answer: no login, the token names the order. Shows only what the
    enterprise already knows (its own order's number, title and answer)."""
    error = ""
    try:
        order = services.order_for_rating_token(token)
    except InvalidInput as exc:
        return render(request, "servicedesk/rate.html", {"invalid": exc.errors[0].message}, status=404)
    if request.method == "POST":
        try:
            services.order_rate_by_token(
                token=token,
                rating=_int(request.POST.get("rating")) or 0,
                comment=request.POST.get("comment", "")[:500],
            )
        except (InvalidInput, TransitionNotAllowed) as exc:
            error = "; ".join(e.message for e in exc.errors) if isinstance(exc, InvalidInput) else str(exc)
        else:
            order.refresh_from_db()
    answer = order.events.filter(action="answer").order_by("-at").first()
    return render(
        request,
        "servicedesk/rate.html",
        {
            "order": order,
            "answer": answer,
            "error": error,
            "rateable": order.rating is None and order.status in services.RATEABLE_STATES,
        },
        status=422 if error else 200,
    )

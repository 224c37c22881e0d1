"""Pages of the investment pipeline: the board (columns by stage, the leaders' attention list), a new
lead, the lead page (timeline, the stages it may move to, contacts, documents), the funnel dashboard and
the gap coverage linked from the chain map."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zoneops.chains.models import Chain
from zoneops.core import clock
from zoneops.core.access import Perm, has_perm, require_perm
from zoneops.core.errors import InvalidInput, TransitionNotAllowed
from zoneops.core.excel import XLSX
from zoneops.core.uploads import DOCUMENT_MAX_BYTES, document_response
from zoneops.core.web import request_user
from zoneops.investment import reports, selectors, services
from zoneops.investment.models import Lead, LeadStage


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def _filters(request: HttpRequest) -> selectors.LeadFilter:
    q = request.GET
    return selectors.LeadFilter(
        cluster_id=_int(q.get("cluster")),
        chain_id=_int(q.get("chain")),
        officer_id=_int(q.get("officer")),
        source=q.get("source") or None,
        team=q.get("team", "").strip()[:60],
        search=q.get("search", "").strip()[:100],
    )


@login_required
def board(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    require_perm(user, Perm.LEAD_VIEW)
    filters = _filters(request)
    today = clock.today(zone=user.zone)
    return render(
        request,
        "investment/board.html",
        {
            "columns": selectors.board(user=user, filters=filters),
            "filters": filters,
            "attention": selectors.needing_attention(user=user, today=today),
            "can_edit": has_perm(user, Perm.LEAD_EDIT),
            **selectors.board_choices(user=user),
        },
    )


_LEAD_FIELDS = ("company_name", "source", "team", "next_action", "next_action_on", "notes")
_LEAD_IDS = ("referred_by_id", "leader_id", "officer_id")
_MONEY = ("intended_investment", "intended_output")


def _yuan(text: str) -> str | None:
    """An amount typed in 10k yuan (as the bureau speaks) in yuan, read as a Decimal (no float rounding);
    text that is no number goes on as typed, for the service to name the field."""
    text = text.replace(",", "").strip()
    if not text:
        return None
    try:
        return str(Decimal(text).scaleb(4))
    except ArithmeticError:  # decimal's InvalidOperation and Overflow
        return text


def _in_10k(amount: Decimal | None) -> str:
    """A yuan amount as the forms show it: in 10k yuan, without trailing zeros."""
    return "" if amount is None else f"{amount.scaleb(-4).normalize():f}"


def _lead_values(post: Any, *, creating: bool) -> dict[str, Any]:
    """The form's fields as the service's values. The lead page's form marks that it sends the nodes
    (``nodes_sent``), so choosing none clears them."""
    values: dict[str, Any] = {k: post.get(k, "") for k in _LEAD_FIELDS if creating or k in post}
    for key in _LEAD_IDS:
        if key in post:
            values[key] = _int(post.get(key)) if post.get(key) else None
    for key in _MONEY:
        if key in post:
            values[key] = _yuan(post.get(key, ""))
    if "node_ids" in post or "nodes_sent" in post or creating:
        values["node_ids"] = [int(v) for v in post.getlist("node_ids") if v.isdigit()]
    return values


def _field_labels() -> dict[str, str]:
    """The lead forms' labels, to name the field of each error."""
    return {
        "company_name": _("Company"),
        "candidate": _("Company"),
        "source": _("Source"),
        "referred_by_id": _("Referred by chain master"),
        "node_ids": _("Chain nodes it would fill"),
        "intended_investment": _("Intended investment (10k yuan)"),
        "intended_output": _("Intended annual output (10k yuan)"),
        "officer_id": _("Officer"),
        "team": _("Team"),
        "leader_id": _("Leader in charge"),
        "next_action": _("Next action"),
        "next_action_on": _("Next action on"),
        "notes": _("Notes"),
    }


def _form_errors(exc: InvalidInput | None) -> tuple[dict[str, str], list[str]]:
    """The errors by field (shown at each field) and named (the summary above the form)."""
    if exc is None:
        return {}, []
    labels = _field_labels()
    return (
        {e.field: e.message for e in exc.errors},
        [f"{labels.get(e.field, e.field)}: {e.message}" for e in exc.errors],
    )


@login_required
def lead_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    require_perm(user, Perm.LEAD_EDIT)
    refused: InvalidInput | None = None
    if request.method == "POST":
        try:
            assert user.zone is not None
            lead = services.lead_create(
                actor=user, zone=user.zone, values=_lead_values(request.POST, creating=True)
            )
        except InvalidInput as exc:
            refused = exc
        else:
            messages.success(request, _("Lead %(company)s opened.") % {"company": lead.company_name})
            return redirect("investment:lead", lead_id=lead.pk)
    errors, named = _form_errors(refused)
    return render(
        request,
        "investment/new.html",
        {
            "errors": errors,
            "named_errors": named,
            "form": request.POST if request.method == "POST" else {"officer_id": str(user.pk)},
            # Compared as a list: ``form.node_ids`` is only the last value, and ``in`` on it a substring test.
            "selected_nodes": request.POST.getlist("node_ids"),
            **selectors.lead_form_choices(user=user),
        },
        status=422 if errors else 200,
    )


def _lead_initial(lead: Lead) -> dict[str, str]:
    """The lead's data as the edit form shows it (ids and dates as text, money in 10k yuan)."""
    return {
        "company_name": lead.company_name,
        "source": lead.source,
        "referred_by_id": str(lead.referred_by_id or ""),
        "intended_investment": _in_10k(lead.intended_investment),
        "intended_output": _in_10k(lead.intended_output),
        "officer_id": str(lead.officer_id or ""),
        "team": lead.team,
        "leader_id": str(lead.leader_id or ""),
        "next_action": lead.next_action,
        "next_action_on": lead.next_action_on.isoformat() if lead.next_action_on else "",
        "notes": lead.notes,
    }


def _lead_page(
    request: HttpRequest,
    *,
    lead: Lead,
    form: Mapping[str, Any] | None = None,
    selected_nodes: list[str] | None = None,
    refused: InvalidInput | None = None,
) -> HttpResponse:
    """The lead page; after a refused change, with the edit form as posted and its errors (422)."""
    user = request_user(request)
    today = clock.today(zone=lead.zone)
    can_edit = has_perm(user, Perm.LEAD_EDIT)
    errors, named = _form_errors(refused)
    context: dict[str, Any] = {
        "lead": lead,
        "next_stages": [(s, str(LeadStage(s).label), r) for s, r in services.next_stages(lead)],
        "can_edit": can_edit,
        "reasons": services.stale_reasons(lead=lead, today=today, limits=services.stage_limits(lead.zone_id)),
        "today": today,
        "stage_labels": dict(LeadStage.choices),
        "event_labels": services.EVENT_LABELS,
        "errors": errors,
        "named_errors": named,
    }
    if can_edit:
        context |= {
            "form": form if form is not None else _lead_initial(lead),
            "selected_nodes": (
                selected_nodes if selected_nodes is not None else [str(n.pk) for n in lead.nodes.all()]
            ),
            **selectors.lead_form_choices(user=user, lead=lead),
        }
    return render(request, "investment/lead.html", context, status=422 if refused is not None else 200)


@login_required
def lead_page(request: HttpRequest, lead_id: int) -> HttpResponse:
    return _lead_page(request, lead=selectors.lead_get(user=request_user(request), lead_id=lead_id))


@login_required
@require_POST
def lead_move(request: HttpRequest, lead_id: int) -> HttpResponse:
    user = request_user(request)
    lead = selectors.lead_get(user=user, lead_id=lead_id)
    post = request.POST
    data: dict[str, Any] = {}
    for key in ("signed_on", "date"):
        if post.get(key):
            data[key] = post[key]
    if post.get("signed_amount"):
        data["signed_amount"] = _yuan(post["signed_amount"])
    if post.get("enterprise_id"):
        data["enterprise_id"] = _int(post["enterprise_id"])
    elif post.get("enterprise_name") or post.get("enterprise_uscc"):
        data["enterprise"] = {
            "name": post.get("enterprise_name", ""),
            "uscc": post.get("enterprise_uscc", ""),
        }
    to = post.get("to", "")
    try:
        services.lead_transition(actor=user, lead=lead, to=to, reason=post.get("reason", ""), data=data)
    except InvalidInput as exc:
        messages.error(request, "; ".join(e.message for e in exc.errors))
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Moved to %(stage)s.") % {"stage": LeadStage(to).label})
    return redirect("investment:lead", lead_id=lead.pk)


@login_required
@require_POST
def lead_edit(request: HttpRequest, lead_id: int) -> HttpResponse:
    """The lead page's edit form, through ``lead_update``; a refused change comes back on the page as
    typed, each error at its field and named above the form."""
    user = request_user(request)
    lead = selectors.lead_get(user=user, lead_id=lead_id)
    try:
        services.lead_update(actor=user, lead=lead, values=_lead_values(request.POST, creating=False))
    except InvalidInput as exc:
        return _lead_page(
            request,
            lead=selectors.lead_get(user=user, lead_id=lead_id),
            form=request.POST,
            selected_nodes=request.POST.getlist("node_ids"),
            refused=exc,
        )
    messages.success(request, _("Saved."))
    return redirect("investment:lead", lead_id=lead.pk)


@login_required
@require_POST
def contact_new(request: HttpRequest, lead_id: int) -> HttpResponse:
    user = request_user(request)
    lead = selectors.lead_get(user=user, lead_id=lead_id)
    post = request.POST
    try:
        services.contact_add(
            actor=user,
            lead=lead,
            name=post.get("name", ""),
            title=post.get("title", ""),
            phone=post.get("phone", ""),
            email=post.get("email", ""),
        )
    except InvalidInput as exc:
        messages.error(request, "; ".join(e.message for e in exc.errors))
    else:
        messages.success(request, _("Contact added."))
    return redirect("investment:lead", lead_id=lead.pk)


@login_required
@require_POST
def document_upload(request: HttpRequest, lead_id: int) -> HttpResponse:
    user = request_user(request)
    lead = selectors.lead_get(user=user, lead_id=lead_id)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise InvalidInput.single("file", _("Choose a file."))
        if upload.size is not None and upload.size > DOCUMENT_MAX_BYTES:
            raise InvalidInput.single("file", _("The file is larger than 20 MB."))
        services.document_add(actor=user, lead=lead, name=upload.name or "", content=upload.read())
    except InvalidInput as exc:
        messages.error(request, "; ".join(e.message for e in exc.errors))
    else:
        messages.success(request, _("File attached."))
    return redirect("investment:lead", lead_id=lead.pk)


@login_required
def document_file(request: HttpRequest, document_id: int) -> FileResponse:
    """A lead's document, for whoever may read the lead."""
    return document_response(selectors.document_get(user=request_user(request), document_id=document_id))


@login_required
def funnel(request: HttpRequest) -> HttpResponse:
    """The funnel dashboard: stages reached, conversion, median days, by month and by group; value
    against the year's target; chain-master referrals; the monthly report in Excel (``month``: a past
    month's, as of its end)."""
    user = request_user(request)
    require_perm(user, Perm.LEAD_VIEW)
    today = clock.today(zone=user.zone)
    year = _int(request.GET.get("year")) or today.year
    if not 2000 <= year <= 2100:
        year = today.year
    if request.GET.get("format") == "xlsx":
        try:
            asked = reports.report_request(year=year, month=request.GET.get("month"), today=today)
        except InvalidInput as exc:
            messages.error(request, "; ".join(e.message for e in exc.errors))
            return redirect(f"{reverse('investment:funnel')}?year={year}")
        response = HttpResponse(
            reports.pipeline_workbook(user=user, year=asked.year, as_of=asked.as_of), content_type=XLSX
        )
        response["Content-Disposition"] = f'attachment; filename="{asked.filename}"'
        return response
    result = selectors.funnel(user=user, year=year)
    worth = selectors.value(user=user, year=year)
    chart = {
        "stages": [label for _s, label in result.stages],
        "reached": result.total.reached,
        "months": [m for m, _c in result.by_month],
        "entered": {label: [c[s] for _m, c in result.by_month] for s, label in result.stages},
    }
    conversion = result.total.conversion
    return render(
        request,
        "investment/funnel.html",
        {
            "year": year,
            "funnel": result,
            "rows": [
                (
                    label,
                    result.total.reached[i],
                    conversion[i] if i < len(conversion) else None,
                    result.median_days[s],
                )
                for i, (s, label) in enumerate(result.stages)
            ],
            "groups": [
                (_("Source"), result.by_source),
                (_("Cluster"), result.by_cluster),
                (_("Chain"), result.by_chain),
                (_("Officer"), result.by_officer),
                (_("Team"), result.by_team),
            ],
            "value": worth,
            "value_rows": [(LeadStage(s).label, v) for s, v in worth.intended_by_stage.items() if v],
            "referrals": selectors.referrals(user=user),
            "chart_json": json.dumps(chart, ensure_ascii=False),
            "this_month": f"{today:%Y-%m}",
        },
    )


@login_required
def gaps(request: HttpRequest) -> HttpResponse:
    """Each missing or weak chain node with the leads working on it — which gaps nobody works on."""
    user = request_user(request)
    require_perm(user, Perm.LEAD_VIEW)
    chain_id = _int(request.GET.get("chain"))
    rows = selectors.gap_coverage(user=user, chain_id=chain_id)
    return render(
        request,
        "investment/gaps.html",
        {
            "rows": rows,
            "uncovered": sum(1 for r in rows if r.uncovered),
            "chain": Chain.objects.filter(zone=user.zone, pk=chain_id or 0).first(),
            "chains": Chain.objects.filter(zone=user.zone).order_by("sort_order", "pk") if user.zone else [],
        },
    )

"""Pages of the investment pipeline: the board (columns by stage, the leaders' attention list), a new
lead, the lead page (timeline, the stages it may move to, contacts, documents), the funnel dashboard and
the gap coverage linked from the chain map."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zoneops.accounts.models import User
from zoneops.chains.models import Chain, Cluster
from zoneops.core import clock
from zoneops.core.access import Perm, has_perm, require_perm
from zoneops.core.errors import InvalidInput, TransitionNotAllowed
from zoneops.core.excel import XLSX
from zoneops.core.uploads import DOCUMENT_MAX_BYTES
from zoneops.core.web import request_user
from zoneops.enterprises.models import Enterprise
from zoneops.investment import reports, selectors, services
from zoneops.investment.models import LeadDocument, LeadSource, LeadStage


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


def _choices(user: User) -> dict[str, Any]:
    return {
        "clusters": Cluster.objects.filter(zone=user.zone).order_by("sort_order") if user.zone else [],
        "chains": Chain.objects.filter(zone=user.zone).order_by("sort_order", "pk") if user.zone else [],
        "officers": [
            u
            for u in User.objects.filter(zone=user.zone, is_active=True).order_by("username")
            if has_perm(u, Perm.LEAD_EDIT)
        ]
        if user.zone
        else [],
        "sources": LeadSource.choices,
    }


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
            **_choices(user),
        },
    )


_LEAD_FIELDS = ("company_name", "source", "team", "next_action", "next_action_on", "notes")
_LEAD_IDS = ("referred_by_id", "leader_id", "officer_id")
_MONEY = ("intended_investment", "intended_output")


def _lead_values(post: Any, *, creating: bool) -> dict[str, Any]:
    """The form's fields as the service's values (money typed in 10k yuan, as the bureau speaks)."""
    values: dict[str, Any] = {k: post.get(k, "") for k in _LEAD_FIELDS if creating or k in post}
    for key in _LEAD_IDS:
        if key in post:
            values[key] = _int(post.get(key)) if post.get(key) else None
    for key in _MONEY:
        if key in post:
            text = post.get(key, "").replace(",", "").strip()
            try:
                values[key] = str(float(text) * 10_000) if text else None
            except ValueError:
                values[key] = text  # the service names the field
    if "node_ids" in post or creating:
        values["node_ids"] = [int(v) for v in post.getlist("node_ids") if v.isdigit()]
    return values


@login_required
def lead_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    require_perm(user, Perm.LEAD_EDIT)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            assert user.zone is not None
            lead = services.lead_create(
                actor=user, zone=user.zone, values=_lead_values(request.POST, creating=True)
            )
        except InvalidInput as exc:
            errors = {e.field: e.message for e in exc.errors}
        else:
            messages.success(request, _("Lead %(company)s opened.") % {"company": lead.company_name})
            return redirect("investment:lead", lead_id=lead.pk)
    chains = list(Chain.objects.filter(zone=user.zone).prefetch_related("nodes").order_by("sort_order", "pk"))
    return render(
        request,
        "investment/new.html",
        {
            "errors": errors,
            "form": request.POST,
            # Compared as a list: ``form.node_ids`` is only the last value, and ``in`` on it a substring test.
            "selected_nodes": request.POST.getlist("node_ids"),
            "chains": chains,
            "chain_masters": Enterprise.objects.filter(zone=user.zone, chains_led__isnull=False)
            .distinct()
            .order_by("name"),
            "leaders": User.objects.filter(zone=user.zone, role="leader", is_active=True).order_by(
                "username"
            ),
            **_choices(user),
        },
        status=422 if errors else 200,
    )


@login_required
def lead_page(request: HttpRequest, lead_id: int) -> HttpResponse:
    user = request_user(request)
    lead = selectors.lead_get(user=user, lead_id=lead_id)
    today = clock.today(zone=lead.zone)
    return render(
        request,
        "investment/lead.html",
        {
            "lead": lead,
            "next_stages": [(s, str(LeadStage(s).label), r) for s, r in services.next_stages(lead)],
            "can_edit": has_perm(user, Perm.LEAD_EDIT),
            "reasons": services.stale_reasons(
                lead=lead, today=today, limits=services.stage_limits(lead.zone_id)
            ),
            "today": today,
            "stage_labels": dict(LeadStage.choices),
            "event_labels": services.EVENT_LABELS,
        },
    )


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
        text = post["signed_amount"].replace(",", "").strip()
        try:
            data["signed_amount"] = str(float(text) * 10_000)
        except ValueError:
            data["signed_amount"] = text
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
    user = request_user(request)
    lead = selectors.lead_get(user=user, lead_id=lead_id)
    try:
        services.lead_update(actor=user, lead=lead, values=_lead_values(request.POST, creating=False))
    except InvalidInput as exc:
        messages.error(request, "; ".join(e.message for e in exc.errors))
    else:
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
    user = request_user(request)
    document = LeadDocument.objects.filter(pk=document_id).select_related("lead").first()
    if document is None:
        raise Http404
    selectors.lead_get(user=user, lead_id=document.lead_id)
    return FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=True,
        filename=document.name,
    )


@login_required
def funnel(request: HttpRequest) -> HttpResponse:
    """The funnel dashboard: stages reached, conversion, median days, by month and by group; value
    against the year's target; chain-master referrals; the monthly report in Excel."""
    user = request_user(request)
    require_perm(user, Perm.LEAD_VIEW)
    today = clock.today(zone=user.zone)
    year = _int(request.GET.get("year")) or today.year
    if not 2000 <= year <= 2100:
        year = today.year
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(reports.pipeline_workbook(user=user, year=year), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="pipeline-{year}.xlsx"'
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

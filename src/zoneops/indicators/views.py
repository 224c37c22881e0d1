"""Pages of the statistics side: dashboard, rankings, an enterprise's figures, imports, the report."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from zoneops.core import clock
from zoneops.core.access import Perm, has_perm, is_enterprise_user, require_perm
from zoneops.core.errors import InvalidInput
from zoneops.core.excel import XLSX
from zoneops.core.web import or_404, request_user
from zoneops.enterprises.selectors import enterprise_get
from zoneops.indicators import reports
from zoneops.indicators.models import ImportStatus, RollupDimension
from zoneops.indicators.parsing import parse_period
from zoneops.indicators.selectors import (
    TEN_THOUSAND,
    cluster_progress,
    cluster_trend,
    figures_table,
    growth_ranking,
    import_get,
    imports_visible,
    indicators,
    latest_period,
    rollup_table,
    submissions_for_review,
    submissions_of,
)
from zoneops.indicators.services import (
    import_confirm,
    import_start,
    submission_deadline,
    submission_review,
    submission_save,
)


def _chosen_period(request: HttpRequest, *, indicator: str) -> dt.date | None:
    user = request_user(request)
    asked = parse_period(request.GET.get("period", "")) if request.GET.get("period") else None
    return asked or latest_period(user=user, indicator=indicator)


def _indicator(request: HttpRequest) -> str:
    codes = [i.code for i in indicators()]
    asked = request.GET.get("indicator", "revenue")
    return asked if asked in codes else "revenue"


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    require_perm(user, Perm.INDICATOR_VIEW_ALL)
    indicator = _indicator(request)
    period = _chosen_period(request, indicator=indicator)
    clusters = cluster_progress(user=user, indicator=indicator, period=period) if period else []
    trend = cluster_trend(user=user, indicator=indicator, period=period) if period else None
    chart = {
        "unit": str(_("10k yuan")),
        "months": trend.months if trend else [],
        "series": [
            {"name": name, "values": [float(v / TEN_THOUSAND) if v is not None else None for v in values]}
            for name, values in (trend.series.items() if trend else [])
        ],
        "yoy": [
            {"name": name, "values": [float(v) if v is not None else None for v in values]}
            for name, values in (trend.yoy.items() if trend else [])
        ],
    }
    context: dict[str, Any] = {
        "indicator": indicator,
        "indicators": indicators(),
        "period": period,
        "clusters": clusters,
        "dimensions": [
            (d, rollup_table(user=user, dimension=d, indicator=indicator, period=period) if period else [])
            for d in (RollupDimension.PARK, RollupDimension.SCALE, RollupDimension.OWNERSHIP)
        ],
        "chart_json": json.dumps(chart, ensure_ascii=False),
        "can_import": has_perm(user, Perm.INDICATOR_IMPORT),
    }
    return render(request, "indicators/dashboard.html", context)


@login_required
def rankings_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    require_perm(user, Perm.INDICATOR_VIEW_ALL)
    indicator = _indicator(request)
    latest = latest_period(user=user, indicator=indicator)
    # The default is the last complete year: the one before the latest published month.
    default_year = latest.year - 1 if latest else clock.today(zone=user.zone).year - 1
    try:
        year = int(request.GET.get("year") or default_year)
    except ValueError:
        year = default_year
    try:
        threshold = Decimal(request.GET["growth_above"]) if request.GET.get("growth_above") else None
    except ArithmeticError:
        threshold = None
    ranked = growth_ranking(user=user, indicator=indicator, year=year, growth_above=threshold)
    page = Paginator(ranked, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "indicators/rankings.html",
        {
            "page": page,
            "indicator": indicator,
            "indicators": indicators(),
            "year": year,
            "growth_above": threshold,
            "querystring": query.urlencode(),
        },
    )


@login_required
def enterprise_figures(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    user = request_user(request)
    enterprise = or_404(lambda: enterprise_get(user=user, enterprise_id=enterprise_id))
    try:
        year = int(request.GET.get("year", "2022"))
    except ValueError:
        year = 2022
    figures = figures_table(user=user, enterprise=enterprise, year=year)
    return render(
        request,
        "indicators/enterprise.html",
        {
            "enterprise": enterprise,
            "year": year,
            "months": figures.months,
            "rows": figures.rows,
            "years": [2020, 2021, 2022],
        },
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (xlsx, xls, ods or csv)"))
    period = forms.CharField(label=_("Period of the file (YYYY-MM, optional)"), required=False, max_length=7)
    cumulative = forms.ChoiceField(
        label=_("Values are"),
        choices=[
            ("", _("detected from the headers")),
            ("false", _("monthly")),
            ("true", _("year-to-date (1-本月累计)")),
        ],
        required=False,
    )
    dry_run = forms.BooleanField(label=_("Check only, do not publish"), required=False)


@login_required
def imports_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    require_perm(user, Perm.INDICATOR_IMPORT)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and user.zone is not None:
        upload = form.cleaned_data["file"]
        period_text = form.cleaned_data["period"].strip()
        period = parse_period(period_text) if period_text else None
        if period_text and period is None:
            form.add_error("period", _("Not a month: write it as YYYY-MM, e.g. 2022-04."))
        else:
            cumulative = {"": None, "true": True, "false": False}[form.cleaned_data["cumulative"] or ""]
            try:
                batch = import_start(
                    actor=user,
                    zone=user.zone,
                    file_name=upload.name,
                    content=upload.read(),
                    cumulative=cumulative,
                    declared_period=period,
                    dry_run=form.cleaned_data["dry_run"],
                )
            except InvalidInput as invalid:
                for error in invalid.errors:
                    form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                return redirect("indicators:import", batch_id=batch.pk)
    page = Paginator(imports_visible(user=user), 20).get_page(request.GET.get("page"))
    return render(request, "indicators/imports.html", {"form": form, "page": page})


@login_required
def import_page(request: HttpRequest, batch_id: int) -> HttpResponse:
    user = request_user(request)
    batch = or_404(lambda: import_get(user=user, batch_id=batch_id))
    if request.method == "POST" and batch.status == ImportStatus.AWAITING_CONFIRMATION:
        import_confirm(actor=user, batch=batch)
        return redirect("indicators:import", batch_id=batch.pk)
    template = (
        "indicators/_import_status.html" if request.headers.get("HX-Request") else "indicators/import.html"
    )
    return render(request, template, {"batch": batch, "running": batch.status == ImportStatus.RUNNING})


@login_required
def import_error_report(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = or_404(lambda: import_get(user=request_user(request), batch_id=batch_id))
    response = HttpResponse(reports.error_report(batch), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-errors.xlsx"'
    return response


@login_required
def economic_report(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    require_perm(user, Perm.INDICATOR_VIEW_ALL)
    period = _chosen_period(request, indicator="revenue")
    if period is None:
        raise Http404
    response = HttpResponse(reports.economic_report(user=user, period=period), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="economic-report-{period:%Y-%m}.xlsx"'
    return response


@login_required
def template_download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(reports.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="zoneops-indicators-template.xlsx"'
    return response


class SubmissionForm(forms.Form):
    period = forms.CharField(label=_("Month (YYYY-MM)"), max_length=7)

    def __init__(self, *args: Any, indicator_rows: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for indicator in indicator_rows:
            unit = _("10k yuan") if indicator.unit == "yuan" else _("persons")
            self.fields[indicator.code] = forms.CharField(
                label=f"{indicator.name_zh} / {indicator.name_en} ({unit})",
                required=False,
                max_length=30,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )


@login_required
def submit_figures(request: HttpRequest) -> HttpResponse:
    """An enterprise contact's monthly form (phone-friendly: one column, large inputs)."""
    user = request_user(request)
    if user.enterprise_id is None or not is_enterprise_user(user):
        raise Http404
    defined = list(indicators())
    today = clock.today(zone=user.zone)
    default_period = dt.date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    period = parse_period(request.GET.get("period", "")) or default_period
    existing = submissions_of(user=user).filter(period=period).first()
    initial: dict[str, Any] = {"period": f"{period:%Y-%m}"}
    if existing is not None:
        for code, text in existing.values.items():
            value = Decimal(text)
            unit = next((i.unit for i in defined if i.code == code), "yuan")
            initial[code] = value / TEN_THOUSAND if unit == "yuan" else value
    form = SubmissionForm(request.POST or None, initial=initial, indicator_rows=defined)
    if request.method == "POST" and form.is_valid():
        chosen = parse_period(form.cleaned_data["period"])
        if chosen is None:
            form.add_error("period", _("Not a month: write it as YYYY-MM, e.g. 2022-04."))
        else:
            try:
                submission_save(
                    actor=user,
                    enterprise_id=user.enterprise_id,
                    period=chosen,
                    values={i.code: form.cleaned_data[i.code] for i in defined if form.cleaned_data[i.code]},
                    submit="submit" in request.POST,
                )
            except InvalidInput as invalid:
                for error in invalid.errors:
                    form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                return redirect(f"{request.path}?period={chosen:%Y-%m}")
    return render(
        request,
        "indicators/submit.html",
        {
            "form": form,
            "submission": existing,
            "period": period,
            "deadline": submission_deadline(period=period),
            "history": submissions_of(user=user)[:12],
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
def review_submissions(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    require_perm(user, Perm.INDICATOR_IMPORT)
    if request.method == "POST":
        chosen = request.POST.get("submission", "")
        submission = (
            submissions_for_review(user=user).filter(pk=int(chosen)).first() if chosen.isdigit() else None
        )
        if submission is None:
            raise Http404
        try:
            submission_review(
                actor=user,
                submission=submission,
                publish=request.POST.get("action") == "publish",
                note=request.POST.get("note", ""),
            )
        except InvalidInput as invalid:
            return render(
                request,
                "indicators/review.html",
                {
                    "page": Paginator(submissions_for_review(user=user), 30).get_page(1),
                    "error": invalid.errors[0].message,
                },
                status=422,
            )
        return redirect("indicators:submissions")
    status = request.GET.get("status") or "submitted"
    page = Paginator(submissions_for_review(user=user, status=status), 30).get_page(request.GET.get("page"))
    return render(
        request, "indicators/review.html", {"page": page, "status": status, "querystring": f"status={status}"}
    )

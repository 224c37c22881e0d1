"""Pages of the enterprise registry: list with search and filters, detail, create and edit."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from zoneops.chains.selectors import cluster_list
from zoneops.core.access import Perm, has_perm, is_enterprise_user, require_perm
from zoneops.core.errors import InvalidInput
from zoneops.core.selectors import audit_events_for
from zoneops.core.web import or_404, parse_bool, request_user
from zoneops.enterprises.models import Enterprise, Ownership
from zoneops.enterprises.selectors import (
    EnterpriseFilters,
    enterprise_get,
    enterprise_list,
    industry_divisions_in_use,
    parks_visible,
)
from zoneops.enterprises.services import enterprise_create, enterprise_update

PAGE_SIZE = 25


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
def enterprise_index(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    require_perm(user, Perm.ENTERPRISE_VIEW)
    filters = EnterpriseFilters(
        search=request.GET.get("search", "")[:200],
        industry=request.GET.get("industry", "")[:4],
        above_scale=parse_bool(request.GET.get("above_scale")),
        cluster=_int_or_none(request.GET.get("cluster")),
        park=_int_or_none(request.GET.get("park")),
        fortune_global_500=parse_bool(request.GET.get("fortune_global_500")),
    )
    page = Paginator(enterprise_list(user=user, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = {
        "page": page,
        "filters": filters,
        "querystring": query.urlencode(),
        "divisions": industry_divisions_in_use(user=user),
        "clusters": cluster_list(user=user),
        "parks": parks_visible(user=user) if not is_enterprise_user(user) else [],
        "can_edit": has_perm(user, Perm.ENTERPRISE_EDIT),
    }
    template = "enterprises/_results.html" if request.headers.get("HX-Request") else "enterprises/list.html"
    return render(request, template, context)


@login_required
def enterprise_detail(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    user = request_user(request)
    enterprise = or_404(lambda: enterprise_get(user=user, enterprise_id=enterprise_id))
    context = {
        "enterprise": enterprise,
        "can_edit": has_perm(user, Perm.ENTERPRISE_EDIT),
        "audit_events": audit_events_for(user=user, instance=enterprise)[:50],
    }
    return render(request, "enterprises/detail.html", context)


class EnterpriseForm(forms.Form):
    """Parses and renders the fields; the service validates them (USCC, class level, uniqueness)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    short_name = forms.CharField(label=_("Short name"), max_length=60, required=False)
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=40)
    industry = forms.CharField(label=_("Industry class (GB/T 4754-2017, 4 digits)"), max_length=4)
    established_on = forms.DateField(
        label=_("Established on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    registered_capital = forms.DecimalField(
        label=_("Registered capital (yuan)"), required=False, decimal_places=2
    )
    ownership = forms.ChoiceField(label=_("Ownership"), choices=Ownership.choices)
    park = forms.TypedChoiceField(label=_("Park"), required=False, coerce=int, empty_value=None)
    above_scale = forms.BooleanField(label=_("Above designated size"), required=False)
    high_tech = forms.BooleanField(label=_("High-tech enterprise"), required=False)
    fortune_global_500 = forms.BooleanField(label=_("Fortune Global 500"), required=False)
    listed = forms.BooleanField(label=_("Listed"), required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    website = forms.URLField(label=_("Website"), required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, park_choices: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        park_field = self.fields["park"]
        assert isinstance(park_field, forms.TypedChoiceField)
        park_field.choices = [("", "—"), *park_choices]


def _edit(request: HttpRequest, enterprise: Enterprise | None) -> HttpResponse:
    user = request_user(request)
    require_perm(user, Perm.ENTERPRISE_EDIT)
    park_choices = [(p.pk, p.name) for p in parks_visible(user=user)]
    initial: dict[str, Any] = {}
    if enterprise is not None:
        initial = {
            name: getattr(enterprise, name)
            for name in EnterpriseForm.base_fields
            if hasattr(enterprise, name)
        }
        initial["industry"] = enterprise.industry_id
        initial["park"] = enterprise.park_id
    form = EnterpriseForm(request.POST or None, initial=initial, park_choices=park_choices)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        try:
            if enterprise is None:
                if user.zone is None:
                    raise Http404
                saved = enterprise_create(actor=user, zone=user.zone, values=values)
            else:
                saved = enterprise_update(actor=user, enterprise=enterprise, values=values)
        except InvalidInput as invalid:
            for error in invalid.errors:
                form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return redirect("enterprises:detail", enterprise_id=saved.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "enterprises/form.html", {"form": form, "enterprise": enterprise}, status=status)


@login_required
def enterprise_new(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@login_required
def enterprise_edit(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    user = request_user(request)
    enterprise = or_404(lambda: enterprise_get(user=user, enterprise_id=enterprise_id))
    return _edit(request, enterprise)

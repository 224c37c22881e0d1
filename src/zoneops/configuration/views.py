"""The zone settings page: one form per section, each saved all or nothing through ``services`` (a bad field
writes nothing of its section and is named in the message)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zoneops.configuration import selectors, services
from zoneops.core import clock
from zoneops.core.errors import InvalidInput
from zoneops.core.web import request_user


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    today = clock.today(zone=user.zone)
    year_text = request.POST.get("year") or request.GET.get("year") or ""
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else today.year
    data = selectors.zone_settings(user=user, year=year)  # refuses a user with nothing to set
    if request.method == "POST":
        section = request.POST.get("section", "")
        zone = user.zone
        if section not in data.sections or zone is None:
            raise PermissionDenied(_("Your role may not do this."))
        form = {key: str(request.POST.get(key, "")) for key in request.POST}
        try:
            services.settings_section_save(actor=user, zone=zone, section=section, year=year, form=form)
        except InvalidInput as exc:
            messages.error(request, "; ".join(f"{e.field}: {e.message}" for e in exc.errors))
        else:
            messages.success(request, _("Saved."))
        return redirect(f"{request.path}?year={year}#{section}")
    return render(
        request, "configuration/settings.html", {"s": data, "years": range(today.year - 1, today.year + 3)}
    )

"""The monthly report pack's page and downloads: the pack (ZIP), its PDF alone, each Excel alone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from zoneops.accounts.models import User
from zoneops.core.errors import InvalidInput
from zoneops.core.web import request_user
from zoneops.reports import selectors
from zoneops.reports.selectors import PackFile, Part


def _attachment(file: PackFile) -> HttpResponse:
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = content_disposition_header(True, file.name)
    return response


def _page(
    request: HttpRequest,
    user: User,
    parts: list[Part],
    *,
    period: dt.date | None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    shown = period or selectors.default_period(user=user)
    return render(
        request,
        "reports/pack.html",
        {
            "period": shown,
            "asked": request.GET.get("period", "") if error else f"{shown:%Y-%m}",
            "error": error,
            "parts": [
                {
                    "key": part.value,
                    "title": selectors.part_title(part),
                    "description": selectors.part_description(part),
                    "file_name": selectors.part_file_name(part, shown),
                }
                for part in parts
            ],
            "pdf_name": selectors.pdf_file_name(shown),
            "pack_name": selectors.pack_file_name(shown),
        },
        status=status,
    )


def _refused(request: HttpRequest, user: User, parts: list[Part], exc: InvalidInput) -> HttpResponse:
    """A month that is not one: the page again, answering 400 with the reason next to the field."""
    return _page(request, user, parts, period=None, error=exc.errors[0].message, status=400)


@login_required
def pack_page(request: HttpRequest) -> HttpResponse:
    """Choose the month; what the pack holds for this user; the downloads."""
    user = request_user(request)
    parts = selectors.parts_of(user=user)
    try:
        period = selectors.pack_period(user=user, text=request.GET.get("period"))
    except InvalidInput as exc:
        return _refused(request, user, parts, exc)
    return _page(request, user, parts, period=period)


def _download(request: HttpRequest, build: Callable[[User, dt.date], PackFile]) -> HttpResponse:
    """One download of the pack for the asked month; a month that is not one gets the page and a 400."""
    user = request_user(request)
    parts = selectors.parts_of(user=user)
    try:
        period = selectors.pack_period(user=user, text=request.GET.get("period"))
    except InvalidInput as exc:
        return _refused(request, user, parts, exc)
    return _attachment(build(user, period))


@login_required
def pack_download(request: HttpRequest) -> HttpResponse:
    return _download(request, lambda user, period: selectors.report_pack(user=user, period=period))


@login_required
def pdf_download(request: HttpRequest) -> HttpResponse:
    return _download(request, lambda user, period: selectors.pack_pdf(user=user, period=period))


@login_required
def part_download(request: HttpRequest, part: str) -> HttpResponse:
    selectors.parts_of(user=request_user(request))  # a refused role hears 403 before a wrong file name
    try:
        chosen = Part(part)
    except ValueError as unknown:
        raise Http404 from unknown
    return _download(request, lambda user, period: selectors.part_file(user=user, period=period, part=chosen))

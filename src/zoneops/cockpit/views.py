"""The cockpit page, and its wall-screen mode (大屏) for the command centre's display."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zoneops.cockpit import selectors
from zoneops.core.web import request_user

WALL_REFRESH_SECONDS = 300


@login_required
def cockpit_page(request: HttpRequest) -> HttpResponse:
    data = selectors.cockpit(user=request_user(request))
    wall = request.GET.get("wall") == "1"
    chart = {
        "stages": data.pipeline.get("stages", []),
        "reached": data.pipeline.get("reached", []),
        "projects": data.projects.get("counts", {}),
    }
    return render(
        request,
        "cockpit/wall.html" if wall else "cockpit/cockpit.html",
        {
            "c": data,
            "chart_json": json.dumps(chart, ensure_ascii=False),
            "refresh": WALL_REFRESH_SECONDS,
        },
    )


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    """The header's search box: every kind of record the user may open, grouped."""
    text = request.GET.get("q", "")[:100]
    groups = selectors.search(user=request_user(request), text=text)
    return render(
        request,
        "cockpit/search.html",
        {"q": " ".join(text.split()), "groups": groups, "min_length": selectors.SEARCH_MIN_LENGTH},
    )

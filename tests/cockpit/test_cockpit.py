"""The leadership cockpit: who may open it, that its figures are the owning capabilities' own, and that
every figure links to a page the leader can open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from tests.conftest import ROLES
from zoneops.investment.models import Lead
from zoneops.projects.models import KeyProject
from zoneops.servicedesk.models import ServiceOrder

pytestmark = pytest.mark.django_db

TODAY = dt.date(2022, 5, 8)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.mark.parametrize("username", ROLES)
def test_who_opens_the_cockpit(api_as: Any, page_as: Any, username: str) -> None:
    allowed = username in ("admin", "leader", "supervisor")
    assert api_as(username).get("/api/v1/cockpit").status_code == (200 if allowed else 403)
    assert page_as(username).get("/cockpit/").status_code == (200 if allowed else 403)
    assert page_as(username).get("/cockpit/", {"wall": "1"}).status_code == (200 if allowed else 403)


def test_the_figures_are_the_capabilities_own(api_as: Any) -> None:
    body = api_as("leader").get("/api/v1/cockpit").json()
    assert body["today"] == TODAY.isoformat()
    assert body["period"] == "2022-04-01"
    # The five clusters, the two 100-billion ones among them.
    assert [c["tier"] for c in body["clusters"]].count("hundred_billion") == 2
    assert len(body["clusters"]) == 5
    # Key projects by warning level, counted from the projects themselves; every red one named.
    projects = KeyProject.objects.filter(year=2022)
    counts = {level: projects.filter(warning_level=level).count() for level in ("green", "amber", "red")}
    assert body["projects"]["counts"] == counts
    assert body["projects"]["total"] == projects.count() == 97
    red = list(projects.filter(warning_level="red").order_by("code").values_list("code", flat=True))
    assert [p["code"] for p in body["projects"]["red"]] == red[:8]
    assert all(p["reasons"] for p in body["projects"]["red"])
    # Service orders open and overdue, counted from the orders.
    open_orders = ServiceOrder.objects.filter(
        status__in=["submitted", "accepted", "dispatched", "in_progress", "waiting", "returned"]
    )
    assert body["orders"]["open"] == open_orders.count() == 9
    overdue = [
        o
        for o in open_orders
        if (o.status == "submitted" and o.accept_due < TODAY)
        or (o.status != "waiting" and o.status != "submitted" and o.resolve_due and o.resolve_due < TODAY)
    ]
    assert body["orders"]["overdue"] == len(overdue) == 3
    # The pipeline: leads opened this year reaching each stage, from the leads' furthest stage.
    opened = Lead.objects.filter(opened_on__year=2022)
    assert body["pipeline"]["reached"][0] == opened.count()
    assert body["pipeline"]["reached"][1] == opened.filter(furthest__gte=1).count()
    signed = Lead.objects.filter(signed_on__year=2022)
    assert body["pipeline"]["signed_in_year"] == f"{sum(lead.signed_amount for lead in signed):.2f}"
    # Gaps nobody works on are a subset of the chains' missing and weak nodes.
    assert 0 < body["gaps"]["uncovered"] <= body["gaps"]["gaps"]
    assert body["assessment"]["period"] == "2022Q1"
    assert body["assessment"]["ranking"][0]["rank"] == 1


def test_every_figure_links_to_a_page_the_leader_opens(api_as: Any, page_as: Any) -> None:
    body = api_as("leader").get("/api/v1/cockpit").json()
    links = {
        body["projects"]["link"],
        body["projects"]["red_link"],
        body["pipeline"]["link"],
        body["gaps"]["link"],
        body["orders"]["link"],
        body["orders"]["overdue_link"],
        body["supervision"]["link"],
        body["assessment"]["link"],
        *(c["link"] for c in body["clusters"]),
        *(p["link"] for p in body["projects"]["red"]),
        *(g["link"] for g in body["gaps"]["nodes"]),
        *(g["link"] for g in body["growers"]),
    }
    leader = page_as("leader")
    assert {link: leader.get(link).status_code for link in sorted(links)} == dict.fromkeys(sorted(links), 200)


def test_the_page_and_the_wall_show_the_same_figures(page_as: Any, api_as: Any) -> None:
    body = api_as("leader").get("/api/v1/cockpit").json()
    page = page_as("leader").get("/cockpit/").content.decode()
    wall = page_as("leader").get("/cockpit/", {"wall": "1"}).content.decode()
    for html in (page, wall):
        assert f'data-testid="cockpit-red">{body["projects"]["counts"]["red"]} ' in html
        assert f'data-testid="cockpit-overdue-orders">{body["orders"]["overdue"]} ' in html
        assert html.count('data-testid="cockpit-cluster"') == 5
        # The figures the closed-loop walk reads before and after (tests/browser/test_loop.py).
        orders, items = body["orders"], body["supervision"]["counts"]
        assert f'data-testid="cockpit-projects-total">{body["projects"]["total"]}<' in html
        assert f'data-testid="cockpit-orders-open">{orders["open"]}<' in html
        assert f'data-testid="cockpit-orders-filed" data-count="{orders["filed"]}"' in html
        assert (
            f'data-testid="cockpit-answered" data-on-time="{orders["on_time"]}" '
            f'data-answered="{orders["answered"]}"'
        ) in html
        assert orders["on_time_rate"] == round(100 * orders["on_time"] / orders["answered"], 1)
        assert f'data-testid="cockpit-items-open">{items["open"]}<' in html
        assert f'data-testid="cockpit-items-overdue">{items["overdue"]}<' in html
        assert f'data-testid="cockpit-items-closed">{items["closed_this_month"]}<' in html
    assert 'class="wall"' in wall
    assert 'http-equiv="refresh" content="300"' in wall
    assert 'http-equiv="refresh"' not in page


@pytest.mark.parametrize(
    ("username", "cards"),
    [
        (
            "admin",
            ["cockpit", "to-accept", "orders-overdue", "reports-late", "items-overdue", "leads-attention"],
        ),
        ("leader", ["cockpit", "items-overdue"]),
        ("supervisor", ["cockpit", "items-overdue"]),
        ("invest", ["orders-open", "orders-overdue", "reports-late", "items-overdue", "leads-attention"]),
        ("projects", ["orders-open", "orders-overdue", "reports-late", "items-overdue"]),
        ("stats", ["orders-open", "orders-overdue"]),
    ],
)
def test_home_shows_each_role_its_work(page_as: Any, username: str, cards: list[str]) -> None:
    import re

    page = page_as(username).get("/home/").content.decode()
    assert re.findall(r'data-testid="work-([a-z-]+)"', page) == cards


def test_the_work_counts_are_the_queues_own(page_as: Any, user_of: Any) -> None:
    import re

    from zoneops.projects.selectors import reports_missing
    from zoneops.servicedesk.selectors import queue_counts

    invest = user_of("invest")
    page = page_as("invest").get("/home/").content.decode()
    figures = dict(re.findall(r'data-testid="work-([a-z-]+)"><span class="figure">(\d+)</span>', page))
    counts = queue_counts(user=invest, today=TODAY)
    late = reports_missing(zone_id=invest.zone_id, today=TODAY, department_id=invest.department_id)
    assert figures["orders-open"] == str(counts["open"])
    assert figures["orders-overdue"] == str(counts["overdue"])
    assert figures["reports-late"] == str(len(late))

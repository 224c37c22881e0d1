"""The global search: each kind found through its own visibility rule, for every role; page and API."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Q

from tests.conftest import ROLES
from zoneops.accounts.models import User
from zoneops.cockpit.selectors import search
from zoneops.core.access import enterprise_scope, order_scope, project_scope, supervision_scope
from zoneops.enterprises.models import Enterprise
from zoneops.investment.models import Lead
from zoneops.projects.models import KeyProject
from zoneops.servicedesk.models import ServiceOrder
from zoneops.supervision.models import SupervisionItem

pytestmark = pytest.mark.django_db


def _expected(user: User, words: str) -> dict[str, set[str]]:
    """What each kind should find, computed straight from the models and the access rules."""
    links: dict[str, set[str]] = {
        "enterprises": {
            f"/enterprises/{pk}/"
            for pk in Enterprise.objects.filter(enterprise_scope(user))
            .filter(Q(name__icontains=words) | Q(name_en__icontains=words) | Q(short_name__icontains=words))
            .values_list("pk", flat=True)
        },
        "projects": {
            f"/projects/{pk}/"
            for pk in KeyProject.objects.filter(project_scope(user))
            .filter(Q(name__icontains=words) | Q(code__icontains=words) | Q(owner__name__icontains=words))
            .values_list("pk", flat=True)
        },
        "leads": set(),
        "orders": {
            f"/orders/{pk}/"
            for pk in ServiceOrder.objects.filter(order_scope(user))
            .filter(
                Q(number__icontains=words) | Q(title__icontains=words) | Q(enterprise__name__icontains=words)
            )
            .values_list("pk", flat=True)
        },
        "items": {
            f"/supervision/{pk}/"
            for pk in SupervisionItem.objects.filter(supervision_scope(user))
            .filter(Q(number__icontains=words) | Q(subject__icontains=words))
            .values_list("pk", flat=True)
        },
    }
    if user.username in ("admin", "leader", "supervisor", "invest"):
        links["leads"] = {
            f"/pipeline/leads/{pk}/"
            for pk in Lead.objects.filter(zone=user.zone)
            .filter(Q(company_name__icontains=words) | Q(notes__icontains=words))
            .values_list("pk", flat=True)
        }
    return {kind: found for kind, found in links.items() if found}


@pytest.mark.parametrize("username", ROLES)
@pytest.mark.parametrize("words", ["惠普", "威高", "GD2022-0001", "DB2022"])
def test_search_finds_exactly_what_the_user_may_open(user_of: Any, username: str, words: str) -> None:
    user = user_of(username)
    groups = search(user=user, text=words, shown=1000)
    found = {g.kind: {h.link for h in g.hits} for g in groups}
    assert found == _expected(user, words)
    assert all(g.total == len(g.hits) for g in groups)


def test_a_lead_is_found_by_its_company_only_by_pipeline_staff(user_of: Any) -> None:
    lead = Lead.objects.order_by("pk").first()
    assert lead is not None
    words = lead.company_name
    for username in ROLES:
        kinds = {g.kind for g in search(user=user_of(username), text=words)}
        assert ("leads" in kinds) == (username in ("admin", "leader", "supervisor", "invest")), username


def test_each_kind_shows_ten_hits_and_counts_them_all(user_of: Any) -> None:
    groups = {g.kind: g for g in search(user=user_of("leader"), text="GD2022")}
    total = ServiceOrder.objects.filter(number__icontains="GD2022").count()
    assert total > 10
    assert (groups["orders"].total, len(groups["orders"].hits)) == (total, 10)
    assert groups["orders"].more_link == "/orders/?status=all&search=GD2022"


@pytest.mark.parametrize("words", ["", " ", "惠", "  a  "])
def test_too_short_a_search_finds_nothing(user_of: Any, words: str) -> None:
    assert search(user=user_of("leader"), text=words) == []


def test_spaces_are_collapsed(user_of: Any) -> None:
    assert search(user=user_of("leader"), text="  惠普  ") == search(user=user_of("leader"), text="惠普")


@pytest.mark.parametrize("username", ROLES)
def test_search_page_for_every_role(page_as: Any, user_of: Any, username: str) -> None:
    response = page_as(username).get("/search/", {"q": "威高"}, headers={"Accept-Language": "en"})
    content = response.content.decode()
    assert response.status_code == 200
    expected = _expected(user_of(username), "威高")
    for kind, links in expected.items():
        assert f'data-testid="search-{kind}"' in content
        # The first ten of each kind, all of them among the ones the user may open.
        assert sum(f'href="{link}"' in content for link in links) == min(10, len(links))
    for kind in {"enterprises", "projects", "leads", "orders", "items"} - set(expected):
        assert f'data-testid="search-{kind}"' not in content


def test_search_page_says_when_nothing_matches(page_as: Any) -> None:
    content = page_as("hp").get("/search/", {"q": "威高"}, headers={"Accept-Language": "en"}).content.decode()
    assert 'data-testid="search-empty"' in content
    assert "Nothing you may open matches “威高”." in content


def test_search_page_needs_a_login(page_as: Any) -> None:
    response = page_as(None).get("/search/", {"q": "威高"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_header_offers_the_search_box(page_as: Any) -> None:
    content = page_as("invest").get("/home/").content.decode()
    assert 'action="/search/"' in content
    assert 'id="header-search"' in content


@pytest.mark.parametrize("username", ROLES)
def test_search_api_for_every_role(api_as: Any, user_of: Any, username: str) -> None:
    response = api_as(username).get("/api/v1/search", q="惠普")
    assert response.status_code == 200
    body = response.json()
    assert body["q"] == "惠普"
    found = {g["kind"]: {h["link"] for h in g["hits"]} for g in body["groups"]}
    expected = {kind: set(sorted(links)[:10]) for kind, links in _expected(user_of(username), "惠普").items()}
    assert set(found) == set(expected)
    assert all(found[k] <= _expected(user_of(username), "惠普")[k] for k in found)


def test_search_api_needs_a_token(api_as: Any) -> None:
    assert api_as(None).get("/api/v1/search", q="惠普").status_code == 401

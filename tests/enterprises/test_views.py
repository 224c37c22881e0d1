"""Registry pages for every role: what each may open, and what is refused."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ENTERPRISE_ROLES, ROLES, STAFF_ROLES
from zoneops.demo import weihai
from zoneops.enterprises import uscc
from zoneops.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", STAFF_ROLES)
def test_staff_see_the_registry_list(page_as: Any, username: str) -> None:
    response = page_as(username).get("/enterprises/", {"search": "Jabil"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "捷普电子（威海）有限公司" in content
    assert 'data-testid="enterprise-row"' in content


@pytest.mark.parametrize("username", ENTERPRISE_ROLES)
def test_enterprise_users_list_only_their_own(page_as: Any, username: str) -> None:
    content = page_as(username).get("/enterprises/").content.decode()
    assert content.count('data-testid="enterprise-row"') == 1


def test_htmx_request_gets_the_results_fragment_only(page_as: Any) -> None:
    response = page_as("leader").get("/enterprises/", {"search": "HP"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "<html" not in content
    assert "惠普打印机（威海）有限公司" in content


def test_list_pages_with_pinned_query_count(page_as: Any, django_assert_num_queries: Any) -> None:
    client = page_as("leader")
    client.get("/enterprises/")
    # session, user, count, zone (shell), unread count, department (shell), divisions, clusters with
    # counts, their chain masters, parks, the page, its clusters
    with django_assert_num_queries(12):
        response = client.get("/enterprises/", {"page": 3})
    assert response.status_code == 200


def test_detail_for_own_and_404_for_others(page_as: Any, zone: Any) -> None:
    hp = weihai.enterprise_by_key(zone, "hp")
    weigao = weihai.enterprise_by_key(zone, "weigao")
    client = page_as("hp")
    own = client.get(f"/enterprises/{hp.pk}/")
    assert own.status_code == 200
    assert hp.uscc in own.content.decode()
    assert client.get(f"/enterprises/{weigao.pk}/").status_code == 404
    assert page_as("weigao").get(f"/enterprises/{hp.pk}/").status_code == 404


@pytest.mark.parametrize("username", ROLES)
def test_new_enterprise_page_by_role(page_as: Any, username: str) -> None:
    status = 200 if username in ("admin", "invest", "stats") else 403
    assert page_as(username).get("/enterprises/new/").status_code == status


def test_registering_through_the_form(page_as: Any) -> None:
    code = uscc.synthetic(index=777_010)
    response = page_as("stats").post(
        "/enterprises/new/",
        {"name": "威海表单测试有限公司", "uscc": code, "industry": "3913", "ownership": "private"},
    )
    created = Enterprise.objects.get(uscc=code)
    assert response.status_code == 302
    assert response["Location"] == f"/enterprises/{created.pk}/"


def test_form_shows_the_service_error_next_to_the_field_and_writes_nothing(page_as: Any) -> None:
    before = Enterprise.objects.count()
    client = page_as("stats")
    response = client.post(
        "/enterprises/new/",
        {"name": "x", "uscc": "914403001922038217", "industry": "3913", "ownership": "private"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "第18位校验码错误" in response.content.decode() or "check character" in response.content.decode()
    assert Enterprise.objects.count() == before


def test_anonymous_is_sent_to_login(page_as: Any) -> None:
    response = page_as(None).get("/enterprises/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")

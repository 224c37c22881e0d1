"""Shell pages for every role: home, inbox, audit log, directory, admin, language, health."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tests.conftest import ENTERPRISE_ROLES, ROLES, STAFF_ROLES
from zoneops.demo import weihai

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_with_the_database() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["database_vendor"]) == ("ok", "ok", connection.vendor)


def test_healthz_answers_503_when_the_database_is_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise (
            connection.OperationalError("down")
            if hasattr(connection, "OperationalError")
            else OSError("down")
        )

    monkeypatch.setattr(connection, "cursor", broken)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["database"] == "error"


@pytest.mark.parametrize(
    ("username", "landing"),
    [
        ("admin", None),
        ("leader", "/cockpit/"),
        ("supervisor", "/supervision/"),
        ("invest", None),
        ("projects", None),
        ("stats", None),
        ("hp", None),
        ("weigao", None),
    ],
)
def test_each_role_lands_on_its_own_home(page_as: Any, username: str, landing: str | None) -> None:
    response = page_as(username).get("/")
    if landing is None:
        # Everyone else starts on the home page itself, with the same content as /home/.
        assert response.status_code == 200
        assert response.templates[0].name == page_as(username).get("/home/").templates[0].name
    else:
        assert response.status_code == 302
        assert response["Location"] == landing


@pytest.mark.parametrize("username", STAFF_ROLES)
def test_staff_home_shows_the_zone_and_its_clusters(page_as: Any, username: str) -> None:
    response = page_as(username).get("/home/")
    content = response.content.decode()
    assert response.status_code == 200
    assert response.templates[0].name == "core/home.html"
    assert "威海火炬高技术产业开发区" in content
    assert content.count('data-testid="cluster-row"') == 5
    assert 'data-testid="count-fg500">4<' in content


@pytest.mark.parametrize("username", ENTERPRISE_ROLES)
def test_enterprise_home_shows_their_orders_and_figures(page_as: Any, zone: Any, username: str) -> None:
    from zoneops.indicators.models import IndicatorValue
    from zoneops.servicedesk.models import OPEN_STATES, OrderStatus, ServiceOrder

    own = weihai.enterprise_by_key(zone, username)
    response = page_as(username).get("/")
    content = response.content.decode()
    assert response.status_code == 200
    assert response.templates[0].name == "core/home_enterprise.html"
    assert f'data-testid="enterprise-name">{own.name}<' in content
    mine = ServiceOrder.objects.filter(enterprise=own)
    open_count = mine.filter(status__in=list(OPEN_STATES)).count()
    assert f'data-testid="home-open"><span class="figure">{open_count}<' in content
    listed = mine.filter(status__in=list(OPEN_STATES)).exclude(status=OrderStatus.WAITING)
    for order in listed[:10]:
        assert f"/orders/{order.pk}/" in content
    # Nobody else's order appears.
    others = ServiceOrder.objects.exclude(enterprise=own).values_list("pk", flat=True)
    assert not any(f'href="/orders/{pk}/"' in content for pk in others)
    # The last three published months of this year, revenue in 10,000 yuan.
    months = sorted(
        set(IndicatorValue.objects.filter(enterprise=own, period__year=2022).values_list("period", flat=True))
    )[-3:]
    header = "".join(f'<th scope="col" class="num">{m:%Y-%m}</th>' for m in months)
    assert header in content
    april = IndicatorValue.objects.get(enterprise=own, indicator_id="revenue", period=months[-1]).value
    assert f"{round(april / 10000):,}" in content
    assert 'href="/indicators/submit/?period=2022-04"' in content


def test_enterprise_home_puts_orders_waiting_for_them_first(page_as: Any, zone: Any) -> None:
    from zoneops.servicedesk.models import OrderStatus, ServiceOrder

    own = weihai.enterprise_by_key(zone, "hp")
    order = ServiceOrder.objects.filter(enterprise=own).order_by("pk").first()
    assert order is not None
    ServiceOrder.objects.filter(pk=order.pk).update(status=OrderStatus.ANSWERED)
    content = page_as("hp").get("/").content.decode()
    waiting = content[content.index('data-testid="to-act"') :]
    assert f'href="/orders/{order.pk}/"' in waiting.split("</ul>")[0]
    assert 'data-testid="home-to-act"><span class="figure">' in content


def _nav(content: str) -> list[str]:
    import re

    return re.findall(r'data-nav="([a-z]+)"', content)


@pytest.mark.parametrize(
    ("username", "items"),
    [
        (
            "admin",
            [
                "home",
                "cockpit",
                "enterprises",
                "indicators",
                "chains",
                "opportunities",
                "pipeline",
                "projects",
                "supervision",
                "orders",
                "dispatch",
                "servicestats",
                "assessment",
                "reports",
                "imports",
                "submissions",
                "settings",
                "directory",
                "audit",
                "api",
                "admin",
            ],
        ),
        (
            "leader",
            [
                "home",
                "cockpit",
                "enterprises",
                "indicators",
                "chains",
                "opportunities",
                "pipeline",
                "projects",
                "supervision",
                "orders",
                "servicestats",
                "assessment",
                "reports",
                "directory",
                "audit",
                "api",
            ],
        ),
        (
            "supervisor",
            [
                "home",
                "cockpit",
                "enterprises",
                "indicators",
                "chains",
                "opportunities",
                "pipeline",
                "projects",
                "supervision",
                "orders",
                "servicestats",
                "assessment",
                "reports",
                "settings",
                "directory",
                "audit",
                "api",
            ],
        ),
        (
            "invest",
            [
                "home",
                "enterprises",
                "indicators",
                "chains",
                "opportunities",
                "pipeline",
                "projects",
                "supervision",
                "orders",
                "assessment",
                "reports",
                "settings",
                "directory",
                "api",
            ],
        ),
        (
            "projects",
            [
                "home",
                "enterprises",
                "indicators",
                "chains",
                "opportunities",
                "projects",
                "supervision",
                "orders",
                "assessment",
                "reports",
                "settings",
                "directory",
                "api",
            ],
        ),
        (
            "stats",
            [
                "home",
                "enterprises",
                "indicators",
                "chains",
                "opportunities",
                "projects",
                "orders",
                "assessment",
                "reports",
                "imports",
                "submissions",
                "settings",
                "directory",
                "api",
            ],
        ),
        ("hp", ["home", "enterprises", "orders", "submit"]),
        ("weigao", ["home", "enterprises", "orders", "submit"]),
    ],
)
def test_navigation_shows_what_each_role_may_open(page_as: Any, username: str, items: list[str]) -> None:
    assert _nav(page_as(username).get("/enterprises/").content.decode()) == items


@pytest.mark.parametrize("username", ROLES)
def test_audit_log_page_by_role(page_as: Any, username: str) -> None:
    status = 200 if username in ("admin", "leader", "supervisor") else 403
    assert page_as(username).get("/audit/").status_code == status


@pytest.mark.parametrize("username", ROLES)
def test_directory_page_by_role(page_as: Any, username: str) -> None:
    response = page_as(username).get("/directory/")
    if username in STAFF_ROLES:
        assert response.status_code == 200
        assert response.content.decode().count('data-testid="department-row"') == len(weihai.DEPARTMENTS)
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("username", ROLES)
def test_admin_site_only_for_the_zone_admin(page_as: Any, username: str) -> None:
    response = page_as(username).get("/admin/")
    if username == "admin":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("username", ROLES)
def test_inbox_for_every_role(page_as: Any, username: str) -> None:
    assert page_as(username).get("/inbox/").status_code == 200


def test_anonymous_pages_redirect_to_login() -> None:
    client = Client()
    for path in ("/", "/inbox/", "/audit/", "/directory/", "/enterprises/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/login/?next="), path


def test_language_switch_is_remembered_on_the_account(page_as: Any, user_of: Any) -> None:
    client = page_as("leader")
    response = client.post("/language/", {"language": "en", "next": "/enterprises/"})
    assert response.status_code == 302
    assert response["Location"] == "/enterprises/"
    assert user_of("leader").language == "en"
    page = client.get("/enterprises/").content.decode()
    assert '<html lang="en">' in page
    assert "Enterprises" in page
    client.post("/language/", {"language": "zh-hans", "next": "https://evil.example/"})
    assert user_of("leader").language == "zh-hans"
    assert '<html lang="zh-hans">' in client.get("/enterprises/").content.decode()


def test_language_switch_refuses_foreign_redirects(page_as: Any) -> None:
    response = page_as("leader").post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_pages_carry_a_strict_content_security_policy(page_as: Any) -> None:
    response = page_as("leader").get("/home/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self' 'nonce-" in policy


def test_api_docs_page_is_served_locally_without_a_cdn() -> None:
    response = Client().get("/api/v1/docs")
    content = response.content.decode()
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in content
    assert "cdn" not in content.lower()

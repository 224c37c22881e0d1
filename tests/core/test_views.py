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


@pytest.mark.parametrize("username", STAFF_ROLES)
def test_staff_home_shows_the_zone_and_its_clusters(page_as: Any, username: str) -> None:
    response = page_as(username).get("/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "威海火炬高技术产业开发区" in content
    assert content.count('data-testid="cluster-row"') == 5
    assert 'data-testid="count-fg500">4<' in content


@pytest.mark.parametrize("username", ENTERPRISE_ROLES)
def test_enterprise_home_is_their_enterprise(page_as: Any, zone: Any, username: str) -> None:
    response = page_as(username).get("/")
    own = weihai.enterprise_by_key(zone, username)
    assert response.status_code == 302
    assert response["Location"] == f"/enterprises/{own.pk}/"


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
                "imports",
                "submissions",
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
                "imports",
                "submissions",
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
    response = page_as("leader").get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self' 'nonce-" in policy


def test_api_docs_page_is_served_locally_without_a_cdn() -> None:
    response = Client().get("/api/v1/docs")
    content = response.content.decode()
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in content
    assert "cdn" not in content.lower()

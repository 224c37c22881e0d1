"""Platform API: tokens (and their throttle), /me, notifications, working-day arithmetic."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tests.conftest import ROLES

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_throttle() -> None:
    cache.clear()


def _token(client: Client, username: str, password: str) -> Any:
    return client.post(
        "/api/v1/auth/token", {"username": username, "password": password}, content_type="application/json"
    )


@pytest.mark.parametrize("username", ROLES)
def test_every_demo_user_gets_a_token_that_authenticates(username: str) -> None:
    client = Client()
    response = _token(client, username, "zoneops-demo")
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["username"] == username


def test_wrong_credentials_answer_401_and_are_throttled_after_five() -> None:
    client = Client()
    for _ in range(5):
        response = _token(client, "leader", "wrong")
        assert response.status_code == 401
        assert response.json() == {"detail": "用户名或密码错误。", "errors": []}
    throttled = _token(client, "leader", "zoneops-demo")
    assert throttled.status_code == 429
    # Another account from the same address is throttled too (the address has five failures).
    assert _token(client, "stats", "zoneops-demo").status_code == 429


def test_token_errors_speak_the_requested_language() -> None:
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "leader", "password": "nope"},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert response.json()["detail"] == "Wrong username or password."


def test_missing_password_is_a_422_naming_the_field() -> None:
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "leader"},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "password", "message": "This field is required."}]


def test_no_or_bad_token_answers_401() -> None:
    client = Client()
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_revoked_token_stops_working(api_as: Any) -> None:
    api = api_as("leader")
    assert api.get("/api/v1/me").status_code == 200
    assert api.delete("/api/v1/auth/token").status_code == 204
    assert api.get("/api/v1/me").status_code == 401


def test_session_authenticates_reads_and_requires_csrf_for_writes(page_as: Any, user_of: Any) -> None:
    assert page_as("leader").get("/api/v1/me").json()["username"] == "leader"
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(user_of("leader"))
    refused = csrf_client.post("/api/v1/notifications/read", {}, content_type="application/json")
    assert refused.status_code == 403


def test_me_lists_role_and_permissions(api_as: Any) -> None:
    body = api_as("hp").get("/api/v1/me").json()
    assert body["role"] == "enterprise_user"
    assert body["enterprise_name"] == "惠普打印机（威海）有限公司"
    assert body["permissions"] == ["enterprise.view", "indicator.submit", "order.file", "order.view"]
    assert body["zone_name"] == "威海火炬高技术产业开发区"


@pytest.mark.parametrize("username", ROLES)
def test_add_working_days_for_every_role(api_as: Any, username: str) -> None:
    response = api_as(username).get("/api/v1/calendar/add-working-days", start="2026-02-13", days=2)
    assert response.status_code == 200
    assert response.json() == {"date": "2026-02-24", "provisional": False}


def test_add_working_days_bad_input(api_as: Any) -> None:
    api = api_as("leader")
    bad_date = api.get("/api/v1/calendar/add-working-days", start="2026-02-30", days=2)
    assert bad_date.status_code == 422
    assert bad_date.json()["errors"][0]["field"] == "start"
    negative = api.get("/api/v1/calendar/add-working-days", start="2026-02-13", days=-1)
    assert negative.status_code == 422
    assert negative.json()["errors"][0]["field"] == "days"
    assert (
        api_as(None).get("/api/v1/calendar/add-working-days", start="2026-02-13", days=2).status_code == 401
    )


def test_openapi_schema_is_served() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "zoneops API"
    assert "/api/v1/enterprises" in schema["paths"]
    assert "/api/v1/auth/token" in schema["paths"]

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_throttle() -> None:
    cache.clear()


def test_login_page_renders_in_chinese_by_default() -> None:
    content = Client().get("/login/").content.decode()
    assert '<html lang="zh-hans">' in content
    assert "登录" in content


def test_login_with_demo_credentials_lands_on_next() -> None:
    client = Client()
    response = client.post(
        "/login/", {"username": "leader", "password": "zoneops-demo", "next": "/directory/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/directory/"
    assert client.get("/directory/").status_code == 200


def test_wrong_password_shows_an_error_and_does_not_log_in() -> None:
    client = Client()
    response = client.post(
        "/login/", {"username": "leader", "password": "nope"}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 200
    assert "Wrong username or password." in response.content.decode()
    assert client.get("/")["Location"].startswith("/login/")


def test_login_is_throttled_after_repeated_failures() -> None:
    client = Client()
    for _ in range(5):
        client.post("/login/", {"username": "leader", "password": "nope"})
    response = client.post("/login/", {"username": "leader", "password": "zoneops-demo"})
    assert response.status_code == 429
    assert client.get("/")["Location"].startswith("/login/")


def test_logout_is_a_post(page_as: Any) -> None:
    client = page_as("leader")
    assert client.post("/logout/").status_code == 302
    assert client.get("/")["Location"].startswith("/login/")

"""Shared fixtures: the demo zone loaded once per session, a client per demo role."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from zoneops.accounts.models import User, Zone
from zoneops.accounts.services import api_token_issue
from zoneops.core import clock
from zoneops.demo import weihai
from zoneops.demo.services import demo_load

ROLES = ("admin", "leader", "supervisor", "invest", "projects", "stats", "hp", "weigao")
STAFF_ROLES = ("admin", "leader", "supervisor", "invest", "projects", "stats")
ENTERPRISE_ROLES = ("hp", "weigao")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Migrate (loads the calendar and GB/T 4754-2017), then load the demo zone once for the session.

    Each test runs inside a transaction that is rolled back, so the demo data is the same for all."""
    with django_db_blocker.unblock():
        demo_load()


@pytest.fixture
def zone(db: None) -> Zone:
    return Zone.objects.get(code=weihai.ZONE_CODE)


@pytest.fixture(autouse=True)
def _pinned_clock() -> Iterator[None]:
    # The demo zone lives on 2022-05-08; tests see the same "today" whatever the real date.
    with clock.pinned(weihai.DEMO_DATE):
        yield


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    # Each test starts from an empty cache: a rolled-back test's zone id comes back in the next test, and
    # what the cockpit keeps of the zone's settled panels must not leak into it.
    cache.clear()
    yield
    cache.clear()


def demo_user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.fixture
def user_of(db: None) -> Any:
    return demo_user


class ApiClient:
    """A Django test client that sends a bearer token and JSON."""

    def __init__(self, user: User | None) -> None:
        self.client = Client()
        self.user = user
        self.headers: dict[str, str] = {}
        if user is not None:
            self.headers["Authorization"] = f"Bearer {api_token_issue(user=user).token}"

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, data: Any = None) -> Any:
        return self.client.post(path, data or {}, content_type="application/json", headers=self.headers)

    def patch(self, path: str, data: Any) -> Any:
        return self.client.patch(path, data, content_type="application/json", headers=self.headers)

    def put(self, path: str, data: Any) -> Any:
        return self.client.put(path, data, content_type="application/json", headers=self.headers)

    def delete(self, path: str) -> Any:
        return self.client.delete(path, headers=self.headers)


@pytest.fixture
def api_as(db: None) -> Any:
    def make(username: str | None) -> ApiClient:
        return ApiClient(demo_user(username) if username else None)

    return make


@pytest.fixture
def page_as(db: None) -> Any:
    """A logged-in browser-like client (session cookie) for the given demo user."""

    def make(username: str | None) -> Client:
        client = Client()
        if username:
            client.force_login(demo_user(username))
        return client

    return make

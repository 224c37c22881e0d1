"""Helpers of the service desk tests: orders filed and driven through the real state machine.

The demo zone will carry a year of demo orders, so tests assert on the orders they create (by id, by a
title marker, by a date window after the demo year, or through a fresh enterprise of their own), never
on global counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from tests.conftest import demo_user
from zoneops.accounts.models import Department, Role, User, Zone
from zoneops.core import clock
from zoneops.core.models import AuditEvent, Notification
from zoneops.enterprises import uscc
from zoneops.enterprises.models import Enterprise
from zoneops.servicedesk import services
from zoneops.servicedesk.models import ServiceOrder, ServiceType

# Smallest files whose first bytes make them what they claim (``zoneops.core.uploads.file_kind``).
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(32))
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(56)
TEXT = "这是一份说明\n".encode()

# Who takes each step by default: the general office (admin), the investment bureau (invest, which
# handles ``factory-lease``) and the filing enterprise (hp).
ACTOR = {
    "accept": "admin",
    "refuse": "admin",
    "dispatch": "admin",
    "merge": "admin",
    "start": "invest",
    "return": "invest",
    "wait": "invest",
    "resume": "hp",
    "request_extension": "invest",
    "decide_extension": "admin",
    "answer": "invest",
    "confirm": "hp",
    "close": "admin",
    "rate": "hp",
    "reopen": "hp",
    "follow_up": "admin",
}
# The steps that lead a fresh order to each state (``closed``: closed by the office, not yet rated).
PATHS: dict[str, list[str]] = {
    "submitted": [],
    "accepted": ["accept"],
    "refused": ["refuse"],
    "merged": ["merge"],
    "dispatched": ["accept", "dispatch"],
    "in_progress": ["accept", "dispatch", "start"],
    "waiting": ["accept", "dispatch", "start", "wait"],
    "returned": ["accept", "dispatch", "return"],
    "answered": ["accept", "dispatch", "answer"],
    "confirmed": ["accept", "dispatch", "answer", "confirm"],
    "closed": ["accept", "dispatch", "answer", "close"],
}
STATES = tuple(PATHS)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    """Uploads go to a directory of the test's own, so a test can see every byte written."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture
def page_en(page_as: Any) -> Any:
    def make(username: str | None) -> Any:
        client = page_as(username)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


@pytest.fixture
def api_en(api_as: Any) -> Any:
    def make(username: str | None) -> Any:
        client = api_as(username)
        client.headers["Accept-Language"] = "en"
        return client

    return make


@pytest.fixture
def probe(zone: Zone) -> User:
    """The contact of a fresh enterprise: its scope holds exactly the orders a test files for it."""
    hp = demo_user("hp").enterprise
    assert hp is not None
    enterprise = Enterprise.objects.create(
        zone=zone, name="测试探针科技有限公司", uscc=uscc.synthetic(index=987_654), industry=hp.industry
    )
    return User.objects.create_user(
        username="probe", zone=zone, role=Role.ENTERPRISE_USER, enterprise=enterprise, is_active=True
    )


def lease() -> ServiceType:
    """Factory lease: land guarantee, investment bureau; 1 / 2 / 10 working days; ``area_m2`` required."""
    return ServiceType.objects.get(code="factory-lease")


def legal() -> ServiceType:
    """Legal consultation: law guarantee, legal service centre; 1 / 2 / 5 working days; no fields."""
    return ServiceType.objects.get(code="legal-consultation")


def department(code: str) -> Department:
    return Department.objects.get(code=code)


def file_order(
    *,
    by: str | User = "hp",
    title: str = "测试：需要新增厂房8000平方米",
    service_type: ServiceType | None = None,
    enterprise: Enterprise | None = None,
    description: str = "扩产需要",
    extra: dict[str, Any] | None = None,
) -> ServiceOrder:
    actor = by if isinstance(by, User) else demo_user(by)
    chosen = service_type or lease()
    target = enterprise or actor.enterprise
    assert target is not None
    if extra is None:
        extra = {"area_m2": "8000"} if chosen.code == "factory-lease" else {}
    return services.order_file(
        actor=actor,
        enterprise=target,
        service_type=chosen,
        title=title,
        description=description,
        extra=extra,
    )


def step_args(order: ServiceOrder, action: str) -> dict[str, Any]:
    """Valid arguments of a step (a note where one is needed, a rating, days, a decision…)."""
    args: dict[str, Any] = {}
    if action in services.NEEDS_NOTE:
        args["note"] = f"{action}：说明"
    if action == "rate":
        args["rating"] = 5
    if action == "request_extension":
        args["days"] = 3
    if action == "decide_extension":
        args["approve"] = True
    if action == "merge":
        args["duplicate_of"] = file_order(
            by=order.filed_by or "hp", title="原始工单", service_type=order.service_type
        )
    return args


def act(order: ServiceOrder, action: str, by: str | User | None = None, **kwargs: Any) -> ServiceOrder:
    """One step on a fresh read of the order (as each request of the API and the pages does: the
    escalation job may have changed the row since ``order`` was read)."""
    actor = by if isinstance(by, User) else demo_user(by or ACTOR[action])
    args = kwargs or step_args(order, action)
    fresh = ServiceOrder.objects.get(pk=order.pk)
    return services.order_act(actor=actor, order=fresh, action=action, **args)


def drive(order: ServiceOrder, *actions: str, by: dict[str, str | User] | None = None) -> ServiceOrder:
    for action in actions:
        order = act(order, action, (by or {}).get(action))
    return order


def reach(state: str, **filing: Any) -> ServiceOrder:
    return drive(file_order(**filing), *PATHS[state])


def snapshot(order: ServiceOrder) -> tuple[dict[str, Any], int, int, int, int]:
    """Everything a refused step must leave as it was: the row, its timeline, its audit trail, its files
    and every notification."""
    row: dict[str, Any] = dict(ServiceOrder.objects.filter(pk=order.pk).values().get())
    row.pop("updated_at", None)
    return (
        row,
        order.events.count(),
        AuditEvent.objects.filter(object_type="servicedesk.serviceorder", object_id=str(order.pk)).count(),
        order.attachments.count(),
        Notification.objects.count(),
    )


def audit_actions(order: ServiceOrder) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="servicedesk.serviceorder", object_id=str(order.pk))
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )


def timeline(order: ServiceOrder) -> list[tuple[str, str | None, str]]:
    """(action, actor's username or None, status after) of each step, oldest first."""
    return [
        (e.action, e.actor.username if e.actor else None, e.status_after)
        for e in ServiceOrder.objects.get(pk=order.pk).events.select_related("actor").order_by("at", "pk")
    ]


def on(day: dt.date) -> Any:
    """Pin the clock on a day (a context manager)."""
    return clock.pinned(day)


# --- a statistics scenario: June and July 2022, after the demo year -------------------------------

# Department steps of legal-consultation orders (the legal service centre has no demo user): the
# general office may take them.
LEGAL_BY: dict[str, str | User] = dict.fromkeys(("start", "return", "wait", "answer"), "admin")


def statistics_scenario() -> dict[str, ServiceOrder]:
    """Six orders filed in June and July 2022, driven to known figures (see ``test_selectors``):

    1. lease, answered 10 June in 6 working days (due 16 June), rated 5;
    2. lease, answered 20 June in 12 working days, late, rated 2;
    3. legal, waited 2–7 June (2 working days), answered 13 June in 7 − 2 = 5 working days, on time,
       rated 4;
    4. legal, filed by weigao, still submitted;
    5. lease, filed 1 July, in progress, due 15 July (overdue from 18 July);
    6. lease, filed 1 July, refused."""
    with on(dt.date(2022, 6, 1)):
        one = drive(file_order(title="统计一：厂房"), "accept", "dispatch")
        two = drive(file_order(title="统计二：厂房"), "accept", "dispatch")
        three = drive(file_order(title="统计三：法律", service_type=legal()), "accept", "dispatch")
        four = file_order(by="weigao", title="统计四：法律", service_type=legal())
    with on(dt.date(2022, 6, 2)):
        act(three, "wait", "admin")
    with on(dt.date(2022, 6, 7)):
        act(three, "resume")
    with on(dt.date(2022, 6, 10)):
        drive(one, "answer", "confirm")
        act(one, "rate", rating=5)
    with on(dt.date(2022, 6, 13)):
        drive(three, "answer", "confirm", by=LEGAL_BY)
        act(three, "rate", rating=4)
    with on(dt.date(2022, 6, 20)):
        drive(two, "answer", "confirm")
        act(two, "rate", rating=2, note="太慢")
    with on(dt.date(2022, 7, 1)):
        five = drive(file_order(title="统计五：厂房"), "accept", "dispatch", "start")
        six = drive(file_order(title="统计六：厂房"), "refuse")
    orders = {"one": one, "two": two, "three": three, "four": four, "five": five, "six": six}
    return {key: ServiceOrder.objects.get(pk=order.pk) for key, order in orders.items()}

"""Service orders: the closed loop for every role, deadlines in working days, escalation, duplicates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from tests.conftest import ROLES
from zoneops.core import clock
from zoneops.core.models import AuditEvent
from zoneops.servicedesk.models import ServiceOrder, ServiceType
from zoneops.servicedesk.services import escalate_overdue
from zoneops.supervision.models import SupervisionItem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _lease() -> ServiceType:
    return ServiceType.objects.get(code="factory-lease")


def _file(api_as: Any, title: str = "需要新增厂房8000平方米") -> dict[str, Any]:
    response = api_as("hp").post(
        "/api/v1/orders",
        {
            "service_type_id": _lease().pk,
            "title": title,
            "description": "扩产需要",
            "extra": {"area_m2": "8,000"},
        },
    )
    assert response.status_code == 201, response.content
    return dict(response.json())


def test_catalogue_has_the_six_guarantees(api_as: Any) -> None:
    body = api_as("hp").get("/api/v1/orders/catalogue").json()
    assert {t["guarantee"] for t in body} == {
        "land",
        "policy",
        "innovation",
        "capital",
        "human_resources",
        "law",
    }
    assert len(body) == 19


def test_hp_files_the_department_answers_hp_confirms_and_rates(api_as: Any) -> None:
    order = _file(api_as)
    assert order["status"] == "submitted"
    assert order["extra"] == {"area_m2": 8000.0}
    # Filed on Sunday 2022-05-08: acceptance (1 working day) is due on Monday.
    assert order["accept_due"] == "2022-05-09"
    admin = api_as("admin")
    accepted = admin.post(f"/api/v1/orders/{order['id']}/accept", {}).json()
    assert accepted["reply_due"] == "2022-05-10"
    assert accepted["resolve_due"] == "2022-05-20"
    dispatched = admin.post(f"/api/v1/orders/{order['id']}/dispatch", {}).json()
    assert dispatched["status"] == "dispatched"
    invest = api_as("invest")
    assert invest.post(f"/api/v1/orders/{order['id']}/answer", {"note": ""}).status_code == 422
    answered = invest.post(
        f"/api/v1/orders/{order['id']}/answer", {"note": "已匹配标准厂房8000平方米"}
    ).json()
    assert answered["status"] == "answered"
    hp = api_as("hp")
    assert hp.post(f"/api/v1/orders/{order['id']}/confirm", {}).json()["status"] == "confirmed"
    rated = hp.post(f"/api/v1/orders/{order['id']}/rate", {"rating": 5, "note": "高效"}).json()
    assert (rated["status"], rated["rating"]) == ("closed", 5)
    assert [(e["action"], e["actor"], e["status_after"]) for e in rated["timeline"]] == [
        ("submit", "hp", "submitted"),
        ("accept", "admin", "accepted"),
        ("dispatch", "admin", "dispatched"),
        ("answer", "invest", "answered"),
        ("confirm", "hp", "confirmed"),
        ("rate", "hp", "closed"),
    ]
    audited = list(
        AuditEvent.objects.filter(object_type="servicedesk.serviceorder", object_id=str(order["id"]))
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )
    assert audited == [
        "order.submit",
        "order.accept",
        "order.dispatch",
        "order.answer",
        "order.confirm",
        "order.rate",
    ]
    assert api_as("weigao").get(f"/api/v1/orders/{order['id']}").status_code == 404


@pytest.mark.parametrize("username", ROLES)
def test_order_endpoints_for_every_role(api_as: Any, username: str) -> None:
    order = _file(api_as)
    client = api_as(username)
    sees = username in ("hp", "admin", "leader", "supervisor", "invest")
    assert client.get(f"/api/v1/orders/{order['id']}").status_code == (200 if sees else 404)
    listed = client.get("/api/v1/orders", status="submitted", page_size=100).json()["items"]
    assert (order["id"] in [o["id"] for o in listed]) == sees
    accept = client.post(f"/api/v1/orders/{order['id']}/accept", {})
    assert accept.status_code == {"admin": 200}.get(username, 403 if sees else 404)
    filed = client.post(
        "/api/v1/orders",
        {"service_type_id": _lease().pk, "title": "t", "description": "d", "extra": {"area_m2": 1}},
    )
    # Dispatchers file on behalf of an enterprise and must name it; enterprises file for themselves.
    assert filed.status_code == {"hp": 201, "weigao": 201, "admin": 422}.get(username, 403)


def test_steps_out_of_order_and_bad_input(api_as: Any) -> None:
    order = _file(api_as)
    orders = ServiceOrder.objects.count()
    admin = api_as("admin")
    assert admin.post(f"/api/v1/orders/{order['id']}/dispatch", {}).status_code == 409
    assert api_as("hp").post(f"/api/v1/orders/{order['id']}/confirm", {}).status_code == 409
    bad = api_as("hp").post(
        "/api/v1/orders",
        {
            "service_type_id": _lease().pk,
            "title": "",
            "description": "",
            "extra": {"area_m2": "many", "x": 1},
        },
    )
    assert bad.status_code == 422
    assert sorted(e["field"] for e in bad.json()["errors"]) == [
        "description",
        "extra.area_m2",
        "extra.x",
        "title",
    ]
    assert ServiceOrder.objects.count() == orders


def test_duplicates_are_suggested(api_as: Any) -> None:
    first = _file(api_as)
    found = api_as("hp").get("/api/v1/orders/duplicates", title="需要新增厂房8000平米").json()
    assert [o["id"] for o in found] == [first["id"]]
    assert api_as("hp").get("/api/v1/orders/duplicates", title="银行贷款").json() == []


def test_waiting_pauses_the_clock(api_as: Any) -> None:
    order = _file(api_as)
    admin = api_as("admin")
    admin.post(f"/api/v1/orders/{order['id']}/accept", {})
    admin.post(f"/api/v1/orders/{order['id']}/dispatch", {})
    api_as("invest").post(f"/api/v1/orders/{order['id']}/wait", {"note": "请补充用地规划"})
    with clock.pinned(dt.date(2022, 5, 13)):
        resumed = api_as("hp").post(f"/api/v1/orders/{order['id']}/resume", {}).json()
    # Waited 5 working days (9–13 May), so the resolution deadline moves from 20 to 27 May.
    assert resumed["resolve_due"] == "2022-05-27"


def test_an_overdue_order_gets_one_reminder_per_level_then_a_supervision_item(api_as: Any, zone: Any) -> None:
    order = _file(api_as)
    admin = api_as("admin")
    admin.post(f"/api/v1/orders/{order['id']}/accept", {})
    admin.post(f"/api/v1/orders/{order['id']}/dispatch", {})

    def ladder() -> list[str]:
        # This order's reminders (the demo zone's own late orders are reminded by the same runs).
        return [
            e.action
            for e in ServiceOrder.objects.get(pk=order["id"]).events.all()
            if e.action.startswith("escalate_") or e.action == "deadline_warning"
        ]

    with clock.pinned(dt.date(2022, 5, 19)):  # the working day before the deadline of 20 May
        escalate_overdue(zone=zone)
        escalate_overdue(zone=zone)
    assert ladder() == ["deadline_warning"]
    with clock.pinned(dt.date(2022, 5, 23)):  # 1 working day past 20 May
        escalate_overdue(zone=zone)
        escalate_overdue(zone=zone)
    assert ladder() == ["deadline_warning", "escalate_1"]
    with clock.pinned(dt.date(2022, 5, 25)):
        escalate_overdue(zone=zone)
        escalate_overdue(zone=zone)
    assert ladder() == ["deadline_warning", "escalate_1", "escalate_2"]
    with clock.pinned(dt.date(2022, 6, 1)):
        escalate_overdue(zone=zone)
        escalate_overdue(zone=zone)
    assert ladder() == ["deadline_warning", "escalate_1", "escalate_2", "escalate_3"]
    saved = ServiceOrder.objects.get(pk=order["id"])
    assert saved.escalation_level == 3
    assert saved.supervision_item is not None
    assert saved.supervision_item.source == "service_order"
    # Exactly one item for this order, however often the job ran.
    assert SupervisionItem.objects.filter(orders=saved).count() == 1


def test_anonymous_is_refused() -> None:
    assert Client().get("/api/v1/orders").status_code == 401


def test_a_project_problem_becomes_a_service_order_for_the_owner(
    api_as: Any, user_of: Any, zone: Any
) -> None:
    from zoneops.projects.models import KeyProject
    from zoneops.projects.services import problem_raise

    project = KeyProject.objects.get(zone=zone, code="SD-2022-001")
    problem = problem_raise(actor=user_of("projects"), project=project, description="急需招聘一线工人500名")
    recruitment = ServiceType.objects.get(code="recruitment")
    url = f"/api/v1/projects/problems/{problem.pk}/service-order"
    assert api_as("leader").post(url, {"service_type_id": recruitment.pk}).status_code == 403
    made = api_as("projects").post(url, {"service_type_id": recruitment.pk})
    assert made.status_code == 201
    order = ServiceOrder.objects.get(pk=made.json()["order_id"])
    assert order.enterprise_id == project.owner_id
    assert order.problem_id == problem.pk
    assert order.department is not None
    assert order.department.code == "human-resources"
    again = api_as("projects").post(url, {"service_type_id": recruitment.pk})
    assert again.status_code == 422
    # The owner enterprise sees the order filed for it.
    assert api_as("hp").get(f"/api/v1/orders/{order.pk}").status_code == 200

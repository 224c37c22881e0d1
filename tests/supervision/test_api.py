"""Supervision items and assessments over the API, for every role; the closed loop end to end."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.test import Client

from tests.conftest import ROLES
from zoneops.accounts.models import Department, Zone
from zoneops.core.models import AuditEvent
from zoneops.projects.models import KeyProject, Problem, ProblemStatus
from zoneops.projects.services import problem_raise
from zoneops.servicedesk.models import ServiceOrder
from zoneops.supervision.models import AssessmentAdjustment, SupervisionItem

pytestmark = pytest.mark.django_db

MANAGERS = ("admin", "supervisor")


@pytest.fixture
def projects_item(zone: Zone, api_en: Any) -> dict[str, Any]:
    department = Department.objects.get(zone=zone, code="projects")
    body = (
        api_en("supervisor")
        .post(
            "/api/v1/supervision-items",
            {
                "source": "leader_instruction",
                "subject": "协调惠普项目外电源接入",
                "department_id": department.pk,
                "working_days": 5,
            },
        )
        .json()
    )
    return body


def test_raise_from_a_project_problem_respond_verify_close(
    zone: Zone, api_en: Any, user_of: Any, page_as: Any
) -> None:
    project = KeyProject.objects.get(zone=zone, code="SD-2022-001")
    problem = problem_raise(
        actor=user_of("projects"), project=project, description="外电源接入需供电公司协调"
    )
    supervisor = api_en("supervisor")
    raised = supervisor.post(f"/api/v1/projects/problems/{problem.pk}/supervise", {"working_days": 5})
    assert raised.status_code == 201
    item_id = raised.json()["supervision_item_id"]
    # 2022-05-08 (a Saturday make-up working day for Labour Day) + 5 working days.
    assert raised.json()["deadline"] == "2022-05-13"
    assert Problem.objects.get(pk=problem.pk).status == ProblemStatus.SUPERVISED

    department = api_en("projects")
    answered = department.post(
        f"/api/v1/supervision-items/{item_id}/respond",
        {"note": "已与供电公司对接，5月12日送电", "evidence": "会议纪要"},
    )
    assert answered.status_code == 200
    assert answered.json()["status"] == "responded"
    verified = supervisor.post(f"/api/v1/supervision-items/{item_id}/verify", {"note": "现场核实已送电"})
    assert verified.json()["status"] == "verified"
    closed = supervisor.post(f"/api/v1/supervision-items/{item_id}/close", {"note": "办结"})
    assert closed.json()["status"] == "closed"
    assert closed.json()["closed_on_time"] is True

    timeline = supervisor.get(f"/api/v1/supervision-items/{item_id}").json()["timeline"]
    assert [(e["action"], e["actor"], e["status_after"]) for e in timeline] == [
        ("raise", "supervisor", "assigned"),
        ("respond", "projects", "responded"),
        ("verify", "supervisor", "verified"),
        ("close", "supervisor", "closed"),
    ]
    assert timeline[1]["evidence"] == "会议纪要"
    assert [e["action_label"] for e in timeline] == ["raised", "responded", "verified", "closed"]
    # The item's page names each step in the reader's language, never by its code.
    page = page_as("supervisor").get(f"/supervision/{item_id}/").content.decode()
    steps = re.findall(r'<span class="tag" data-action="(\w+)">([^<]+)</span>', page)
    assert steps == [("raise", "交办"), ("respond", "已反馈"), ("verify", "已核实"), ("close", "已办结")]
    audited = list(
        AuditEvent.objects.filter(object_type="supervision.supervisionitem", object_id=str(item_id))
        .order_by("at", "pk")
        .values_list("action", "actor_label")
    )
    assert audited == [
        ("supervision.raise", "supervisor"),
        ("supervision.respond", "projects"),
        ("supervision.verify", "supervisor"),
        ("supervision.close", "supervisor"),
    ]
    assert Problem.objects.get(pk=problem.pk).status == ProblemStatus.RESOLVED


def test_steps_out_of_order_are_refused_and_nothing_changes(
    api_en: Any, projects_item: dict[str, Any]
) -> None:
    item_id = projects_item["id"]
    supervisor = api_en("supervisor")
    assert supervisor.post(f"/api/v1/supervision-items/{item_id}/close", {}).status_code == 409
    assert supervisor.post(f"/api/v1/supervision-items/{item_id}/verify", {}).status_code == 409
    api_en("projects").post(f"/api/v1/supervision-items/{item_id}/respond", {"note": "已办"})
    no_reason = supervisor.post(f"/api/v1/supervision-items/{item_id}/return", {"note": " "})
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "note"
    assert SupervisionItem.objects.get(pk=item_id).status == "responded"
    back = supervisor.post(f"/api/v1/supervision-items/{item_id}/return", {"note": "未附证明材料"})
    assert back.json()["status"] == "returned"
    empty = api_en("projects").post(f"/api/v1/supervision-items/{item_id}/respond", {"note": ""})
    assert empty.status_code == 422


def test_extension_request_and_decision(api_en: Any, projects_item: dict[str, Any]) -> None:
    item_id = projects_item["id"]
    early = api_en("projects").post(
        f"/api/v1/supervision-items/{item_id}/extension", {"to": "2022-05-01", "reason": "x"}
    )
    assert early.status_code == 422
    assert early.json()["errors"][0]["field"] == "to"
    asked = api_en("projects").post(
        f"/api/v1/supervision-items/{item_id}/extension", {"to": "2022-05-31", "reason": "待供电公司排期"}
    )
    assert asked.json()["extension_requested_to"] == "2022-05-31"
    assert (
        api_en("projects")
        .post(f"/api/v1/supervision-items/{item_id}/extension/decision", {"approve": True})
        .status_code
        == 403
    )
    decided = api_en("supervisor").post(
        f"/api/v1/supervision-items/{item_id}/extension/decision", {"approve": True}
    )
    assert decided.json()["deadline"] == "2022-05-31"
    assert decided.json()["extension_requested_to"] is None


@pytest.mark.parametrize("username", ROLES)
def test_item_endpoints_for_every_role(api_en: Any, projects_item: dict[str, Any], username: str) -> None:
    client = api_en(username)
    item_id = projects_item["id"]
    in_scope = username in ("admin", "leader", "supervisor", "projects")
    enterprise = username in ("hp", "weigao")
    assert client.get("/api/v1/supervision-items").status_code == (403 if enterprise else 200)
    assert client.get("/api/v1/supervision-items/board").status_code == (403 if enterprise else 200)
    assert client.get(f"/api/v1/supervision-items/{item_id}").status_code == (200 if in_scope else 404)
    department = Department.objects.get(code="projects")
    raised = client.post(
        "/api/v1/supervision-items",
        {"source": "leader_instruction", "subject": "x", "department_id": department.pk, "working_days": 3},
    )
    assert raised.status_code == (201 if username in MANAGERS else 403)
    respond = client.post(f"/api/v1/supervision-items/{item_id}/respond", {"note": "已办"})
    assert respond.status_code == {"admin": 200, "supervisor": 200, "projects": 200, "leader": 403}.get(
        username, 404
    )
    verify = client.post(f"/api/v1/supervision-items/{item_id}/verify", {"note": "ok"})
    assert verify.status_code == {"admin": 200, "supervisor": 200, "projects": 403, "leader": 403}.get(
        username, 404
    )


def test_departments_see_their_own_items_only(api_en: Any) -> None:
    projects_department = Department.objects.get(code="projects")
    body = api_en("projects").get("/api/v1/supervision-items", page_size=500).json()
    assert body["count"] == SupervisionItem.objects.filter(department=projects_department).count()
    assert {i["department_id"] for i in body["items"]} == {projects_department.pk}
    assert (
        api_en("leader").get("/api/v1/supervision-items", page_size=500).json()["count"]
        == SupervisionItem.objects.count()
    )


def test_board_counts(api_en: Any) -> None:
    board = api_en("supervisor").get("/api/v1/supervision-items/board").json()
    open_items = SupervisionItem.objects.exclude(status="closed")
    assert board["counts"]["open"] == open_items.count()
    assert board["counts"]["overdue"] == open_items.filter(deadline__lt="2022-05-08").count()
    assert sum(d["open"] for d in board["departments"]) == open_items.count()


@pytest.mark.parametrize("username", ROLES)
def test_assessment_for_every_role(api_en: Any, username: str) -> None:
    client = api_en(username)
    enterprise = username in ("hp", "weigao")
    assert client.get("/api/v1/assessments", period="2022Q1").status_code == (403 if enterprise else 200)
    assert client.get("/api/v1/assessments/export", period="2022Q1").status_code == (
        403 if enterprise else 200
    )
    department = Department.objects.get(code="projects")
    assert client.get(f"/api/v1/assessments/{department.pk}/items", period="2022Q1").status_code == (
        403 if enterprise else 200
    )
    added = client.post(
        "/api/v1/assessments/adjustments",
        {"department_id": department.pk, "period": "2022Q1", "points": "1.5", "reason": "专项工作表现突出"},
    )
    assert added.status_code == (201 if username in MANAGERS else 403)


def test_assessment_breakdown_sums_to_the_score(api_en: Any) -> None:
    rows = api_en("leader").get("/api/v1/assessments", period="2022Q1").json()
    # Four departments with key projects, and the service desk's departments with orders due in Q1
    # (the demo year of orders); equal scores share a rank.
    assert [(r["department"], r["rank"], r["score"]) for r in rows] == [
        ("行政审批服务局", 1, "100.00"),
        ("财政金融局", 2, "93.75"),
        ("法律服务中心", 3, "93.33"),
        ("人力资源和社会保障局", 4, "85.55"),
        ("经济发展局", 5, "84.33"),
        ("投资促进局", 6, "83.72"),
        ("科技创新局", 7, "77.12"),
        ("自然资源和规划分局", 8, "64.58"),
        ("重点项目服务中心", 9, "61.59"),
    ]
    assert [Decimal(r["score"]) for r in rows] == sorted((Decimal(r["score"]) for r in rows), reverse=True)
    for row in rows:
        # The breakdown's last line is the bonus and penalty points, so its lines sum to the score.
        assert sum(Decimal(b["points"]) for b in row["breakdown"]) == Decimal(row["score"])
        *measures, adjustments = row["breakdown"]
        assert adjustments["measure"] == "adjustments"
        assert Decimal(adjustments["points"]) == sum(Decimal(a["points"]) for a in row["adjustments"])
        applicable = [b for b in measures if b["applies"]]
        assert applicable
        weights = sum(b["weight"] for b in applicable)
        for b in applicable:
            assert Decimal(b["points"]) == (
                Decimal(100) * b["weight"] * Decimal(b["achieved"]) / Decimal(b["expected"]) / weights
            ).quantize(Decimal("0.01"))
        for b in measures:
            if not b["applies"]:
                assert (b["points"], b["rate"]) == ("0.00", None)
    services = {
        r["department"]: next(
            (b["achieved"], b["expected"]) for b in r["breakdown"] if b["measure"] == "service_orders"
        )
        for r in rows
        if any(b["measure"] == "service_orders" and b["applies"] for b in r["breakdown"])
    }
    assert services == {
        "法律服务中心": ("2.00", "2.00"),
        "行政审批服务局": ("2.00", "2.00"),
        "财政金融局": ("12.00", "12.00"),
        "人力资源和社会保障局": ("8.00", "9.00"),
        "科技创新局": ("5.00", "6.00"),
        "自然资源和规划分局": ("4.00", "6.00"),
    }
    # Cross-checked against the orders themselves: due in Q1, neither merged nor refused.
    due = ServiceOrder.objects.filter(
        resolve_due__gte=dt.date(2022, 1, 1), resolve_due__lte=dt.date(2022, 3, 31), department__isnull=False
    ).exclude(status__in=["merged", "refused"])
    counted: dict[str, list[int]] = {}
    for order in due.select_related("department"):
        tally = counted.setdefault(order.department.name, [0, 0])
        tally[0] += order.answered_on_time is True
        tally[1] += 1
    assert services == {name: (f"{a}.00", f"{b}.00") for name, (a, b) in counted.items()}
    economy = next(r for r in rows if r["department"] == "经济发展局")
    assert [a["points"] for a in economy["adjustments"]] == ["-2.00"]
    investment = next(r for r in rows if r["department"] == "投资促进局")
    assert [a["points"] for a in investment["adjustments"]] == ["3.00"]


def test_adjustment_moves_the_score_and_validates(api_en: Any) -> None:
    department = Department.objects.get(code="projects")
    client = api_en("supervisor")
    before = next(
        r
        for r in client.get("/api/v1/assessments", period="2022Q1").json()
        if r["department_id"] == department.pk
    )
    bad = client.post(
        "/api/v1/assessments/adjustments",
        {"department_id": department.pk, "period": "Q1", "points": "50", "reason": ""},
    )
    assert bad.status_code == 422
    assert sorted(e["field"] for e in bad.json()["errors"]) == ["period", "points", "reason"]
    assert AssessmentAdjustment.objects.filter(department=department).count() == 0
    client.post(
        "/api/v1/assessments/adjustments",
        {"department_id": department.pk, "period": "2022Q1", "points": "2", "reason": "加分"},
    )
    after = next(
        r
        for r in client.get("/api/v1/assessments", period="2022Q1").json()
        if r["department_id"] == department.pk
    )
    assert Decimal(after["score"]) == Decimal(before["score"]) + 2


def test_an_adjustment_for_a_department_outside_the_zone_is_refused_with_the_other_fields(
    api_en: Any,
) -> None:
    other = Zone.objects.create(code="other-zone", name="另一园区")
    stranger = Department.objects.create(zone=other, code="economy", name="经济发展局")
    count = AssessmentAdjustment.objects.count()
    bad = api_en("supervisor").post(
        "/api/v1/assessments/adjustments",
        {"department_id": stranger.pk, "period": "2022Q1", "points": "0", "reason": "加分"},
    )
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {"field": "points", "message": "Enter points between -20 and 20, not 0."},
        {"field": "department_id", "message": "No department with this id in the zone."},
    ]
    assert AssessmentAdjustment.objects.count() == count


def test_assessment_export_is_excel(api_en: Any) -> None:
    response = api_en("leader").get("/api/v1/assessments/export", period="2022Q1")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("排名", "部门", "得分")
    assert len(rows) == 10


def test_anonymous_is_refused() -> None:
    assert Client().get("/api/v1/supervision-items").status_code == 401
    assert Client().get("/api/v1/assessments?period=2022Q1").status_code == 401

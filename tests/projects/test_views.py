"""Pages of key projects, supervision and assessment for every role."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ROLES
from tests.projects.conftest import HpProject
from zoneops.projects.models import MonthlyReport
from zoneops.supervision.models import SupervisionItem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ROLES)
def test_pages_by_role(page_as: Any, hp_project: HpProject, username: str) -> None:
    client = page_as(username)
    project = hp_project.project
    item = SupervisionItem.objects.filter(department__code="projects").order_by("pk").first()
    assert item is not None
    staff = username not in ("hp", "weigao")
    expected = {
        "/projects/": 200,
        f"/projects/{project.pk}/": 404 if username == "weigao" else 200,
        f"/projects/{project.pk}/report/": 200
        if username in ("admin", "projects")
        else (404 if username == "weigao" else 403),
        "/projects/scheduling/?period=2022-04": 200 if staff else 403,
        "/supervision/": 200 if staff else 403,
        f"/supervision/{item.pk}/": 200 if username in ("admin", "leader", "supervisor", "projects") else 404,
        "/supervision/assessment/?period=2022Q1": 200 if staff else 403,
    }
    for url, status in expected.items():
        assert client.get(url).status_code == status, url


def test_board_shows_the_warnings(page_as: Any) -> None:
    html = page_as("leader").get("/projects/", {"year": 2022, "warning_level": "amber"}).content.decode()
    assert "惠普品牌产业园打印机项目" in html
    assert 'data-level="amber"' in html
    assert 'data-level="green"' not in html


def test_report_form_saves_and_refuses_bad_input(page_as: Any, hp_project: HpProject) -> None:
    client = page_as("projects")
    url = f"/projects/{hp_project.project.pk}/report/"
    count = MonthlyReport.objects.count()
    bad = client.post(url, {"period": "2022-05", "investment_month": "abc", "progress_percent": "90"})
    assert bad.status_code == 422
    assert MonthlyReport.objects.count() == count
    ok = client.post(
        url,
        {
            "period": "2022-05",
            "investment_month": "15,000",
            "progress_percent": "90",
            "problems": "用工缺口\n",
        },
    )
    assert ok.status_code == 302
    report = MonthlyReport.objects.get(project=hp_project.project, period="2022-05-01")
    assert report.investment_month == 150_000_000
    assert hp_project.project.problems.filter(description="用工缺口").count() == 1


def test_supervision_page_offers_the_steps_of_the_role(page_as: Any) -> None:
    item = (
        SupervisionItem.objects.filter(department__code="projects", status="assigned").order_by("pk").first()
    )
    assert item is not None
    department = page_as("projects").get(f"/supervision/{item.pk}/").content.decode()
    assert 'data-action="respond"' in department
    assert 'data-action="verify"' not in department
    leader = page_as("leader").get(f"/supervision/{item.pk}/").content.decode()
    assert 'data-action="respond"' not in leader
    response = page_as("projects").post(
        f"/supervision/{item.pk}/step/", {"action": "respond", "note": "已办结"}
    )
    assert response.status_code == 302
    assert SupervisionItem.objects.get(pk=item.pk).status == "responded"

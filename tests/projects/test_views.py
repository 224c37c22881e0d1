"""Pages of key projects, supervision and assessment for every role."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ROLES
from tests.projects.conftest import HpProject
from zoneops.accounts.models import Department
from zoneops.projects.models import MonthlyReport
from zoneops.servicedesk.models import ServiceOrder, ServiceType
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


def test_a_problem_becomes_a_service_order_from_the_project_page(page_as: Any, hp_project: HpProject) -> None:
    """The project page's one action: the problem becomes an order of the owner enterprise for the
    department of the chosen service, filed by whoever reports on the project."""
    project, problem = hp_project.project, hp_project.problem
    land_supply = ServiceType.objects.get(zone=project.zone, code="land-supply")
    office = page_as("projects")
    office.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = office.get(f"/projects/{project.pk}/").content.decode()
    assert f'data-problem="{problem.pk}"' in page
    assert f'action="/projects/problems/{problem.pk}/service-order/"' in page
    assert f'<option value="{land_supply.pk}" data-code="land-supply">' in page
    url = f"/projects/problems/{problem.pk}/service-order/"
    # Who may not report on the project may not file for it; an enterprise does not see it at all.
    assert page_as("invest").post(url, {"service_type": land_supply.pk}).status_code == 403
    assert page_as("weigao").post(url, {"service_type": land_supply.pk}).status_code == 404
    assert not ServiceOrder.objects.filter(problem=problem).exists()

    response = office.post(url, {"service_type": land_supply.pk}, follow=True)
    assert response.redirect_chain == [(f"/projects/{project.pk}/", 302)]
    order = ServiceOrder.objects.get(problem=problem)
    assert (order.enterprise, order.service_type, order.department.code, order.status) == (
        project.owner,
        land_supply,
        "land",
        "submitted",
    )
    assert order.filed_by.username == "projects"
    html = response.content.decode()
    assert f"Service order {order.number} filed for {project.owner.name}." in html
    assert f'data-testid="problem-order" title="{land_supply.name} · submitted">{order.number}<' in html
    # Filed once: the form is gone, and filing again is refused with the reason.
    assert f'action="/projects/problems/{problem.pk}/service-order/"' not in html
    again = office.post(url, {"service_type": land_supply.pk}, follow=True).content.decode()
    assert "An open service order exists for this problem." in again
    assert ServiceOrder.objects.filter(problem=problem).count() == 1
    missing = office.post(url, {"service_type": "0"}, follow=True).content.decode()
    assert "Choose the service." in missing


def test_a_problem_is_supervised_in_the_department_chosen(page_as: Any, hp_project: HpProject) -> None:
    project, problem = hp_project.project, hp_project.problem
    land = Department.objects.get(zone=project.zone, code="land")
    supervisor = page_as("supervisor")
    supervisor.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = supervisor.get(f"/projects/{project.pk}/").content.decode()
    # The responsible department is chosen unless the office picks another.
    assert f'<option value="{project.department_id}" data-code="projects" selected>' in page
    assert f'<option value="{land.pk}" data-code="land">' in page
    assert 'name="service_type"' not in page  # the supervision office does not file orders
    assert (
        'data-testid="problem-supervise"'
        not in page_as("leader").get(f"/projects/{project.pk}/").content.decode()
    )

    url = f"/projects/problems/{problem.pk}/supervise/"
    wrong = supervisor.post(url, {"department": "999999", "working_days": "10"}, follow=True)
    assert "No department with this id in the zone." in wrong.content.decode()
    assert not SupervisionItem.objects.filter(problem=problem).exists()

    response = supervisor.post(url, {"department": land.pk, "working_days": "10"})
    item = SupervisionItem.objects.get(problem=problem)
    assert response.status_code == 302
    assert response["Location"] == f"/supervision/{item.pk}/"
    assert (item.department, item.deadline.isoformat(), item.project) == (land, "2022-05-20", project)
    # The land department answers it; the project's own department does not see it.
    assert page_as("land").get(f"/supervision/{item.pk}/").status_code == 200
    assert page_as("projects").get(f"/supervision/{item.pk}/").status_code == 404

"""Django's admin shows key projects and everything hanging off them, and writes none of it: each change
goes through its audited service (the project pages, the report form, the settings page, the API)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models

from tests.projects.conftest import HpProject
from zoneops.core.models import AuditEvent
from zoneops.projects.models import (
    KeyProject,
    Milestone,
    MonthlyReport,
    Problem,
    SchedulingSettings,
    WarningRule,
    WarningSnapshot,
)

pytestmark = pytest.mark.django_db


def _rows(hp: HpProject) -> dict[str, tuple[models.Model, str, Any]]:
    """One row per admin, with a field and a value an edit would put into it."""
    project = hp.project
    report = MonthlyReport.objects.get(project=project, period="2022-04-01")
    rule = WarningRule.objects.create(zone=project.zone, code="problem_open", amber=10, red=20)
    deadline = SchedulingSettings.objects.create(zone=project.zone, report_deadline_day=25)
    return {
        "keyproject": (project, "total_investment", "1"),
        "milestone": (hp.milestone, "actual_date", "2022-05-01"),
        "monthlyreport": (report, "investment_month", "1"),
        "problem": (hp.problem, "status", "resolved"),
        "warningrule": (rule, "red", "99"),
        "schedulingsettings": (deadline, "report_deadline_day", "5"),
        "warningsnapshot": (project.warning_history.first(), "level", "green"),
    }


@pytest.mark.parametrize(
    "model",
    [
        "keyproject",
        "milestone",
        "monthlyreport",
        "problem",
        "warningrule",
        "schedulingsettings",
        "warningsnapshot",
    ],
)
def test_the_admin_shows_and_never_writes(page_as: Any, hp_project: HpProject, model: str) -> None:
    row, field, value = _rows(hp_project)[model]
    assert row is not None
    before = model_values(row)
    audit = AuditEvent.objects.count()
    admin = page_as("admin")
    url = f"/admin/projects/{model}/{row.pk}/change/"
    shown = admin.get(url)
    assert shown.status_code == 200
    html = shown.content.decode()
    # The value is shown as text, with no input to change it and no save or delete button.
    assert f'name="{field}"' not in html
    assert 'name="_save"' not in html
    assert "deletelink" not in html
    assert admin.post(url, {field: value}).status_code == 403
    assert admin.post(f"/admin/projects/{model}/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin.get(f"/admin/projects/{model}/add/").status_code == 403
    assert admin.get(f"/admin/projects/{model}/").status_code == 200
    assert model_values(type(row).objects.get(pk=row.pk)) == before
    assert AuditEvent.objects.count() == audit


def test_the_projects_milestones_are_shown_read_only_on_its_page(page_as: Any, hp_project: HpProject) -> None:
    project = hp_project.project
    html = page_as("admin").get(f"/admin/projects/keyproject/{project.pk}/change/").content.decode()
    milestones = list(Milestone.objects.filter(project=project))
    assert len(milestones) == 7
    for milestone in milestones:
        assert milestone.name in html
    assert 'name="milestones-0-actual_date"' not in html
    assert 'name="milestones-0-planned_date"' not in html
    assert "add-row" not in html


def test_a_problem_or_report_cannot_be_added_through_the_admin(page_as: Any, hp_project: HpProject) -> None:
    counts = (Problem.objects.count(), MonthlyReport.objects.count(), KeyProject.objects.count())
    admin = page_as("admin")
    posted = admin.post(
        "/admin/projects/problem/add/",
        {"project": hp_project.project.pk, "description": "x", "raised_on": "2022-05-08", "status": "open"},
    )
    assert posted.status_code == 403
    assert admin.post("/admin/projects/monthlyreport/add/", {}).status_code == 403
    assert admin.post("/admin/projects/keyproject/add/", {}).status_code == 403
    assert (Problem.objects.count(), MonthlyReport.objects.count(), KeyProject.objects.count()) == counts
    assert WarningSnapshot.objects.filter(project=hp_project.project).exists()


def model_values(row: models.Model) -> dict[str, Any]:
    return {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}

"""The zone settings page: each office sets what it owns (cluster targets, the report deadline and
warning rules, the assessment weights, the investment target and stage limits), through its own
service, audited; anyone else is refused; a bad field writes nothing of its section."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import ROLES
from zoneops.accounts.models import Zone
from zoneops.chains.models import Cluster
from zoneops.core.models import AuditEvent
from zoneops.indicators.models import ClusterTarget
from zoneops.investment.models import PipelineSettings
from zoneops.projects.models import KeyProject, SchedulingSettings, WarningRule
from zoneops.supervision.models import AssessmentScheme

pytestmark = pytest.mark.django_db

SECTIONS = {
    "admin": ["targets", "scheduling", "assessment", "pipeline"],
    "supervisor": ["assessment"],
    "invest": ["pipeline"],
    "projects": ["scheduling"],
    "stats": ["targets"],
}


def _state(zone: Zone) -> tuple[Any, ...]:
    """Everything the page can change, to prove a refused or bad post changed none of it."""
    return (
        sorted(ClusterTarget.objects.filter(zone=zone).values_list("cluster_id", "year", "value")),
        list(SchedulingSettings.objects.filter(zone=zone).values_list("report_deadline_day", flat=True)),
        sorted(WarningRule.objects.filter(zone=zone).values_list("code", "amber", "red", "enabled")),
        [(s.period, s.weights) for s in AssessmentScheme.objects.filter(zone=zone).order_by("period")],
        [(p.year_targets, p.stage_limits) for p in PipelineSettings.objects.filter(zone=zone)],
    )


def _sections(html: str) -> list[str]:
    return re.findall(r'data-testid="section-(\w+)"', html)


@pytest.mark.parametrize("username", ROLES)
def test_each_office_sees_and_saves_only_its_own_sections(page_as: Any, zone: Zone, username: str) -> None:
    client = page_as(username)
    page = client.get("/settings/")
    owned = SECTIONS.get(username, [])
    assert page.status_code == (200 if owned else 403)
    if owned:
        assert _sections(page.content.decode()) == owned
    before = _state(zone)
    for section in ("targets", "scheduling", "assessment", "pipeline"):
        if section in owned:
            continue
        refused = client.post("/settings/", {"section": section, "year": "2022"})
        assert refused.status_code == 403
    assert _state(zone) == before


def test_the_statistics_office_sets_cluster_targets(page_as: Any, zone: Zone) -> None:
    clusters = list(Cluster.objects.filter(zone=zone).order_by("sort_order", "code"))
    first, second = clusters[0], clusters[1]
    kept = ClusterTarget.objects.get(zone=zone, cluster=second, indicator_id="revenue", year=2022).value
    stats = page_as("stats")
    page = stats.get("/settings/", {"year": "2022"}).content.decode()
    assert f'name="target-{second.pk}" inputmode="decimal" value="{(kept / 10**8).normalize():f}"' in page
    response = stats.post(
        "/settings/", {"section": "targets", "year": "2023", f"target-{first.pk}": "1,200.5"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/settings/?year=2023#targets"
    assert ClusterTarget.objects.get(zone=zone, cluster=first, year=2023).value == Decimal("120050000000.00")
    # Left empty: no target written for the other clusters of 2023, and 2022's untouched.
    assert ClusterTarget.objects.filter(zone=zone, year=2023).count() == 1
    assert ClusterTarget.objects.get(zone=zone, cluster=second, year=2022).value == kept
    assert AuditEvent.objects.filter(action="cluster_target.set", actor_label="stats").count() == 1


@pytest.mark.parametrize("bad", ["-5", "abc", "0"])
def test_a_bad_target_writes_none_of_them(page_as: Any, zone: Zone, bad: str) -> None:
    first, second = Cluster.objects.filter(zone=zone).order_by("sort_order", "code")[:2]
    before = _state(zone)
    response = page_as("stats").post(
        "/settings/",
        {"section": "targets", "year": "2023", f"target-{first.pk}": "100", f"target-{second.pk}": bad},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1
    assert shown[-1].startswith(f"target-{second.pk}: ")
    assert _state(zone) == before


def test_the_project_office_sets_the_deadline_and_the_warning_rules(page_as: Any, zone: Zone) -> None:
    office = page_as("projects")
    form = {"section": "scheduling", "year": "2022", "report_deadline_day": "20"}
    for code, amber, red in (
        ("investment_behind", "15", "30"),
        ("milestone_overdue", "5", "20"),
        ("report_missing", "1", "2"),
        ("problem_open", "10", "20"),
        ("completion_late", "30", "90"),
    ):
        form |= {f"amber-{code}": amber, f"red-{code}": red}
        if code != "completion_late":
            form[f"enabled-{code}"] = "on"

    def red() -> int:
        return KeyProject.objects.filter(zone=zone, year=2022, warning_level="red").count()

    assert office.post("/settings/", form).status_code == 302
    red_with_form = red()
    # Any investment behind the time-elapsed plan is red: saving recomputes every project's level.
    strict = form | {"amber-investment_behind": "0", "red-investment_behind": "0.01"}
    assert office.post("/settings/", strict).status_code == 302
    assert red() > red_with_form
    assert office.post("/settings/", form).status_code == 302
    assert red() == red_with_form
    assert SchedulingSettings.objects.get(zone=zone).report_deadline_day == 20
    assert WarningRule.objects.get(zone=zone, code="investment_behind").amber == Decimal(15)
    assert WarningRule.objects.get(zone=zone, code="completion_late").enabled is False
    page = office.get("/settings/").content.decode()
    assert 'name="report_deadline_day" type="number" min="1" max="28" value="20"' in page

    before = _state(zone)
    bad = form | {"report_deadline_day": "31"}
    shown = [str(m) for m in office.post("/settings/", bad, follow=True).context["messages"]]
    assert shown[-1].startswith("report_deadline_day: ")
    upside_down = form | {"report_deadline_day": "18", "amber-problem_open": "30", "red-problem_open": "10"}
    shown = [str(m) for m in office.post("/settings/", upside_down, follow=True).context["messages"]]
    assert shown[-1].startswith("red-problem_open: ")
    # The deadline of the refused form was not kept either: one section, all or nothing.
    assert _state(zone) == before


def test_the_supervision_office_sets_the_assessment_weights(page_as: Any, zone: Zone, user_of: Any) -> None:
    from zoneops.supervision.assessment import DEFAULT_WEIGHTS, assessment

    supervisor = page_as("supervisor")
    weights = {
        "milestone_on_time": "40",
        "investment_completion": "20",
        "report_timeliness": "10",
        "supervision_on_time": "10",
        "service_orders": "10",
        "service_satisfaction": "5",
        "leads_signed": "5",
    }
    form = {"section": "assessment", "year": "2022"} | {f"weight-{m}": w for m, w in weights.items()}
    assert supervisor.post("/settings/", form).status_code == 302
    assert AssessmentScheme.objects.get(zone=zone, period="", is_default=True).weights == {
        m: int(w) for m, w in weights.items()
    }
    # The running quarter takes the new weights; the closed 2022Q1 keeps those it was assessed under.
    row = assessment(user=user_of("leader"), period_code="2022Q2")[0]
    assert {m.measure: m.weight for m in row.breakdown} == {m: int(w) for m, w in weights.items()} | {
        "adjustments": 0
    }
    row = assessment(user=user_of("leader"), period_code="2022Q1")[0]
    assert {m.measure: m.weight for m in row.breakdown} == DEFAULT_WEIGHTS | {"adjustments": 0}

    before = _state(zone)
    for bad, field in (({"weight-service_orders": "101"}, "weights.service_orders"), ({}, "weights")):
        zero = {f"weight-{m}": "0" for m in weights} if not bad else {}
        shown = [
            str(m) for m in supervisor.post("/settings/", form | zero | bad, follow=True).context["messages"]
        ]
        assert shown[-1].startswith(f"{field}: ")
    assert _state(zone) == before


def test_the_investment_bureau_sets_its_target_and_stage_limits(page_as: Any, zone: Zone) -> None:
    bureau = page_as("invest")
    before_targets = dict(PipelineSettings.objects.get(zone=zone).year_targets)
    page = bureau.get("/settings/", {"year": "2023"}).content.decode()
    stages = re.findall(r'name="limit-(\w+)"', page)
    form = {"section": "pipeline", "year": "2023", "pipeline_target": "150"} | {
        f"limit-{s}": "45" for s in stages
    }
    assert bureau.post("/settings/", form).status_code == 302
    row = PipelineSettings.objects.get(zone=zone)
    assert row.year_targets == before_targets | {"2023": "15000000000.00"}
    assert row.stage_limits == dict.fromkeys(stages, 45)

    before = _state(zone)
    shown = [
        str(m)
        for m in bureau.post("/settings/", form | {f"limit-{stages[0]}": "0"}, follow=True).context[
            "messages"
        ]
    ]
    assert shown[-1].startswith(f"stage_limits.{stages[0]}: ")
    assert _state(zone) == before

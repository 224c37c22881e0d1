"""The department assessment read without the previous quarter (the cockpit's ranking)."""

from __future__ import annotations

from typing import Any

import pytest

from zoneops.supervision.assessment import assessment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("period", ["2022Q1", "2021Q4", "2021"])
def test_the_ranking_alone_is_the_full_assessments(user_of: Any, period: str) -> None:
    leader = user_of("leader")
    full = assessment(user=leader, period_code=period)
    alone = assessment(user=leader, period_code=period, with_change=False)
    assert full
    assert [(r.department_id, r.rank, r.score, r.breakdown) for r in alone] == [
        (r.department_id, r.rank, r.score, r.breakdown) for r in full
    ]
    assert all(r.previous_score is None and r.change is None for r in alone)
    if period == "2022Q1":  # 2021Q4 was scored too, so the full read has a change to show
        assert any(r.previous_score is not None for r in full)


# --- the measures, the running period and the schemes per period -------------------------------------

import datetime as dt  # noqa: E402
from decimal import Decimal  # noqa: E402

from django.db.models import Sum  # noqa: E402

from tests.conftest import ROLES  # noqa: E402
from tests.servicedesk.conftest import act, drive, on, reach  # noqa: E402
from zoneops.accounts.models import Department, Zone  # noqa: E402
from zoneops.core import clock  # noqa: E402
from zoneops.core.models import AuditEvent  # noqa: E402
from zoneops.investment.models import Lead, LeadStage, PipelineSettings  # noqa: E402
from zoneops.projects.models import Milestone  # noqa: E402
from zoneops.servicedesk.models import OrderRating, ServiceOrder  # noqa: E402
from zoneops.supervision.assessment import (  # noqa: E402
    ADJUSTMENTS,
    DEFAULT_WEIGHTS,
    assessed_until,
    drill_down,
    months_reported,
    parse_period,
    zone_weights,
)
from zoneops.supervision.models import AssessmentAdjustment, AssessmentScheme  # noqa: E402
from zoneops.supervision.services import assessment_weights_set  # noqa: E402


def _measure(row: Any, measure: str) -> Any:
    return next(b for b in row.breakdown if b.measure == measure)


def test_the_breakdown_ends_with_the_adjustments_and_adds_up_to_the_score(user_of: Any) -> None:
    for period in ("2022Q1", "2021", "2022Q2"):
        rows = assessment(user=user_of("leader"), period_code=period)
        assert rows
        for row in rows:
            assert [b.measure for b in row.breakdown] == [*DEFAULT_WEIGHTS, ADJUSTMENTS]
            assert sum(b.points for b in row.breakdown) == row.score
            assert _measure(row, ADJUSTMENTS).points == sum(
                (a.points for a in row.adjustments), Decimal("0.00")
            )


def _due_or_done(detail: str) -> bool:
    due, done = detail.split(" → ")
    return due <= "2022-05-08" or (done != "—" and done <= "2022-05-08")


def test_a_running_period_is_assessed_up_to_today(user_of: Any) -> None:
    leader = user_of("leader")
    # The demo's today is 2022-05-08 and the report deadline the 25th: April's report is the last one due.
    q2 = parse_period("2022Q2")
    assert assessed_until(period=q2, today=dt.date(2022, 5, 8)) == dt.date(2022, 5, 8)
    assert assessed_until(period=q2, today=dt.date(2022, 7, 1)) == dt.date(2022, 6, 30)
    assert assessed_until(period=parse_period("2022Q4"), today=dt.date(2022, 5, 8)) == dt.date(2022, 9, 30)
    assert months_reported(until=dt.date(2022, 5, 8), year=2022, deadline_day=25) == 4
    assert months_reported(until=dt.date(2022, 5, 25), year=2022, deadline_day=25) == 5
    assert months_reported(until=dt.date(2022, 6, 30), year=2022, deadline_day=25) == 6
    assert months_reported(until=dt.date(2021, 12, 31), year=2022, deadline_day=25) == 0
    later = Milestone.objects.filter(planned_date__gt="2022-05-08", planned_date__lte="2022-06-30")
    assert later.filter(actual_date__isnull=True).exists()  # the demo has milestones still to come
    for row in assessment(user=leader, period_code="2022Q2"):
        items = drill_down(user=leader, period_code="2022Q2", department_id=row.department_id)
        milestones = [i for i in items if i.measure == "milestone_on_time"]
        # "planned → reached": due by today, or due later in the quarter and already reached.
        assert all(_due_or_done(i.detail) for i in milestones)
        measure = _measure(row, "milestone_on_time")
        assert measure.expected == Decimal(len(milestones))
        assert (
            len(milestones)
            == Milestone.objects.filter(
                project__department_id=row.department_id,
                planned_date__gte="2022-04-01",
                planned_date__lte="2022-06-30",
            )
            .exclude(planned_date__gt="2022-05-08", actual_date__isnull=True)
            .count()
        )
        assert measure.achieved == Decimal(sum(i.ok for i in milestones))
        orders = [i for i in items if i.measure == "service_orders"]
        assert all(_due_or_done(i.detail) for i in orders)
    # A period that has not begun has nothing due: no department is assessed on it.
    assert assessment(user=leader, period_code="2022Q4") == []


def _satisfaction(rows: list[Any]) -> dict[str, tuple[Decimal, Decimal]]:
    return {
        r.department: (
            _measure(r, "service_satisfaction").achieved,
            _measure(r, "service_satisfaction").expected,
        )
        for r in rows
        if _measure(r, "service_satisfaction").applies
    }


def test_satisfaction_is_every_rating_given_in_the_period(user_of: Any) -> None:
    rows = assessment(user=user_of("leader"), period_code="2021")
    expected: dict[str, tuple[Decimal, Decimal]] = {}
    for rating in OrderRating.objects.filter(order__department__isnull=False).select_related(
        "order__department"
    ):
        if rating.rated_at.astimezone(clock.SHANGHAI).year != 2021:
            continue
        stars, full = expected.get(rating.order.department.name, (Decimal(0), Decimal(0)))
        expected[rating.order.department.name] = (stars + rating.rating, full + 5)
    assert expected  # the demo year of orders has ratings in 2021
    assert _satisfaction(rows) == expected


def test_a_bad_rating_stays_counted_when_the_order_is_reopened_and_rated_again(user_of: Any) -> None:
    leader = user_of("leader")
    order = reach("confirmed")
    name = order.department.name
    quarter = "2022Q2"

    def measured() -> tuple[Decimal, Decimal]:
        # Assessed as of a day after the steps (a running quarter counts what was given up to today).
        with on(dt.date(2022, 5, 13)):
            rows = assessment(user=leader, period_code=quarter)
        return _satisfaction(rows).get(name, (Decimal(0), Decimal(0)))

    stars, full = measured()
    with on(dt.date(2022, 5, 10)):
        rated = act(order, "rate", rating=1, note="太慢")
    with on(dt.date(2022, 5, 11)):
        reopened = act(rated, "reopen", note="问题未解决")
    # Reopening clears the order's own rating: the bad one still counts.
    assert measured() == (stars + 1, full + 5)
    with on(dt.date(2022, 5, 12)):
        drive(reopened, "answer", "confirm")
        act(ServiceOrder.objects.get(pk=order.pk), "rate", rating=5, note="解决了")
    assert measured() == (stars + 6, full + 10)


def test_investment_signed_is_measured_against_the_years_target(user_of: Any, zone: Zone) -> None:
    leader = user_of("leader")
    PipelineSettings.objects.update_or_create(zone=zone, defaults={"year_targets": {"2021": "3650000000"}})
    signed = (
        Lead.objects.filter(signed_on__year=2021, officer__department__isnull=False)
        .exclude(stage=LeadStage.LOST)
        .values("officer__department__name")
        .annotate(amount=Sum("signed_amount"))
    )
    expected = {r["officer__department__name"]: min(r["amount"], Decimal("3650000000")) for r in signed}
    assert expected  # the demo signed leads in 2021
    rows = assessment(user=leader, period_code="2021")
    measured = {
        r.department: _measure(r, "leads_signed") for r in rows if _measure(r, "leads_signed").applies
    }
    assert {name: m.achieved for name, m in measured.items()} == {
        name: amount.quantize(Decimal("0.01")) for name, amount in expected.items()
    }
    assert {m.expected for m in measured.values()} == {Decimal("3650000000.00")}
    # A quarter's share of the target is its days' share of the year: 90 of 365 for Q1.
    q1 = next(
        _measure(r, "leads_signed")
        for r in assessment(user=leader, period_code="2021Q1")
        if r.department in measured
    )
    assert q1.expected == Decimal("900000000.00")
    # Without a target for the year the measure does not apply to anyone.
    PipelineSettings.objects.filter(zone=zone).update(year_targets={})
    assert not any(_measure(r, "leads_signed").applies for r in assessment(user=leader, period_code="2021"))


def test_who_sees_the_companies_behind_the_signed_leads(user_of: Any, zone: Zone) -> None:
    PipelineSettings.objects.update_or_create(zone=zone, defaults={"year_targets": {"2021": "3650000000"}})
    lead = (
        Lead.objects.filter(signed_on__year=2021, officer__department__isnull=False)
        .exclude(stage=LeadStage.LOST)
        .select_related("officer")
        .first()
    )
    assert lead is not None
    assert lead.officer is not None
    department_id = lead.officer.department_id
    assert department_id is not None
    for username in ("leader", "supervisor", "invest"):
        rows = drill_down(user=user_of(username), period_code="2021", department_id=department_id)
        assert lead.company_name in [r.label for r in rows if r.kind == "lead"]
    rows = drill_down(user=user_of("projects"), period_code="2021", department_id=department_id)
    assert [r.kind for r in rows if r.measure == "leads_signed"] == ["summary"]
    assert lead.company_name not in " ".join(r.label + r.detail for r in rows)


def test_changing_the_standing_weights_keeps_the_closed_periods(user_of: Any, zone: Zone) -> None:
    leader, supervisor = user_of("leader"), user_of("supervisor")
    q1 = [(r.department_id, r.score) for r in assessment(user=leader, period_code="2022Q1")]
    q2 = [(r.department_id, r.score) for r in assessment(user=leader, period_code="2022Q2")]
    weights = {**dict.fromkeys(DEFAULT_WEIGHTS, 0), "milestone_on_time": 100}
    assessment_weights_set(actor=supervisor, zone=zone, weights=weights)
    # 2022Q1 and 2021 are closed: they keep the weights they were assessed under; the running 2022Q2 and
    # the year 2022 take the new ones.
    assert [(r.department_id, r.score) for r in assessment(user=leader, period_code="2022Q1")] == q1
    assert [(r.department_id, r.score) for r in assessment(user=leader, period_code="2022Q2")] != q2
    frozen = set(
        AssessmentScheme.objects.filter(zone=zone).exclude(period="").values_list("period", flat=True)
    )
    assert {"2021", "2021Q4", "2022Q1"} <= frozen
    assert not frozen & {"2022", "2022Q2", "2022Q3", "2022Q4"}
    assert zone_weights(zone.pk, period_code="2022Q1") == DEFAULT_WEIGHTS
    assert zone_weights(zone.pk, period_code="2022Q2") == weights
    entry = AuditEvent.objects.filter(action="assessment.weights").latest("pk")
    assert entry.after["frozen_periods"][-1] == "2022Q1"
    # A second change freezes nothing new and still leaves 2022Q1 alone.
    assessment_weights_set(actor=supervisor, zone=zone, weights=DEFAULT_WEIGHTS)
    assert AuditEvent.objects.filter(action="assessment.weights").latest("pk").after["frozen_periods"] == []
    assert [(r.department_id, r.score) for r in assessment(user=leader, period_code="2022Q2")] == q2


def test_a_periods_own_scheme(user_of: Any, zone: Zone) -> None:
    supervisor = user_of("supervisor")
    weights = {**dict.fromkeys(DEFAULT_WEIGHTS, 0), "report_timeliness": 50, "milestone_on_time": 50}
    assessment_weights_set(actor=supervisor, zone=zone, weights=weights, period="2022Q3")
    assert zone_weights(zone.pk, period_code="2022Q3") == weights
    assert zone_weights(zone.pk, period_code="2022Q2") == DEFAULT_WEIGHTS
    assert zone_weights(zone.pk) == DEFAULT_WEIGHTS


@pytest.mark.parametrize("username", ROLES)
def test_the_weights_api_for_every_role(api_as: Any, zone: Zone, username: str) -> None:
    client = api_as(username)
    enterprise = username in ("hp", "weigao")
    read = client.get("/api/v1/assessments/weights", period="2022Q1")
    assert read.status_code == (403 if enterprise else 200)
    if not enterprise:
        assert read.json()["weights"] == DEFAULT_WEIGHTS
        assert read.json()["period"] == "2022Q1"
    weights = {**DEFAULT_WEIGHTS, "leads_signed": 0}
    written = client.put("/api/v1/assessments/weights", {"weights": weights, "period": "2023"})
    assert written.status_code == (200 if username in ("admin", "supervisor") else 403)
    if written.status_code == 200:
        assert written.json()["weights"] == weights
        assert zone_weights(zone.pk, period_code="2023") == weights
    else:
        assert not AssessmentScheme.objects.filter(period="2023").exists()


def test_bad_weights_are_refused_with_nothing_written(api_as: Any, zone: Zone) -> None:
    before = list(AssessmentScheme.objects.values_list("pk", "period", "weights"))
    client = api_as("supervisor")
    audits = AuditEvent.objects.count()
    response = client.put(
        "/api/v1/assessments/weights",
        {"weights": {**DEFAULT_WEIGHTS, "leads_signed": 101, "speed": 5}, "period": "2023Q5"},
    )
    assert response.status_code == 422
    assert sorted(e["field"] for e in response.json()["errors"]) == [
        "period",
        "weights.leads_signed",
        "weights.speed",
    ]
    assert list(AssessmentScheme.objects.values_list("pk", "period", "weights")) == before
    assert AuditEvent.objects.count() == audits


@pytest.mark.parametrize("username", ROLES)
def test_the_bonus_and_penalty_form_for_every_role(page_as: Any, zone: Zone, username: str) -> None:
    department = Department.objects.get(zone=zone, code="projects")
    page = page_as(username).get("/supervision/assessment/", {"period": "2022Q1"})
    response = page_as(username).post(
        "/supervision/assessment/adjustments/new/",
        {"department": str(department.pk), "period": "2022Q1", "points": "1.5", "reason": "专项工作表现突出"},
    )
    may_adjust = username in ("admin", "supervisor")
    if username in ("hp", "weigao"):
        assert page.status_code == 403
    else:
        assert page.status_code == 200
        assert ('data-testid="adjustment-form"' in page.content.decode()) is may_adjust
    assert response.status_code == (302 if may_adjust else 403)
    added = AssessmentAdjustment.objects.filter(department=department, reason="专项工作表现突出")
    if may_adjust:
        assert response["Location"] == "/supervision/assessment/?period=2022Q1"
        adjustment = added.get()
        assert (adjustment.period, adjustment.points) == ("2022Q1", Decimal("1.50"))
        assert (
            AuditEvent.objects.filter(action="assessment.adjust", object_id=str(adjustment.pk)).count() == 1
        )
    else:
        assert not added.exists()


def test_a_bad_bonus_is_refused_naming_the_field(page_as: Any, zone: Zone) -> None:
    department = Department.objects.get(zone=zone, code="projects")
    before = AssessmentAdjustment.objects.count()
    response = page_as("supervisor").post(
        "/supervision/assessment/adjustments/new/",
        {"department": str(department.pk), "period": "2022Q1", "points": "很多", "reason": "加分"},
        follow=True,
    )
    text = [str(m) for m in response.context["messages"]][-1]
    assert text == "加减分: 请输入 -20 到 20 之间且不为 0 的分值。"
    response = page_as("supervisor").post(
        "/supervision/assessment/adjustments/new/",
        {"department": str(department.pk), "period": "Q1", "points": "30", "reason": " "},
        follow=True,
    )
    text = [str(m) for m in response.context["messages"]][-1]
    assert [part.split(":")[0] for part in text.split("; ")] == ["期间", "加减分", "理由"]
    assert AssessmentAdjustment.objects.count() == before

"""An enterprise hands in its own monthly figures; statistics staff publish or return them; reminders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from zoneops.core import clock
from zoneops.core.errors import InvalidInput
from zoneops.core.models import Notification
from zoneops.demo import weihai
from zoneops.indicators.models import IndicatorValue, MonthlySubmission
from zoneops.indicators.services import submission_reminders, submission_review, submission_save

pytestmark = pytest.mark.django_db

APRIL = dt.date(2022, 4, 1)


def test_hp_submits_and_stats_publish(
    page_as: Any, user_of: Any, zone: Any, django_capture_on_commit_callbacks: Any
) -> None:
    hp = weihai.enterprise_by_key(zone, "hp")
    IndicatorValue.objects.filter(enterprise=hp, period=APRIL).delete()
    client = page_as("hp")
    assert client.get("/indicators/submit/").status_code == 200
    response = client.post(
        "/indicators/submit/", {"period": "2022-04", "revenue": "245,000", "employees": "5300", "submit": "1"}
    )
    assert response.status_code == 302
    submission = MonthlySubmission.objects.get(enterprise=hp, period=APRIL)
    assert (submission.status, submission.values) == (
        "submitted",
        {"revenue": "2450000000.00", "employees": "5300"},
    )
    again = client.post("/indicators/submit/", {"period": "2022-04", "revenue": "1", "submit": "1"})
    assert again.status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        review = page_as("stats").post(
            "/indicators/submissions/", {"submission": submission.pk, "action": "publish"}
        )
    assert review.status_code == 302
    published = IndicatorValue.objects.get(enterprise=hp, indicator_id="revenue", period=APRIL)
    assert (published.value, published.submission_id) == (Decimal("2450000000.00"), submission.pk)
    assert Notification.objects.filter(
        recipient=user_of("hp"), event_key=f"submission:{submission.pk}:published"
    ).exists()


def test_returning_needs_a_reason(user_of: Any, zone: Any) -> None:
    hp = weihai.enterprise_by_key(zone, "hp")
    submission = submission_save(
        actor=user_of("hp"), enterprise_id=hp.pk, period=APRIL, values={"revenue": "1"}, submit=True
    )
    with pytest.raises(InvalidInput) as caught:
        submission_review(actor=user_of("stats"), submission=submission, publish=False, note=" ")
    assert caught.value.errors[0].field == "note"
    returned = submission_review(
        actor=user_of("stats"), submission=submission, publish=False, note="营业收入单位错误"
    )
    assert returned.status == "returned"
    # Returned figures can be corrected and handed in again.
    again = submission_save(
        actor=user_of("hp"), enterprise_id=hp.pk, period=APRIL, values={"revenue": "2"}, submit=True
    )
    assert again.status == "submitted"


def test_an_enterprise_cannot_submit_for_another(user_of: Any, zone: Any) -> None:
    weigao = weihai.enterprise_by_key(zone, "weigao")
    with pytest.raises(PermissionDenied):
        submission_save(
            actor=user_of("hp"), enterprise_id=weigao.pk, period=APRIL, values={"revenue": "1"}, submit=True
        )
    with pytest.raises(PermissionDenied):
        submission_save(
            actor=user_of("stats"),
            enterprise_id=weigao.pk,
            period=APRIL,
            values={"revenue": "1"},
            submit=True,
        )
    assert not MonthlySubmission.objects.exists()


def test_bad_values_are_named(user_of: Any, zone: Any) -> None:
    hp = weihai.enterprise_by_key(zone, "hp")
    with pytest.raises(InvalidInput) as caught:
        submission_save(
            actor=user_of("hp"),
            enterprise_id=hp.pk,
            period=APRIL,
            values={"revenue": "-1", "employees": "12.5", "tax": "abc"},
            submit=True,
        )
    assert {e.field for e in caught.value.errors} == {"revenue", "employees", "tax"}
    with pytest.raises(InvalidInput) as future:
        submission_save(
            actor=user_of("hp"),
            enterprise_id=hp.pk,
            period=dt.date(2022, 5, 1),
            values={"revenue": "1"},
            submit=True,
        )
    assert future.value.errors[0].field == "period"


def test_submit_page_only_for_enterprise_contacts(page_as: Any) -> None:
    for username in ("admin", "leader", "stats"):
        assert page_as(username).get("/indicators/submit/").status_code == 404
    for username in ("admin", "stats"):
        assert page_as(username).get("/indicators/submissions/").status_code == 200
    for username in ("leader", "supervisor", "invest", "projects", "hp", "weigao"):
        assert page_as(username).get("/indicators/submissions/").status_code == 403


def test_reminders_once_before_the_deadline_and_once_when_late(zone: Any, user_of: Any) -> None:
    hp = weihai.enterprise_by_key(zone, "hp")
    IndicatorValue.objects.filter(period=dt.date(2022, 5, 1)).delete()
    # 2022-06-08: May's figures are due on 2022-06-10 and nobody has reported May.
    with clock.pinned(dt.date(2022, 6, 8)):
        first = submission_reminders(zone=zone)
        assert submission_reminders(zone=zone) == 0
    assert first == 2  # the two enterprises with contacts: HP and Weigao
    assert (
        Notification.objects.filter(
            recipient=user_of("hp"), event_key=f"submission-reminder:{hp.pk}:2022-05:due"
        ).count()
        == 1
    )
    with clock.pinned(dt.date(2022, 6, 12)):
        late = submission_reminders(zone=zone)
    assert late == 3  # each enterprise once more, and the statistician once
    assert (
        Notification.objects.filter(recipient=user_of("stats"), event_key="submission-late:2022-05").count()
        == 1
    )
    with clock.pinned(dt.date(2022, 5, 20)):
        assert submission_reminders(zone=zone) == 0  # April was reported; May's deadline is far

"""The supervision board's "raise an item" form: who may raise, the leader in charge picked from the
zone's leaders, and bad input refused with nothing written."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ROLES
from zoneops.accounts.models import Department, Role, User, Zone
from zoneops.supervision.assessment import DEFAULT_WEIGHTS
from zoneops.supervision.models import (
    AssessmentAdjustment,
    AssessmentScheme,
    SupervisionEvent,
    SupervisionItem,
)
from zoneops.supervision.services import assessment_weights_set

pytestmark = pytest.mark.django_db


def _form(zone: Zone, **extra: str) -> dict[str, str]:
    department = Department.objects.get(zone=zone, code="land")
    return {
        "source": "leader_instruction",
        "subject": "推进土地收储",
        "department": str(department.pk),
        "working_days": "10",
        "instructions": "本月底前完成",
        **extra,
    }


@pytest.mark.parametrize("username", ROLES)
def test_who_raises_an_item_from_the_board(page_as: Any, zone: Zone, username: str) -> None:
    before = SupervisionItem.objects.count()
    board = page_as(username).get("/supervision/")
    response = page_as(username).post("/supervision/new/", _form(zone))
    may_raise = username in ("admin", "supervisor")
    if username in ("hp", "weigao"):
        assert board.status_code == 403
    else:
        assert board.status_code == 200
        assert ('id="n-leader"' in board.content.decode()) is may_raise
    assert response.status_code == (302 if may_raise else 403)
    assert SupervisionItem.objects.count() == before + (1 if may_raise else 0)


def test_the_leader_in_charge_is_one_of_the_zones_leaders(page_as: Any, zone: Zone) -> None:
    supervisor = page_as("supervisor")
    leaders = list(User.objects.filter(zone=zone, role=Role.LEADER, is_active=True))
    board = supervisor.get("/supervision/").content.decode()
    for leader in leaders:
        assert f'<option value="{leader.pk}">' in board
    chosen = leaders[0]
    response = supervisor.post("/supervision/new/", _form(zone, leader=str(chosen.pk)))
    item = SupervisionItem.objects.order_by("-pk").first()
    assert item is not None
    assert response["Location"] == f"/supervision/{item.pk}/"
    assert (item.leader_id, item.subject, item.department.code, item.source) == (
        chosen.pk,
        "推进土地收储",
        "land",
        "leader_instruction",
    )
    assert list(SupervisionEvent.objects.filter(item=item).values_list("action", flat=True)) == ["raise"]
    without = supervisor.post("/supervision/new/", _form(zone, leader=""))
    assert without.status_code == 302
    assert SupervisionItem.objects.order_by("-pk").values_list("leader_id", flat=True).first() is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("leader", "supervisor"), ("leader", "999999"), ("department", "999999"), ("working_days", "ten")],
)
def test_bad_input_raises_nothing(page_as: Any, zone: Zone, field: str, value: str) -> None:
    if value == "supervisor":  # a user of the zone who is not a leader
        value = str(User.objects.get(username="supervisor").pk)
    before = (SupervisionItem.objects.count(), SupervisionEvent.objects.count())
    response = page_as("supervisor").post("/supervision/new/", _form(zone, **{field: value}), follow=True)
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1
    assert shown[0].startswith(f"{field}: ")
    assert (SupervisionItem.objects.count(), SupervisionEvent.objects.count()) == before


# --- Django's admin: the timeline and the adjustments are shown, never written -------------------------


def _item_values(item: SupervisionItem) -> dict[str, Any]:
    return {f.attname: getattr(item, f.attname) for f in item._meta.concrete_fields if f.name != "updated_at"}


def test_the_admin_corrects_an_items_wording_and_nothing_else(page_as: Any, zone: Zone) -> None:
    item = SupervisionItem.objects.filter(zone=zone, status="assigned").order_by("pk").first()
    assert item is not None
    admin = page_as("admin")
    url = f"/admin/supervision/supervisionitem/{item.pk}/change/"
    shown = admin.get(url)
    assert shown.status_code == 200
    form = shown.context["adminform"].form
    assert sorted(form.fields) == ["instructions", "subject"]
    html = shown.content.decode()
    for field in ("status", "deadline", "closed_on", "department", "leader", "working_days"):
        assert f'name="{field}"' not in html
    # The timeline inline shows the steps with nothing to add, change or delete.
    assert 'name="events-0-action"' not in html
    assert "add-row" not in html
    before = _item_values(item)
    events = SupervisionEvent.objects.filter(item=item).count()
    posted = admin.post(
        url,
        {
            "subject": "推进土地收储（更正）",
            "instructions": item.instructions,
            "status": "closed",
            "deadline": "2030-01-01",
            "closed_on": "2022-05-08",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert posted.status_code == 302
    item.refresh_from_db()
    assert _item_values(item) == {**before, "subject": "推进土地收储（更正）"}
    assert SupervisionEvent.objects.filter(item=item).count() == events
    assert admin.get("/admin/supervision/supervisionitem/add/").status_code == 403
    assert (
        admin.post(f"/admin/supervision/supervisionitem/{item.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert SupervisionItem.objects.filter(pk=item.pk).exists()


@pytest.mark.parametrize(
    ("model", "field"),
    [("supervisionevent", "note"), ("assessmentadjustment", "points"), ("assessmentscheme", "weights")],
)
def test_the_admin_never_writes_a_step_or_an_adjustment(
    page_as: Any, user_of: Any, zone: Zone, model: str, field: str
) -> None:
    if model == "assessmentscheme":  # the standing scheme, set as the supervision office sets it
        assessment_weights_set(actor=user_of("supervisor"), zone=zone, weights=dict(DEFAULT_WEIGHTS))
    rows = {
        "supervisionevent": SupervisionEvent.objects.filter(item__zone=zone),
        "assessmentadjustment": AssessmentAdjustment.objects.filter(zone=zone),
        "assessmentscheme": AssessmentScheme.objects.filter(zone=zone),
    }[model]
    row = rows.order_by("pk").first()
    assert row is not None
    before = {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}
    count = rows.count()
    admin = page_as("admin")
    url = f"/admin/supervision/{model}/{row.pk}/change/"
    shown = admin.get(url)
    assert shown.status_code == 200
    html = shown.content.decode()
    assert f'name="{field}"' not in html
    assert 'name="_save"' not in html
    assert admin.post(url, {field: "9"}).status_code == 403
    assert admin.get(f"/admin/supervision/{model}/add/").status_code == 403
    assert admin.post(f"/admin/supervision/{model}/add/", {field: "9"}).status_code == 403
    assert admin.post(f"/admin/supervision/{model}/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    row.refresh_from_db()
    assert {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields} == before
    assert rows.count() == count

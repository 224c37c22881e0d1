"""Writes of the investment pipeline: the one state machine (every stage pair), signing into a key
project, registering the new enterprise, construction and operation, the timeline and the audit,
duplicates, reminders and the zone's settings."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from tests.investment.conftest import PrinterGap, new_uscc, rolled_back, typed_lead, walk
from zoneops.accounts.models import User, Zone
from zoneops.chains.models import ChainNode, MembershipStatus, NodeMembership
from zoneops.core import clock
from zoneops.core.errors import InvalidInput, TransitionNotAllowed
from zoneops.core.models import AuditEvent, Notification
from zoneops.enterprises.models import Enterprise
from zoneops.investment import services
from zoneops.investment.models import Lead, LeadEvent, PipelineSettings
from zoneops.projects.models import KeyProject
from zoneops.projects.selectors import reports_missing
from zoneops.projects.services import project_write

pytestmark = pytest.mark.django_db

TODAY = dt.date(2022, 5, 8)
ORDER = [
    "lead",
    "contacted",
    "site_visit",
    "negotiating",
    "signed",
    "registered",
    "construction",
    "operating",
]
EVERY_STAGE = [*ORDER, "lost", "on_hold"]

# The stages' rules written out, state by state: {to: needs a reason}; any other target answers 409.
# Forward before signing may skip stages; from signing on, one stage at a time; backwards only between
# the stages before signing, with a reason; lost (reason) from anything but operation; on hold (reason)
# only before signing; a held lead resumes at any stage before signing (with a reason when that is behind
# the stage it was held at) or, held while negotiating, goes on to signing; a lost lead is reopened
# before signing, with a reason.
# _R: a reason is needed; _N: none.
_R, _N = True, False
TABLE: dict[str, dict[str, bool]] = {
    "lead": {"contacted": _N, "site_visit": _N, "negotiating": _N, "signed": _N, "lost": _R, "on_hold": _R},
    "contacted": {"lead": _R, "site_visit": _N, "negotiating": _N, "signed": _N, "lost": _R, "on_hold": _R},
    "site_visit": {"lead": _R, "contacted": _R, "negotiating": _N, "signed": _N, "lost": _R, "on_hold": _R},
    "negotiating": {"lead": _R, "contacted": _R, "site_visit": _R, "signed": _N, "lost": _R, "on_hold": _R},
    "signed": {"registered": _N, "lost": _R},
    "registered": {"construction": _N, "lost": _R},
    "construction": {"operating": _N, "lost": _R},
    "operating": {},
    "lost": {"lead": _R, "contacted": _R, "site_visit": _R, "negotiating": _R},
    "on_hold/lead": {"lead": _N, "contacted": _N, "site_visit": _N, "negotiating": _N, "lost": _R},
    "on_hold/contacted": {"lead": _R, "contacted": _N, "site_visit": _N, "negotiating": _N, "lost": _R},
    "on_hold/site_visit": {"lead": _R, "contacted": _R, "site_visit": _N, "negotiating": _N, "lost": _R},
    "on_hold/negotiating": {
        "lead": _R,
        "contacted": _R,
        "site_visit": _R,
        "negotiating": _N,
        "signed": _N,
        "lost": _R,
    },
}

PAIRS = [(state, to) for state in TABLE for to in EVERY_STAGE]


def _lead_in(state: str, gap: PrinterGap) -> Lead:
    """A lead sitting in ``state`` ("on_hold/contacted": held while contacted) since 2022-03-01."""
    stage, _sep, held = state.partition("/")
    reached = held or stage
    signed = stage in ORDER[4:]
    return Lead.objects.create(
        zone=gap.zone,
        company_name=f"状态机测试 {state}",
        source="research",
        stage=stage,
        held_stage=held,
        furthest=ORDER.index(reached) if reached in ORDER else 2,
        officer=gap.invest,
        opened_on=dt.date(2022, 1, 10),
        stage_entered_on=dt.date(2022, 3, 1),
        closed_reason="企业暂缓" if stage in ("lost", "on_hold") else "",
        signed_on=dt.date(2022, 2, 1) if signed else None,
        signed_amount=Decimal("50000000") if signed else None,
    )


def _data(to: str, gap: PrinterGap) -> dict[str, Any]:
    if to == "signed":
        return {"signed_on": TODAY, "signed_amount": "80000000"}
    if to == "registered":
        return {"enterprise_id": gap.weigao.pk}
    if to in ("construction", "operating"):
        return {"date": "2022-05-01"}
    return {}


def _snapshot(lead: Lead) -> tuple[Any, ...]:
    fresh = Lead.objects.get(pk=lead.pk)
    return (
        fresh.stage,
        fresh.held_stage,
        fresh.closed_reason,
        fresh.furthest,
        fresh.stage_entered_on,
        fresh.key_project_id,
        fresh.enterprise_id,
        LeadEvent.objects.filter(lead=lead).count(),
        AuditEvent.objects.count(),
        KeyProject.objects.count(),
        Enterprise.objects.count(),
    )


def test_the_table_covers_every_stage_pair() -> None:
    assert len(PAIRS) == 13 * 10
    allowed = sum(len(moves) for moves in TABLE.values())
    assert allowed == 55


def _check_move(gap: PrinterGap, state: str, to: str) -> None:
    lead = _lead_in(state, gap)
    before = _snapshot(lead)
    stage, _sep, held = state.partition("/")
    if to not in TABLE[state]:
        with pytest.raises(TransitionNotAllowed) as refused:
            services.lead_transition(actor=gap.invest, lead=lead, to=to, reason="理由", data=_data(to, gap))
        assert str(refused.value).startswith("A lead that is ")
        assert _snapshot(lead) == before
        return
    if TABLE[state][to]:
        with pytest.raises(InvalidInput) as missing:
            services.lead_transition(
                actor=gap.invest, lead=Lead.objects.get(pk=lead.pk), to=to, data=_data(to, gap)
            )
        assert [(e.field, e.message) for e in missing.value.errors] == [
            ("reason", "Say why (going back, losing or holding a lead needs a reason).")
        ]
        assert _snapshot(lead) == before
    reason = "企业调整计划" if TABLE[state][to] else ""
    services.lead_transition(
        actor=gap.invest, lead=Lead.objects.get(pk=lead.pk), to=to, reason=reason, data=_data(to, gap)
    )
    moved = Lead.objects.get(pk=lead.pk)
    assert moved.stage == to
    assert moved.stage_entered_on == TODAY
    reached = held or stage
    furthest_before = ORDER.index(reached) if reached in ORDER else 2
    assert moved.furthest == max(furthest_before, ORDER.index(to) if to in ORDER else -1)
    if to == "on_hold":
        assert (moved.held_stage, moved.closed_reason) == (stage, reason)
    elif to == "lost":
        assert moved.closed_reason == reason
    else:
        assert (moved.held_stage, moved.closed_reason) == ("", "")
    event = LeadEvent.objects.filter(lead=lead).latest("at", "pk")
    assert (event.action, event.stage_from, event.stage_to, event.note, event.on, event.actor) == (
        "transition",
        stage,
        to,
        reason,
        TODAY,
        gap.invest,
    )
    audit = AuditEvent.objects.filter(action="lead.transition", object_id=str(lead.pk)).get()
    assert (audit.before, audit.after["stage"], audit.note, audit.actor_label) == (
        {"stage": stage},
        to,
        reason,
        "invest",
    )


@pytest.mark.parametrize("state", list(TABLE))
def test_every_move_from_each_state(gap: PrinterGap, state: str) -> None:
    # Each target in its own savepoint, undone after: all ten moves start from the same lead state.
    for to in EVERY_STAGE:
        try:
            with rolled_back():
                _check_move(gap, state, to)
        except (Exception, pytest.fail.Exception) as failed:
            raise AssertionError(f"{state} -> {to}: {failed!r}") from failed


@pytest.mark.parametrize("state", list(TABLE))
def test_next_stages_lists_exactly_the_allowed_moves(gap: PrinterGap, state: str) -> None:
    lead = _lead_in(state, gap)
    expected = [(to, TABLE[state][to]) for to in EVERY_STAGE if to in TABLE[state]]
    assert services.next_stages(lead) == expected


def test_an_unknown_stage_is_named(gap: PrinterGap) -> None:
    lead = _lead_in("contacted", gap)
    before = _snapshot(lead)
    with pytest.raises(InvalidInput) as raised:
        services.lead_transition(actor=gap.invest, lead=lead, to="won", reason="")
    assert [(e.field, e.message) for e in raised.value.errors] == [
        (
            "to",
            "Choose one of: lead, contacted, site_visit, negotiating, signed, registered, construction, "
            "operating, lost, on_hold.",
        )
    ]
    assert _snapshot(lead) == before


def test_a_reason_longer_than_500_characters_is_refused(gap: PrinterGap) -> None:
    lead = _lead_in("contacted", gap)
    before = _snapshot(lead)
    with pytest.raises(InvalidInput) as raised:
        services.lead_transition(actor=gap.invest, lead=lead, to="lost", reason="太" * 501)
    assert [(e.field, e.message) for e in raised.value.errors] == [
        ("reason", "Enter at most 500 characters.")
    ]
    assert _snapshot(lead) == before


def test_only_pipeline_staff_move_leads(gap: PrinterGap, user_of: Any) -> None:
    lead = _lead_in("lead", gap)
    before = _snapshot(lead)
    for username in ("leader", "supervisor", "projects", "stats", "hp"):
        with pytest.raises(PermissionDenied):
            services.lead_transition(actor=user_of(username), lead=lead, to="contacted")
    assert _snapshot(lead) == before


def test_a_walk_keeps_furthest_stage_dates_timeline_and_audit(gap: PrinterGap) -> None:
    with clock.pinned(dt.date(2022, 3, 1)):
        lead = typed_lead(gap.invest, gap.zone, "走访测试科技有限公司", node_ids=[gap.print_head.pk])
    steps = [
        (dt.date(2022, 3, 10), "contacted", "", 1),
        (dt.date(2022, 4, 1), "negotiating", "", 3),
        (dt.date(2022, 4, 5), "contacted", "报价需重新测算", 3),
        (dt.date(2022, 4, 20), "on_hold", "等待企业董事会决策", 3),
        (dt.date(2022, 5, 1), "negotiating", "", 3),
    ]
    for day, to, reason, furthest in steps:
        with clock.pinned(day):
            services.lead_transition(actor=gap.invest, lead=lead, to=to, reason=reason)
        stored = Lead.objects.get(pk=lead.pk)
        assert (stored.stage, stored.stage_entered_on, stored.furthest) == (to, day, furthest)
        if to == "on_hold":
            assert (stored.held_stage, stored.closed_reason) == ("contacted", reason)
    assert (stored.held_stage, stored.closed_reason, stored.opened_on) == ("", "", dt.date(2022, 3, 1))
    timeline = list(
        LeadEvent.objects.filter(lead=lead).values_list("on", "action", "stage_from", "stage_to", "note")
    )
    assert timeline == [
        (dt.date(2022, 3, 1), "create", "", "lead", ""),
        (dt.date(2022, 3, 10), "transition", "lead", "contacted", ""),
        (dt.date(2022, 4, 1), "transition", "contacted", "negotiating", ""),
        (dt.date(2022, 4, 5), "transition", "negotiating", "contacted", "报价需重新测算"),
        (dt.date(2022, 4, 20), "transition", "contacted", "on_hold", "等待企业董事会决策"),
        (dt.date(2022, 5, 1), "transition", "on_hold", "negotiating", ""),
    ]
    audits = list(
        AuditEvent.objects.filter(object_type="investment.lead", object_id=str(lead.pk))
        .order_by("at", "pk")
        .values_list("action", "before", "note")
    )
    assert audits == [
        ("lead.create", None, ""),
        ("lead.transition", {"stage": "lead"}, ""),
        ("lead.transition", {"stage": "contacted"}, ""),
        ("lead.transition", {"stage": "negotiating"}, "报价需重新测算"),
        ("lead.transition", {"stage": "contacted"}, "等待企业董事会决策"),
        ("lead.transition", {"stage": "on_hold"}, ""),
    ]


# --- signing ------------------------------------------------------------------------------------------


def _negotiating(gap: PrinterGap, name: str = "签约测试精密有限公司", **values: Any) -> Lead:
    lead = typed_lead(
        gap.invest,
        gap.zone,
        name,
        node_ids=[gap.print_head.pk],
        leader_id=gap.leader.pk,
        intended_investment="300000000",
        intended_output="500000000",
        notes="建设打印头生产线。",
        **values,
    )
    return walk(gap.invest, lead, "contacted", "site_visit", "negotiating")


def test_signing_creates_exactly_one_key_project_with_the_lead_data(gap: PrinterGap) -> None:
    lead = _negotiating(gap)
    projects = KeyProject.objects.count()
    services.lead_transition(
        actor=gap.invest,
        lead=lead,
        to="signed",
        data={"signed_on": "2022-05-06", "signed_amount": "280,000,000"},
    )
    assert KeyProject.objects.count() == projects + 1
    lead = Lead.objects.get(pk=lead.pk)
    assert (lead.stage, lead.signed_on, lead.signed_amount, lead.furthest) == (
        "signed",
        dt.date(2022, 5, 6),
        Decimal("280000000.00"),
        4,
    )
    project = KeyProject.objects.get(pk=lead.key_project_id)
    assert gap.invest.department is not None
    assert gap.chain.cluster_id is not None
    assert {
        "code": project.code,
        "name": project.name,
        "year": project.year,
        "level": project.level,
        "project_type": project.project_type,
        "status": project.status,
        "total_investment": project.total_investment,
        "planned_investment": project.planned_investment,
        "expected_output": project.expected_output,
        "construction_content": project.construction_content,
        "planned_start": project.planned_start,
        "planned_completion": project.planned_completion,
        "department": project.department_id,
        "officer": project.officer_id,
        "leader": project.leader_id,
        "cluster": project.cluster_id,
        "chain_node": project.chain_node_id,
        "owner": project.owner_id,
    } == {
        "code": "ZS2022-001",
        "name": "签约测试精密有限公司 project",
        "year": 2022,
        "level": "zone",
        "project_type": "new_start",
        "status": "preparing",
        "total_investment": Decimal("280000000.00"),
        "planned_investment": Decimal("70000000.00"),
        "expected_output": Decimal("500000000.00"),
        # The negotiating notes ("建设打印头生产线。") stay with the lead.
        "construction_content": f"Fills the chain nodes: {gap.print_head.name}.",
        "planned_start": dt.date(2022, 8, 4),
        "planned_completion": dt.date(2024, 5, 5),
        "department": gap.invest.department.pk,
        "officer": gap.invest.pk,
        "leader": gap.leader.pk,
        "cluster": gap.chain.cluster_id,
        "chain_node": gap.print_head.pk,
        "owner": None,
    }
    created = AuditEvent.objects.filter(action="project.create", object_id=str(project.pk)).get()
    assert (created.actor_label, created.note) == ("invest", f"signed from lead {lead.pk}")
    moved = AuditEvent.objects.filter(action="lead.transition", object_id=str(lead.pk)).latest("at", "pk")
    assert moved.after == {"stage": "signed", "key_project": project.pk, "signed_amount": "280000000.00"}
    # The next signing of the year takes the next code.
    second = _negotiating(gap, "第二签约电子有限公司")
    services.lead_transition(
        actor=gap.invest, lead=second, to="signed", data={"signed_on": TODAY, "signed_amount": "1"}
    )
    assert Lead.objects.get(pk=second.pk).key_project.code == "ZS2022-002"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {},
            [("signed_on", "This field is required."), ("signed_amount", "This field is required.")],
        ),
        (
            {"signed_on": "2022-05-09", "signed_amount": "0"},
            [
                ("signed_on", "The agreement cannot be signed in the future."),
                ("signed_amount", "Enter an amount above 0."),
            ],
        ),
        (
            {"signed_on": "2022-02-30", "signed_amount": "-5"},
            [
                ("signed_on", "Enter a valid date (YYYY-MM-DD)."),
                ("signed_amount", "Enter a number of at least 0."),
            ],
        ),
        (
            {"signed_on": TODAY, "signed_amount": "很多"},
            [("signed_amount", "Enter a number.")],
        ),
        (
            {"signed_on": TODAY, "signed_amount": "1", "key_project_id": 999_999},
            [("key_project_id", "No key project with this id in the zone.")],
        ),
    ],
    ids=["missing", "future-and-zero", "bad-date-and-negative", "not-a-number", "unknown-project"],
)
def test_signing_refuses_bad_data_and_writes_nothing(
    gap: PrinterGap, data: dict[str, Any], errors: list[tuple[str, str]]
) -> None:
    lead = _negotiating(gap)
    before = _snapshot(lead)
    with pytest.raises(InvalidInput) as raised:
        services.lead_transition(actor=gap.invest, lead=lead, to="signed", data=data)
    assert [(e.field, e.message) for e in raised.value.errors] == errors
    assert _snapshot(lead) == before


def test_signing_may_name_a_key_project_already_on_the_list(gap: PrinterGap) -> None:
    free = KeyProject.objects.filter(zone=gap.zone, lead__isnull=True).order_by("pk").first()
    followed = KeyProject.objects.filter(zone=gap.zone, lead__isnull=False).order_by("pk").first()
    assert free is not None
    assert followed is not None
    lead = _negotiating(gap)
    before = _snapshot(lead)
    with pytest.raises(InvalidInput) as raised:
        services.lead_transition(
            actor=gap.invest,
            lead=lead,
            to="signed",
            data={"signed_on": TODAY, "signed_amount": "1", "key_project_id": followed.pk},
        )
    assert [(e.field, e.message) for e in raised.value.errors] == [
        ("key_project_id", "Another lead is followed as this key project.")
    ]
    assert _snapshot(lead) == before
    projects = KeyProject.objects.count()
    services.lead_transition(
        actor=gap.invest,
        lead=lead,
        to="signed",
        data={"signed_on": TODAY, "signed_amount": "1", "key_project_id": free.pk},
    )
    assert KeyProject.objects.count() == projects
    assert Lead.objects.get(pk=lead.pk).key_project_id == free.pk
    assert not AuditEvent.objects.filter(action="project.create", object_id=str(free.pk)).exists()


def test_a_lead_lost_after_signing_and_signed_again_keeps_its_project(gap: PrinterGap) -> None:
    lead = _negotiating(gap)
    walk(gap.invest, lead, "signed")
    project_id = Lead.objects.get(pk=lead.pk).key_project_id
    services.lead_transition(actor=gap.invest, lead=lead, to="lost", reason="企业转投他处")
    services.lead_transition(actor=gap.invest, lead=lead, to="negotiating", reason="企业回头")
    projects = KeyProject.objects.count()
    walk(gap.invest, lead, "signed")
    assert Lead.objects.get(pk=lead.pk).key_project_id == project_id
    assert KeyProject.objects.count() == projects


def test_negotiating_notes_never_reach_the_key_project(gap: PrinterGap) -> None:
    secret = "底价：每亩12万元，还可再让一步。"
    lead = _negotiating(gap, "保密测试精密有限公司")
    services.lead_update(actor=gap.invest, lead=lead, values={"notes": secret})
    walk(gap.invest, Lead.objects.get(pk=lead.pk), "signed")
    project = KeyProject.objects.get(pk=Lead.objects.get(pk=lead.pk).key_project_id)
    assert project.construction_content == f"Fills the chain nodes: {gap.print_head.name}."
    created = AuditEvent.objects.filter(action="project.create", object_id=str(project.pk)).get()
    assert created.after["construction_content"] == project.construction_content
    for text in KeyProject.objects.filter(zone=gap.zone).values_list("construction_content", flat=True):
        assert "底价" not in text
    # A lead on no node gives the project no construction content at all.
    bare = typed_lead(gap.invest, gap.zone, "无环节签约有限公司", notes=secret)
    walk(gap.invest, bare, "signed")
    assert KeyProject.objects.get(lead=bare).construction_content == ""


def _project_of(lead: Lead) -> KeyProject:
    return KeyProject.objects.get(lead__pk=lead.pk)


def _statuses(project: KeyProject) -> list[tuple[dict[str, Any], str]]:
    return [
        (after, note)
        for after, note in AuditEvent.objects.filter(action="project.update", object_id=str(project.pk))
        .order_by("at", "pk")
        .values_list("after", "note")
        if "status" in after
    ]


def test_losing_a_signed_lead_suspends_its_project_and_reopening_restores_it(gap: PrinterGap) -> None:
    lead = _signed(gap)
    project = _project_of(lead)
    assert project.status == "preparing"
    services.lead_transition(actor=gap.invest, lead=lead, to="lost", reason="企业转投他处")
    project = _project_of(lead)
    assert (project.status, project.warning_level, project.warning_checked_on) == (
        "suspended",
        "green",
        TODAY,
    )
    assert _statuses(project) == [({"status": "suspended"}, "企业转投他处")]
    # The monthly round no longer chases it, whatever month is late.
    with clock.pinned(dt.date(2022, 9, 30)):
        assert all(
            p.pk != project.pk for p, _month in reports_missing(zone_id=gap.zone.pk, today=clock.today())
        )
    services.lead_transition(actor=gap.invest, lead=lead, to="negotiating", reason="企业回头")
    project = _project_of(lead)
    assert project.status == "preparing"
    assert _statuses(project)[-1] == ({"status": "preparing"}, "企业回头")
    with clock.pinned(dt.date(2022, 9, 30)):
        assert any(
            p.pk == project.pk for p, _month in reports_missing(zone_id=gap.zone.pk, today=clock.today())
        )


def test_a_project_whose_construction_started_is_restored_to_under_construction(gap: PrinterGap) -> None:
    lead = walk(gap.invest, _signed(gap), "registered", "construction", enterprise=gap.weigao)
    services.lead_transition(actor=gap.invest, lead=lead, to="lost", reason="资金链断裂")
    assert _project_of(lead).status == "suspended"
    services.lead_transition(actor=gap.invest, lead=lead, to="site_visit", reason="新投资方接手")
    assert _project_of(lead).status == "under_construction"
    assert [after for after, _note in _statuses(_project_of(lead))] == [
        {"status": "under_construction"},
        {"status": "suspended"},
        {"status": "under_construction"},
    ]


def test_holding_and_resuming_a_reopened_lead_moves_its_project(gap: PrinterGap) -> None:
    lead = _signed(gap)
    project_id = _project_of(lead).pk
    services.lead_transition(actor=gap.invest, lead=lead, to="lost", reason="企业转投他处")
    services.lead_transition(actor=gap.invest, lead=lead, to="negotiating", reason="企业回头")
    services.lead_transition(actor=gap.invest, lead=lead, to="on_hold", reason="等待董事会")
    assert _project_of(lead).status == "suspended"
    # From hold straight to signing again: the same project, preparing once more.
    services.lead_transition(
        actor=gap.invest, lead=lead, to="signed", data={"signed_on": TODAY, "signed_amount": "1"}
    )
    assert (_project_of(lead).pk, _project_of(lead).status) == (project_id, "preparing")
    assert [after["status"] for after, _note in _statuses(_project_of(lead))] == [
        "suspended",
        "preparing",
        "suspended",
        "preparing",
    ]


def test_a_status_the_project_office_set_is_left_alone(gap: PrinterGap) -> None:
    lead = walk(gap.invest, _signed(gap), "registered", "construction", enterprise=gap.weigao)
    project = _project_of(lead)
    project_write(actor=gap.admin, zone=gap.zone, project=project, values={"status": "completed"})
    audits = AuditEvent.objects.filter(action="project.update", object_id=str(project.pk)).count()
    services.lead_transition(actor=gap.invest, lead=lead, to="lost", reason="企业撤资")
    services.lead_transition(actor=gap.invest, lead=lead, to="negotiating", reason="企业回头")
    assert _project_of(lead).status == "completed"
    assert AuditEvent.objects.filter(action="project.update", object_id=str(project.pk)).count() == audits


def test_a_refused_move_leaves_the_project_as_it_was(gap: PrinterGap) -> None:
    lead = _signed(gap)
    project = _project_of(lead)
    before = (_snapshot(lead), project.status, _statuses(project))
    with pytest.raises(InvalidInput):
        services.lead_transition(actor=gap.invest, lead=lead, to="lost", reason="")
    assert (_snapshot(lead), _project_of(lead).status, _statuses(project)) == before
    # A lead never signed has no project to move.
    open_lead = typed_lead(gap.invest, gap.zone, "未签约流失有限公司")
    projects = (KeyProject.objects.count(), AuditEvent.objects.filter(action="project.update").count())
    services.lead_transition(actor=gap.invest, lead=open_lead, to="lost", reason="企业放弃")
    services.lead_transition(actor=gap.invest, lead=open_lead, to="lead", reason="企业回头")
    assert (
        KeyProject.objects.count(),
        AuditEvent.objects.filter(action="project.update").count(),
    ) == projects


def test_signing_takes_a_free_code_when_the_numbers_have_a_gap(gap: PrinterGap) -> None:
    assert gap.invest.department is not None
    project_write(
        actor=gap.admin,
        zone=gap.zone,
        values={
            "code": "ZS2022-002",
            "name": "手工录入的招商项目",
            "year": 2022,
            "level": "zone",
            "project_type": "new_start",
            "total_investment": "100000000",
            "planned_investment": "10000000",
            "planned_start": "2022-06-01",
            "planned_completion": "2023-06-30",
            "department": gap.invest.department.pk,
        },
    )
    lead = _negotiating(gap)
    services.lead_transition(
        actor=gap.invest, lead=lead, to="signed", data={"signed_on": TODAY, "signed_amount": "1"}
    )
    code = Lead.objects.get(pk=lead.pk).key_project.code  # type: ignore[union-attr]
    assert code.startswith("ZS2022-")
    assert code != "ZS2022-002"


def test_signing_a_company_with_a_long_name(gap: PrinterGap) -> None:
    lead = _negotiating(gap, "长" * 196)
    services.lead_transition(
        actor=gap.invest, lead=lead, to="signed", data={"signed_on": TODAY, "signed_amount": "1"}
    )
    assert Lead.objects.get(pk=lead.pk).stage == "signed"


# --- registering --------------------------------------------------------------------------------------


def _signed(gap: PrinterGap) -> Lead:
    return walk(gap.invest, _negotiating(gap), "signed")


def test_registering_a_new_enterprise_puts_it_on_the_nodes_and_owns_the_project(gap: PrinterGap) -> None:
    lead = _signed(gap)
    code = new_uscc(1)
    services.lead_transition(
        actor=gap.invest,
        lead=lead,
        to="registered",
        data={"enterprise": {"name": "威海签约测试精密有限公司", "uscc": code.lower()}},
    )
    lead = Lead.objects.get(pk=lead.pk)
    enterprise = Enterprise.objects.get(zone=gap.zone, uscc=code)
    assert (lead.stage, lead.enterprise_id, lead.furthest) == ("registered", enterprise.pk, 5)
    assert (enterprise.name, enterprise.industry_id, enterprise.established_on) == (
        "威海签约测试精密有限公司",
        gap.print_head.industries.filter(level="class")[:1].get().pk,
        TODAY,
    )
    membership = NodeMembership.objects.get(node=gap.print_head, enterprise=enterprise)
    assert membership.status == MembershipStatus.CONFIRMED
    assert NodeMembership.objects.filter(enterprise=enterprise).count() == 1
    assert KeyProject.objects.get(pk=lead.key_project_id).owner_id == enterprise.pk
    assert AuditEvent.objects.filter(action="enterprise.create", object_id=str(enterprise.pk)).count() == 1
    owner = AuditEvent.objects.filter(action="project.update", object_id=str(lead.key_project_id)).get()
    assert owner.after == {"owner_id": enterprise.pk}
    moved = AuditEvent.objects.filter(action="lead.transition", object_id=str(lead.pk)).latest("at", "pk")
    assert moved.after == {"stage": "registered", "enterprise": enterprise.pk}


def test_registering_an_enterprise_already_in_the_registry(gap: PrinterGap) -> None:
    lead = _signed(gap)
    enterprises = Enterprise.objects.count()
    services.lead_transition(
        actor=gap.invest, lead=lead, to="registered", data={"enterprise_id": gap.weigao.pk}
    )
    lead = Lead.objects.get(pk=lead.pk)
    assert lead.enterprise_id == gap.weigao.pk
    assert Enterprise.objects.count() == enterprises
    assert (
        NodeMembership.objects.get(node=gap.print_head, enterprise=gap.weigao).status
        == MembershipStatus.CONFIRMED
    )
    assert KeyProject.objects.get(pk=lead.key_project_id).owner_id == gap.weigao.pk


def _wrong_check(code: str) -> str:
    return code[:17] + ("0" if code[17] != "0" else "1")


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"enterprise_id": 999_999}, [("enterprise_id", "No enterprise with this id in the zone.")]),
        (
            {},
            [("enterprise_id", "Name the registered enterprise, or give the new one's name and USCC.")],
        ),
        (
            {"enterprise": {"name": "威海新企业", "uscc": "91371000MA3C"}},
            [("enterprise.uscc", "A unified social credit code has 18 characters; this one has 12.")],
        ),
        (
            {"enterprise": {"name": "威海新企业", "uscc": "wrong-check"}},
            [("enterprise.uscc", "The check character (18th) is wrong: {given} given, {expected} expected.")],
        ),
        (
            {"enterprise": {"name": "威海新企业", "uscc": "hp"}},
            [("enterprise.uscc", "Another enterprise of this zone has this code.")],
        ),
        (
            {"enterprise": {"name": "威海新企业", "uscc": "new", "industry": "9999"}},
            [("enterprise.industry", "No such GB/T 4754-2017 class.")],
        ),
        (
            {"enterprise": {"name": "长" * 201, "uscc": "new"}},
            [("enterprise.name", "Enter at most 200 characters.")],
        ),
    ],
    ids=["unknown-id", "nothing", "short-uscc", "bad-check", "taken-uscc", "bad-industry", "long-name"],
)
def test_registering_refuses_bad_enterprises_and_writes_nothing(
    gap: PrinterGap, data: dict[str, Any], errors: list[tuple[str, str]]
) -> None:
    data = copy.deepcopy(data)
    lead = _signed(gap)
    fresh = new_uscc(2)
    if "enterprise" in data:
        given = data["enterprise"]["uscc"]
        data["enterprise"]["uscc"] = {
            "wrong-check": _wrong_check(fresh),
            "hp": gap.hp.uscc,
            "new": fresh,
        }.get(given, given)
        if given == "wrong-check":
            errors = [(f, m.format(given=_wrong_check(fresh)[17], expected=fresh[17])) for f, m in errors]
    before = (
        _snapshot(lead),
        NodeMembership.objects.count(),
        KeyProject.objects.get(pk=lead.key_project_id).owner_id,
    )
    with pytest.raises(InvalidInput) as raised:
        services.lead_transition(actor=gap.invest, lead=lead, to="registered", data=data)
    assert [(e.field, e.message) for e in raised.value.errors] == errors
    after = (
        _snapshot(lead),
        NodeMembership.objects.count(),
        KeyProject.objects.get(pk=lead.key_project_id).owner_id,
    )
    assert after == before


def test_a_new_enterprise_without_uscc_names_the_uscc(gap: PrinterGap) -> None:
    lead = _signed(gap)
    with pytest.raises(InvalidInput) as raised:
        services.lead_transition(
            actor=gap.invest,
            lead=lead,
            to="registered",
            data={"enterprise": {"name": "威海新企业", "uscc": ""}},
        )
    assert [e.field for e in raised.value.errors] == ["enterprise.uscc"]


# --- construction and operation -----------------------------------------------------------------------


def test_construction_and_operation_set_the_key_project_status(gap: PrinterGap) -> None:
    lead = walk(gap.invest, _signed(gap), "registered", enterprise=gap.weigao)
    project_id = Lead.objects.get(pk=lead.pk).key_project_id
    before = _snapshot(lead)
    with pytest.raises(InvalidInput) as raised:
        services.lead_transition(actor=gap.invest, lead=lead, to="construction", data={"date": "2022-05-09"})
    assert [(e.field, e.message) for e in raised.value.errors] == [
        ("date", "Enter a date no later than today.")
    ]
    assert _snapshot(lead) == before
    assert KeyProject.objects.get(pk=project_id).status == "preparing"
    services.lead_transition(actor=gap.invest, lead=lead, to="construction", data={"date": "2022-05-02"})
    stored = Lead.objects.get(pk=lead.pk)
    assert (stored.stage, stored.construction_on, stored.furthest) == ("construction", dt.date(2022, 5, 2), 6)
    assert KeyProject.objects.get(pk=project_id).status == "under_construction"
    services.lead_transition(actor=gap.invest, lead=lead, to="operating")
    stored = Lead.objects.get(pk=lead.pk)
    assert (stored.stage, stored.operating_on, stored.furthest) == ("operating", TODAY, 7)
    assert KeyProject.objects.get(pk=project_id).status == "in_production"
    statuses = list(
        AuditEvent.objects.filter(action="project.update", object_id=str(project_id))
        .order_by("at", "pk")
        .values_list("after", flat=True)
    )
    assert statuses[-2:] == [{"status": "under_construction"}, {"status": "in_production"}]
    # In operation is the end: not even lost.
    with pytest.raises(TransitionNotAllowed):
        services.lead_transition(actor=gap.invest, lead=stored, to="lost", reason="x")


def test_construction_and_operation_recompute_the_key_projects_warnings(gap: PrinterGap) -> None:
    lead = walk(gap.invest, _signed(gap), "registered", enterprise=gap.weigao)
    project_id = Lead.objects.get(pk=lead.pk).key_project_id
    # Started in the autumn, no report yet: behind on its reports the day construction is recorded.
    with clock.pinned(dt.date(2022, 10, 31)):
        walk(gap.invest, lead, "construction")
    project = KeyProject.objects.get(pk=project_id)
    assert (project.status, project.warning_checked_on, project.warning_rules) == (
        "under_construction",
        dt.date(2022, 10, 31),
        ",investment_behind,report_missing,",
    )
    # In operation nothing more is chased: green the same day.
    with clock.pinned(dt.date(2022, 11, 2)):
        walk(gap.invest, lead, "operating")
    project = KeyProject.objects.get(pk=project_id)
    assert (project.status, project.warning_level, project.warning_reasons, project.warning_checked_on) == (
        "in_production",
        "green",
        [],
        dt.date(2022, 11, 2),
    )
    assert list(project.warning_history.order_by("on").values_list("on", "level")) == [
        (TODAY, "green"),
        (dt.date(2022, 10, 31), "red"),
        (dt.date(2022, 11, 2), "green"),
    ]


# --- creating, duplicates -----------------------------------------------------------------------------


def test_lead_create_records_the_lead_and_its_audit(gap: PrinterGap) -> None:
    with clock.pinned(dt.date(2022, 4, 2)):
        lead = typed_lead(
            gap.invest,
            gap.zone,
            "  新建测试有限公司 ",
            source="chain_master",
            referred_by_id=gap.hp.pk,
            node_ids=[gap.print_head.pk],
            team="招商一组",
            intended_investment="1,000,000.555",
            next_action_on="2022-04-20",
        )
    lead = Lead.objects.get(pk=lead.pk)
    assert (
        lead.company_name,
        lead.source,
        lead.referred_by_id,
        lead.chain_id,
        lead.officer_id,
        lead.team,
        lead.intended_investment,
        lead.next_action_on,
        lead.opened_on,
        lead.stage_entered_on,
        lead.stage,
        lead.furthest,
        lead.duplicate_of_id,
    ) == (
        "新建测试有限公司",
        "chain_master",
        gap.hp.pk,
        gap.chain.pk,
        gap.invest.pk,
        "招商一组",
        Decimal("1000000.56"),
        dt.date(2022, 4, 20),
        dt.date(2022, 4, 2),
        dt.date(2022, 4, 2),
        "lead",
        0,
        None,
    )
    assert list(lead.nodes.values_list("pk", flat=True)) == [gap.print_head.pk]
    audit = AuditEvent.objects.filter(action="lead.create", object_id=str(lead.pk)).get()
    assert audit.after["nodes"] == [gap.print_head.pk]
    assert audit.after["company_name"] == "新建测试有限公司"


def test_lead_create_names_every_bad_field_and_writes_nothing(gap: PrinterGap, zone: Zone) -> None:
    other_chain_node = (
        ChainNode.objects.filter(chain__zone=zone).exclude(chain=gap.chain).order_by("pk").first()
    )
    assert other_chain_node is not None
    counts = (Lead.objects.count(), AuditEvent.objects.count())
    with pytest.raises(InvalidInput) as raised:
        services.lead_create(
            actor=gap.invest,
            zone=zone,
            values={
                "company_name": "x" * 201,
                "source": "chain_master",
                "intended_investment": "-1",
                "intended_output": "many",
                "next_action_on": "2022-02-30",
                "node_ids": [gap.print_head.pk, 999_999],
                "officer_id": gap.leader.pk,
                "colour": "red",
            },
        )
    assert [(e.field, e.message) for e in raised.value.errors] == [
        ("colour", "Unknown field."),
        ("company_name", "Enter at most 200 characters."),
        ("intended_investment", "Enter a number of at least 0."),
        ("intended_output", "Enter a number."),
        ("next_action_on", "Enter a valid date (YYYY-MM-DD)."),
        ("officer_id", "The officer must work in investment promotion."),
        ("node_ids", "No chain node with id 999999 in the zone."),
        ("referred_by_id", "Name the chain master who referred the company."),
    ]
    with pytest.raises(InvalidInput) as two_chains:
        services.lead_create(
            actor=gap.invest,
            zone=zone,
            values={
                "company_name": "跨链",
                "source": "research",
                "node_ids": [gap.print_head.pk, other_chain_node.pk],
            },
        )
    assert [(e.field, e.message) for e in two_chains.value.errors] == [
        ("node_ids", "A lead fills nodes of one chain.")
    ]
    with pytest.raises(InvalidInput) as nameless:
        services.lead_create(actor=gap.invest, zone=zone, values={"source": "research"})
    assert [(e.field, e.message) for e in nameless.value.errors] == [
        ("company_name", "This field is required.")
    ]
    assert (Lead.objects.count(), AuditEvent.objects.count()) == counts


def test_a_lead_may_be_created_for_another_officer(gap: PrinterGap) -> None:
    lead = typed_lead(gap.admin, gap.zone, "代他人建线索有限公司", officer_id=gap.invest.pk)
    assert Lead.objects.get(pk=lead.pk).officer_id == gap.invest.pk


def test_an_unchanged_officer_and_leader_stand_though_deactivated(gap: PrinterGap) -> None:
    lead = typed_lead(gap.admin, gap.zone, "停用负责人有限公司", leader_id=gap.leader.pk)
    User.objects.filter(pk__in=[gap.admin.pk, gap.leader.pk]).update(is_active=False)
    services.lead_update(
        actor=gap.invest,
        lead=lead,
        values={"officer_id": str(gap.admin.pk), "leader_id": gap.leader.pk, "next_action": "回访"},
    )
    stored = Lead.objects.get(pk=lead.pk)
    assert (stored.officer_id, stored.leader_id, stored.next_action) == (gap.admin.pk, gap.leader.pk, "回访")


def test_a_change_to_a_deactivated_officer_or_leader_is_refused(gap: PrinterGap) -> None:
    lead = typed_lead(gap.invest, gap.zone, "改派停用人员有限公司")
    User.objects.filter(pk__in=[gap.admin.pk, gap.leader.pk]).update(is_active=False)
    before = _snapshot(lead)
    with pytest.raises(InvalidInput) as raised:
        services.lead_update(
            actor=gap.invest, lead=lead, values={"officer_id": gap.admin.pk, "leader_id": gap.leader.pk}
        )
    assert [(e.field, e.message) for e in raised.value.errors] == [
        ("officer_id", "No user with this id in the zone."),
        ("leader_id", "No user with this id in the zone."),
    ]
    assert _snapshot(lead) == before


def test_an_amount_too_large_for_the_field_is_named(gap: PrinterGap) -> None:
    def create_and_read() -> Lead:
        lead = typed_lead(gap.invest, gap.zone, "巨额投资有限公司", intended_investment="1e20")
        return Lead.objects.get(pk=lead.pk)

    with pytest.raises(InvalidInput) as raised:
        create_and_read()
    assert [e.field for e in raised.value.errors] == ["intended_investment"]


def test_lead_update_changes_the_data_with_a_timeline_line(gap: PrinterGap) -> None:
    lead = typed_lead(gap.invest, gap.zone, "更新测试有限公司")
    services.lead_update(
        actor=gap.invest,
        lead=lead,
        values={"next_action": "寄送资料", "next_action_on": "2022-05-20", "node_ids": [gap.print_head.pk]},
    )
    stored = Lead.objects.get(pk=lead.pk)
    assert (stored.next_action, stored.next_action_on, stored.chain_id, stored.stage) == (
        "寄送资料",
        dt.date(2022, 5, 20),
        gap.chain.pk,
        "lead",
    )
    event = LeadEvent.objects.filter(lead=lead, action="update").get()
    assert event.note == "chain_id, next_action, next_action_on"
    audit = AuditEvent.objects.filter(action="lead.update", object_id=str(lead.pk)).get()
    assert audit.after["nodes"] == [gap.print_head.pk]
    # Saving the same values again writes nothing.
    events = LeadEvent.objects.count()
    services.lead_update(actor=gap.invest, lead=stored, values={"next_action": "寄送资料"})
    assert LeadEvent.objects.count() == events
    with pytest.raises(PermissionDenied):
        services.lead_update(actor=gap.leader, lead=stored, values={"next_action": "x"})


def test_a_company_name_cannot_be_emptied(gap: PrinterGap) -> None:
    lead = typed_lead(gap.invest, gap.zone, "清空名称有限公司")
    before = _snapshot(lead)
    with pytest.raises(InvalidInput) as raised:
        services.lead_update(actor=gap.invest, lead=lead, values={"company_name": "  "})
    assert [(e.field, e.message) for e in raised.value.errors] == [
        ("company_name", "This field is required.")
    ]
    assert (_snapshot(lead), Lead.objects.get(pk=lead.pk).company_name) == (before, "清空名称有限公司")


def test_updating_a_referred_lead_keeps_its_referrer(gap: PrinterGap) -> None:
    lead = typed_lead(
        gap.invest, gap.zone, "链主推荐有限公司", source="chain_master", referred_by_id=gap.hp.pk
    )
    services.lead_update(actor=gap.invest, lead=lead, values={"source": "chain_master", "team": "招商二组"})
    assert Lead.objects.get(pk=lead.pk).team == "招商二组"


def test_the_same_officer_cannot_open_a_company_twice(gap: PrinterGap) -> None:
    first = services.lead_start(actor=gap.invest, candidate=gap.candidate, node=gap.print_head)
    counts = (Lead.objects.count(), AuditEvent.objects.count(), Notification.objects.count())
    with pytest.raises(InvalidInput) as raised:
        services.lead_start(actor=gap.invest, candidate=gap.candidate, node=gap.print_head)
    assert [(e.field, e.message) for e in raised.value.errors] == [
        ("candidate", f"A lead for this company is open already (lead {first.pk}, {gap.invest}).")
    ]
    assert (Lead.objects.count(), AuditEvent.objects.count(), Notification.objects.count()) == counts
    typed_lead(gap.invest, gap.zone, "重复测试有限公司")
    counts = (Lead.objects.count(), AuditEvent.objects.count(), Notification.objects.count())
    with pytest.raises(InvalidInput) as typed:
        typed_lead(gap.invest, gap.zone, "重复测试有限公司")
    assert [e.field for e in typed.value.errors] == ["company_name"]
    assert (Lead.objects.count(), AuditEvent.objects.count(), Notification.objects.count()) == counts


def test_a_second_officer_is_flagged_and_both_are_told_once(gap: PrinterGap) -> None:
    first = services.lead_start(actor=gap.invest, candidate=gap.candidate, node=gap.print_head)
    assert first.duplicate_of_id is None
    assert first.source in ("research", "chain_master")
    assert first.next_action == "First contact"
    second = services.lead_start(actor=gap.admin, candidate=gap.candidate, node=gap.print_head)
    assert Lead.objects.get(pk=second.pk).duplicate_of_id == first.pk
    assert Lead.objects.get(pk=first.pk).duplicate_of_id is None
    assert list(Lead.objects.get(pk=first.pk).duplicates.values_list("pk", flat=True)) == [second.pk]
    told = Notification.objects.filter(event_key=f"lead:{second.pk}:duplicate:{first.pk}")
    assert sorted(told.values_list("recipient__username", flat=True)) == ["admin", "invest"]
    assert set(told.values_list("title", flat=True)) == {
        f"{gap.candidate.name} is worked by two teams (leads {first.pk} and {second.pk})"
    }
    assert set(told.values_list("link", flat=True)) == {f"/pipeline/leads/{second.pk}/"}
    # Telling again is a no-op: one notification per officer and event.
    services._flag_duplicate(lead=Lead.objects.get(pk=second.pk), actor=gap.admin)
    assert told.count() == 2


def test_a_lost_lead_is_no_duplicate(gap: PrinterGap) -> None:
    first = services.lead_start(actor=gap.invest, candidate=gap.candidate, node=gap.print_head)
    services.lead_transition(actor=gap.invest, lead=first, to="lost", reason="企业放弃")
    again = services.lead_start(actor=gap.invest, candidate=gap.candidate, node=gap.print_head)
    assert again.duplicate_of_id is None
    assert not Notification.objects.filter(event_key__contains=f"lead:{again.pk}:duplicate").exists()


def _told(lead: Lead, other: Lead) -> list[str]:
    return sorted(
        Notification.objects.filter(event_key=f"lead:{lead.pk}:duplicate:{other.pk}").values_list(
            "recipient__username", flat=True
        )
    )


def test_renaming_a_lead_to_a_company_another_team_works_flags_it(gap: PrinterGap) -> None:
    first = typed_lead(gap.invest, gap.zone, "更名甲有限公司", team="招商一组")
    second = typed_lead(gap.admin, gap.zone, "更名乙有限公司", team="招商二组")
    assert Lead.objects.get(pk=second.pk).duplicate_of_id is None
    services.lead_update(actor=gap.admin, lead=second, values={"company_name": "更名甲有限公司"})
    assert Lead.objects.get(pk=second.pk).duplicate_of_id == first.pk
    assert _told(second, first) == ["admin", "invest"]
    # Renamed away again, the flag goes; the first lead renamed to match flags it the other way.
    services.lead_update(
        actor=gap.admin, lead=Lead.objects.get(pk=second.pk), values={"company_name": "更名丙"}
    )
    assert Lead.objects.get(pk=second.pk).duplicate_of_id is None
    services.lead_update(actor=gap.invest, lead=first, values={"company_name": "更名丙"})
    assert (
        Lead.objects.get(pk=first.pk).duplicate_of_id,
        Lead.objects.get(pk=second.pk).duplicate_of_id,
    ) == (
        second.pk,
        None,
    )
    # The flagged-against lead renamed away clears the other's flag too.
    services.lead_update(
        actor=gap.admin, lead=Lead.objects.get(pk=second.pk), values={"company_name": "更名丁"}
    )
    assert Lead.objects.get(pk=first.pk).duplicate_of_id is None


def test_a_candidate_given_on_update_is_checked(gap: PrinterGap) -> None:
    first = services.lead_start(actor=gap.invest, candidate=gap.candidate, node=gap.print_head)
    second = typed_lead(gap.admin, gap.zone, "候选更新有限公司", team="招商二组")
    services.lead_update(actor=gap.admin, lead=second, values={"candidate_id": gap.candidate.pk})
    assert Lead.objects.get(pk=second.pk).duplicate_of_id == first.pk


def test_renaming_to_a_company_the_same_officer_works_is_refused(gap: PrinterGap) -> None:
    first = typed_lead(gap.invest, gap.zone, "同名甲有限公司")
    second = typed_lead(gap.invest, gap.zone, "同名乙有限公司")
    before = (_snapshot(second), Lead.objects.get(pk=second.pk).company_name, Notification.objects.count())
    with pytest.raises(InvalidInput) as raised:
        services.lead_update(actor=gap.invest, lead=second, values={"company_name": "同名甲有限公司"})
    assert [(e.field, e.message) for e in raised.value.errors] == [
        ("company_name", f"A lead for this company is open already (lead {first.pk}, {gap.invest}).")
    ]
    assert (
        _snapshot(second),
        Lead.objects.get(pk=second.pk).company_name,
        Notification.objects.count(),
    ) == before


def test_one_team_is_refused_two_teams_are_flagged(gap: PrinterGap) -> None:
    first = typed_lead(gap.invest, gap.zone, "团队测试有限公司", team="招商一组")
    counts = (Lead.objects.count(), AuditEvent.objects.count(), Notification.objects.count())
    with pytest.raises(InvalidInput) as same_team:
        typed_lead(gap.admin, gap.zone, "团队测试有限公司", team="招商一组")
    assert [(e.field, e.message) for e in same_team.value.errors] == [
        ("company_name", f"A lead for this company is open already (lead {first.pk}, {gap.invest}).")
    ]
    assert (Lead.objects.count(), AuditEvent.objects.count(), Notification.objects.count()) == counts
    other_team = typed_lead(gap.admin, gap.zone, "团队测试有限公司", team="驻深圳招商组")
    assert Lead.objects.get(pk=other_team.pk).duplicate_of_id == first.pk
    # Where both name a team, the teams decide: one officer may work a company for two teams.
    second_team = typed_lead(gap.invest, gap.zone, "团队测试有限公司", team="驻上海招商组")
    assert Lead.objects.get(pk=second_team.pk).duplicate_of_id == first.pk
    assert _told(second_team, first) == ["invest"]
    # Without a team on one side, the officers decide: another officer is another team.
    no_team = typed_lead(gap.admin, gap.zone, "无组测试有限公司")
    flagged = typed_lead(gap.invest, gap.zone, "无组测试有限公司", team="招商一组")
    assert Lead.objects.get(pk=flagged.pk).duplicate_of_id == no_team.pk


def test_reopening_a_lost_lead_checks_the_company_again(gap: PrinterGap) -> None:
    lost = typed_lead(gap.invest, gap.zone, "重开测试有限公司", team="招商一组")
    services.lead_transition(actor=gap.invest, lead=lost, to="lost", reason="企业放弃")
    mine = typed_lead(gap.invest, gap.zone, "重开测试有限公司", team="招商一组")
    assert Lead.objects.get(pk=mine.pk).duplicate_of_id is None  # the lost lead is no duplicate
    before = _snapshot(lost)
    with pytest.raises(InvalidInput) as raised:
        services.lead_transition(
            actor=gap.invest, lead=Lead.objects.get(pk=lost.pk), to="lead", reason="回头"
        )
    assert [(e.field, e.message) for e in raised.value.errors] == [
        ("company_name", f"A lead for this company is open already (lead {mine.pk}, {gap.invest}).")
    ]
    assert _snapshot(lost) == before
    # Another team took it up meanwhile: reopening goes on, flagged against that lead.
    Lead.objects.filter(pk=mine.pk).update(officer=gap.admin, team="招商二组")
    services.lead_transition(actor=gap.invest, lead=Lead.objects.get(pk=lost.pk), to="lead", reason="回头")
    reopened = Lead.objects.get(pk=lost.pk)
    assert (reopened.stage, reopened.duplicate_of_id) == ("lead", mine.pk)
    assert _told(reopened, Lead.objects.get(pk=mine.pk)) == ["admin", "invest"]


def test_starting_a_lead_needs_chain_edit(gap: PrinterGap) -> None:
    with pytest.raises(PermissionDenied):
        services.lead_start(actor=gap.leader, candidate=gap.candidate, node=gap.print_head)
    assert not Lead.objects.filter(candidate=gap.candidate).exists()


# --- contacts and documents ---------------------------------------------------------------------------


def test_contacts_and_documents_are_validated_and_on_the_timeline(
    gap: PrinterGap, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    lead = typed_lead(gap.invest, gap.zone, "联系人测试有限公司")
    with pytest.raises(InvalidInput) as bad_contact:
        services.contact_add(actor=gap.invest, lead=lead, name=" ", phone="1" * 41, email="nobody")
    assert [(e.field, e.message) for e in bad_contact.value.errors] == [
        ("name", "This field is required."),
        ("phone", "Enter at most 40 characters."),
        ("email", "Enter a valid e-mail address."),
    ]
    contact = services.contact_add(
        actor=gap.invest, lead=lead, name=" 王经理 ", title="投资总监", email="w@x.cn"
    )
    assert (contact.name, contact.title, contact.email) == ("王经理", "投资总监", "w@x.cn")
    with pytest.raises(InvalidInput) as bad_file:
        services.document_add(actor=gap.invest, lead=lead, name="run.exe", content=b"MZ\x90\x00")
    assert [(e.field, e.message) for e in bad_file.value.errors] == [
        ("file", "Attach a PDF, an image (JPEG, PNG, WebP) or an Office document.")
    ]
    document = services.document_add(
        actor=gap.invest, lead=lead, name="C:\\docs\\意向书.pdf", content=b"%PDF-1.7 test"
    )
    assert (document.name, document.content_type, document.size) == ("意向书.pdf", "application/pdf", 13)
    assert document.file.name.endswith(".pdf")
    assert list(
        LeadEvent.objects.filter(lead=lead).exclude(action="create").values_list("action", "note")
    ) == [("contact", "王经理"), ("document", "意向书.pdf")]
    with pytest.raises(PermissionDenied):
        services.contact_add(actor=gap.leader, lead=lead, name="李")


# --- reminders ----------------------------------------------------------------------------------------


def _reminders_for(lead: Lead) -> list[str]:
    return list(
        Notification.objects.filter(event_key__startswith=f"lead:{lead.pk}:")
        .order_by("pk")
        .values_list("event_key", flat=True)
    )


def test_reminders_are_sent_once_per_next_action_date_and_stage_stay(gap: PrinterGap) -> None:
    services.lead_reminders(zone=gap.zone)  # the demo's own leads first
    with clock.pinned(dt.date(2022, 2, 1)):
        stale = typed_lead(gap.invest, gap.zone, "久拖未决有限公司")
    overdue = typed_lead(gap.invest, gap.zone, "逾期行动有限公司", next_action_on="2022-05-01")
    lost = typed_lead(gap.invest, gap.zone, "已流失有限公司", next_action_on="2022-05-01")
    services.lead_transition(actor=gap.invest, lead=lost, to="lost", reason="x")
    Lead.objects.filter(pk=lost.pk).update(stage_entered_on=dt.date(2021, 1, 1))
    operating = _lead_in("operating", gap)
    Lead.objects.filter(pk=operating.pk).update(
        stage_entered_on=dt.date(2019, 1, 1), next_action_on=dt.date(2022, 1, 1)
    )
    fresh = typed_lead(gap.invest, gap.zone, "按期推进有限公司", next_action_on="2022-05-08")

    assert services.lead_reminders(zone=gap.zone) == 2
    assert _reminders_for(stale) == [f"lead:{stale.pk}:stage:lead:20220201"]
    assert _reminders_for(overdue) == [f"lead:{overdue.pk}:next:20220501"]
    assert _reminders_for(lost) == _reminders_for(operating) == _reminders_for(fresh) == []
    note = Notification.objects.get(event_key=f"lead:{stale.pk}:stage:lead:20220201")
    assert (note.recipient.username, note.title, note.link) == (
        "invest",
        "Lead 久拖未决有限公司: 96 days in lead (limit 60)",
        f"/pipeline/leads/{stale.pk}/",
    )
    assert list(LeadEvent.objects.filter(lead=overdue, action="reminder").values_list("note", flat=True)) == [
        "next action overdue since 2022-05-01"
    ]
    assert AuditEvent.objects.filter(action="lead.remind", object_id=str(overdue.pk)).count() == 1

    # The next day's run repeats nothing of these (and tells of `fresh`, overdue now); a new
    # next-action date is a new reminder.
    with clock.pinned(dt.date(2022, 5, 9)):
        assert services.lead_reminders(zone=gap.zone) >= 1
    assert _reminders_for(stale) == [f"lead:{stale.pk}:stage:lead:20220201"]
    assert _reminders_for(fresh) == [f"lead:{fresh.pk}:next:20220508"]
    assert services.lead_reminders(zone=gap.zone) == 0
    services.lead_update(actor=gap.invest, lead=overdue, values={"next_action_on": "2022-05-05"})
    assert services.lead_reminders(zone=gap.zone) == 1
    assert _reminders_for(overdue) == [f"lead:{overdue.pk}:next:20220501", f"lead:{overdue.pk}:next:20220505"]
    assert LeadEvent.objects.filter(lead=overdue, action="reminder").count() == 2


def test_a_zone_limit_shortens_the_stay(gap: PrinterGap) -> None:
    services.lead_reminders(zone=gap.zone)
    with clock.pinned(dt.date(2022, 4, 20)):
        lead = typed_lead(gap.invest, gap.zone, "阶段超时有限公司")
    assert services.lead_reminders(zone=gap.zone) == 0
    services.pipeline_settings_set(actor=gap.invest, zone=gap.zone, stage_limits={"lead": 10})
    assert services.lead_reminders(zone=gap.zone) >= 1
    assert _reminders_for(lead) == [f"lead:{lead.pk}:stage:lead:20220420"]


def test_reminders_write_their_audit_inside_a_transaction(gap: PrinterGap, monkeypatch: Any) -> None:
    typed_lead(gap.invest, gap.zone, "逾期行动有限公司", next_action_on="2022-05-01")
    outer = len(connection.atomic_blocks)
    depths: list[int] = []
    original = services.audit_record

    def spy(**kwargs: Any) -> Any:
        depths.append(len(connection.atomic_blocks))
        return original(**kwargs)

    monkeypatch.setattr(services, "audit_record", spy)
    assert services.lead_reminders(zone=gap.zone) > 0
    assert depths
    assert min(depths) > outer


# --- settings -----------------------------------------------------------------------------------------


def test_settings_are_validated_whole_and_nothing_is_written(gap: PrinterGap) -> None:
    row = PipelineSettings.objects.get(zone=gap.zone)
    before = (row.stage_limits, row.year_targets, AuditEvent.objects.count())
    with pytest.raises(InvalidInput) as raised:
        services.pipeline_settings_set(
            actor=gap.invest,
            zone=gap.zone,
            stage_limits={"lead": 0, "contacted": 3651, "signed": True, "site_visit": "30", "won": 5},
            year_targets={"1999": "1", "next": "1"},
        )
    assert [(e.field, e.message) for e in raised.value.errors] == [
        ("stage_limits.lead", "Enter a whole number of days from 1 to 3650."),
        ("stage_limits.contacted", "Enter a whole number of days from 1 to 3650."),
        ("stage_limits.signed", "Enter a whole number of days from 1 to 3650."),
        ("stage_limits.site_visit", "Enter a whole number of days from 1 to 3650."),
        ("stage_limits.won", "Unknown stage."),
        ("year_targets.1999", "Enter a year between 2000 and 2100."),
        ("year_targets.next", "Enter a year between 2000 and 2100."),
    ]
    row = PipelineSettings.objects.get(zone=gap.zone)
    assert (row.stage_limits, row.year_targets, AuditEvent.objects.count()) == before
    with pytest.raises(PermissionDenied):
        services.pipeline_settings_set(actor=gap.leader, zone=gap.zone, stage_limits={"lead": 5})


def test_settings_set_limits_and_targets(gap: PrinterGap) -> None:
    services.pipeline_settings_set(
        actor=gap.invest,
        zone=gap.zone,
        stage_limits={"lead": 30, "on_hold": 90},
        year_targets={"2022": "15000000000", "2023": 2e10},
    )
    limits = services.stage_limits(gap.zone.pk)
    assert limits == {**services.DEFAULT_STAGE_LIMITS, "lead": 30, "on_hold": 90}
    assert PipelineSettings.objects.get(zone=gap.zone).year_targets == {
        "2022": "15000000000.00",
        "2023": "20000000000.00",
    }
    audit = AuditEvent.objects.filter(action="pipeline.settings").latest("at", "pk")
    assert audit.before == {
        "stage_limits": {},
        "year_targets": {"2021": "10000000000.00", "2022": "12000000000.00"},
    }
    assert audit.after == {
        "stage_limits": {"lead": 30, "on_hold": 90},
        "year_targets": {"2022": "15000000000.00", "2023": "20000000000.00"},
    }


def test_a_bad_target_names_its_year(gap: PrinterGap) -> None:
    with pytest.raises(InvalidInput) as raised:
        services.pipeline_settings_set(actor=gap.invest, zone=gap.zone, year_targets={"2022": "-5"})
    assert [e.field for e in raised.value.errors] == ["year_targets.2022"]

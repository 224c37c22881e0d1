"""Reads of the investment pipeline on leads built here in 2023, a year without demo leads: the funnel
(reached, conversion, median days, by month and by group), gap coverage, value against the year's
target, chain-master referrals and the leads needing attention."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from tests.investment.conftest import PrinterGap, typed_lead
from zoneops.accounts.models import User
from zoneops.chains.models import Chain, ChainNode
from zoneops.core import clock
from zoneops.enterprises.models import Enterprise
from zoneops.investment import selectors, services
from zoneops.investment.models import Lead

pytestmark = pytest.mark.django_db

Z = [0, 0, 0, 0, 0, 0, 0, 0]


@dataclass(frozen=True)
class Year2023:
    a: Lead  # exhibition, printer chain, invest, 招商一组: lead → contacted → site visit → negotiating → signed
    b: Lead  # research, another cluster's chain, admin, 招商二组: lead → site visit → lost
    c: Lead  # agency, no chain, invest, 招商一组: still a lead
    d: Lead  # own approach, printer chain, invest, 招商二组: lead → contacted → on hold
    e: Lead  # opened on 2022-12-31: not in 2023's funnel
    other_chain: Chain


def _at(day: dt.date, actor: User, lead: Lead, to: str, reason: str = "", **data: Any) -> None:
    with clock.pinned(day):
        services.lead_transition(actor=actor, lead=lead, to=to, reason=reason, data=data)


def _open(day: dt.date, actor: User, gap: PrinterGap, name: str, **values: Any) -> Lead:
    with clock.pinned(day):
        return typed_lead(actor, gap.zone, name, **values)


@pytest.fixture
def year2023(gap: PrinterGap) -> Year2023:
    other_chain = (
        Chain.objects.filter(zone=gap.zone).exclude(cluster=gap.chain.cluster).order_by("pk").first()
    )
    assert other_chain is not None
    other_node = other_chain.nodes.order_by("pk").first()
    assembly = gap.chain.nodes.get(code="assembly")
    assert other_node is not None
    d = dt.date
    a = _open(
        d(2023, 1, 10),
        gap.invest,
        gap,
        "漏斗甲精密有限公司",
        source="exhibition",
        node_ids=[gap.print_head.pk],
        team="招商一组",
        intended_investment="300000000",
    )
    b = _open(
        d(2023, 1, 15),
        gap.admin,
        gap,
        "漏斗乙医疗有限公司",
        node_ids=[other_node.pk],
        team="招商二组",
        intended_investment="100000000",
    )
    c = _open(d(2023, 2, 1), gap.invest, gap, "漏斗丙贸易有限公司", source="agency", team="招商一组")
    dd = _open(
        d(2023, 2, 5),
        gap.invest,
        gap,
        "漏斗丁装配有限公司",
        source="own_approach",
        node_ids=[assembly.pk],
        team="招商二组",
        intended_investment="50000000",
    )
    e = _open(d(2022, 12, 31), gap.invest, gap, "漏斗戊去年有限公司", team="招商一组")
    _at(d(2023, 1, 5), gap.invest, e, "contacted")
    _at(d(2023, 1, 20), gap.invest, a, "contacted")
    _at(d(2023, 2, 9), gap.invest, a, "site_visit")
    _at(d(2023, 3, 1), gap.invest, a, "negotiating")
    _at(d(2023, 3, 31), gap.invest, a, "signed", signed_on="2023-03-31", signed_amount="250000000")
    _at(d(2023, 2, 14), gap.admin, b, "site_visit")
    _at(d(2023, 3, 16), gap.admin, b, "lost", "企业决定在长三角落地。")
    _at(d(2023, 2, 25), gap.invest, dd, "contacted")
    _at(d(2023, 3, 7), gap.invest, dd, "on_hold", "等待企业董事会决策。")
    return Year2023(a=a, b=b, c=c, d=dd, e=e, other_chain=other_chain)


def _rows(rows: list[selectors.FunnelRow]) -> list[tuple[str, str, list[int]]]:
    return [(r.key, r.label, r.reached) for r in rows]


def test_the_funnel_of_a_year(gap: PrinterGap, year2023: Year2023) -> None:
    result = selectors.funnel(user=gap.leader, year=2023)
    assert result.year == 2023
    assert [s for s, _label in result.stages] == [
        "lead",
        "contacted",
        "site_visit",
        "negotiating",
        "signed",
        "registered",
        "construction",
        "operating",
    ]
    assert [label for _s, label in result.stages][-2:] == ["construction started", "in operation"]
    assert (result.total.key, result.total.label, result.total.reached) == (
        "all",
        "All",
        [4, 3, 2, 1, 1, 0, 0, 0],
    )
    assert result.total.conversion == [75.0, 66.7, 50.0, 100.0, 0.0, None, None]
    assert result.median_days == {
        "lead": 20.0,  # a 10, b 30, d 20 (c is still a lead)
        "contacted": 15.0,  # a 20, d 10
        "site_visit": 25.0,  # a 20, b 30
        "negotiating": 30.0,
        "signed": None,
        "registered": None,
        "construction": None,
        "operating": None,
    }
    assert result.by_month == [
        ("2023-01", {**dict.fromkeys([s for s, _l in result.stages], 0), "lead": 2, "contacted": 1}),
        (
            "2023-02",
            {**dict.fromkeys([s for s, _l in result.stages], 0), "lead": 2, "contacted": 1, "site_visit": 2},
        ),
        ("2023-03", {**dict.fromkeys([s for s, _l in result.stages], 0), "negotiating": 1, "signed": 1}),
    ]
    assert _rows(result.by_source) == [
        ("agency", "agency", [1, *Z[1:]]),
        ("own_approach", "enterprise's own approach", [1, 1, 0, 0, 0, 0, 0, 0]),
        ("exhibition", "exhibition", [1, 1, 1, 1, 1, 0, 0, 0]),
        ("research", "own research", [1, 1, 1, 0, 0, 0, 0, 0]),
    ]
    other = year2023.other_chain
    assert other.cluster is not None
    assert gap.chain.cluster is not None
    assert _rows(result.by_chain) == [
        (str(gap.chain.pk), gap.chain.name, [2, 2, 1, 1, 1, 0, 0, 0]),
        ("None", "—", [1, *Z[1:]]),
        (str(other.pk), other.name, [1, 1, 1, 0, 0, 0, 0, 0]),
    ]
    assert _rows(result.by_cluster) == [
        (str(gap.chain.cluster.pk), gap.chain.cluster.name, [2, 2, 1, 1, 1, 0, 0, 0]),
        ("None", "—", [1, *Z[1:]]),
        (str(other.cluster.pk), other.cluster.name, [1, 1, 1, 0, 0, 0, 0, 0]),
    ]
    assert _rows(result.by_officer) == [
        (str(gap.invest.pk), gap.invest.get_full_name() or "invest", [3, 2, 1, 1, 1, 0, 0, 0]),
        (str(gap.admin.pk), gap.admin.get_full_name() or "admin", [1, 1, 1, 0, 0, 0, 0, 0]),
    ]
    assert _rows(result.by_team) == [
        ("招商一组", "招商一组", [2, 1, 1, 1, 1, 0, 0, 0]),
        ("招商二组", "招商二组", [2, 2, 1, 0, 0, 0, 0, 0]),
    ]
    assert result.by_team[1].conversion == [100.0, 50.0, 0.0, None, None, None, None]
    # Median days per stage in each group, from the stays of its own leads.
    assert result.total.median_days == result.median_days

    def medians(rows: list[selectors.FunnelRow]) -> dict[str, dict[str, float]]:
        return {r.key: {s: d for s, d in r.median_days.items() if d is not None} for r in rows}

    assert medians(result.by_team) == {
        "招商一组": {"lead": 10.0, "contacted": 20.0, "site_visit": 20.0, "negotiating": 30.0},  # a (c stays)
        "招商二组": {"lead": 25.0, "contacted": 10.0, "site_visit": 30.0},  # b 30 / 30, d 20 / 10
    }
    assert medians(result.by_officer) == {
        str(gap.invest.pk): {"lead": 15.0, "contacted": 15.0, "site_visit": 20.0, "negotiating": 30.0},
        str(gap.admin.pk): {"lead": 30.0, "site_visit": 30.0},
    }
    assert medians(result.by_source) == {
        "agency": {},
        "own_approach": {"lead": 20.0, "contacted": 10.0},
        "exhibition": {"lead": 10.0, "contacted": 20.0, "site_visit": 20.0, "negotiating": 30.0},
        "research": {"lead": 30.0, "site_visit": 30.0},
    }
    assert medians(result.by_chain)[str(gap.chain.pk)] == {
        "lead": 15.0,
        "contacted": 15.0,
        "site_visit": 20.0,
        "negotiating": 30.0,
    }
    assert {k: v for k, v in result.current.items() if v} == {"lead": 1, "signed": 1, "lost": 1, "on_hold": 1}
    assert (result.lost, result.on_hold) == (1, 1)


def test_the_funnel_counts_from_the_rows(gap: PrinterGap, year2023: Year2023) -> None:
    # Cross-check: the funnel of 2023 is exactly what the leads opened in 2023 say.
    opened = list(Lead.objects.filter(zone=gap.zone, opened_on__year=2023))
    assert sorted(lead.pk for lead in opened) == sorted(
        lead.pk for lead in (year2023.a, year2023.b, year2023.c, year2023.d)
    )
    reached = [sum(1 for lead in opened if lead.furthest >= i) for i in range(8)]
    assert selectors.funnel(user=gap.leader, year=2023).total.reached == reached
    empty = selectors.funnel(user=gap.leader, year=2024)
    assert (empty.total.reached, empty.by_month, empty.by_source, empty.total.conversion) == (
        Z,
        [],
        [],
        [None] * 7,
    )


def test_the_funnel_totals_are_the_funnels_own(gap: PrinterGap, year2023: Year2023) -> None:
    # The cockpit's headline, counted in the database, is the full funnel's total and current stages.
    for year in (2022, 2023, 2024):
        full = selectors.funnel(user=gap.leader, year=year)
        totals = selectors.funnel_totals(user=gap.leader, year=year)
        assert (totals.stages, totals.reached, totals.current) == (
            full.stages,
            full.total.reached,
            full.current,
        )
    assert selectors.funnel_totals(user=gap.leader, year=2023).reached[0] == 4
    assert selectors.funnel_totals(user=gap.leader, year=2024).reached == Z


def test_only_pipeline_readers_see_the_analytics(gap: PrinterGap, user_of: Any) -> None:
    for username in ("projects", "stats", "hp", "weigao"):
        user = user_of(username)
        assert not selectors.leads(user=user).exists()
        for read in (
            lambda u: selectors.funnel(user=u, year=2022),
            lambda u: selectors.funnel_totals(user=u, year=2022),
            lambda u: selectors.gap_coverage(user=u),
            lambda u: selectors.gap_coverage(user=u, with_leads=False),
            lambda u: selectors.value(user=u, year=2022),
            lambda u: selectors.referrals(user=u),
            lambda u: selectors.needing_attention(user=u, today=dt.date(2022, 5, 8)),
        ):
            with pytest.raises(PermissionDenied):
                read(user)


def test_lead_filters(gap: PrinterGap, year2023: Year2023) -> None:
    def found(**filters: Any) -> list[int]:
        rows = selectors.leads(user=gap.leader, filters=selectors.LeadFilter(**{"search": "漏斗", **filters}))
        return sorted(rows.values_list("pk", flat=True))

    a, b, c, d, e = year2023.a.pk, year2023.b.pk, year2023.c.pk, year2023.d.pk, year2023.e.pk
    assert found() == sorted([a, b, c, d, e])
    assert found(stage="lost") == [b]
    assert found(chain_id=gap.chain.pk) == sorted([a, d])
    assert found(cluster_id=year2023.other_chain.cluster_id) == [b]
    assert found(officer_id=gap.admin.pk) == [b]
    assert found(source="research") == sorted([b, e])
    assert found(team="招商二组") == sorted([b, d])
    assert found(search="丙贸易") == [c]


# --- gap coverage -------------------------------------------------------------------------------------


def test_a_gap_with_only_a_lost_lead_is_uncovered(gap: PrinterGap) -> None:
    rows = selectors.gap_coverage(user=gap.leader)
    empty = next(r for r in rows if r.uncovered and not r.leads)
    node = ChainNode.objects.get(pk=empty.node_id)
    assert node.chain_id == empty.chain_id
    lead = typed_lead(gap.invest, gap.zone, "补缺测试有限公司", node_ids=[node.pk])

    def row() -> selectors.GapCoverage:
        return next(r for r in selectors.gap_coverage(user=gap.leader) if r.node_id == node.pk)

    assert (row().uncovered, [x.pk for x in row().leads]) == (False, [lead.pk])
    services.lead_transition(actor=gap.invest, lead=lead, to="lost", reason="企业放弃")
    assert (row().uncovered, [x.pk for x in row().leads]) == (True, [lead.pk])
    held = typed_lead(gap.invest, gap.zone, "补缺测试二有限公司", node_ids=[node.pk])
    services.lead_transition(actor=gap.invest, lead=held, to="on_hold", reason="等待")
    assert (row().uncovered, [x.pk for x in row().leads]) == (False, [lead.pk, held.pk])


def test_gap_coverage_lists_uncovered_first_and_filters_by_chain(gap: PrinterGap) -> None:
    rows = selectors.gap_coverage(user=gap.leader)
    flags = [r.uncovered for r in rows]
    assert flags == sorted(flags, reverse=True)
    assert {r.gap for r in rows} <= {"missing", "weak"}
    for row in rows:
        on_node = Lead.objects.filter(nodes__pk=row.node_id).order_by("pk")
        assert [x.pk for x in row.leads] == list(on_node.values_list("pk", flat=True))
        assert row.uncovered == all(x.stage == "lost" for x in on_node)
    printer = selectors.gap_coverage(user=gap.leader, chain_id=gap.chain.pk)
    assert printer
    assert [r.node_id for r in printer] == [r.node_id for r in rows if r.chain_id == gap.chain.pk]
    assert selectors.gap_coverage(user=gap.leader, chain_id=999_999) == []


def test_the_coverage_summary_counts_what_the_full_read_lists(gap: PrinterGap) -> None:
    node = next(r for r in selectors.gap_coverage(user=gap.leader) if r.uncovered and not r.leads)
    typed_lead(gap.invest, gap.zone, "补缺汇总有限公司", node_ids=[node.node_id])
    full = selectors.gap_coverage(user=gap.leader)
    summary = selectors.gap_coverage(user=gap.leader, with_leads=False)
    # The same nodes in the same order, each with its count of working leads; no lead loaded.
    assert [(r.node_id, r.working, r.uncovered) for r in summary] == [
        (r.node_id, sum(1 for x in r.leads if x.stage != "lost"), r.uncovered) for r in full
    ]
    assert all(r.leads == [] for r in summary)
    assert next(r for r in summary if r.node_id == node.node_id).working == 1
    # Gap nodes handed in (as the cockpit keeps them) give the same rows as reading them.
    nodes = selectors.gap_nodes(user=gap.leader)
    assert selectors.gap_coverage(user=gap.leader, with_leads=False, nodes=nodes) == summary


# --- value, referrals ---------------------------------------------------------------------------------


def test_value_against_the_year_target(gap: PrinterGap, year2023: Year2023) -> None:
    before = selectors.value(user=gap.leader, year=2023)
    assert (before.signed_in_year, before.signed_count, before.target, before.target_share) == (
        Decimal("250000000.00"),
        1,
        None,
        None,
    )
    services.pipeline_settings_set(actor=gap.invest, zone=gap.zone, year_targets={"2023": "1000000000"})
    a = year2023.a
    _at(dt.date(2023, 4, 10), gap.invest, a, "registered", enterprise_id=gap.weigao.pk)
    _at(dt.date(2023, 4, 20), gap.invest, a, "construction", date="2023-04-18")
    middle = selectors.value(user=gap.leader, year=2023)
    _at(dt.date(2023, 6, 1), gap.invest, a, "operating")
    after = selectors.value(user=gap.leader, year=2023)
    assert (after.year, after.signed_in_year, after.signed_count, after.target, after.target_share) == (
        2023,
        Decimal("250000000.00"),
        1,
        Decimal("1000000000.00"),
        25.0,
    )
    assert after.intended_by_stage["operating"] - before.intended_by_stage["operating"] == Decimal(
        "300000000"
    )
    assert before.intended_by_stage["signed"] - after.intended_by_stage["signed"] == Decimal("300000000")
    s, st, op = before.signed_to_started_to_operating
    assert middle.signed_to_started_to_operating == (s, st + 1, op)
    assert after.signed_to_started_to_operating == (s, st + 1, op + 1)
    # The rates: started of signed, in operation of started.
    assert (s, st, op) == (23, 22, 0)  # the demo's 22 signed and started, and a (signed in 2023)
    assert (before.started_rate, before.operating_rate) == (95.7, 0.0)
    assert (after.started_rate, after.operating_rate) == (100.0, 4.3)
    # Cross-check with the rows: every lead of every year by its furthest stage; intended investment by
    # stage of the leads opened in the year.
    everyone = list(Lead.objects.filter(zone=gap.zone))
    assert after.signed_to_started_to_operating == tuple(
        sum(1 for lead in everyone if lead.furthest >= i) for i in (4, 6, 7)
    )
    opened = [lead for lead in everyone if lead.opened_on is not None and lead.opened_on.year == 2023]
    for stage, amount in after.intended_by_stage.items():
        assert amount == sum(
            (lead.intended_investment or Decimal(0) for lead in opened if lead.stage == stage), Decimal(0)
        )
    assert {k: v for k, v in after.intended_by_stage.items() if v} == {
        "operating": Decimal("300000000.00"),  # a
        "lost": Decimal("100000000.00"),  # b
        "on_hold": Decimal("50000000.00"),  # d
    }
    # A lead opened in another year (e, 2022-12-31, contacted) counts in its own year, not this one.
    contacted_2022 = selectors.value(user=gap.leader, year=2022).intended_by_stage["contacted"]
    services.lead_update(actor=gap.invest, lead=year2023.e, values={"intended_investment": "70000000"})
    assert selectors.value(user=gap.leader, year=2023).intended_by_stage == after.intended_by_stage
    assert selectors.value(user=gap.leader, year=2022).intended_by_stage["contacted"] == (
        contacted_2022 + Decimal("70000000")
    )
    assert selectors.value(user=gap.leader, year=2024).target_share is None


def test_referrals_per_chain_master(gap: PrinterGap) -> None:
    before = {r.enterprise_id: r for r in selectors.referrals(user=gap.leader)}
    newcomer = (
        Enterprise.objects.filter(zone=gap.zone, chains_led__isnull=False)
        .exclude(pk__in=list(before))
        .order_by("pk")
        .first()
    )
    assert newcomer is not None
    one = typed_lead(gap.invest, gap.zone, "推荐甲有限公司", source="chain_master", referred_by_id=gap.hp.pk)
    services.lead_transition(
        actor=gap.invest,
        lead=one,
        to="signed",
        data={"signed_on": "2022-05-01", "signed_amount": "120000000"},
    )
    typed_lead(gap.invest, gap.zone, "推荐乙有限公司", source="chain_master", referred_by_id=newcomer.pk)
    after = {r.enterprise_id: r for r in selectors.referrals(user=gap.leader)}
    hp_before, hp_after = before[gap.hp.pk], after[gap.hp.pk]
    assert (hp_after.leads, hp_after.signed, hp_after.signed_amount) == (
        hp_before.leads + 1,
        hp_before.signed + 1,
        hp_before.signed_amount + Decimal("120000000"),
    )
    assert hp_after.by_stage == {**hp_before.by_stage, "signed": hp_before.by_stage["signed"] + 1}
    fresh = after[newcomer.pk]
    assert (fresh.enterprise, fresh.leads, fresh.signed, fresh.signed_amount) == (
        newcomer.name,
        1,
        0,
        Decimal(0),
    )
    assert {k: v for k, v in fresh.by_stage.items() if v} == {"lead": 1}
    ordered = selectors.referrals(user=gap.leader)
    assert [(r.leads, r.enterprise) for r in ordered] == sorted(
        ((r.leads, r.enterprise) for r in ordered), key=lambda x: (-x[0], x[1])
    )


# --- needing attention --------------------------------------------------------------------------------


def test_leads_needing_attention_and_why(gap: PrinterGap) -> None:
    today = dt.date(2022, 5, 8)
    overdue = typed_lead(gap.invest, gap.zone, "关注逾期有限公司", next_action_on="2022-05-02")
    with clock.pinned(dt.date(2022, 2, 1)):
        stuck = typed_lead(gap.invest, gap.zone, "关注久拖有限公司", next_action_on="2022-05-01")
    fine = typed_lead(gap.invest, gap.zone, "关注正常有限公司", next_action_on="2022-05-20")
    with clock.pinned(dt.date(2022, 5, 5)):
        recent = typed_lead(gap.invest, gap.zone, "关注新近有限公司")
    lost = typed_lead(gap.invest, gap.zone, "关注流失有限公司", next_action_on="2022-05-01")
    services.lead_transition(actor=gap.invest, lead=lost, to="lost", reason="x")
    first = services.lead_start(actor=gap.invest, candidate=gap.candidate, node=gap.print_head)
    second = services.lead_start(actor=gap.admin, candidate=gap.candidate, node=gap.print_head)

    def why() -> dict[int, list[str]]:
        return {
            lead.pk: reasons for lead, reasons in selectors.needing_attention(user=gap.leader, today=today)
        }

    found = why()
    assert found[overdue.pk] == ["next action overdue since 2022-05-02"]
    assert found[stuck.pk] == ["next action overdue since 2022-05-01", "96 days in lead (limit 60)"]
    assert found[second.pk] == [f"also worked by another team (lead {first.pk})"]
    assert found[first.pk] == [f"also worked by another team (lead {second.pk})"]
    for absent in (fine, recent, lost):
        assert absent.pk not in found
    # Every lead listed is open or signed-on and has a reason; the demo's own list is long.
    assert all(reasons for reasons in found.values())
    assert not Lead.objects.filter(pk__in=list(found), stage__in=["lost", "operating"]).exists()
    services.pipeline_settings_set(actor=gap.invest, zone=gap.zone, stage_limits={"lead": 2})
    assert why()[recent.pk] == ["3 days in lead (limit 2)"]
    assert fine.pk not in why()


def test_a_pair_leaves_the_list_when_one_lead_is_lost(gap: PrinterGap) -> None:
    today = dt.date(2022, 5, 8)
    first = services.lead_start(actor=gap.invest, candidate=gap.candidate, node=gap.print_head)
    second = services.lead_start(actor=gap.admin, candidate=gap.candidate, node=gap.print_head)

    def why() -> dict[int, list[str]]:
        return {
            lead.pk: reasons for lead, reasons in selectors.needing_attention(user=gap.leader, today=today)
        }

    assert (why()[first.pk], why()[second.pk]) == (
        [f"also worked by another team (lead {second.pk})"],
        [f"also worked by another team (lead {first.pk})"],
    )
    services.lead_transition(actor=gap.invest, lead=first, to="lost", reason="让给二组")
    found = why()
    assert first.pk not in found
    assert second.pk not in found


# --- as a past day stood ------------------------------------------------------------------------------


def test_the_analytics_as_of_a_past_day(gap: PrinterGap, year2023: Year2023) -> None:
    day = dt.date(2023, 2, 28)
    # As of 2023-02-28: a at site visit (since 02-09), b at site visit (02-14), c a lead, d contacted (02-25).
    past = selectors.funnel(user=gap.leader, year=2023, as_of=day)
    assert past.total.reached == [4, 3, 2, 0, 0, 0, 0, 0]
    assert {k: v for k, v in past.current.items() if v} == {"lead": 1, "contacted": 1, "site_visit": 2}
    assert [m for m, _counts in past.by_month] == ["2023-01", "2023-02"]
    assert {k: v for k, v in past.median_days.items() if v is not None} == {"lead": 20.0, "contacted": 20.0}
    assert (past.lost, past.on_hold) == (0, 0)
    # The rows rewound to the day are what their timelines say; the leads themselves are untouched.
    assert Lead.objects.get(pk=year2023.a.pk).stage == "signed"
    # Before the first lead of the year opened, nothing; long after the last step, the funnel of now.
    assert selectors.funnel(user=gap.leader, year=2023, as_of=dt.date(2023, 1, 9)).total.reached == Z
    later = selectors.funnel(user=gap.leader, year=2023, as_of=dt.date(2023, 12, 31))
    now = selectors.funnel(user=gap.leader, year=2023)
    assert (later.total, later.current, later.by_month, later.by_team) == (
        now.total,
        now.current,
        now.by_month,
        now.by_team,
    )

    worth = selectors.value(user=gap.leader, year=2023, as_of=day)
    assert (worth.signed_in_year, worth.signed_count) == (Decimal("0.00"), 0)
    assert {k: v for k, v in worth.intended_by_stage.items() if v} == {
        "site_visit": Decimal("400000000.00"),  # a 3亿, b 1亿
        "contacted": Decimal("50000000.00"),  # d
    }
    assert worth.signed_to_started_to_operating == (22, 22, 0)  # the demo's; a not signed yet
    assert selectors.value(user=gap.leader, year=2023, as_of=dt.date(2023, 3, 31)).signed_count == 1

    services.pipeline_settings_set(actor=gap.invest, zone=gap.zone, stage_limits={"site_visit": 10})
    then = {
        lead.pk: reasons
        for lead, reasons in selectors.needing_attention(user=gap.leader, today=day, as_of=day)
    }
    assert (then[year2023.a.pk], then[year2023.b.pk]) == (
        ["19 days in site visit (limit 10)"],
        ["14 days in site visit (limit 10)"],
    )
    now_list = {
        lead.pk for lead, _r in selectors.needing_attention(user=gap.leader, today=dt.date(2023, 5, 1))
    }
    assert year2023.a.pk not in now_list  # signed since
    assert year2023.b.pk not in now_list  # lost since


def test_gap_coverage_and_referrals_as_of_a_past_day(gap: PrinterGap) -> None:
    # After every demo step (the last in April 2022): opened in June, lost ten days later.
    with clock.pinned(dt.date(2022, 6, 1)):
        lead = typed_lead(
            gap.invest,
            gap.zone,
            "回溯推荐有限公司",
            node_ids=[gap.print_head.pk],
            source="chain_master",
            referred_by_id=gap.hp.pk,
        )
    with clock.pinned(dt.date(2022, 6, 10)):
        services.lead_transition(actor=gap.invest, lead=lead, to="lost", reason="企业放弃")
    opened, before = dt.date(2022, 6, 5), dt.date(2022, 5, 31)

    def node_row(as_of: dt.date | None) -> selectors.GapCoverage:
        rows = selectors.gap_coverage(user=gap.leader, as_of=as_of)
        return next(r for r in rows if r.node_id == gap.print_head.pk)  # the printer chain's gap

    now, then, earlier = node_row(None), node_row(opened), node_row(before)
    assert [x.stage for x in now.leads if x.pk == lead.pk] == ["lost"]
    assert [x.stage for x in then.leads if x.pk == lead.pk] == ["lead"]
    assert [x.pk for x in earlier.leads if x.pk == lead.pk] == []
    assert then.working == now.working + 1 == earlier.working + 1

    def hp(as_of: dt.date | None) -> selectors.Referral:
        return next(
            r for r in selectors.referrals(user=gap.leader, as_of=as_of) if r.enterprise_id == gap.hp.pk
        )

    assert (hp(opened).leads, hp(opened).by_stage["lead"], hp(opened).by_stage["lost"]) == (
        hp(None).leads,
        hp(None).by_stage["lead"] + 1,
        hp(None).by_stage["lost"] - 1,
    )
    assert hp(before).leads == hp(None).leads - 1


# --- who may be a lead's officer ----------------------------------------------------------------------


def test_the_officer_choices_are_the_zones_active_lead_editors(gap: PrinterGap) -> None:
    assert gap.invest.department is not None
    # In the bureau but no department staff (no LEAD_EDIT), and bureau staff deactivated: neither offered.
    User.objects.create_user(
        username="bureau-leader", zone=gap.zone, role="leader", department=gap.invest.department
    )
    User.objects.create_user(
        username="bureau-gone",
        zone=gap.zone,
        role="department_staff",
        department=gap.invest.department,
        is_active=False,
    )
    hired = User.objects.create_user(
        username="bureau-new", zone=gap.zone, role="department_staff", department=gap.invest.department
    )
    # The zone's administrator edits leads too, so may work one.
    assert selectors.officer_choices(user=gap.invest) == [gap.admin, hired, gap.invest]
    # The lead's officer now stays on offer, whoever it is.
    assert selectors.officer_choices(user=gap.invest, current=gap.leader) == [
        gap.admin,
        hired,
        gap.invest,
        gap.leader,
    ]

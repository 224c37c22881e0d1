"""The cockpit's cost does not grow with the zone: the same number of queries whatever the number of
chains, leads, orders, projects and items (pinned), and the two settled panels — the last quarter's
ranking and last year's gap nodes — are kept for a while while everything else stays live."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache

from zoneops.accounts.models import Department, Zone
from zoneops.chains.models import Chain, ChainNode, Cluster, MembershipStatus, NodeMembership, Segment
from zoneops.enterprises.models import Enterprise
from zoneops.investment.models import Lead, LeadSource, LeadStage
from zoneops.projects.models import KeyProject, MonthlyReport
from zoneops.servicedesk.models import ServiceOrder
from zoneops.supervision.models import AssessmentAdjustment, SupervisionItem

pytestmark = pytest.mark.django_db

# A leader's GET /api/v1/cockpit on the demo zone: the token and user, then each panel's grouped reads.
COLD_QUERIES = 41  # the settled panels computed (the ranking: 7 measures, the target of signed investment)
WARM_QUERIES = 23  # the settled panels read from the cache


def _copies(rows: list[Any], *, times: int, unique: dict[str, Any]) -> None:
    """Save ``times`` copies of each row, the unique fields made unique by a suffix."""
    for n in range(times):
        for row in rows:
            row.pk = None
            row.id = None
            row._state.adding = True
            for field, make in unique.items():
                setattr(row, field, make(row, n))
            row.save()


def _grow(zone: Zone) -> None:
    """More of everything the cockpit counts: a new chain of ten nodes with members, forty leads on its
    nodes, orders, this year's projects with reports, and supervision items."""
    cluster = Cluster.objects.filter(zone=zone).order_by("pk").first()
    assert cluster is not None
    chain = Chain.objects.create(zone=zone, cluster=cluster, code="grown", name="增长链")
    nodes = [
        ChainNode.objects.create(chain=chain, code=f"g{n}", name=f"环节{n}", segment=Segment.MIDSTREAM)
        for n in range(10)
    ]
    for node, enterprise in zip(
        nodes[:5], Enterprise.objects.filter(zone=zone).order_by("pk")[:5], strict=True
    ):
        NodeMembership.objects.create(node=node, enterprise=enterprise, status=MembershipStatus.CONFIRMED)
    for n in range(40):
        lead = Lead.objects.create(
            zone=zone,
            company_name=f"新目标{n}",
            source=LeadSource.RESEARCH,
            stage=LeadStage.CONTACTED,
            furthest=1,
            chain=chain,
            opened_on=dt.date(2022, 3, 1),
            intended_investment=Decimal("1000000.00"),
        )
        lead.nodes.add(nodes[n % 10])
    _copies(
        list(ServiceOrder.objects.filter(zone=zone).order_by("pk")[:10]),
        times=3,
        unique={"number": lambda row, n: f"{row.number}-G{n}", "open311_token": lambda row, n: ""},
    )
    projects = list(KeyProject.objects.filter(zone=zone, year=2022).order_by("pk")[:5])
    originals = [p.pk for p in projects]
    _copies(projects, times=1, unique={"code": lambda row, n: f"{row.code}-G"})
    for original, copy in zip(originals, projects, strict=True):
        for report in MonthlyReport.objects.filter(project_id=original):
            report.pk = None
            report.project = copy
            report.save()
    _copies(
        list(SupervisionItem.objects.filter(zone=zone).order_by("pk")[:5]),
        times=2,
        unique={"number": lambda row, n: f"{row.number}-G{n}", "problem": lambda row, n: None},
    )


def test_the_query_count_does_not_grow_with_the_zone(
    api_as: Any, zone: Zone, django_assert_num_queries: Any
) -> None:
    leader = api_as("leader")
    leader.get("/api/v1/cockpit")  # the token's first use records it (one write, once)
    cache.clear()
    with django_assert_num_queries(COLD_QUERIES):
        before = leader.get("/api/v1/cockpit").json()
    with django_assert_num_queries(WARM_QUERIES):
        leader.get("/api/v1/cockpit")

    _grow(zone)
    cache.clear()
    with django_assert_num_queries(COLD_QUERIES):
        after = leader.get("/api/v1/cockpit").json()
    with django_assert_num_queries(WARM_QUERIES):
        leader.get("/api/v1/cockpit")
    # The growth is there to be counted: the same queries read more rows.
    assert after["projects"]["total"] == before["projects"]["total"] + 5
    # Ten new gaps: five nodes nobody is on, five with one member under the chain's minimum of two.
    assert after["gaps"]["gaps"] == before["gaps"]["gaps"] + 10
    assert after["pipeline"]["reached"][0] == before["pipeline"]["reached"][0] + 40


def test_the_ranking_is_kept_and_the_rest_stays_live(api_as: Any, zone: Zone) -> None:
    leader = api_as("leader")
    first = leader.get("/api/v1/cockpit").json()
    ranking = first["assessment"]["ranking"]
    assert first["assessment"]["period"] == "2022Q1"
    last = ranking[-1]
    # The supervision office awards the last department enough bonus points to lead the quarter.
    AssessmentAdjustment.objects.create(
        zone=zone,
        department=Department.objects.get(pk=last["department_id"]),
        period="2022Q1",
        points=Decimal("100"),
        reason="测试加分",
    )
    # A lead of this year's funnel, still open, is lost.
    lead = (
        Lead.objects.filter(zone=zone, opened_on__year=2022, stage__in=[LeadStage.LEAD, LeadStage.CONTACTED])
        .order_by("pk")
        .first()
    )
    assert lead is not None
    lead.stage = LeadStage.LOST
    lead.save(update_fields=["stage"])

    kept = leader.get("/api/v1/cockpit").json()
    # Within the settled time the ranking is the one computed before…
    assert kept["assessment"]["ranking"] == ranking
    # …while the pipeline, read live, already counts the lost lead.
    assert kept["pipeline"]["open_leads"] == first["pipeline"]["open_leads"] - 1

    cache.clear()  # what the settled time's end does
    fresh = leader.get("/api/v1/cockpit").json()["assessment"]["ranking"]
    assert fresh[0]["department_id"] == last["department_id"]
    assert Decimal(fresh[0]["score"]) == Decimal(last["score"]) + 100


def test_a_lead_on_a_gap_covers_it_at_once(api_as: Any, zone: Zone) -> None:
    leader = api_as("leader")
    first = leader.get("/api/v1/cockpit").json()["gaps"]
    assert first["uncovered"] > 0
    node = ChainNode.objects.get(
        chain__zone=zone, name=first["nodes"][0]["node"], chain__name=first["nodes"][0]["chain"]
    )
    lead = Lead.objects.create(
        zone=zone, company_name="补链企业", source=LeadSource.RESEARCH, opened_on=dt.date(2022, 5, 1)
    )
    lead.nodes.add(node)
    # The gap nodes are settled (kept), but who works on them is read live.
    after = leader.get("/api/v1/cockpit").json()["gaps"]
    assert after["gaps"] == first["gaps"]
    assert after["uncovered"] == first["uncovered"] - 1
    assert {"chain": first["nodes"][0]["chain"], "node": node.name} not in [
        {"chain": n["chain"], "node": n["node"]} for n in after["nodes"]
    ]

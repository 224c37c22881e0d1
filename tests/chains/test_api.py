"""The chain-investment API: every endpoint for every role, and the contract the acceptance checks use."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from tests.chains.conftest import Printer
from tests.conftest import ROLES
from zoneops.chains.models import ChainEdge, ChainNode, NodeMembership, OutsideCompany, SupplyRelation
from zoneops.core.models import AuditEvent
from zoneops.investment.models import Lead

pytestmark = pytest.mark.django_db

EDITORS = ("admin", "invest")
READERS = ("leader", "supervisor", "projects", "stats")
ENTERPRISES = ("hp", "weigao")


def expect(editor: int, reader: int, enterprise: int) -> dict[str, int]:
    return {
        **dict.fromkeys(EDITORS, editor),
        **dict.fromkeys(READERS, reader),
        **dict.fromkeys(ENTERPRISES, enterprise),
    }


def _chain_file() -> dict[str, Any]:
    return {
        "code": "drones",
        "name": "无人机产业链",
        "cluster": "equipment",
        "nodes": [
            {
                "code": "airframe",
                "name": "机体",
                "segment": "midstream",
                "industries": ["3744"],
                "keywords": ["无人机"],
            },
            {
                "code": "flight-control",
                "name": "飞控",
                "segment": "upstream",
                "industries": ["4011"],
                "importance": 5,
            },
        ],
        "edges": [["flight-control", "airframe"]],
    }


# (name, method, path, body, statuses by role)
Case = tuple[str, str, Callable[[Printer], str], Callable[[Printer], Any], dict[str, int]]
CASES: list[Case] = [
    ("list chains", "get", lambda p: "/api/v1/chains", lambda p: None, expect(200, 200, 403)),
    ("chain", "get", lambda p: f"/api/v1/chains/{p.chain.pk}", lambda p: None, expect(200, 200, 404)),
    ("gaps", "get", lambda p: f"/api/v1/chains/{p.chain.pk}/gaps", lambda p: None, expect(200, 200, 404)),
    ("export", "get", lambda p: f"/api/v1/chains/{p.chain.pk}/export", lambda p: None, expect(200, 200, 404)),
    (
        "node",
        "get",
        lambda p: f"/api/v1/chains/{p.chain.pk}/nodes/{p.print_head.pk}",
        lambda p: None,
        expect(200, 200, 404),
    ),
    (
        "memberships",
        "get",
        lambda p: f"/api/v1/chains/{p.chain.pk}/memberships",
        lambda p: None,
        expect(200, 200, 404),
    ),
    (
        "suggest",
        "post",
        lambda p: f"/api/v1/chains/{p.chain.pk}/suggest-members",
        lambda p: {},
        expect(200, 403, 404),
    ),
    (
        "add node",
        "post",
        lambda p: f"/api/v1/chains/{p.chain.pk}/nodes",
        lambda p: {"code": "drums", "name": "感光鼓", "segment": "upstream", "industries": ["2664"]},
        expect(201, 403, 404),
    ),
    (
        "change node",
        "patch",
        lambda p: f"/api/v1/chains/{p.chain.pk}/nodes/{p.print_head.pk}",
        lambda p: {"importance": 4},
        expect(200, 403, 404),
    ),
    (
        "delete node",
        "delete",
        lambda p: f"/api/v1/chains/{p.chain.pk}/nodes/{p.print_head.pk}",
        lambda p: None,
        expect(204, 403, 404),
    ),
    (
        "add edge",
        "post",
        lambda p: f"/api/v1/chains/{p.chain.pk}/edges",
        lambda p: {"source_id": p.assembly.pk, "target_id": p.print_head.pk},
        expect(201, 403, 404),
    ),
    (
        "delete edge",
        "delete",
        lambda p: f"/api/v1/chains/{p.chain.pk}/edges/{p.edge.pk}",
        lambda p: None,
        expect(204, 403, 404),
    ),
    (
        "decide member",
        "patch",
        lambda p: f"/api/v1/chains/memberships/{p.suggestion.pk}",
        lambda p: {"status": "rejected"},
        expect(200, 403, 404),
    ),
    (
        "add member",
        "post",
        lambda p: f"/api/v1/chains/{p.chain.pk}/nodes/{p.print_head.pk}/members",
        lambda p: {"enterprise_id": p.weigao.pk},
        expect(201, 403, 404),
    ),
    ("opportunities", "get", lambda p: "/api/v1/opportunities", lambda p: None, expect(200, 200, 403)),
    ("candidates", "get", lambda p: "/api/v1/candidates", lambda p: None, expect(200, 200, 403)),
    (
        "candidate",
        "get",
        lambda p: f"/api/v1/candidates/{p.candidate.pk}",
        lambda p: None,
        expect(200, 200, 404),
    ),
    (
        "new candidate",
        "post",
        lambda p: "/api/v1/candidates",
        lambda p: {"name": "苏州某打印头公司", "industry": "3979", "node": p.print_head.pk, "size": "large"},
        expect(201, 403, 403),
    ),
    (
        "change candidate",
        "patch",
        lambda p: f"/api/v1/candidates/{p.candidate.pk}",
        lambda p: {"employees": 1200},
        expect(200, 403, 404),
    ),
    (
        "start lead",
        "post",
        lambda p: f"/api/v1/candidates/{p.candidate.pk}/lead",
        lambda p: {"node_id": p.print_head.pk},
        expect(201, 403, 404),
    ),
    ("supply relations", "get", lambda p: "/api/v1/supply-relations", lambda p: None, expect(200, 200, 200)),
    (
        "record supply",
        "post",
        lambda p: "/api/v1/supply-relations",
        lambda p: {"customer_id": p.hp.pk, "supplier_id": p.weigao.pk, "year": 2021, "amount": "1000000"},
        expect(201, 403, 403),
    ),
    ("peer datasets", "get", lambda p: "/api/v1/peer-datasets", lambda p: None, expect(200, 200, 403)),
    (
        "chain master",
        "get",
        lambda p: f"/api/v1/enterprises/{p.hp.pk}/chain-master?year=2021",
        lambda p: None,
        {**expect(200, 200, 404), "hp": 200},
    ),
]


def _call(client: Any, method: str, path: str, body: Any) -> Any:
    if method == "get":
        return client.get(path)
    if method == "delete":
        return client.delete(path)
    if method == "patch":
        return client.patch(path, body)
    return client.post(path, body)


@pytest.mark.parametrize("username", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_every_endpoint_for_every_role(api_as: Any, printer: Printer, case: Case, username: str) -> None:
    _name, method, path, body, statuses = case
    client = api_as(username)  # issuing its token is audited itself
    before = AuditEvent.objects.count()
    response = _call(client, method, path(printer), body(printer))
    assert response.status_code == statuses[username], response.content
    if method != "get" and response.status_code >= 400:
        # A refused write leaves no trace.
        assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_anonymous_gets_401(printer: Printer, case: Case) -> None:
    _name, method, path, body, _statuses = case
    client = Client()
    url = path(printer)
    if method == "get":
        response = client.get(url)
    else:
        response = getattr(client, method)(url, json.dumps(body(printer)), content_type="application/json")
    assert response.status_code == 401


@pytest.mark.parametrize("username", ROLES)
def test_chain_import_for_every_role(api_as: Any, username: str) -> None:
    client = api_as(username)
    upload = _upload(json.dumps(_chain_file()).encode(), "drones.json")
    response = client.client.post("/api/v1/chains/import", {"file": upload}, headers=client.headers)
    assert response.status_code == {"admin": 201, "invest": 201}.get(username, 403)


@pytest.mark.parametrize("username", ROLES)
def test_peer_upload_for_every_role(api_as: Any, username: str) -> None:
    client = api_as(username)
    text = "year,location,industry,value\n2021,A区,3913,10\n2021,B区,3982,5\n2021,A区,3982,1\n"
    response = client.client.post(
        "/api/v1/peer-datasets",
        {"file": _upload(text.encode(), "peers.csv"), "name": "试验", "home_location": "A区"},
        headers=client.headers,
    )
    assert response.status_code == {"admin": 201, "invest": 201}.get(username, 403)


def _upload(content: bytes, name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


# --- the contract --------------------------------------------------------------------------------------


def test_chains_list_names_cluster_and_masters(api_en: Any, printer: Printer) -> None:
    body = api_en("invest").get("/api/v1/chains").json()
    assert [c["code"] for c in body] == [
        "printer",
        "medical-devices",
        "vaccines",
        "carbon-fibre",
        "robotics",
        "garments",
    ]
    first = body[0]
    assert first["id"] == printer.chain.pk
    assert first["cluster_id"] == printer.chain.cluster_id
    assert first["master_ids"] == [printer.hp.pk]
    assert first["node_count"] == 17


def test_printer_gaps_come_back_ranked_with_candidates(api_en: Any, printer: Printer) -> None:
    gaps = api_en("invest").get(f"/api/v1/chains/{printer.chain.pk}/gaps", year=2021).json()
    assert [(g["code"], g["gap_class"]) for g in gaps[:6]] == [
        ("print-head", "missing"),
        ("logistics", "missing"),
        ("fuser", "missing"),
        ("firmware", "missing"),
        ("laser-scanner", "weak"),
        ("cartridges", "strong"),
    ]
    assert [g["rank"] for g in gaps] == list(range(1, 18))
    head = gaps[0]
    assert head["node_id"] == printer.print_head.pk
    assert head["importance"] == 0.7258
    assert head["local_enterprises"] == []
    assert len(head["candidates"]) == 5
    scores = [c["score"] for c in head["candidates"]]
    assert scores == sorted(scores, reverse=True)
    assert head["candidates"][0]["supplies_masters"] == ["惠普"]
    for gap in gaps:
        if gap["gap_class"] == "strong":
            assert len(gap["local_enterprises"]) >= 2
    # Missing before weak before strong; within a class by importance.
    order = {"missing": 0, "weak": 1, "strong": 2}
    keys = [(order[g["gap_class"]], -g["importance"]) for g in gaps]
    assert keys == sorted(keys)


def test_opportunities_ranked_with_feasibility_attractiveness_and_reasons(api_en: Any) -> None:
    body = api_en("invest").get("/api/v1/opportunities", strategy="balanced", limit=20).json()
    assert body["locations"] == 178
    assert body["year"] == 2021
    assert body["previous_year"] == 2020
    assert body["weights"] == {
        "feasibility": 0.5,
        "attractiveness": 0.5,
        "pci": 0.3,
        "cog": 0.25,
        "market_size": 0.25,
        "market_growth": 0.2,
    }
    items = body["items"]
    assert len(items) == 20
    assert [i["rank"] for i in items] == list(range(1, 21))
    assert [i["score"] for i in items] == sorted((i["score"] for i in items), reverse=True)
    for item in items:
        assert item["score"] == pytest.approx(
            0.5 * item["feasibility"] + 0.5 * item["attractiveness"], abs=1e-4
        )
        assert item["position"] in ("opportunity", "possible_entrant", "weakness")
        assert item["reasons"][0].startswith(("Feasible", "Little related"))
        assert item["industry"]
        assert item["name"]


def test_strategy_and_weights_change_the_ranking(api_en: Any) -> None:
    client = api_en("invest")
    low = client.get("/api/v1/opportunities", strategy="low_hanging", limit=50).json()
    jumps = client.get("/api/v1/opportunities", strategy="long_jumps", limit=50).json()
    assert [i["industry"] for i in low["items"]] != [i["industry"] for i in jumps["items"]]
    mean = lambda items, key: sum(i[key] for i in items) / len(items)  # noqa: E731
    assert mean(low["items"], "feasibility") > mean(jumps["items"], "feasibility")
    only_feasible = client.get("/api/v1/opportunities", w_attractiveness=0, limit=5).json()
    assert all(i["score"] == i["feasibility"] for i in only_feasible["items"])
    bad = client.get("/api/v1/opportunities", w_feasibility=0, w_attractiveness=0)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "w_feasibility"


def test_opportunities_fill_chain_gaps(api_en: Any) -> None:
    body = api_en("invest").get("/api/v1/opportunities", limit=1000).json()
    by_class = {i["industry"]: i for i in body["items"]}
    print_head = by_class["3979"]
    assert [(n["name"], n["gap_class"]) for n in print_head["nodes"]] == [("打印头", "missing")]
    assert any(r.startswith("Fills chain gaps: 打印机产业链 · 打印头") for r in print_head["reasons"])


def test_hp_chain_master_reproduces_the_13_tax_payers(api_en: Any, printer: Printer) -> None:
    body = api_en("invest").get(f"/api/v1/enterprises/{printer.hp.pk}/chain-master", year=2021).json()
    assert body["suppliers_tax_over_10m"] == 13
    assert Decimal(body["local_supply_rate"]) == Decimal("29.05")
    assert len(body["suppliers"]) == 64
    assert len(body["outside_suppliers"]) == 25
    rate = Decimal(body["local_procurement"]) * 100 / Decimal(body["procurement"])
    assert rate.quantize(Decimal("0.01")) == Decimal("29.05")
    big = [s for s in body["suppliers"] if s["tax"] is not None and Decimal(s["tax"]) > 10_000_000]
    assert len(big) == 13
    assert all(s["revenue"] is not None for s in body["suppliers"])


def test_hp_sees_its_own_purchases_but_no_other_enterprise_figures(api_en: Any, printer: Printer) -> None:
    client = api_en("hp")
    own = client.get(f"/api/v1/enterprises/{printer.hp.pk}/chain-master", year=2021).json()
    assert len(own["suppliers"]) == 64
    assert {s["tax"] for s in own["suppliers"]} == {None}
    assert {s["revenue"] for s in own["suppliers"]} == {None}
    assert own["suppliers_tax_over_10m"] is None
    assert own["outside_suppliers"] == []
    assert client.get(f"/api/v1/enterprises/{printer.weigao.pk}/chain-master").status_code == 404
    relations = client.get("/api/v1/supply-relations", page_size=500).json()["items"]
    assert relations
    assert {r["customer_id"] == printer.hp.pk or r["supplier_id"] == printer.hp.pk for r in relations} == {
        True
    }
    assert client.get(f"/api/v1/enterprises/{printer.weigao.pk}/indicators", year=2021).status_code == 404
    weigao_relations = api_en("weigao").get("/api/v1/supply-relations", page_size=500).json()["items"]
    assert printer.hp.pk not in {r["customer_id"] for r in weigao_relations}


def test_start_a_lead_from_a_gap_candidate(api_en: Any, printer: Printer) -> None:
    client = api_en("invest")
    response = client.post(
        f"/api/v1/candidates/{printer.candidate.pk}/lead", {"node_id": printer.print_head.pk}
    )
    assert response.status_code == 201
    body = response.json()
    lead = Lead.objects.get(pk=body["lead_id"])
    assert lead.stage == "lead"
    assert body["node_ids"] == [printer.print_head.pk]
    assert lead.officer is not None
    assert lead.officer.username == "invest"
    supplies_hp = printer.candidate.supplies_masters.filter(pk=printer.hp.pk).exists()
    assert body["source"] == ("chain_master" if supplies_hp else "research")
    assert AuditEvent.objects.filter(action="lead.start", object_id=str(lead.pk)).count() == 1
    again = client.post(f"/api/v1/candidates/{printer.candidate.pk}/lead", {"node_id": printer.print_head.pk})
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "candidate"
    assert Lead.objects.filter(candidate=printer.candidate).count() == 1


def test_node_edits_validate_and_name_the_field(api_en: Any, printer: Printer) -> None:
    client = api_en("invest")
    nodes_before = ChainNode.objects.count()
    response = client.post(
        f"/api/v1/chains/{printer.chain.pk}/nodes",
        {"code": "print-head", "name": "", "segment": "upstream", "industries": ["39"], "importance": 9},
    )
    assert response.status_code == 422
    fields = sorted(e["field"] for e in response.json()["errors"])
    assert fields == ["code", "importance", "industries", "name"]
    sideways = client.post(
        f"/api/v1/chains/{printer.chain.pk}/nodes", {"code": "x", "name": "x", "segment": "sideways"}
    )
    assert sideways.status_code == 422
    assert [e["field"] for e in sideways.json()["errors"]] == ["segment"]
    assert ChainNode.objects.count() == nodes_before
    loop = client.post(
        f"/api/v1/chains/{printer.chain.pk}/edges",
        {"source_id": printer.assembly.pk, "target_id": printer.assembly.pk},
    )
    assert loop.status_code == 422
    assert ChainEdge.objects.filter(source=printer.assembly, target=printer.assembly).count() == 0
    busy = client.delete(f"/api/v1/chains/{printer.chain.pk}/nodes/{printer.assembly.pk}")
    assert busy.status_code == 422
    assert ChainNode.objects.filter(pk=printer.assembly.pk).exists()


def test_membership_decision_and_direct_add(api_en: Any, printer: Printer) -> None:
    client = api_en("invest")
    decided = client.patch(
        f"/api/v1/chains/memberships/{printer.suggestion.pk}", {"status": "confirmed"}
    ).json()
    assert decided["status"] == "confirmed"
    assert NodeMembership.objects.get(pk=printer.suggestion.pk).decided_by is not None
    wrong = client.patch(f"/api/v1/chains/memberships/{printer.suggestion.pk}", {"status": "maybe"})
    assert wrong.status_code == 422
    added = client.post(
        f"/api/v1/chains/{printer.chain.pk}/nodes/{printer.print_head.pk}/members",
        {"enterprise_id": printer.weigao.pk},
    )
    assert added.status_code == 201
    gaps = client.get(f"/api/v1/chains/{printer.chain.pk}/gaps", year=2021).json()
    head = next(g for g in gaps if g["node_id"] == printer.print_head.pk)
    assert head["gap_class"] == "weak"
    assert [e["enterprise_id"] for e in head["local_enterprises"]] == [printer.weigao.pk]


def test_supply_record_refuses_bad_input(api_en: Any, printer: Printer) -> None:
    client = api_en("invest")
    before = SupplyRelation.objects.count()
    both = client.post(
        "/api/v1/supply-relations",
        {"customer_id": printer.hp.pk, "year": 2021, "amount": "-5"},
    )
    assert both.status_code == 422
    assert sorted(e["field"] for e in both.json()["errors"]) == ["amount", "supplier_id"]
    self_supply = client.post(
        "/api/v1/supply-relations",
        {"customer_id": printer.hp.pk, "supplier_id": printer.hp.pk, "year": 2021, "amount": "5"},
    )
    assert self_supply.status_code == 422
    assert SupplyRelation.objects.count() == before


def test_candidate_validation(api_en: Any) -> None:
    before = OutsideCompany.objects.count()
    response = api_en("invest").post("/api/v1/candidates", {"name": "", "industry": "99"})
    assert response.status_code == 422
    assert sorted(e["field"] for e in response.json()["errors"]) == ["industry", "name"]
    assert OutsideCompany.objects.count() == before


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        ("/api/v1/chains", 4),
        ("/api/v1/chains/{chain}/gaps", 12),
        ("/api/v1/chains/{chain}/memberships", 5),
        ("/api/v1/candidates", 5),
        ("/api/v1/supply-relations", 3),
        ("/api/v1/enterprises/{hp}/chain-master", 7),
    ],
)
def test_query_counts_are_pinned(
    api_en: Any, printer: Printer, django_assert_num_queries: Any, path: str, queries: int
) -> None:
    client = api_en("invest")
    url = path.format(chain=printer.chain.pk, hp=printer.hp.pk)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200

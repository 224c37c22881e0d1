"""Writes of the chains app: chain files, node members, supply relations, peer datasets."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from tests.chains.conftest import Printer
from zoneops.accounts.models import Zone
from zoneops.chains.models import (
    Chain,
    ChainEdge,
    ChainNode,
    MembershipStatus,
    NodeMembership,
    PeerDataset,
    PeerValue,
    SupplyRelation,
)
from zoneops.chains.services import (
    chain_export,
    chain_import,
    node_members_suggest,
    peer_dataset_load,
    supply_relation_record,
)
from zoneops.core.errors import InvalidInput
from zoneops.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int, int]:
    return (
        Chain.objects.count(),
        ChainNode.objects.count(),
        ChainEdge.objects.count(),
        AuditEvent.objects.count(),
    )


def test_export_then_import_changes_nothing(user_of: Any, zone: Zone, printer: Printer) -> None:
    exported = chain_export(chain=printer.chain)
    assert exported["format"] == "zoneops-chain/1"
    assert len(exported["nodes"]) == 17
    assert len(exported["edges"]) == 17
    assert exported["masters"] == [printer.hp.uscc]
    confirmed = NodeMembership.objects.filter(
        node__chain=printer.chain, status=MembershipStatus.CONFIRMED
    ).count()
    chain_import(actor=user_of("invest"), zone=zone, data=copy.deepcopy(exported))
    assert chain_export(chain=Chain.objects.get(pk=printer.chain.pk)) == exported
    assert (
        NodeMembership.objects.filter(node__chain=printer.chain, status=MembershipStatus.CONFIRMED).count()
        == confirmed
    )
    event = AuditEvent.objects.filter(action="chain.replace").latest("at")
    assert event.actor_label == "invest"


def test_a_bad_chain_file_lists_every_problem_and_writes_nothing(user_of: Any, zone: Zone) -> None:
    before = _counts()
    data = {
        "format": "zoneops-chain/1",
        "code": "",
        "name": "x" * 201,
        "cluster": "nowhere",
        "masters": ["91370000000000000X"],
        "nodes": [
            {"code": "a", "name": "A", "segment": "upstream", "industries": ["3913"]},
            {"code": "a", "name": "A again", "segment": "up", "industries": ["391"], "importance": 0},
            "not a node",
        ],
        "edges": [["a", "b"], ["a", "a"], "x"],
    }
    with pytest.raises(InvalidInput) as raised:
        chain_import(actor=user_of("invest"), zone=zone, data=data)
    assert [(e.field, e.message) for e in raised.value.errors] == [
        ("code", "This field is required."),
        ("name", "Enter at most 200 characters."),
        ("cluster", "No cluster with this code in the zone."),
        ("masters", "No enterprise with the code 91370000000000000X in the zone."),
        ("nodes[1].segment", "Choose one of: downstream, midstream, upstream."),
        ("nodes[1].industries", "391 is not a GB/T 4754-2017 class (four digits)."),
        ("nodes[1].importance", "Enter a whole number from 1 to 5."),
        ("nodes[2]", "Each node must be an object."),
        ("nodes[1].code", "This code appears twice in the chain."),
        ("edges[0]", "No node b in the chain."),
        ("edges[1]", "A node cannot supply itself."),
        ("edges[2]", "Give a [supplier node, customer node] pair."),
    ]
    assert _counts() == before


def test_dropping_a_node_with_confirmed_enterprises_is_refused(
    user_of: Any, zone: Zone, printer: Printer
) -> None:
    data = chain_export(chain=printer.chain)
    data["nodes"] = [n for n in data["nodes"] if n["code"] != "assembly"]
    data["edges"] = [e for e in data["edges"] if "assembly" not in e]
    before = _counts()
    with pytest.raises(InvalidInput) as raised:
        chain_import(actor=user_of("invest"), zone=zone, data=data)
    assert [e.message for e in raised.value.errors] == [
        "The node assembly has confirmed enterprises and is missing from the file."
    ]
    assert _counts() == before


def test_suggestions_keep_decisions_and_are_idempotent(user_of: Any, printer: Printer) -> None:
    rejected = NodeMembership.objects.filter(
        node__chain=printer.chain, status=MembershipStatus.REJECTED
    ).count()
    confirmed = NodeMembership.objects.filter(
        node__chain=printer.chain, status=MembershipStatus.CONFIRMED
    ).count()
    assert node_members_suggest(actor=user_of("invest"), chain=printer.chain) == 0
    assert (
        NodeMembership.objects.filter(node__chain=printer.chain, status=MembershipStatus.REJECTED).count()
        == rejected
    )
    assert (
        NodeMembership.objects.filter(node__chain=printer.chain, status=MembershipStatus.CONFIRMED).count()
        == confirmed
    )


def test_suggestions_match_class_and_chinese_product_words(user_of: Any, printer: Printer) -> None:
    toner = printer.chain.nodes.get(code="toner-ink")
    rows = NodeMembership.objects.filter(node=toner).select_related("enterprise")
    for row in rows:
        in_class = row.enterprise.industry_id == "2664"
        words = [w for w in toner.keywords if w in row.enterprise.name]
        assert row.score == pytest.approx((0.6 if in_class else 0) + (0.4 if words else 0))
    assert rows.exists()


def test_supply_relation_is_corrected_in_place(user_of: Any, printer: Printer) -> None:
    relation = SupplyRelation.objects.filter(customer=printer.hp, year=2021, supplier__isnull=False).first()
    assert relation is not None
    count = SupplyRelation.objects.count()
    updated = supply_relation_record(
        actor=user_of("invest"),
        customer=printer.hp,
        supplier=relation.supplier,
        year=2021,
        amount=Decimal("123.456"),
        node=relation.node,
    )
    assert updated.pk == relation.pk
    assert updated.amount == Decimal("123.46")
    assert SupplyRelation.objects.count() == count


def test_peer_dataset_bad_rows_are_listed_and_nothing_is_written(user_of: Any, zone: Zone) -> None:
    before = (PeerDataset.objects.count(), PeerValue.objects.count())
    text = (
        "year,location,industry,value\n"
        "2021,A区,3913,10\n"
        "21,A区,3913,1\n"
        "2021,,3913,1\n"
        "2021,A区,39,1\n"
        "2021,B区,3913,ten\n"
        "2021,B区,3913,-1\n"
        "2021,A区,3913,4\n"
        "2021,A区\n"
    )
    with pytest.raises(InvalidInput) as raised:
        peer_dataset_load(actor=user_of("invest"), zone=zone, name="试验", home_location="C区", rows=text)
    assert [(e.row, e.field, e.message) for e in raised.value.errors] == [
        (3, "year", "Enter a year between 1990 and 2100."),
        (4, "location", "This field is required."),
        (5, "industry", "39 is not a GB/T 4754-2017 class (four digits)."),
        (6, "value", "Enter a number."),
        (7, "value", "Enter a number of at least 0."),
        (8, "row", "This year, location and industry appear twice."),
        (9, "row", "Expected 4 columns, found 2."),
        (None, "home_location", "The zone's own location is not in the file."),
    ]
    assert (PeerDataset.objects.count(), PeerValue.objects.count()) == before


def test_peer_dataset_header_is_checked(user_of: Any, zone: Zone) -> None:
    with pytest.raises(InvalidInput) as raised:
        peer_dataset_load(actor=user_of("invest"), zone=zone, name="x", home_location="A", rows="a,b\n1,2\n")
    assert raised.value.errors[0].message == "The first row must be: year,location,industry,value."


def test_peer_dataset_load_replaces_and_becomes_default(user_of: Any, zone: Zone) -> None:
    text = "year,location,industry,value\n2021,A区,3913,10\n2021,B区,3982,5\n"
    dataset = peer_dataset_load(
        actor=user_of("invest"), zone=zone, name="试验", home_location="A区", rows=text
    )
    assert dataset.is_default
    assert PeerDataset.objects.filter(zone=zone, is_default=True).count() == 1
    assert sorted(dataset.values.values_list("location", "industry_id", "value")) == [
        ("A区", "3913", 10.0),
        ("B区", "3982", 5.0),
    ]
    again = peer_dataset_load(
        actor=user_of("invest"),
        zone=zone,
        name="试验",
        home_location="A区",
        rows=text.replace(",5\n", ",7\n"),
    )
    assert again.pk == dataset.pk
    assert sorted(again.values.values_list("value", flat=True)) == [7.0, 10.0]

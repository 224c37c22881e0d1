"""Handles on the demo zone's chains for the chain tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import translation

from zoneops.accounts.models import Zone
from zoneops.chains.models import (
    Chain,
    ChainEdge,
    ChainNode,
    MembershipStatus,
    NodeMembership,
    OutsideCompany,
)
from zoneops.demo import weihai
from zoneops.enterprises.models import Enterprise


@dataclass(frozen=True)
class Printer:
    chain: Chain
    print_head: ChainNode
    assembly: ChainNode
    edge: ChainEdge
    suggestion: NodeMembership
    candidate: OutsideCompany
    hp: Enterprise
    weigao: Enterprise


@pytest.fixture
def printer(zone: Zone) -> Printer:
    chain = Chain.objects.get(zone=zone, code="printer")
    print_head = chain.nodes.get(code="print-head")
    return Printer(
        chain=chain,
        print_head=print_head,
        assembly=chain.nodes.get(code="assembly"),
        edge=ChainEdge.objects.get(chain=chain, source__code="print-head", target__code="assembly"),
        suggestion=NodeMembership.objects.filter(node__chain=chain, status=MembershipStatus.SUGGESTED)
        .order_by("pk")
        .first()
        or NodeMembership.objects.filter(node__chain=chain).order_by("pk").first(),  # type: ignore[arg-type]
        candidate=OutsideCompany.objects.filter(node=print_head).order_by("pk").first(),  # type: ignore[arg-type]
        hp=weihai.enterprise_by_key(zone, "hp"),
        weigao=weihai.enterprise_by_key(zone, "weigao"),
    )


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages are asserted in English; HTTP calls below ask for it with Accept-Language.
    with translation.override("en"):
        yield


@pytest.fixture
def api_en(api_as: Any) -> Any:
    def make(username: str | None) -> Any:
        client = api_as(username)
        client.headers["Accept-Language"] = "en"
        return client

    return make


@pytest.fixture
def page_en(page_as: Any) -> Any:
    def make(username: str | None) -> Any:
        client = page_as(username)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make

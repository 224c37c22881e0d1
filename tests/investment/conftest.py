"""Handles on the demo zone for the investment pipeline tests: English messages, the printer chain's
print-head gap and its reserved first candidate, and helpers that build leads through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.utils import translation

from zoneops.accounts.models import User, Zone
from zoneops.chains.models import Chain, ChainNode, OutsideCompany
from zoneops.core import clock
from zoneops.demo import weihai
from zoneops.enterprises import uscc
from zoneops.enterprises.models import Enterprise
from zoneops.investment.models import Lead
from zoneops.investment.services import lead_create, lead_transition

# Codes of synthetic enterprises registered by these tests: far from the demo's indices.
USCC_BASE = 777_000


def new_uscc(n: int) -> str:
    return uscc.synthetic(index=USCC_BASE + n, division="371000")


class _Undo(Exception):
    pass


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run the block in a savepoint and undo it, so each case of a loop starts from the same data (cheaper
    than a test per case, whose rollback costs more than the case)."""
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass


@dataclass(frozen=True)
class PrinterGap:
    zone: Zone
    chain: Chain
    print_head: ChainNode
    candidate: OutsideCompany  # the node's first candidate: the demo leaves it for the tests
    hp: Enterprise
    weigao: Enterprise
    invest: User
    admin: User
    leader: User


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages are asserted in English; HTTP calls ask for it with Accept-Language.
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


@pytest.fixture
def gap(zone: Zone, user_of: Any) -> PrinterGap:
    chain = Chain.objects.get(zone=zone, code="printer")
    print_head = chain.nodes.get(code="print-head")
    candidate = OutsideCompany.objects.filter(node=print_head).order_by("pk").first()
    assert candidate is not None
    assert not Lead.objects.filter(candidate=candidate).exists()
    return PrinterGap(
        zone=zone,
        chain=chain,
        print_head=print_head,
        candidate=candidate,
        hp=weihai.enterprise_by_key(zone, "hp"),
        weigao=weihai.enterprise_by_key(zone, "weigao"),
        invest=user_of("invest"),
        admin=user_of("admin"),
        leader=user_of("leader"),
    )


def typed_lead(actor: User, zone: Zone, name: str, **values: Any) -> Lead:
    """A lead typed in by ``actor`` (its officer), own research unless told otherwise."""
    return lead_create(actor=actor, zone=zone, values={"company_name": name, "source": "research", **values})


def stage_data(to: str, today: dt.date, *, enterprise: Enterprise | None = None) -> dict[str, Any]:
    """What a move to ``to`` must carry (nothing for most stages)."""
    if to == "signed":
        return {"signed_on": today, "signed_amount": Decimal("200000000")}
    if to == "registered":
        assert enterprise is not None
        return {"enterprise_id": enterprise.pk}
    if to in ("construction", "operating"):
        return {"date": today}
    return {}


def walk(actor: User, lead: Lead, *stages: str, enterprise: Enterprise | None = None) -> Lead:
    """Move the lead through ``stages`` forward (each with the data it needs), today."""
    today = clock.today(zone=lead.zone)
    for stage in stages:
        lead_transition(
            actor=actor, lead=lead, to=stage, data=stage_data(stage, today, enterprise=enterprise)
        )
    return lead

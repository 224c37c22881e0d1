"""Writes of the chain-investment side: chains and their nodes, node members, supply relations, the
outside-company registry and peer datasets. Each write validates whole, then writes with its audit row."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.accounts.models import User, Zone
from zoneops.chains.models import (
    Chain,
    ChainEdge,
    ChainNode,
    Cluster,
    CompanySize,
    MembershipStatus,
    NodeMembership,
    OutsideCompany,
    PeerDataset,
    PeerValue,
    Segment,
    SupplyRelation,
)
from zoneops.core.access import Perm, require_perm
from zoneops.core.bulk import insert_rows
from zoneops.core.errors import FieldError, InvalidInput
from zoneops.core.services import audit_record, model_snapshot, snapshot_changes
from zoneops.enterprises.models import Enterprise, IndustryClass, IndustryLevel

CHAIN_FILE_FORMAT = "zoneops-chain/1"
_SEGMENTS = {choice.value for choice in Segment}


# --- chains as files ------------------------------------------------------------------------------


def _text(
    data: Mapping[str, Any],
    key: str,
    where: str,
    errors: list[FieldError],
    *,
    limit: int,
    required: bool = True,
) -> str:
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.append(FieldError(f"{where}{key}", _("Enter text.")))
        return ""
    text: str = value.strip()
    if required and not text:
        errors.append(FieldError(f"{where}{key}", _("This field is required.")))
    elif len(text) > limit:
        errors.append(FieldError(f"{where}{key}", _("Enter at most %(max)s characters.") % {"max": limit}))
    return text


@dataclass(frozen=True)
class _NodeSpec:
    code: str
    name: str
    name_en: str
    segment: str
    industries: tuple[str, ...]
    keywords: tuple[str, ...]
    importance: int


def _node_spec(raw: Any, index: int, errors: list[FieldError], known_classes: set[str]) -> _NodeSpec | None:
    where = f"nodes[{index}]."
    if not isinstance(raw, Mapping):
        errors.append(FieldError(f"nodes[{index}]", _("Each node must be an object.")))
        return None
    code = _text(raw, "code", where, errors, limit=60)
    name = _text(raw, "name", where, errors, limit=200)
    name_en = _text(raw, "name_en", where, errors, limit=200, required=False)
    segment = raw.get("segment")
    if segment not in _SEGMENTS:
        errors.append(
            FieldError(
                f"{where}segment",
                _("Choose one of: %(choices)s.") % {"choices": ", ".join(sorted(_SEGMENTS))},
            )
        )
    industries = raw.get("industries", [])
    if not isinstance(industries, list) or not all(isinstance(c, str) for c in industries):
        errors.append(FieldError(f"{where}industries", _("Give a list of GB/T 4754-2017 class codes.")))
        industries = []
    for code_value in industries:
        if code_value not in known_classes:
            errors.append(
                FieldError(
                    f"{where}industries",
                    _("%(code)s is not a GB/T 4754-2017 class (four digits).") % {"code": code_value},
                )
            )
    keywords = raw.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) and k.strip() for k in keywords):
        errors.append(FieldError(f"{where}keywords", _("Give a list of product words.")))
        keywords = []
    importance = raw.get("importance", 3)
    if isinstance(importance, bool) or not isinstance(importance, int) or not 1 <= importance <= 5:
        errors.append(FieldError(f"{where}importance", _("Enter a whole number from 1 to 5.")))
        importance = 3
    return _NodeSpec(
        code=code,
        name=name,
        name_en=name_en,
        segment=str(segment),
        industries=tuple(dict.fromkeys(industries)),
        keywords=tuple(dict.fromkeys(k.strip() for k in keywords)),
        importance=importance,
    )


def _class_codes() -> set[str]:
    return set(IndustryClass.objects.filter(level=IndustryLevel.CLASS).values_list("code", flat=True))


@transaction.atomic
def chain_import(*, actor: User | None, zone: Zone, data: Mapping[str, Any]) -> Chain:
    """Create or replace a chain from its file form (see ``chain_export``): the file is the chain's whole
    definition. All-or-nothing: every problem is listed by field and nothing is written. A node that has
    confirmed enterprises is never dropped silently: leaving it out of the file is an error."""
    if actor is not None:
        require_perm(actor, Perm.CHAIN_EDIT)
    errors: list[FieldError] = []
    if data.get("format", CHAIN_FILE_FORMAT) != CHAIN_FILE_FORMAT:
        errors.append(
            FieldError("format", _("Not a zoneops chain file (%(format)s).") % {"format": CHAIN_FILE_FORMAT})
        )
    code = _text(data, "code", "", errors, limit=60)
    name = _text(data, "name", "", errors, limit=200)
    name_en = _text(data, "name_en", "", errors, limit=200, required=False)
    description = _text(data, "description", "", errors, limit=4000, required=False)
    cluster = Cluster.objects.filter(zone=zone, code=str(data.get("cluster", ""))).first()
    if cluster is None:
        errors.append(FieldError("cluster", _("No cluster with this code in the zone.")))
    masters: list[Enterprise] = []
    raw_masters = data.get("masters", [])
    if not isinstance(raw_masters, list):
        errors.append(FieldError("masters", _("Give a list of unified social credit codes.")))
        raw_masters = []
    for uscc in raw_masters:
        master = Enterprise.objects.filter(zone=zone, uscc=str(uscc)).first()
        if master is None:
            errors.append(
                FieldError("masters", _("No enterprise with the code %(uscc)s in the zone.") % {"uscc": uscc})
            )
        else:
            masters.append(master)
    thresholds = data.get("thresholds", {}) or {}
    weak_min_enterprises = thresholds.get("min_enterprises", 2) if isinstance(thresholds, Mapping) else 2
    if (
        isinstance(weak_min_enterprises, bool)
        or not isinstance(weak_min_enterprises, int)
        or weak_min_enterprises < 0
    ):
        errors.append(FieldError("thresholds.min_enterprises", _("Enter a whole number of at least 0.")))
        weak_min_enterprises = 2
    try:
        weak_min_revenue = Decimal(str(thresholds.get("min_revenue", "500000000")))
        if not weak_min_revenue.is_finite() or weak_min_revenue < 0:
            raise InvalidOperation
    except (InvalidOperation, AttributeError):
        errors.append(FieldError("thresholds.min_revenue", _("Enter an amount in yuan of at least 0.")))
        weak_min_revenue = Decimal(0)

    raw_nodes = data.get("nodes", [])
    if not isinstance(raw_nodes, list) or not raw_nodes:
        errors.append(FieldError("nodes", _("A chain needs at least one node.")))
        raw_nodes = []
    known = _class_codes()
    specs = [spec for i, raw in enumerate(raw_nodes) if (spec := _node_spec(raw, i, errors, known))]
    seen: set[str] = set()
    for i, spec in enumerate(specs):
        if spec.code in seen:
            errors.append(FieldError(f"nodes[{i}].code", _("This code appears twice in the chain.")))
        seen.add(spec.code)
    raw_edges = data.get("edges", [])
    edges: list[tuple[str, str]] = []
    if not isinstance(raw_edges, list):
        errors.append(FieldError("edges", _("Give a list of [supplier node, customer node] pairs.")))
        raw_edges = []
    for i, pair in enumerate(raw_edges):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
            errors.append(FieldError(f"edges[{i}]", _("Give a [supplier node, customer node] pair.")))
            continue
        source, target = pair
        for end in (source, target):
            if end not in seen:
                errors.append(FieldError(f"edges[{i}]", _("No node %(code)s in the chain.") % {"code": end}))
        if source == target:
            errors.append(FieldError(f"edges[{i}]", _("A node cannot supply itself.")))
        edges.append((source, target))

    chain = Chain.objects.filter(zone=zone, code=code).first() if code else None
    if chain is not None:
        dropped = (
            NodeMembership.objects.filter(node__chain=chain, status=MembershipStatus.CONFIRMED)
            .exclude(node__code__in=seen)
            .values_list("node__code", flat=True)
            .distinct()
        )
        for node_code in sorted(dropped):
            errors.append(
                FieldError(
                    "nodes",
                    _("The node %(code)s has confirmed enterprises and is missing from the file.")
                    % {"code": node_code},
                )
            )
    if errors:
        raise InvalidInput(errors)
    assert cluster is not None  # errors were raised otherwise

    before = chain_export(chain=chain) if chain is not None else None
    fields = {
        "cluster": cluster,
        "name": name,
        "name_en": name_en,
        "description": description,
        "weak_min_enterprises": weak_min_enterprises,
        "weak_min_revenue": weak_min_revenue,
    }
    if chain is None:
        chain = Chain.objects.create(zone=zone, code=code, **fields)
    else:
        for key, value in fields.items():
            setattr(chain, key, value)
        chain.save()
    chain.masters.set(masters)
    nodes: dict[str, ChainNode] = {}
    for order, spec in enumerate(specs):
        node, _created = ChainNode.objects.update_or_create(
            chain=chain,
            code=spec.code,
            defaults={
                "name": spec.name,
                "name_en": spec.name_en,
                "segment": spec.segment,
                "keywords": list(spec.keywords),
                "importance": spec.importance,
                "sort_order": order,
            },
        )
        node.industries.set(IndustryClass.objects.filter(code__in=spec.industries))
        nodes[spec.code] = node
    chain.nodes.exclude(code__in=seen).delete()
    chain.edges.all().delete()
    ChainEdge.objects.bulk_create(
        [ChainEdge(chain=chain, source=nodes[s], target=nodes[t]) for s, t in dict.fromkeys(edges)]
    )
    after = chain_export(chain=chain)
    audit_record(
        actor=actor,
        action="chain.import" if before is None else "chain.replace",
        instance=chain,
        before=before,
        after=after,
    )
    return chain


def chain_file_read(*, content: bytes) -> dict[str, Any]:
    """A chain file's content as the mapping ``chain_import`` takes; refused unless it is one JSON object."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput.single("file", _("The file is not JSON: %(error)s") % {"error": exc}) from exc
    if not isinstance(data, dict):
        raise InvalidInput.single("file", _("The file must hold one chain object."))
    return data


def chain_file_text(*, chain: Chain) -> str:
    """The chain's file as written for download (readable Chinese, indented)."""
    return json.dumps(chain_export(chain=chain), ensure_ascii=False, indent=2)


def chain_export(*, chain: Chain) -> dict[str, Any]:
    """The chain's file form: what ``chain_import`` reads back (a round trip changes nothing)."""
    nodes = list(chain.nodes.prefetch_related("industries").order_by("sort_order", "code"))
    return {
        "format": CHAIN_FILE_FORMAT,
        "code": chain.code,
        "name": chain.name,
        "name_en": chain.name_en,
        "description": chain.description,
        "cluster": chain.cluster.code,
        "masters": sorted(chain.masters.values_list("uscc", flat=True)),
        "thresholds": {
            "min_enterprises": chain.weak_min_enterprises,
            "min_revenue": str(chain.weak_min_revenue),
        },
        "nodes": [
            {
                "code": node.code,
                "name": node.name,
                "name_en": node.name_en,
                "segment": node.segment,
                "industries": sorted(c.code for c in node.industries.all()),
                "keywords": list(node.keywords),
                "importance": node.importance,
            }
            for node in nodes
        ],
        "edges": sorted(
            [e.source.code, e.target.code] for e in chain.edges.select_related("source", "target")
        ),
    }


# --- editing one node or edge -------------------------------------------------------------------


@transaction.atomic
def node_save(
    *, actor: User, chain: Chain, values: Mapping[str, Any], node: ChainNode | None = None
) -> ChainNode:
    """Create a node (``node`` None) or change one; the fields are those of the chain file's nodes."""
    require_perm(actor, Perm.CHAIN_EDIT)
    merged: dict[str, Any] = {}
    if node is not None:
        merged = {
            "code": node.code,
            "name": node.name,
            "name_en": node.name_en,
            "segment": node.segment,
            "industries": sorted(node.industries.values_list("code", flat=True)),
            "keywords": list(node.keywords),
            "importance": node.importance,
        }
    unknown = sorted(
        set(values) - {"code", "name", "name_en", "segment", "industries", "keywords", "importance"}
    )
    errors = [FieldError(name, _("Unknown field.")) for name in unknown]
    merged.update({k: v for k, v in values.items() if k not in unknown})
    spec = _node_spec(merged, 0, errors, _class_codes())
    errors = [FieldError(e.field.removeprefix("nodes[0]."), e.message) for e in errors]
    if spec is not None:
        clash = ChainNode.objects.filter(chain=chain, code=spec.code)
        if node is not None:
            clash = clash.exclude(pk=node.pk)
        if clash.exists():
            errors.append(FieldError("code", _("This code appears twice in the chain.")))
    if errors or spec is None:
        raise InvalidInput(errors or [FieldError("__all__", _("Invalid value."))])
    before = model_snapshot(node) | {"industries": merged_industries(node)} if node is not None else {}
    if node is None:
        node = ChainNode(chain=chain, sort_order=chain.nodes.count())
    node.code = spec.code
    node.name = spec.name
    node.name_en = spec.name_en
    node.segment = spec.segment
    node.keywords = list(spec.keywords)
    node.importance = spec.importance
    node.save()
    node.industries.set(IndustryClass.objects.filter(code__in=spec.industries))
    after = model_snapshot(node) | {"industries": list(spec.industries)}
    changed_before, changed_after = snapshot_changes(before, after)
    audit_record(
        actor=actor,
        action="chain.node_create" if not before else "chain.node_update",
        instance=node,
        zone=chain.zone,
        before=changed_before or None,
        after=changed_after,
    )
    return node


def merged_industries(node: ChainNode) -> list[str]:
    return sorted(node.industries.values_list("code", flat=True))


@transaction.atomic
def node_delete(*, actor: User, node: ChainNode) -> None:
    require_perm(actor, Perm.CHAIN_EDIT)
    if node.memberships.filter(status=MembershipStatus.CONFIRMED).exists():
        raise InvalidInput.single(
            "node", _("The node has confirmed enterprises: move or reject them before deleting it.")
        )
    audit_record(
        actor=actor,
        action="chain.node_delete",
        instance=node,
        zone=node.chain.zone,
        before=model_snapshot(node) | {"industries": merged_industries(node)},
    )
    node.delete()


@transaction.atomic
def edge_add(*, actor: User, chain: Chain, source: ChainNode, target: ChainNode) -> ChainEdge:
    require_perm(actor, Perm.CHAIN_EDIT)
    errors: list[FieldError] = []
    if source.chain_id != chain.pk:
        errors.append(FieldError("source", _("No node with this id in the chain.")))
    if target.chain_id != chain.pk:
        errors.append(FieldError("target", _("No node with this id in the chain.")))
    if source.pk == target.pk:
        errors.append(FieldError("target", _("A node cannot supply itself.")))
    if not errors and ChainEdge.objects.filter(source=source, target=target).exists():
        errors.append(FieldError("target", _("This link exists already.")))
    if errors:
        raise InvalidInput(errors)
    edge = ChainEdge.objects.create(chain=chain, source=source, target=target)
    audit_record(
        actor=actor,
        action="chain.edge_add",
        instance=edge,
        zone=chain.zone,
        after={"source": source.code, "target": target.code},
    )
    return edge


@transaction.atomic
def edge_remove(*, actor: User, edge: ChainEdge) -> None:
    require_perm(actor, Perm.CHAIN_EDIT)
    audit_record(
        actor=actor,
        action="chain.edge_remove",
        instance=edge,
        zone=edge.chain.zone,
        before={"source": edge.source.code, "target": edge.target.code},
    )
    edge.delete()


# --- enterprises on nodes -------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberMatch:
    enterprise_id: int
    score: float
    reason: str


def node_matches(*, node: ChainNode, enterprises: Iterable[Enterprise]) -> list[MemberMatch]:
    """Which enterprises fit a node: the same GB/T class (0.6) and product words found in the Chinese
    name, short name or description (0.4, shared among the words)."""
    classes = set(node.industries.values_list("code", flat=True))
    keywords = [k for k in node.keywords if k]
    matches: list[MemberMatch] = []
    for enterprise in enterprises:
        text = f"{enterprise.name} {enterprise.short_name} {enterprise.description}"
        hits = [k for k in keywords if k in text]
        in_class = enterprise.industry_id in classes
        if not in_class and not hits:
            continue
        score = (0.6 if in_class else 0.0) + (0.4 * min(1.0, len(hits) / 1) if hits else 0.0)
        reasons: list[str] = []
        if in_class:
            reasons.append(_("class %(code)s") % {"code": enterprise.industry_id})
        if hits:
            reasons.append(_("product words: %(words)s") % {"words": "、".join(hits)})
        matches.append(MemberMatch(enterprise.pk, round(score, 3), "; ".join(reasons)))
    return matches


@transaction.atomic
def node_members_suggest(*, actor: User | None, chain: Chain) -> int:
    """Suggest enterprises of the zone for every node of the chain. Decisions already taken (confirmed,
    rejected) are kept; open suggestions are refreshed. Returns the number of new suggestions."""
    if actor is not None:
        require_perm(actor, Perm.CHAIN_EDIT)
    enterprises = list(
        Enterprise.objects.filter(zone=chain.zone).only(
            "id", "name", "short_name", "description", "industry_id"
        )
    )
    created = 0
    for node in chain.nodes.prefetch_related("industries"):
        existing = {m.enterprise_id: m for m in node.memberships.all()}
        fresh: list[NodeMembership] = []
        for match in node_matches(node=node, enterprises=enterprises):
            membership = existing.get(match.enterprise_id)
            if membership is None:
                fresh.append(
                    NodeMembership(
                        node=node, enterprise_id=match.enterprise_id, score=match.score, reason=match.reason
                    )
                )
            elif membership.status == MembershipStatus.SUGGESTED and (
                membership.score != match.score or membership.reason != match.reason
            ):
                membership.score = match.score
                membership.reason = match.reason
                membership.save(update_fields=["score", "reason", "updated_at"])
        NodeMembership.objects.bulk_create(fresh)
        created += len(fresh)
    audit_record(actor=actor, action="chain.members_suggest", instance=chain, after={"suggested": created})
    return created


@transaction.atomic
def node_member_decide(*, actor: User | None, membership: NodeMembership, status: str) -> NodeMembership:
    """Confirm or reject a suggested (or earlier decided) enterprise on a node."""
    if actor is not None:
        require_perm(actor, Perm.CHAIN_EDIT)
    if status not in (MembershipStatus.CONFIRMED, MembershipStatus.REJECTED):
        raise InvalidInput.single(
            "status", _("Choose one of: %(choices)s.") % {"choices": "confirmed, rejected"}
        )
    before = membership.status
    membership.status = status
    membership.decided_by = actor
    membership.decided_at = timezone.now()
    membership.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_record(
        actor=actor,
        action="chain.member_decide",
        instance=membership,
        zone=membership.node.chain.zone,
        before={"status": before},
        after={"status": status, "node": membership.node.code, "enterprise_id": membership.enterprise_id},
    )
    return membership


@transaction.atomic
def node_member_add(*, actor: User | None, node: ChainNode, enterprise: Enterprise) -> NodeMembership:
    """Put an enterprise on a node directly (confirmed), e.g. one the matcher could not know."""
    if actor is not None:
        require_perm(actor, Perm.CHAIN_EDIT)
    if enterprise.zone_id != node.chain.zone_id:
        raise InvalidInput.single("enterprise_id", _("No enterprise with this id in the zone."))
    membership, _created = NodeMembership.objects.get_or_create(
        node=node, enterprise=enterprise, defaults={"reason": _("added by staff")}
    )
    return node_member_decide(actor=actor, membership=membership, status=MembershipStatus.CONFIRMED)


# --- supply relations -----------------------------------------------------------------------------


@transaction.atomic
def supply_relation_record(
    *,
    actor: User | None,
    customer: Enterprise,
    year: int,
    amount: Decimal,
    supplier: Enterprise | None = None,
    outside_supplier: OutsideCompany | None = None,
    node: ChainNode | None = None,
) -> SupplyRelation:
    """Record (or correct) a year of purchases of a local enterprise from one supplier."""
    if actor is not None:
        require_perm(actor, Perm.CHAIN_EDIT)
    errors: list[FieldError] = []
    if (supplier is None) == (outside_supplier is None):
        errors.append(FieldError("supplier_id", _("Give either a local or an outside supplier.")))
    if supplier is not None and supplier.pk == customer.pk:
        errors.append(FieldError("supplier_id", _("An enterprise cannot supply itself.")))
    for name, other in (("supplier_id", supplier), ("outside_supplier_id", outside_supplier)):
        if other is not None and other.zone_id != customer.zone_id:
            errors.append(FieldError(name, _("No supplier with this id in the zone.")))
    if not 1990 <= year <= 2100:
        errors.append(FieldError("year", _("Enter a year between 1990 and 2100.")))
    if not amount.is_finite() or amount < 0:
        errors.append(FieldError("amount", _("Enter an amount in yuan of at least 0.")))
    if node is not None and node.chain.zone_id != customer.zone_id:
        errors.append(FieldError("node_id", _("No chain node with this id in the zone.")))
    if errors:
        raise InvalidInput(errors)
    lookup = Q(customer=customer, year=year) & (
        Q(supplier=supplier) if supplier is not None else Q(outside_supplier=outside_supplier)
    )
    relation = SupplyRelation.objects.filter(lookup).first()
    before = model_snapshot(relation) if relation is not None else {}
    if relation is None:
        relation = SupplyRelation(
            zone_id=customer.zone_id,
            customer=customer,
            supplier=supplier,
            outside_supplier=outside_supplier,
            year=year,
        )
    relation.amount = amount.quantize(Decimal("0.01"))
    relation.node = node
    relation.save()
    changed_before, changed_after = snapshot_changes(before, model_snapshot(relation))
    audit_record(
        actor=actor,
        action="chain.supply_record",
        instance=relation,
        before=changed_before or None,
        after=changed_after,
    )
    return relation


# --- the outside-company registry -----------------------------------------------------------------


_COMPANY_FIELDS = (
    "name",
    "name_en",
    "industry",
    "node",
    "size",
    "revenue",
    "employees",
    "province",
    "city",
    "listed",
    "notes",
)


@transaction.atomic
def outside_company_save(
    *, actor: User, zone: Zone, values: Mapping[str, Any], company: OutsideCompany | None = None
) -> OutsideCompany:
    require_perm(actor, Perm.CHAIN_EDIT)
    errors = [FieldError(k, _("Unknown field.")) for k in sorted(set(values) - set(_COMPANY_FIELDS))]
    cleaned: dict[str, Any] = {}
    for key, limit in (("name", 200), ("name_en", 200), ("province", 40), ("city", 40), ("notes", 4000)):
        if key in values or (company is None and key == "name"):
            cleaned[key] = _text(values, key, "", errors, limit=limit, required=key == "name")
    if "industry" in values or company is None:
        industry = IndustryClass.objects.filter(
            code=str(values.get("industry", "")), level=IndustryLevel.CLASS
        ).first()
        if industry is None:
            errors.append(FieldError("industry", _("Enter a GB/T 4754-2017 class code (four digits).")))
        cleaned["industry"] = industry
    if values.get("node") is not None:
        node = ChainNode.objects.filter(pk=values["node"], chain__zone=zone).first()
        if node is None:
            errors.append(FieldError("node", _("No chain node with this id in the zone.")))
        cleaned["node"] = node
    elif "node" in values:
        cleaned["node"] = None
    if "size" in values:
        if values["size"] not in CompanySize.values:
            errors.append(
                FieldError(
                    "size", _("Choose one of: %(choices)s.") % {"choices": ", ".join(CompanySize.values)}
                )
            )
        cleaned["size"] = values["size"]
    if values.get("revenue") is not None:
        try:
            revenue = Decimal(str(values["revenue"]))
            if not revenue.is_finite() or revenue < 0:
                raise InvalidOperation
            cleaned["revenue"] = revenue
        except InvalidOperation:
            errors.append(FieldError("revenue", _("Enter an amount in yuan of at least 0.")))
    if values.get("employees") is not None:
        employees = values["employees"]
        if isinstance(employees, bool) or not isinstance(employees, int) or employees < 0:
            errors.append(FieldError("employees", _("Enter a whole number of at least 0.")))
        cleaned["employees"] = employees
    if "listed" in values:
        cleaned["listed"] = bool(values["listed"])
    if errors:
        raise InvalidInput(errors)
    before = model_snapshot(company) if company is not None else {}
    if company is None:
        company = OutsideCompany(zone=zone)
    for key, value in cleaned.items():
        setattr(company, key, value)
    company.save()
    changed_before, changed_after = snapshot_changes(before, model_snapshot(company))
    audit_record(
        actor=actor,
        action="chain.company_create" if not before else "chain.company_update",
        instance=company,
        before=changed_before or None,
        after=changed_after,
    )
    return company


# --- peer datasets ------------------------------------------------------------------------------


PEER_COLUMNS = ("year", "location", "industry", "value")


@transaction.atomic
def peer_dataset_load(
    *,
    actor: User | None,
    zone: Zone,
    name: str,
    home_location: str,
    rows: Iterable[Sequence[str]] | str,
    measure: str = "revenue",
    description: str = "",
    make_default: bool = True,
) -> PeerDataset:
    """Load a location × industry matrix (CSV text with the header year,location,industry,value, or rows).
    All-or-nothing: every bad row is listed with its row number and reason; nothing is written."""
    if actor is not None:
        require_perm(actor, Perm.CHAIN_EDIT)
    errors: list[FieldError] = []
    if not name.strip():
        errors.append(FieldError("name", _("This field is required.")))
    if not home_location.strip():
        errors.append(FieldError("home_location", _("This field is required.")))
    if isinstance(rows, str):
        reader: Iterable[Sequence[str]] = csv.reader(io.StringIO(rows.lstrip("\ufeff")))
        iterator = iter(reader)
        header = [h.strip().lower() for h in next(iterator, [])]
        if tuple(header) != PEER_COLUMNS:
            raise InvalidInput.single(
                "file", _("The first row must be: %(columns)s.") % {"columns": ",".join(PEER_COLUMNS)}
            )
        rows = iterator
    known = _class_codes()
    parsed: list[tuple[int, str, str, float]] = []
    seen: set[tuple[int, str, str]] = set()
    locations: set[str] = set()
    for number, row in enumerate(rows, start=2):
        if len(row) != 4:
            errors.append(
                FieldError("row", _("Expected 4 columns, found %(n)s.") % {"n": len(row)}, row=number)
            )
            continue
        year_text, location, industry, value_text = (cell.strip() for cell in row)
        if not (year_text.isdigit() and 1990 <= int(year_text) <= 2100):
            errors.append(FieldError("year", _("Enter a year between 1990 and 2100."), row=number))
            continue
        if not location:
            errors.append(FieldError("location", _("This field is required."), row=number))
            continue
        if industry not in known:
            errors.append(
                FieldError(
                    "industry",
                    _("%(code)s is not a GB/T 4754-2017 class (four digits).") % {"code": industry},
                    row=number,
                )
            )
            continue
        try:
            value = float(value_text.replace(",", ""))
        except ValueError:
            errors.append(FieldError("value", _("Enter a number."), row=number))
            continue
        if not math.isfinite(value) or value < 0:
            errors.append(FieldError("value", _("Enter a number of at least 0."), row=number))
            continue
        key = (int(year_text), location, industry)
        if key in seen:
            errors.append(FieldError("row", _("This year, location and industry appear twice."), row=number))
            continue
        seen.add(key)
        locations.add(location)
        parsed.append((int(year_text), location, industry, value))
    if not parsed and not errors:
        errors.append(FieldError("file", _("The file holds no values.")))
    if parsed and home_location.strip() not in locations:
        errors.append(FieldError("home_location", _("The zone's own location is not in the file.")))
    if errors:
        raise InvalidInput(errors)
    dataset, _created = PeerDataset.objects.update_or_create(
        zone=zone,
        name=name.strip(),
        defaults={"home_location": home_location.strip(), "measure": measure, "description": description},
    )
    dataset.values.all().delete()
    insert_rows(
        model=PeerValue,
        fields=("dataset_id", "year", "location", "industry_id", "value"),
        rows=[(dataset.pk, *row) for row in parsed],
    )
    if make_default:
        PeerDataset.objects.filter(zone=zone).exclude(pk=dataset.pk).update(is_default=False)
        dataset.is_default = True
        dataset.save(update_fields=["is_default", "updated_at"])
    audit_record(
        actor=actor,
        action="chain.peer_dataset_load",
        instance=dataset,
        after={"values": len(parsed), "locations": len(locations), "home_location": dataset.home_location},
    )
    return dataset

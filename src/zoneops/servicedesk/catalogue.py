"""The default catalogue of the six guarantees (六个保障): sub-types, departments, fields, deadlines.

A zone starts from this and edits it in the admin; ``catalogue_load`` is idempotent (upserts on code)."""

from __future__ import annotations

from typing import Any

from zoneops.accounts.models import Department, Zone
from zoneops.servicedesk.models import Guarantee, ServiceType

# (guarantee, code, name, English name, department code, accept, reply, resolve, fields)
DEFAULT: tuple[tuple[str, str, str, str, str, int, int, int, list[dict[str, Any]]], ...] = (
    (
        Guarantee.LAND,
        "land-supply",
        "土地供应",
        "Land supply",
        "land",
        1,
        3,
        20,
        [{"name": "area_mu", "label": "用地面积（亩）", "type": "number", "required": True}],
    ),
    (Guarantee.LAND, "planning-permit", "规划许可", "Planning permit", "land", 1, 3, 15, []),
    (
        Guarantee.LAND,
        "factory-lease",
        "厂房租赁",
        "Factory lease",
        "investment",
        1,
        2,
        10,
        [{"name": "area_m2", "label": "面积（平方米）", "type": "number", "required": True}],
    ),
    (Guarantee.LAND, "property-certificate", "不动产登记", "Property certificate", "land", 1, 3, 10, []),
    (Guarantee.POLICY, "policy-consultation", "政策咨询", "Policy consultation", "approvals", 1, 2, 5, []),
    (
        Guarantee.POLICY,
        "subsidy-application",
        "奖补兑现",
        "Subsidy payment",
        "finance",
        1,
        3,
        15,
        [{"name": "amount", "label": "申请金额（元）", "type": "number", "required": True}],
    ),
    (Guarantee.POLICY, "approval-service", "审批服务", "Approval service", "approvals", 1, 2, 10, []),
    (
        Guarantee.INNOVATION,
        "high-tech-certification",
        "高企认定",
        "High-tech certification",
        "innovation",
        1,
        3,
        20,
        [],
    ),
    (Guarantee.INNOVATION, "rd-platform", "研发平台建设", "R&D platform", "innovation", 1, 3, 20, []),
    (Guarantee.INNOVATION, "ip-protection", "知识产权", "Intellectual property", "innovation", 1, 3, 15, []),
    (
        Guarantee.CAPITAL,
        "bank-loan",
        "银行贷款",
        "Bank loan",
        "finance",
        1,
        3,
        15,
        [{"name": "amount", "label": "融资金额（元）", "type": "number", "required": True}],
    ),
    (Guarantee.CAPITAL, "guarantee", "融资担保", "Credit guarantee", "finance", 1, 3, 15, []),
    (
        Guarantee.CAPITAL,
        "listing",
        "上市培育",
        "Listing",
        "finance",
        1,
        5,
        30,
        [
            {
                "name": "board",
                "label": "拟上市板块",
                "type": "choice",
                "choices": ["主板", "科创板", "创业板", "北交所"],
                "required": False,
            }
        ],
    ),
    (
        Guarantee.HUMAN_RESOURCES,
        "recruitment",
        "用工招聘",
        "Recruitment",
        "human-resources",
        1,
        2,
        10,
        [{"name": "headcount", "label": "需求人数", "type": "number", "required": True}],
    ),
    (
        Guarantee.HUMAN_RESOURCES,
        "talent-housing",
        "人才住房",
        "Talent housing",
        "human-resources",
        1,
        3,
        15,
        [],
    ),
    (
        Guarantee.HUMAN_RESOURCES,
        "talent-schooling",
        "人才子女入学",
        "Schooling for talents' children",
        "human-resources",
        1,
        3,
        20,
        [],
    ),
    (Guarantee.LAW, "legal-consultation", "法律咨询", "Legal consultation", "law", 1, 2, 5, []),
    (Guarantee.LAW, "dispute-mediation", "纠纷调解", "Dispute mediation", "law", 1, 3, 20, []),
    (Guarantee.LAW, "compliance", "合规指导", "Compliance guidance", "law", 1, 3, 10, []),
)


def catalogue_load(*, zone: Zone) -> int:
    departments = {d.code: d for d in Department.objects.filter(zone=zone)}
    fallback = next(iter(departments.values()))
    for guarantee, code, name, name_en, department, accept, reply, resolve, fields in DEFAULT:
        ServiceType.objects.update_or_create(
            zone=zone,
            code=code,
            defaults={
                "guarantee": guarantee,
                "name": name,
                "name_en": name_en,
                "department": departments.get(department, fallback),
                "accept_days": accept,
                "reply_days": reply,
                "resolve_days": resolve,
                "fields": fields,
            },
        )
    return len(DEFAULT)

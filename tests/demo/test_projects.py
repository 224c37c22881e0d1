"""The demo zone's key projects and supervision reproduce the article and what the system computes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zoneops.accounts.models import Zone
from zoneops.core.clock import SHANGHAI
from zoneops.core.models import AuditEvent, WorkCalendarDay
from zoneops.core.selectors import working_days_between
from zoneops.demo import weihai
from zoneops.projects.models import KeyProject
from zoneops.supervision.models import AssessmentAdjustment, SupervisionItem
from zoneops.supervision.services import (
    AWAITING_DEPARTMENT,
    ESCALATE_AFTER_WORKING_DAYS,
    REMIND_EVERY_WORKING_DAYS,
)

pytestmark = pytest.mark.django_db

FOUR_INDUSTRIES = ["electronics", "medical", "materials", "equipment"]


def test_97_projects_22_provincial_75_municipal_66_in_the_four_industries(zone: Zone) -> None:
    projects = KeyProject.objects.filter(zone=zone, year=2022)
    assert projects.count() == 97
    assert (projects.filter(level="provincial").count(), projects.filter(level="municipal").count()) == (
        22,
        75,
    )
    in_four = projects.filter(cluster__code__in=FOUR_INDUSTRIES)
    assert in_four.count() == 66
    # The Dishang intelligent manufacturing platform is one of the article's 66 (a high-end platform).
    assert in_four.filter(name="迪尚智能制造平台项目", cluster__code="equipment").exists()
    assert projects.exclude(cluster__code__in=FOUR_INDUSTRIES).filter(is_synthetic=False).count() == 0


def test_the_articles_projects_are_the_only_ones_not_synthetic(zone: Zone) -> None:
    named = KeyProject.objects.filter(zone=zone, year=2022, is_synthetic=False).order_by("code")
    assert [
        (
            p.code,
            p.name,
            p.cluster.code if p.cluster else None,
            p.project_type,
            p.owner and p.owner.short_name,
        )
        for p in named
    ] == [
        ("SD-2022-001", "惠普品牌产业园打印机项目", "electronics", "completion", "惠普"),
        ("SD-2022-002", "威高生物疫苗二期项目", "medical", "continuing", "威高生物"),
        ("SD-2022-004", "迪尚智能制造平台项目", "equipment", "continuing", "迪尚"),
        ("SD-2022-007", "联想图像二期项目", "electronics", "continuing", "联想图像"),
        ("WH-2022-003", "海臻生物提取及研发项目", "medical", "new_start", "海臻生物"),
        ("WH-2022-005", "世创医疗器械产业化项目", "medical", "new_start", "世创医疗"),
        ("WH-2022-006", "未来机器人智能装备项目", "equipment", "new_start", "未来机器人"),
        ("WH-2022-096", "医联桥项目", "medical", "continuing", None),
        ("WH-2022-097", "港和新材料项目", "materials", "continuing", None),
    ]
    hp = named.get(code="SD-2022-001")
    assert (hp.planned_completion, hp.capacity_target, hp.capacity_unit) == (
        dt.date(2022, 5, 31),
        Decimal("10000000.00"),
        "台/年",
    )
    # The article's own words for the two projects it names without an owner or figures.
    assert [p.construction_content for p in named.filter(owner__isnull=True)] == [
        "文章所列重点项目“medical union bridge”（医联桥）。",
        "文章所列重点项目“Hong Kong and new materials”（港和新材料）。",
    ]


def test_every_other_project_is_synthetic_and_says_so(zone: Zone) -> None:
    synthetic = KeyProject.objects.filter(zone=zone, year=2022, is_synthetic=True)
    assert synthetic.count() == 88
    assert [p.name for p in synthetic if not p.name.endswith("（示例）")] == []
    # Guangwei is a zone firm, but the article names no project of it.
    guangwei = synthetic.get(code="WH-2022-008")
    assert (guangwei.name, guangwei.owner.short_name if guangwei.owner else None) == (
        "光威复材碳纤维新材料项目（示例）",
        "光威复材",
    )


def test_the_q1_bonus_and_penalty_are_entered_through_the_audited_service(zone: Zone) -> None:
    rows = AssessmentAdjustment.objects.filter(zone=zone).order_by("points")
    assert [(a.department.code, a.period, a.points, a.reason, a.entered_by.username) for a in rows] == [
        ("economy", "2022Q1", Decimal("-2.00"), "统计数据报送出现差错1次", "supervisor"),
        ("investment", "2022Q1", Decimal("3.00"), "一季度引进世界500强配套项目2个", "supervisor"),
    ]
    audited = AuditEvent.objects.filter(action="assessment.adjust", zone=zone).order_by("object_id")
    assert sorted((e.object_id, e.actor_label, e.at.astimezone(SHANGHAI).date()) for e in audited) == sorted(
        (str(a.pk), "supervisor", dt.date(2022, 4, 8)) for a in rows
    )


# The steps that set an item's deadline: raising it and the office's answer to an extension request.
DEADLINE_STEPS = {"raise", "approve_extension", "refuse_extension"}


def _follow_up_expected(item: SupervisionItem, workdays: set[dt.date]) -> tuple[list[dt.date], list[dt.date]]:
    """Replays the follow-up's rule over the item's own steps: each working morning, before the day's steps,
    an item past its deadline that waits for the department (assigned or sent back) is reminded if it never
    was since its deadline or 3 working days have passed since the last reminder, and escalated once when it
    is 3 working days late and has a leader in charge."""
    steps = [e for e in item.events.all() if e.action not in ("remind", "escalate")]
    reminded: list[dt.date] = []
    escalated: list[dt.date] = []
    day = steps[0].at.astimezone(SHANGHAI).date()
    while day <= weihai.DEMO_DATE:
        before = [e for e in steps if e.at.astimezone(SHANGHAI).date() < day]
        if before and day in workdays:
            status = before[-1].status_after
            deadline = [e.deadline_after for e in before if e.action in DEADLINE_STEPS][-1]
            assert deadline is not None
            if deadline < day and status in AWAITING_DEPARTMENT:
                if (
                    not reminded
                    or reminded[-1] < deadline
                    or working_days_between(start=reminded[-1], end=day) >= REMIND_EVERY_WORKING_DAYS
                ):
                    reminded.append(day)
                late = working_days_between(start=deadline, end=day)
                if late >= ESCALATE_AFTER_WORKING_DAYS and not escalated and item.leader_id is not None:
                    escalated.append(day)
        day += dt.timedelta(days=1)
    return reminded, escalated


def test_overdue_items_are_reminded_every_third_working_day_and_escalated_once_as_of_the_demo_day(
    zone: Zone,
) -> None:
    items = SupervisionItem.objects.filter(zone=zone, source__in=["project_problem", "leader_instruction"])
    workdays = set(WorkCalendarDay.objects.filter(is_workday=True).values_list("date", flat=True))
    overdue = 0
    for item in items.prefetch_related("events"):
        reminded = [e.at.astimezone(SHANGHAI).date() for e in item.events.all() if e.action == "remind"]
        escalated = [e.at.astimezone(SHANGHAI).date() for e in item.events.all() if e.action == "escalate"]
        expected_reminded, expected_escalated = _follow_up_expected(item, workdays)
        assert reminded == expected_reminded, item.number
        assert item.reminded_on == (reminded[-1] if reminded else None), item.number
        assert escalated == expected_escalated, item.number
        assert item.escalated_on == (escalated[0] if escalated else None), item.number
        assert all(day in workdays for day in reminded), item.number
        overdue += bool(reminded)
    assert overdue == 10
    assert AuditEvent.objects.filter(action="supervision.remind", zone=zone).count() == sum(
        item.events.filter(action="remind").count() for item in items
    )
    # Pinned from the rows: an item answered late and closed, one untouched since February, the HP one.
    assert [
        (i.number, i.status, i.reminded_on, i.escalated_on, i.events.filter(action="remind").count())
        for i in items.filter(number__in=["DB2022-0003", "DB2022-0005", "DB2022-0021"]).order_by("number")
    ] == [
        ("DB2022-0003", "closed", dt.date(2022, 2, 10), None, 1),
        ("DB2022-0005", "assigned", dt.date(2022, 5, 5), dt.date(2022, 2, 14), 20),
        # Reminded on Saturday 2022-05-07, a make-up working day of the Labour Day holiday.
        ("DB2022-0021", "assigned", dt.date(2022, 5, 7), None, 1),
    ]

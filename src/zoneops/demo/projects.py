"""The demo zone's 97 key projects of 2022 with milestones, monthly reports January – April, problems,
supervision items and the Q1 assessment.

The named projects are the article's: the HP brand industrial park printer project (10 million printers a
year, completion planned for the end of May 2022), Weigao vaccine phase II, Haizhen biological extraction
and R&D, the Dishang intelligent manufacturing platform, Shichuang Medical, the future-robot project,
Lenovo Image phase II, and the two further projects the zone's secretary names: "medical union bridge" and
"Hong Kong and new materials". 66 projects are in the high-end platform, medical equipment, OA equipment
and new materials industries, the Dishang platform among them. The article names no owner, level or
figure of those two: their Chinese names are the article's English words put back into Chinese, and their
level, type and figures are the demo's (as every project's figures are). Every other project is
synthetic and says so (（示例）, ``is_synthetic``), the Guangwei carbon fibre one included: Guangwei is a
zone firm, but the article names no project of it.

Reports, problems and supervision steps are written through the services on the day they happened (the
clock is pinned), and the supervision office's daily follow-up runs on each of those days, so on-time
flags, reminders (催办), escalations, timelines, audit rows and warnings are what the system computes, not
what the loader claims.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from zoneops.accounts.models import Department, User, Zone
from zoneops.chains.models import Cluster
from zoneops.core import clock
from zoneops.demo import weihai
from zoneops.enterprises.models import Enterprise
from zoneops.projects.models import (
    KeyProject,
    Milestone,
    MilestoneKind,
    Problem,
    ProjectLevel,
    ProjectStatus,
    ProjectType,
)
from zoneops.projects.services import report_submit, warnings_refresh
from zoneops.supervision.models import ItemSource, SupervisionItem
from zoneops.supervision.services import (
    adjustment_add,
    item_act,
    item_raise,
    overdue_follow_up,
    problem_to_supervision,
)

SEED = 2022_0097
YEAR = 2022
TOTAL = 97
IN_FOUR_INDUSTRIES = 66
# Clusters of the four industries the article names — high-end platform (high-end equipment), medical
# equipment, OA equipment (electronics: printers), new materials — and the others.
FOUR_INDUSTRY_CLUSTERS = ("electronics", "medical", "materials", "equipment")


@dataclass(frozen=True)
class NamedProject:
    code: str
    name: str
    owner: str | None  # a named enterprise's key; None where the article names no owner
    cluster: str
    level: str
    project_type: str
    total_yi: str  # 100 million yuan
    planned_yi: str
    start: dt.date
    completion: dt.date
    capacity: str | None = None
    unit: str = ""
    output_yi: str | None = None
    content: str = ""
    pace: float = 1.0  # share of the plan the investment keeps up with
    progress_by_april: int = 60
    from_article: bool = True  # False: an example of the demo's, named （示例） and marked synthetic


NAMED: tuple[NamedProject, ...] = (
    NamedProject(
        "SD-2022-001",
        "惠普品牌产业园打印机项目",
        "hp",
        "electronics",
        ProjectLevel.PROVINCIAL,
        # Completed and put into production this year: "racing against time to complete it by the end of May".
        ProjectType.COMPLETION,
        "50",
        "18",
        dt.date(2021, 3, 1),
        dt.date(2022, 5, 31),
        capacity="10000000",
        unit="台/年",
        output_yi="300",
        content="建设惠普品牌产业园打印机生产基地，建成后年产各类打印机1000万台。",
        pace=0.95,
        progress_by_april=85,
    ),
    NamedProject(
        "SD-2022-002",
        "威高生物疫苗二期项目",
        "weigao-bio",
        "medical",
        ProjectLevel.PROVINCIAL,
        ProjectType.CONTINUING,
        "20",
        "8",
        dt.date(2021, 6, 1),
        dt.date(2023, 6, 30),
        capacity="100000000",
        unit="剂/年",
        output_yi="40",
        content="建设疫苗原液及制剂生产线二期。",
        pace=1.05,
        progress_by_april=45,
    ),
    NamedProject(
        "WH-2022-003",
        "海臻生物提取及研发项目",
        "haizhen",
        "medical",
        ProjectLevel.MUNICIPAL,
        ProjectType.NEW_START,
        "6",
        "3",
        dt.date(2022, 2, 15),
        dt.date(2023, 8, 31),
        content="建设海洋生物提取车间及研发中心。",
        pace=0.45,
        progress_by_april=12,
    ),
    NamedProject(
        "SD-2022-004",
        "迪尚智能制造平台项目",
        "dishang",
        # The article counts the platform among the 66 projects of the four industries (a high-end platform),
        # though Dishang anchors the fashion cluster.
        "equipment",
        ProjectLevel.PROVINCIAL,
        ProjectType.CONTINUING,
        "12",
        "5",
        dt.date(2021, 9, 1),
        dt.date(2022, 12, 31),
        content="建设服装智能制造与供应链协同平台。",
        pace=1.0,
        progress_by_april=55,
    ),
    NamedProject(
        "WH-2022-005",
        "世创医疗器械产业化项目",
        "shichuang",
        "medical",
        ProjectLevel.MUNICIPAL,
        ProjectType.NEW_START,
        "3.5",
        "2",
        dt.date(2022, 3, 1),
        dt.date(2023, 3, 31),
        content="建设高端医疗器械生产线。",
        pace=1.0,
        progress_by_april=10,
    ),
    NamedProject(
        "WH-2022-006",
        "未来机器人智能装备项目",
        "future-robot",
        "equipment",
        ProjectLevel.MUNICIPAL,
        ProjectType.NEW_START,
        "2.8",
        "1.6",
        dt.date(2022, 1, 10),
        dt.date(2022, 12, 31),
        capacity="5000",
        unit="台/年",
        content="建设特种机器人研发和生产基地。",
        pace=0.7,
        progress_by_april=20,
    ),
    NamedProject(
        "SD-2022-007",
        "联想图像二期项目",
        "lenovo-image",
        "electronics",
        ProjectLevel.PROVINCIAL,
        ProjectType.CONTINUING,
        "15",
        "6",
        dt.date(2021, 10, 1),
        dt.date(2022, 10, 31),
        capacity="3000000",
        unit="台/年",
        content="建设打印机及耗材二期生产线。",
        pace=1.1,
        progress_by_april=50,
    ),
    NamedProject(
        "WH-2022-008",
        "光威复材碳纤维新材料项目",
        "guangwei",
        "materials",
        ProjectLevel.MUNICIPAL,
        ProjectType.CONTINUING,
        "9",
        "4",
        dt.date(2021, 8, 1),
        dt.date(2022, 9, 30),
        content="建设高性能碳纤维及复合材料生产线。",
        pace=1.0,
        progress_by_april=52,
        from_article=False,
    ),
    # The secretary's list: "weigao biological vaccine, medical union bridge, Hong Kong and new materials,
    # lenovo image phase ii and other key projects". They take the last two numbers of the year.
    NamedProject(
        "WH-2022-096",
        "医联桥项目",
        None,
        "medical",
        ProjectLevel.MUNICIPAL,
        ProjectType.CONTINUING,
        "5",
        "2",
        dt.date(2021, 9, 1),
        dt.date(2023, 6, 30),
        content="文章所列重点项目“medical union bridge”（医联桥）。",
        pace=1.0,
        progress_by_april=40,
    ),
    NamedProject(
        "WH-2022-097",
        "港和新材料项目",
        None,
        "materials",
        ProjectLevel.MUNICIPAL,
        ProjectType.CONTINUING,
        "4",
        "1.5",
        dt.date(2021, 11, 1),
        dt.date(2023, 3, 31),
        content="文章所列重点项目“Hong Kong and new materials”（港和新材料）。",
        pace=0.9,
        progress_by_april=35,
    ),
)

_KINDS = (
    (MilestoneKind.LAND, "土地摘牌"),
    (MilestoneKind.PERMITS, "施工许可"),
    (MilestoneKind.START, "开工建设"),
    (MilestoneKind.MAIN_STRUCTURE, "主体完工"),
    (MilestoneKind.EQUIPMENT, "设备安装"),
    (MilestoneKind.TRIAL, "试生产"),
    (MilestoneKind.COMPLETION, "竣工"),
)
_SUFFIXES = ("扩产项目", "智能化改造项目", "新建生产线项目", "研发中心项目", "二期项目", "技术改造项目")
_PROBLEMS = (
    ("land", "项目用地指标尚未落实，需协调自然资源部门"),
    ("policy", "施工许可办理材料需并联审批"),
    ("capital", "项目贷款审批进度慢，需协调银行"),
    ("human_resources", "一线技术工人招聘缺口较大"),
    ("land", "配套道路和管网未接通"),
    ("policy", "环评批复待市级审批"),
    ("innovation", "研发平台认定需科技部门指导"),
    ("law", "设备进口合同纠纷需法律服务"),
)


def _yuan(yi: str) -> Decimal:
    return Decimal(yi) * 100_000_000


def _departments(zone: Zone) -> dict[str, Department]:
    return {d.code: d for d in Department.objects.filter(zone=zone)}


def _milestones(project: KeyProject, rng: random.Random, *, slow: bool) -> list[Milestone]:
    span = (project.planned_completion - project.planned_start).days
    steps = len(_KINDS)
    made: list[Milestone] = []
    for index, (kind, label) in enumerate(_KINDS):
        planned = (
            project.planned_start + dt.timedelta(days=round(span * (index - 1) / (steps - 2)))
            if index
            else (project.planned_start - dt.timedelta(days=30))
        )
        actual: dt.date | None = None
        if planned < weihai.DEMO_DATE:
            delay = rng.choice([0, 0, 0, 0, -2, -5, 3, 8]) if not slow else rng.choice([10, 25, 40])
            candidate = planned + dt.timedelta(days=delay)
            actual = candidate if candidate <= weihai.DEMO_DATE and not (slow and index >= 3) else None
        made.append(
            Milestone(
                project=project,
                kind=kind,
                name=label,
                planned_date=planned,
                actual_date=actual,
                sort_order=index,
            )
        )
    return made


def _elapsed(project: KeyProject, day: dt.date) -> float:
    span = (project.planned_completion - project.planned_start).days
    return min(1.0, max(0.01, (day - project.planned_start).days / span))


def _progress(project: KeyProject, day: dt.date, factor: float) -> int:
    """Physical progress on ``day`` for a project building at ``factor`` times its planned pace."""
    return max(1, min(99, round(100 * _elapsed(project, day) * factor)))


def load_projects(zone: Zone) -> None:
    if KeyProject.objects.filter(zone=zone, year=YEAR).exists():
        return
    rng = random.Random(SEED)
    departments = _departments(zone)
    clusters = {c.code: c for c in Cluster.objects.filter(zone=zone)}
    leader = User.objects.get(username="leader")
    officer = User.objects.get(username="projects")
    reporter = officer
    owner_pool: dict[str, list[Enterprise]] = {
        code: list(
            Enterprise.objects.filter(zone=zone, is_synthetic=True, memberships__cluster=cluster).order_by(
                "uscc"
            )
        )
        for code, cluster in clusters.items()
    }
    responsible = ["projects", "projects", "projects", "investment", "economy", "innovation"]
    specs: list[tuple[KeyProject, float, int, bool]] = []
    for named in NAMED:
        owner = weihai.enterprise_by_key(zone, named.owner) if named.owner else None
        project = KeyProject(
            zone=zone,
            code=named.code,
            name=named.name if named.from_article else f"{named.name}（示例）",
            year=YEAR,
            level=named.level,
            project_type=named.project_type,
            cluster=clusters[named.cluster],
            owner=owner,
            total_investment=_yuan(named.total_yi),
            planned_investment=_yuan(named.planned_yi),
            construction_content=named.content,
            capacity_target=Decimal(named.capacity) if named.capacity else None,
            capacity_unit=named.unit,
            expected_output=_yuan(named.output_yi) if named.output_yi else None,
            planned_start=named.start,
            planned_completion=named.completion,
            leader=leader,
            department=departments["projects"],
            officer=officer,
            status=ProjectStatus.UNDER_CONSTRUCTION
            if named.start < dt.date(2022, 1, 1)
            else ProjectStatus.PREPARING,
            is_synthetic=not named.from_article,
        )
        specs.append((project, named.pace, named.progress_by_april, named.pace < 0.6))
    four = list(FOUR_INDUSTRY_CLUSTERS)
    in_four = sum(1 for n in NAMED if n.cluster in FOUR_INDUSTRY_CLUSTERS)
    # The synthetic projects take the numbers the named ones leave, each drawn from the seeded stream in
    # number order, so a named project added at the end leaves every other synthetic project's plan as it
    # was (the investment pipeline's signed leads are drawn from those plans).
    taken = {int(n.code.rsplit("-", 1)[1]) for n in NAMED}
    for index in (i for i in range(1, TOTAL + 1) if i not in taken):
        cluster_code = four[index % len(four)] if in_four < IN_FOUR_INDUSTRIES else "fashion"
        if cluster_code in FOUR_INDUSTRY_CLUSTERS:
            in_four += 1
        owner = owner_pool[cluster_code][(index * 7) % len(owner_pool[cluster_code])]
        level = ProjectLevel.PROVINCIAL if index % 5 == 0 else ProjectLevel.MUNICIPAL
        continuing = rng.random() < 0.55
        start = (
            dt.date(2021, rng.randint(3, 12), 1)
            if continuing
            else dt.date(2022, rng.randint(1, 4), rng.randint(1, 25))
        )
        completion = start + dt.timedelta(days=rng.randint(300, 700))
        total = Decimal(rng.choice([1, 1.5, 2, 3, 5, 8, 12])) * 100_000_000
        project = KeyProject(
            zone=zone,
            code=f"{'SD' if level == ProjectLevel.PROVINCIAL else 'WH'}-2022-{index:03d}",
            name=f"{owner.short_name}{_SUFFIXES[index % len(_SUFFIXES)]}（示例）",
            year=YEAR,
            level=level,
            project_type=ProjectType.CONTINUING if continuing else ProjectType.NEW_START,
            cluster=clusters[cluster_code],
            owner=owner,
            total_investment=total,
            planned_investment=(total * Decimal(rng.choice(["0.3", "0.4", "0.5"]))).quantize(Decimal("1")),
            construction_content="新建厂房及生产线。",
            planned_start=start,
            planned_completion=completion,
            leader=leader,
            department=departments[responsible[index % len(responsible)]],
            officer=officer,
            status=ProjectStatus.UNDER_CONSTRUCTION if continuing else ProjectStatus.PREPARING,
            is_synthetic=True,
        )
        slow = rng.random() < 0.12
        pace = rng.uniform(0.35, 0.55) if slow else rng.uniform(0.85, 1.25)
        specs.append((project, pace, 0, slow))
    KeyProject.objects.bulk_create([s[0] for s in specs])
    saved = {p.code: p for p in KeyProject.objects.filter(zone=zone, year=YEAR)}
    milestones: list[Milestone] = []
    for project, _pace, _april, slow in specs:
        milestones += _milestones(saved[project.code], rng, slow=slow)
    Milestone.objects.bulk_create(milestones)

    # Monthly reports January – April, each written on the day it was handed in.
    problems_made = 0
    for project, pace, progress_by_april, slow in specs:
        project = saved[project.code]
        first_month = max(project.planned_start, dt.date(YEAR, 1, 1)).month
        months = list(range(first_month, 5))
        skip_april = slow and rng.random() < 0.5
        if progress_by_april:
            # Named projects: the article's state in April fixes how far ahead or behind they build.
            factor = progress_by_april / (100 * _elapsed(project, dt.date(YEAR, 4, 28)))
        else:
            factor = rng.uniform(0.6, 0.8) if slow else rng.uniform(0.97, 1.15)
        for month in months:
            if month == 4 and skip_april:
                continue
            period = dt.date(YEAR, month, 1)
            late = rng.random() < (0.25 if slow else 0.06)
            day = rng.randint(26, 28) if late else rng.randint(18, 25)
            progress = _progress(project, dt.date(YEAR, month, 28), factor)
            amount = (
                project.planned_investment / 12 * Decimal(str(round(pace * rng.uniform(0.9, 1.1), 3)))
            ).quantize(Decimal("0.01"))
            problems: list[str] = []
            if problems_made < 30 and rng.random() < (0.45 if slow else 0.08):
                problems.append(_PROBLEMS[problems_made % len(_PROBLEMS)][1])
                problems_made += 1
            with clock.pinned(dt.date(YEAR, month, day)):
                report_submit(
                    actor=reporter,
                    project=project,
                    period=period,
                    investment_month=amount,
                    progress_percent=min(progress, 99),
                    progress_text=f"{month}月完成投资{amount / 10000:,.0f}万元，形象进度{progress}%。",
                    problems=problems,
                )
    load_supervision(zone)
    with clock.pinned(weihai.DEMO_DATE):
        warnings_refresh(zone=zone)


def load_supervision(zone: Zone) -> None:
    """Supervision items raised from the reports' problems and from leaders' instructions, and the Q1 bonus
    and penalty points, day by day: each morning the supervision office's daily follow-up reminds (催办)
    the departments of overdue items and escalates those 3 working days late to their leader, then the
    day's steps are taken. So the items carry the reminders and escalations they had by 2022-05-08, each
    sent once; nothing dated on or after the demo's day is done."""
    supervisor = User.objects.get(username="supervisor")
    leader = User.objects.get(username="leader")
    departments = _departments(zone)
    staff = {
        "projects": User.objects.get(username="projects"),
        "investment": User.objects.get(username="invest"),
        "economy": User.objects.get(username="stats"),
    }
    agenda: dict[dt.date, list[Callable[[], object]]] = defaultdict(list)

    def on(day: dt.date, step: Callable[[], object]) -> None:
        if day < weihai.DEMO_DATE:
            agenda[day].append(step)

    def act(item_id: int, actor: User, action: str, note: str, evidence: str = "") -> None:
        # Read afresh: the morning's follow-up may have reminded or escalated the item since it was raised.
        item = SupervisionItem.objects.get(pk=item_id)
        item_act(actor=actor, item=item, action=action, note=note, evidence=evidence)

    def close(item_id: int, verify_note: str) -> None:
        act(item_id, supervisor, "verify", verify_note)
        act(item_id, supervisor, "close", "办结。")

    def from_problem(problem: Problem, outcome: int) -> None:
        department_code = problem.project.department.code
        responder = staff.get(department_code, staff["projects"])
        item = problem_to_supervision(
            actor=supervisor,
            problem=problem,
            working_days=10,
            department=departments[department_code] if department_code in staff else departments["projects"],
            instructions="请于期限内协调解决并反馈结果。",
        )
        # 0: closed on time, 1: closed late, 2: answered and waiting, 3: untouched (overdue)
        if outcome == 3:
            return
        respond_on = item.deadline - dt.timedelta(days=3 if outcome in (0, 2) else -4)
        answer = partial(act, item.pk, responder, "respond", "已协调相关部门，问题已解决。", "协调会纪要")
        on(respond_on, answer)
        if outcome != 2:
            on(respond_on + dt.timedelta(days=1), partial(close, item.pk, "经现场核实，已落实。"))

    def instruction(department_code: str, subject: str, days: int, done: bool) -> None:
        item = item_raise(
            actor=supervisor,
            zone=zone,
            source=ItemSource.LEADER_INSTRUCTION,
            subject=subject,
            department=departments[department_code],
            working_days=days,
            instructions="管委会主要领导批示，请抓好落实。",
            leader=leader,
        )
        if done:
            finish_on = item.deadline - dt.timedelta(days=2)
            on(finish_on, partial(act, item.pk, staff[department_code], "respond", "已按要求完成。"))
            on(finish_on, partial(close, item.pk, "核实。"))

    problems = list(
        Problem.objects.filter(project__zone=zone)
        .select_related("project", "project__department", "project__leader", "project__zone")
        .order_by("raised_on", "pk")
    )
    for index, problem in enumerate(problems[:18]):
        on(problem.raised_on + dt.timedelta(days=2), partial(from_problem, problem, index % 4))
    instructions = (
        ("investment", "加快推进重点产业链招商项目签约落地", dt.date(2022, 1, 10), 30, True),
        ("economy", "一季度经济运行分析报告", dt.date(2022, 3, 1), 15, True),
        ("projects", "惠普项目竣工投产要素保障专项调度", dt.date(2022, 4, 20), 10, False),
    )
    for department_code, subject, opened, days, done in instructions:
        on(opened, partial(instruction, department_code, subject, days, done))
    # Q1 bonus and penalty points, entered with their reasons once the quarter is over.
    for department_code, points, reason in (
        ("investment", Decimal(3), "一季度引进世界500强配套项目2个"),
        ("economy", Decimal(-2), "统计数据报送出现差错1次"),
    ):
        adjust = partial(adjustment_add, actor=supervisor, zone=zone, period="2022Q1")
        on(
            dt.date(2022, 4, 8),
            partial(adjust, department_id=departments[department_code].pk, points=points, reason=reason),
        )

    day = min(agenda)
    while day <= weihai.DEMO_DATE:
        with clock.pinned(day):
            overdue_follow_up(zone=zone)
            for step in agenda.pop(day, []):
                step()
        day += dt.timedelta(days=1)

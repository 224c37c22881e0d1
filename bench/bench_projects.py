"""Key projects, supervision and assessment at province scale: a generated zone with 12 departments,
N key projects of one year (each with 60 monthly reports: the 60 months ending in December of that year,
~7 milestones, some problems) and M supervision items with deadlines spread over the year; the warnings
refreshed once, then the project board, the supervision board and the department assessment timed
through Django's test client. Prints figures; asserts nothing about time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zoneops_projects_bench \\
        .venv/bin/python bench/bench_projects.py --projects 5000 --items 20000

The database named in DATABASE_URL is created when it does not exist (``--fresh`` drops it first) and
migrated; the generated rows are inserted directly (bulk_create, then COPY on PostgreSQL), not through
the services, in one transaction, and a second run on the same database reuses them. "Today" is pinned
to 28 December of the assessed year, so every report deadline of the year has passed.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
CENT = Decimal("0.01")
MILESTONES = (
    ("land", "土地摘牌"),
    ("permits", "施工许可"),
    ("start", "开工建设"),
    ("main_structure", "主体封顶"),
    ("equipment", "设备安装"),
    ("trial", "试生产"),
    ("completion", "竣工投产"),
)
PROBLEMS = (
    ("land", "用地指标尚未落实，需协调自然资源部门。"),
    ("capital", "项目贷款审批进度慢，需协调金融机构。"),
    ("policy", "施工许可办理材料需补正，需审批部门指导。"),
    ("human_resources", "技术工人招聘缺口较大。"),
)
VACUUMED = (
    "projects_keyproject",
    "projects_milestone",
    "projects_monthlyreport",
    "projects_problem",
    "projects_warningsnapshot",
    "supervision_supervisionitem",
)
SOURCES = ("project_problem", "service_order", "leader_instruction", "assessment_finding")


def loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().strip()
    except OSError:
        return "n/a"


def ensure_database(url: str, *, fresh: bool) -> None:
    """Create the PostgreSQL database named in ``url`` (dropping it first when ``fresh``)."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return
    import psycopg
    from psycopg import sql

    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if fresh:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def month_add(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--projects", type=int, default=5_000)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--enterprises", type=int, default=5_000, help="owners (zoneops generate)")
    parser.add_argument("--year", type=int, default=2024, help="the year boarded and assessed")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    args = parser.parse_args()

    os.environ.setdefault("ZONEOPS_VAR_DIR", str(Path(tempfile.mkdtemp(prefix="zoneops-bench-")) / "var"))
    os.environ.setdefault("ZONEOPS_DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "zoneops.settings"
    if os.environ.get("DATABASE_URL"):
        ensure_database(os.environ["DATABASE_URL"], fresh=args.fresh)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from zoneops.core import clock

    settings.ALLOWED_HOSTS = ["testserver"]
    print(f"load average at start: {loadavg()}")
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s ({connection.vendor})")
    today = dt.date(args.year, 12, 28)
    with clock.pinned(today):
        return run(args, today)


def run(args: argparse.Namespace, today: dt.date) -> int:
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from zoneops.accounts.models import Department, Role, User
    from zoneops.accounts.services import api_token_issue, user_create
    from zoneops.demo.generator import generate_zone
    from zoneops.projects.models import KeyProject
    from zoneops.projects.services import warnings_refresh
    from zoneops.supervision.models import SupervisionItem

    zone_result = generate_zone(enterprises=args.enterprises, seed=args.seed)
    zone = zone_result.zone
    print(f"registry: {zone_result.enterprises:,} enterprises ({zone_result.seconds:.1f} s)")
    departments = Department.objects.filter(zone=zone).count()
    have = KeyProject.objects.filter(zone=zone, year=args.year).count()
    if have == 0:
        started = time.perf_counter()
        counts = generate(args=args, zone=zone, today=today)
        seconds = time.perf_counter() - started
        print(
            f"generated in {seconds:.1f} s: "
            + ", ".join(f"{count:,} {name}" for name, count in counts.items())
        )
    elif have != args.projects:
        print(f"the database holds {have:,} projects of {args.year}, not {args.projects:,}: run with --fresh")
        return 2
    else:
        print(f"reusing {have:,} projects of {args.year} and their rows")
    items = SupervisionItem.objects.filter(zone=zone).count()
    print(f"{departments} departments, {have or args.projects:,} projects, {items:,} supervision items")

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        changed = warnings_refresh(zone=zone)
    refresh_s = time.perf_counter() - started
    levels = dict(
        KeyProject.objects.filter(zone=zone, year=args.year)
        .values_list("warning_level")
        .annotate(n=Count("id"))
        .values_list("warning_level", "n")
    )
    print(
        f"warnings_refresh: {refresh_s:.2f} s, {len(captured.captured_queries)} queries, "
        f"{changed:,} changed level; now {levels}"
    )
    if connection.vendor == "postgresql":
        # What autovacuum does on a live server (it is off on some development servers): the visibility
        # map set after the bulk load and the refresh's updates, the planner's statistics current.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for table in VACUUMED:
                cursor.execute(f"VACUUM ANALYZE {table}")
        print(f"VACUUM ANALYZE: {time.perf_counter() - started:.1f} s")

    username = f"bench-projects-leader-{args.seed}"
    with transaction.atomic():
        user = User.objects.filter(username=username).first() or user_create(
            actor=None, zone=zone, username=username, password="x" * 12, role=Role.LEADER
        )
        token = api_token_issue(user=user).token
    api = Client(headers={"Authorization": f"Bearer {token}"})
    page = Client()
    page.force_login(user)

    year = str(args.year)
    cases: dict[str, tuple[Client, str, dict[str, str]]] = {
        "project board, first page": (api, "/api/v1/projects", {"year": year}),
        "project board, red, by progress": (
            api,
            "/api/v1/projects",
            {"year": year, "warning_level": "red", "sort": "progress"},
        ),
        f"assessment {year}Q1 (all departments)": (api, "/api/v1/assessments", {"period": f"{year}Q1"}),
        f"assessment {year} (all departments)": (api, "/api/v1/assessments", {"period": year}),
        # The previous period (Q3) has the same projects, so both passes read a year's reports.
        f"assessment {year}Q4 (and Q3 for the change)": (api, "/api/v1/assessments", {"period": f"{year}Q4"}),
        "supervision board": (api, "/api/v1/supervision-items/board", {}),
        "page /projects/ (leader)": (page, "/projects/", {}),
    }
    rows: list[tuple[str, float, float, int, str]] = []
    for name, (client, path, params) in cases.items():
        timings: list[float] = []
        queries = 0
        response: Any = None
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as captured:
                begin = time.perf_counter()
                response = client.get(path, params)
                timings.append((time.perf_counter() - begin) * 1000)
            assert response.status_code == 200, (path, response.status_code, response.content[:300])
            queries = len(captured.captured_queries)
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        rows.append((name, statistics.median(timings), p95, queries, matched(path, response)))
    print(f"\nload average after timing: {loadavg()}\n")
    print("| case | median ms | p95 ms | queries | rows |")
    print("|---|---:|---:|---:|---:|")
    for name, median, p95, queries, count in rows:
        print(f"| {name} | {median:.1f} | {p95:.1f} | {queries} | {count} |")
    print(f"\nwarnings_refresh (all {have or args.projects:,} projects): {refresh_s:.2f} s")
    return 0


def matched(path: str, response: Any) -> str:
    """What the response covered: projects matched, departments scored, items on the board."""
    if path == "/projects/":
        return "50 shown"
    data = response.json()
    if isinstance(data, dict) and "count" in data:
        return f"{data['count']:,}"
    if isinstance(data, list):
        return f"{len(data)} departments"
    if isinstance(data, dict) and "departments" in data:
        return f"{sum(d['open'] + d['closed'] for d in data['departments']):,} items"
    return ""


def generate(*, args: argparse.Namespace, zone: Any, today: dt.date) -> dict[str, int]:
    """Projects, milestones, reports, problems, supervision items and a few adjustments, in one
    transaction (so a run that stops part-way leaves nothing behind)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from zoneops.accounts.models import Department
    from zoneops.chains.models import Cluster
    from zoneops.core.bulk import insert_rows
    from zoneops.core.models import WorkCalendarDay
    from zoneops.enterprises.models import Enterprise
    from zoneops.projects.models import KeyProject, Milestone, MonthlyReport, Problem
    from zoneops.supervision.models import AssessmentAdjustment, SupervisionItem

    rng = random.Random(f"projects:{args.seed}")
    year = args.year
    now = timezone.now()
    departments = list(Department.objects.filter(zone=zone).order_by("code"))
    clusters = list(Cluster.objects.filter(zone=zone).order_by("sort_order"))
    owners = list(Enterprise.objects.filter(zone=zone).order_by("pk").values_list("pk", flat=True))
    # Departments carry unequal loads, as in a real zone: the project centre the most.
    weights = [
        1 + (7 if d.code == "projects" else 3 if d.code in ("investment", "economy") else 0)
        for d in departments
    ]
    first_month = dt.date(year - 4, 1, 1)  # 60 months: January year-4 .. December year
    counts: dict[str, int] = {}

    with transaction.atomic():
        # (project, building pace, investment pace, slow): a slow tenth builds and invests at half to
        # four fifths of the plan; the others keep to it or run ahead.
        specs: list[tuple[KeyProject, float, float, bool]] = []
        for index in range(1, args.projects + 1):
            slow = rng.random() < 0.1
            pace = rng.uniform(0.5, 0.8) if slow else rng.uniform(1.0, 1.2)
            invest = rng.uniform(0.5, 0.8) if slow else rng.uniform(0.97, 1.15)
            start = dt.date(year - 5, rng.randint(1, 12), rng.randint(1, 28))
            completion = dt.date(year + rng.choice([0, 1, 1, 2]), rng.randint(1, 12), 28)
            total = Decimal(rng.choice([2, 3, 5, 8, 12, 20, 50])) * 100_000_000
            level = rng.choices(["provincial", "municipal", "zone"], weights=[1, 4, 5])[0]
            # Most projects whose planned completion has passed are finished; the rest are late.
            status = (
                rng.choices(["completed", "in_production", "under_construction"], weights=[4, 4, 2])[0]
                if completion < today
                else rng.choices(["under_construction", "suspended"], weights=[99, 1])[0]
            )
            project = KeyProject(
                zone=zone,
                code=f"BP-{year}-{index:05d}",
                name=f"基准重点项目 {index:05d}（合成）",
                year=year,
                level=level,
                project_type=rng.choice(["new_start", "continuing", "completion"]),
                cluster=rng.choice(clusters) if clusters else None,
                owner_id=rng.choice(owners) if owners else None,
                total_investment=total,
                planned_investment=(total * Decimal(rng.choice(["0.15", "0.2", "0.25"]))).quantize(CENT),
                construction_content="新建厂房及生产线。",
                planned_start=start,
                planned_completion=completion,
                department=rng.choices(departments, weights=weights)[0],
                status=status,
                is_synthetic=True,
            )
            specs.append((project, pace, invest, slow))
        KeyProject.objects.bulk_create([s[0] for s in specs], batch_size=1000)
        ids = dict(KeyProject.objects.filter(zone=zone, year=year).values_list("code", "pk"))
        counts["projects"] = len(ids)

        reports: list[tuple[object, ...]] = []
        milestones: list[tuple[object, ...]] = []
        problems: list[tuple[object, ...]] = []
        for project, pace, invest, slow in specs:
            pk = ids[project.code]
            span = (project.planned_completion - project.planned_start).days
            yearly_plan = project.total_investment / 5
            cumulative = Decimal(0)
            for offset in range(60):
                period = month_add(first_month, offset)
                if period.month == 1:
                    cumulative = Decimal(0)
                plan = project.planned_investment if period.year == year else yearly_plan
                month = (plan / 12 * Decimal(str(round(invest * rng.uniform(0.8, 1.2), 3)))).quantize(CENT)
                cumulative += month
                elapsed = (dt.date(period.year, period.month, 28) - project.planned_start).days / span
                progress = max(1, min(99, round(100 * elapsed * pace)))
                late = rng.random() < (0.25 if slow else 0.05)
                handed = month_add(period, 1).replace(
                    day=rng.randint(26, 28) if late else rng.randint(15, 25)
                )
                submitted = dt.datetime.combine(handed, dt.time(10, 0), tzinfo=SHANGHAI)
                reports.append(
                    (pk, period, month, cumulative, progress, "", None, submitted, not late, 1, "", now, now)
                )
            for order, (kind, label) in enumerate(MILESTONES):
                planned = (
                    project.planned_start
                    + dt.timedelta(days=round(span * (order - 1) / (len(MILESTONES) - 2)))
                    if order
                    else project.planned_start - dt.timedelta(days=30)
                )
                actual: dt.date | None = None
                if planned < today and project.status in ("completed", "in_production"):
                    actual = planned + dt.timedelta(days=rng.randint(-10, 20))
                elif planned < today:
                    roll = rng.random()
                    if roll < (0.5 if slow else 0.8):
                        actual = planned - dt.timedelta(days=rng.randint(0, 10))
                    elif roll < (0.8 if slow else 0.995):
                        actual = planned + dt.timedelta(days=rng.randint(3, 45))
                    if actual is not None and actual > today:
                        actual = None
                milestones.append((pk, kind, label, planned, actual, order, now, now))
            if rng.random() < (0.6 if slow else 0.2):
                for _ in range(rng.randint(1, 3)):
                    guarantee, text = rng.choice(PROBLEMS)
                    # Resolved problems were raised any time in the year, open ones in the last weeks.
                    resolved = rng.random() < 0.6
                    raised = (
                        dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 340))
                        if resolved
                        else today - dt.timedelta(days=rng.randint(1, 30))
                    )
                    resolved_on = min(today, raised + dt.timedelta(days=rng.randint(5, 40)))
                    problems.append(
                        (
                            pk,
                            None,
                            text,
                            guarantee,
                            raised,
                            "resolved" if resolved else rng.choice(["open", "supervised"]),
                            resolved_on if resolved else None,
                            now,
                            now,
                        )
                    )
        # Stored in the order they arrive, a month's round at a time, as in a live zone.
        reports.sort(key=lambda row: (row[1], row[0]))
        counts["monthly reports"] = insert_rows(
            model=MonthlyReport,
            fields=[
                "project_id",
                "period",
                "investment_month",
                "investment_cumulative",
                "progress_percent",
                "progress_text",
                "submitted_by_id",
                "submitted_at",
                "on_time",
                "revision",
                "correction_reason",
                "created_at",
                "updated_at",
            ],
            rows=reports,
        )
        counts["milestones"] = insert_rows(
            model=Milestone,
            fields=[
                "project_id",
                "kind",
                "name",
                "planned_date",
                "actual_date",
                "sort_order",
                "created_at",
                "updated_at",
            ],
            rows=milestones,
        )
        counts["problems"] = insert_rows(
            model=Problem,
            fields=[
                "project_id",
                "report_id",
                "description",
                "guarantee",
                "raised_on",
                "status",
                "resolved_on",
                "created_at",
                "updated_at",
            ],
            rows=problems,
        )

        # Supervision items: opened through the year, deadlines in working days, most closed on time.
        workdays = list(
            WorkCalendarDay.objects.filter(
                date__gte=dt.date(year, 1, 1), date__lte=dt.date(year + 1, 3, 31), is_workday=True
            )
            .order_by("date")
            .values_list("date", flat=True)
        )
        project_ids = list(ids.values())
        items: list[tuple[object, ...]] = []
        for index in range(1, args.items + 1):
            opened = dt.date(year, 1, 2) + dt.timedelta(days=rng.randint(0, 355))
            working_days = rng.choice([5, 10, 10, 15, 20])
            deadline = workdays[bisect.bisect_right(workdays, opened) + working_days - 1]
            roll = rng.random()
            closed_on: dt.date | None = None
            if deadline < today:
                if roll < 0.65:
                    closed_on = max(opened, deadline - dt.timedelta(days=rng.randint(0, 5)))
                elif roll < 0.85:
                    closed_on = min(today, deadline + dt.timedelta(days=rng.randint(1, 20)))
            elif roll < 0.5:
                closed_on = min(today, max(opened, deadline - dt.timedelta(days=rng.randint(0, 5))))
            status = "closed" if closed_on else rng.choice(["assigned", "responded", "verified", "returned"])
            department = rng.choices(departments, weights=weights)[0]
            items.append(
                (
                    zone.pk,
                    f"DB{year}-{index:06d}",
                    rng.choice(SOURCES),
                    f"督办事项 {index:06d}（合成）",
                    "",
                    department.pk,
                    None,
                    rng.choice(project_ids) if rng.random() < 0.5 else None,
                    None,
                    opened,
                    working_days,
                    deadline,
                    status,
                    closed_on,
                    None,
                    None,
                    None,
                    "",
                    now,
                    now,
                )
            )
        counts["supervision items"] = insert_rows(
            model=SupervisionItem,
            fields=[
                "zone_id",
                "number",
                "source",
                "subject",
                "instructions",
                "department_id",
                "leader_id",
                "project_id",
                "problem_id",
                "opened_on",
                "working_days",
                "deadline",
                "status",
                "closed_on",
                "reminded_on",
                "escalated_on",
                "extension_requested_to",
                "extension_reason",
                "created_at",
                "updated_at",
            ],
            rows=items,
        )
        AssessmentAdjustment.objects.bulk_create(
            [
                AssessmentAdjustment(
                    zone=zone,
                    department=department,
                    period=period,
                    points=Decimal(rng.choice(["-2", "-1", "1", "2", "3"])),
                    reason="基准测试加减分（合成）",
                )
                for department in departments[::3]
                for period in (f"{year}Q1", str(year))
            ]
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in VACUUMED:
                cursor.execute(f"ANALYZE {table}")
    return counts


if __name__ == "__main__":
    sys.exit(main())

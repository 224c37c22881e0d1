"""The enterprise service desk at province scale: a generated zone with N service orders filed over the two
years before "today" across the catalogue's sub-types (most answered on time and rated, some late, the
last weeks' orders still open, some of them overdue); then the department queue, the dispatcher's board
and the statistics timed through Django's test client, and the escalation job over all open orders.
Prints figures; asserts nothing about time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zoneops_orders_bench \\
        .venv/bin/python bench/bench_servicedesk.py --orders 500000

The database named in DATABASE_URL is created when it does not exist (``--fresh`` drops it first) and
migrated; the orders are inserted directly (COPY on PostgreSQL), not through the services, in one
transaction, and a second run on the same database reuses them. The open orders are generated as the
half-hourly job would have left them (reminded up to the level their lateness calls for) except those
whose deadline is today or yesterday: the timed job run does the day's new reminders, as in production.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_projects import ensure_database, loadavg

TODAY = dt.date(2024, 6, 28)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--orders", type=int, default=500_000)
    parser.add_argument("--enterprises", type=int, default=20_000, help="filers (zoneops generate)")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    parser.add_argument(
        "--job-day",
        type=dt.date.fromisoformat,
        default=TODAY,
        help="the day the escalation job runs (a later day than the last run's finds new work)",
    )
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
    with clock.pinned(TODAY):
        return run(args)


def run(args: argparse.Namespace) -> int:
    from django.db import connection, reset_queries, transaction
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from zoneops.accounts.models import Department, Role
    from zoneops.accounts.services import api_token_issue, user_create
    from zoneops.core import clock
    from zoneops.demo.generator import generate_zone
    from zoneops.servicedesk.catalogue import catalogue_load
    from zoneops.servicedesk.models import OPEN_STATES, ServiceOrder
    from zoneops.servicedesk.services import escalate_overdue

    zone_result = generate_zone(enterprises=args.enterprises, seed=args.seed)
    zone = zone_result.zone
    print(f"registry: {zone_result.enterprises:,} enterprises ({zone_result.seconds:.1f} s)")
    catalogue_load(zone=zone)
    have = ServiceOrder.objects.filter(zone=zone).count()
    if have == 0:
        started = time.perf_counter()
        created = generate(args=args, zone=zone)
        print(f"generated {created:,} orders in {time.perf_counter() - started:.1f} s")
    elif have != args.orders:
        print(f"the database holds {have:,} orders, not {args.orders:,}: run with --fresh")
        return 2
    else:
        print(f"reusing {have:,} orders")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE servicedesk_serviceorder")
    by_status = dict(
        ServiceOrder.objects.filter(zone=zone).values_list("status").annotate(n=Count("id")).order_by()
    )
    print(f"orders by status: {by_status}")

    # The department with the most open orders: its staff's queue is the heaviest.
    busiest = (
        ServiceOrder.objects.filter(
            zone=zone, status__in=["accepted", "dispatched", "in_progress", "returned"]
        )
        .values("department_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert busiest is not None
    department = Department.objects.get(pk=busiest["department_id"])
    with transaction.atomic():
        leader = _user(zone, f"bench-orders-leader-{args.seed}", Role.LEADER, None, user_create)
        staff = _user(zone, f"bench-orders-staff-{args.seed}", Role.DEPARTMENT_STAFF, department, user_create)
        admin = _user(zone, f"bench-orders-admin-{args.seed}", Role.ZONE_ADMIN, None, user_create)
        token = api_token_issue(user=staff).token
    print(f"department queue of {department.name}: {busiest['n']:,} running orders")
    api = Client(headers={"Authorization": f"Bearer {token}"})
    staff_page = Client()
    staff_page.force_login(staff)
    leader_page = Client()
    leader_page.force_login(leader)
    admin_page = Client()
    admin_page.force_login(admin)

    cases: dict[str, tuple[Client, str, dict[str, str]]] = {
        "department queue page (open, by deadline)": (staff_page, "/orders/", {}),
        "department queue page (overdue)": (staff_page, "/orders/", {"status": "overdue"}),
        "department queue API (in progress)": (api, "/api/v1/orders", {"status": "in_progress"}),
        "statistics page, last 12 months (leader)": (leader_page, "/orders/statistics/", {}),
        "statistics page, 2 years (leader)": (
            leader_page,
            "/orders/statistics/",
            {"from": str(TODAY - dt.timedelta(days=730)), "to": str(TODAY)},
        ),
        "dispatcher's board (zone admin)": (admin_page, "/orders/board/", {}),
    }
    rows: list[tuple[str, float, float, int]] = []
    for name, (client, path, params) in cases.items():
        timings: list[float] = []
        queries = 0
        for _ in range(args.repeat):
            reset_queries()  # the generation filled the log; a full log would capture nothing
            with CaptureQueriesContext(connection) as captured:
                begin = time.perf_counter()
                response: Any = client.get(path, params)
                timings.append((time.perf_counter() - begin) * 1000)
            assert response.status_code == 200, (path, response.status_code, response.content[:300])
            queries = len(captured.captured_queries)
        timings.sort()
        rows.append((name, statistics.median(timings), timings[int(len(timings) * 0.95) - 1], queries))

    open_orders = ServiceOrder.objects.filter(zone=zone, status__in=list(OPEN_STATES)).count()
    jobs: list[tuple[str, float, int, int]] = []
    for label in ("escalation job, the day's run", "escalation job, run again (nothing new)"):
        reset_queries()
        with CaptureQueriesContext(connection) as captured, clock.pinned(args.job_day):
            begin = time.perf_counter()
            steps = escalate_overdue(zone=zone)
            seconds = time.perf_counter() - begin
        jobs.append((label, seconds, steps, len(captured.captured_queries)))

    print(f"\nload average after timing: {loadavg()}\n")
    print("| case | median ms | p95 ms | queries |")
    print("|---|---:|---:|---:|")
    for name, median, p95, queries in rows:
        print(f"| {name} | {median:.1f} | {p95:.1f} | {queries} |")
    print(f"\nescalation over {open_orders:,} open orders, run on {args.job_day}:\n")
    print("| run | seconds | steps | queries |")
    print("|---|---:|---:|---:|")
    for label, seconds, steps, queries in jobs:
        print(f"| {label} | {seconds:.2f} | {steps:,} | {queries:,} |")
    return 0


def _user(zone: Any, username: str, role: str, department: Any, user_create: Any) -> Any:
    from zoneops.accounts.models import User

    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    return user_create(
        actor=None, zone=zone, username=username, password="x" * 12, role=role, department=department
    )


def generate(*, args: argparse.Namespace, zone: Any) -> int:
    """Two years of orders, filed on working days, in one transaction (COPY on PostgreSQL)."""
    from django.db import transaction
    from django.utils import timezone

    from zoneops.core.bulk import insert_rows
    from zoneops.core.clock import SHANGHAI
    from zoneops.core.selectors import WorkdayCounter
    from zoneops.enterprises.models import Enterprise
    from zoneops.servicedesk.models import BAD_RATING, OrderRating, ServiceOrder, ServiceType
    from zoneops.servicedesk.services import ESCALATION_HEAD_AFTER, ESCALATION_SUPERVISION_AFTER

    rng = random.Random(f"orders:{args.seed}")
    now = timezone.now()
    first = TODAY - dt.timedelta(days=730)
    counter = WorkdayCounter(first=first - dt.timedelta(days=1), last=TODAY + dt.timedelta(days=120))
    workdays = [d for d in counter.days if first <= d <= TODAY]
    types = list(ServiceType.objects.filter(zone=zone).order_by("code"))
    filers = list(Enterprise.objects.filter(zone=zone).order_by("pk").values_list("pk", flat=True))
    days = sorted(rng.choice(workdays) for _ in range(args.orders))
    rows: list[tuple[object, ...]] = []
    ratings: list[tuple[int, int, dt.datetime, dt.datetime | None]] = []
    for index, filed in enumerate(days, start=1):
        service_type = rng.choice(types)
        accepted = counter.add(start=filed, days=rng.choice([0, 1])).date
        accept_due = counter.add(start=filed, days=service_type.accept_days).date
        reply_due = counter.add(start=accepted, days=service_type.reply_days).date
        resolve_due = counter.add(start=accepted, days=service_type.resolve_days).date
        late = rng.random() < 0.12
        spent = (
            service_type.resolve_days + rng.randint(1, 8)
            if late
            else rng.randint(1, service_type.resolve_days)
        )
        answer_day = counter.add(start=accepted, days=spent).date
        # The first reply: mostly by its deadline, never after the answer (which is a reply too).
        reply_day = counter.add(
            start=accepted, days=rng.randint(0, service_type.reply_days + (2 if rng.random() < 0.08 else 0))
        ).date
        replied_on: dt.date | None = min(reply_day, answer_day)
        status, answered_on, closed_on, on_time, working, rating = "closed", None, None, None, None, None
        level, amber = 0, False
        if answer_day <= TODAY:
            answered_on = answer_day
            closed_on = counter.add(start=answer_day, days=rng.choice([0, 1, 2])).date
            if closed_on > TODAY:
                status, closed_on = "answered", None
            on_time = answer_day <= resolve_due
            working = counter.between(start=filed, end=answer_day)
            if status == "closed" and rng.random() < 0.7:
                rating = rng.choices([5, 4, 3, 2, 1], weights=[45, 35, 12, 5, 3])[0]
            level = 0 if on_time else 2 if spent - service_type.resolve_days >= ESCALATION_HEAD_AFTER else 1
            amber = True
        else:
            status = rng.choices(["in_progress", "dispatched", "waiting"], weights=[80, 15, 5])[0]
            if replied_on is not None and (replied_on > TODAY or rng.random() < 0.1):
                replied_on = None
            if resolve_due < TODAY:
                late_days = counter.between(start=resolve_due, end=TODAY)
                # Yesterday's and today's new lateness is left for the timed run.
                wanted = (
                    3
                    if late_days >= ESCALATION_SUPERVISION_AFTER
                    else 2
                    if late_days >= ESCALATION_HEAD_AFTER
                    else 1
                )
                level = wanted if late_days > 1 else 0
                level = min(level, 2)  # level 3 raised items are not generated here
            amber = resolve_due < counter.add(start=TODAY, days=1).date and rng.random() < 0.5
        # A first reply that came late, or has not come and was due before yesterday, was reminded by the
        # half-hourly job already; yesterday's and today's are left for the timed run.
        reply_reminded = (replied_on or TODAY) > reply_due and counter.between(
            start=reply_due, end=replied_on or TODAY
        ) > (0 if replied_on else 1)
        if rating is not None and closed_on is not None:
            rated_at = dt.datetime.combine(closed_on, dt.time(10), tzinfo=SHANGHAI)
            # The general office calls back on a bad rating within days; the last week's wait.
            followed = rating <= BAD_RATING and closed_on < TODAY - dt.timedelta(days=7)
            ratings.append((index, rating, rated_at, rated_at + dt.timedelta(days=2) if followed else None))
        rows.append(
            (
                zone.pk,
                f"BG{filed.year}-{index:07d}",
                rng.choice(filers),
                service_type.pk,
                f"基准工单 {index:07d}（合成）",
                "企业诉求（合成）。",
                "{}",
                status,
                service_type.department_id,
                None,
                None,
                filed,
                accept_due,
                reply_due,
                resolve_due,
                False,
                accepted,
                TODAY - dt.timedelta(days=3) if status == "waiting" else None,
                0,
                0,
                None,
                "",
                answered_on,
                closed_on,
                working,
                on_time,
                rating,
                "",
                None,
                level,
                amber,
                "",
                None,
                None,
                replied_on,
                reply_reminded,
                now,
                now,
            )
        )
    from zoneops.servicedesk.services import order_stats_rebuild

    with transaction.atomic():
        count = insert_rows(
            model=ServiceOrder,
            fields=[
                "zone_id",
                "number",
                "enterprise_id",
                "service_type_id",
                "title",
                "description",
                "extra",
                "status",
                "department_id",
                "handler_id",
                "filed_by_id",
                "submitted_on",
                "accept_due",
                "reply_due",
                "resolve_due",
                "deadline_provisional",
                "accepted_on",
                "waiting_since",
                "paused_days",
                "extension_days",
                "extension_requested_days",
                "extension_reason",
                "answered_on",
                "closed_on",
                "resolve_working_days",
                "answered_on_time",
                "rating",
                "rating_comment",
                "duplicate_of_id",
                "escalation_level",
                "amber_sent",
                "open311_token",
                "supervision_item_id",
                "problem_id",
                "replied_on",
                "reply_reminded",
                "created_at",
                "updated_at",
            ],
            rows=rows,
        )
        # Each rating is kept as its own row (the order's own field holds the latest).
        ids = dict(ServiceOrder.objects.filter(zone=zone).values_list("number", "pk"))
        numbers = dict(enumerate((row[1] for row in rows), start=1))
        rated = insert_rows(
            model=OrderRating,
            fields=[
                "order_id",
                "rating",
                "comment",
                "rated_at",
                "rated_by_id",
                "followed_up_at",
                "followed_up_by_id",
            ],
            rows=[(ids[numbers[i]], r, "", at, None, followed, None) for i, r, at, followed in ratings],
        )
        # Orders loaded in bulk bypass the services that keep the statistics cells.
        cells = order_stats_rebuild(zone_id=zone.pk)
    pending = sum(1 for _i, stars, _at, followed in ratings if stars <= BAD_RATING and followed is None)
    print(f"ratings: {rated:,} ({pending:,} bad ones not yet followed up)")
    print(f"statistics cells: {cells:,}")
    return count


if __name__ == "__main__":
    raise SystemExit(main())

"""The leadership cockpit (驾驶舱): one read of every capability's headline figures, each from the
selector that owns it (nothing is counted twice in two ways), each with the page behind it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _

from zoneops.accounts.models import User
from zoneops.core import clock
from zoneops.core.access import Perm, has_perm, require_perm

CLUSTER_INDICATOR = "revenue"
RED_PROJECTS_SHOWN = 8
TOP_GROWERS = 10


@dataclass
class Cockpit:
    today: dt.date
    period: dt.date | None  # the month of the latest published figures
    clusters: list[dict[str, Any]] = field(default_factory=list)
    projects: dict[str, Any] = field(default_factory=dict)
    pipeline: dict[str, Any] = field(default_factory=dict)
    gaps: dict[str, Any] = field(default_factory=dict)
    orders: dict[str, Any] = field(default_factory=dict)
    supervision: dict[str, Any] = field(default_factory=dict)
    assessment: dict[str, Any] = field(default_factory=dict)
    growers: list[dict[str, Any]] = field(default_factory=list)


def _quarter_before(day: dt.date) -> str:
    quarter = (day.month - 1) // 3  # the last complete quarter
    return f"{day.year - 1}Q4" if quarter == 0 else f"{day.year}Q{quarter}"


# The two panels read from closed periods — the last quarter's assessment ranking and the chain gaps of the
# last full year — are the cockpit's slowest reads at province scale, and change only when a late report,
# a correction or a confirmed chain member comes in. The cockpit (and the wall screen refreshing it)
# recomputes them at most this often per zone; their own pages always read them live.
SETTLED_PANEL_SECONDS = 300


def _settled[T](*, user: User, today: dt.date, panel: str, compute: Callable[[], T]) -> T:
    zone = user.zone
    if zone is None:
        return compute()
    # The zone's creation time tells a rebuilt demo database's zone from the one it replaced.
    key = f"cockpit:{zone.pk}:{zone.created_at.timestamp():.0f}:{today:%Y%m%d}:{panel}"
    found: T | None = cache.get(key)
    if found is not None:
        return found
    value = compute()
    cache.set(key, value, SETTLED_PANEL_SECONDS)
    return value


def may_open(user: User) -> bool:
    # Leaders, the supervision office and the administrator (who holds every permission).
    return has_perm(user, Perm.SUPERVISION_VIEW)


def cockpit(*, user: User) -> Cockpit:
    """Leaders' and supervisors' morning page, as of the zone's today."""
    from zoneops.indicators.selectors import cluster_progress, growth_ranking, latest_period
    from zoneops.investment import selectors as pipeline
    from zoneops.projects.selectors import board_counts, projects
    from zoneops.projects.warnings import reason_text
    from zoneops.servicedesk import selectors as desk
    from zoneops.supervision.assessment import assessment
    from zoneops.supervision.selectors import board as supervision_board

    require_perm(user, Perm.SUPERVISION_VIEW)
    today = clock.today(zone=user.zone)
    period = latest_period(user=user, indicator=CLUSTER_INDICATOR, year=today.year)
    result = Cockpit(today=today, period=period)

    if period is not None:
        indicators_link = reverse("indicators:dashboard")
        result.clusters = [
            {
                "cluster_id": c.cluster_id,
                "name": c.name,
                "name_en": c.name_en,
                "tier": c.tier,
                "ytd": c.ytd,
                "target": c.target,
                "progress": c.progress,
                "elapsed": c.elapsed,
                "yoy": c.yoy,
                "projection": c.projection,
                "link": f"{indicators_link}?period={period:%Y-%m}",
            }
            for c in cluster_progress(user=user, indicator=CLUSTER_INDICATOR, period=period)
        ]
        result.growers = [
            {
                "enterprise_id": t.enterprise_id,
                "name": t.enterprise.name,
                "ytd": t.ytd,
                "growth": t.growth,
                "link": reverse("enterprises:detail", kwargs={"enterprise_id": t.enterprise_id}),
            }
            for t in growth_ranking(user=user, indicator=CLUSTER_INDICATOR, year=today.year, period=period)[
                :TOP_GROWERS
            ]
        ]

    board = reverse("projects:board")
    counts = board_counts(user=user, year=today.year)
    red = projects(user=user).filter(year=today.year, warning_level="red").order_by("code")
    result.projects = {
        "year": today.year,
        "counts": counts,
        "total": sum(counts.values()),
        "red": [
            {
                "project_id": p.pk,
                "code": p.code,
                "name": p.name,
                "reasons": [reason_text(r) for r in p.warning_reasons if r.get("level") == "red"],
                "link": reverse("projects:project", kwargs={"project_id": p.pk}),
            }
            for p in red[:RED_PROJECTS_SHOWN]
        ],
        "link": f"{board}?year={today.year}",
        "red_link": f"{board}?year={today.year}&warning_level=red",
    }

    funnel = pipeline.funnel_totals(user=user, year=today.year)
    worth = pipeline.value(user=user, year=today.year)
    open_leads = sum(funnel.current.get(s, 0) for s in ("lead", "contacted", "site_visit", "negotiating"))
    result.pipeline = {
        "year": today.year,
        "stages": [label for _s, label in funnel.stages],
        "reached": funnel.reached,
        "open_leads": open_leads,
        "signed_in_year": worth.signed_in_year,
        "signed_count": worth.signed_count,
        "target": worth.target,
        "target_share": worth.target_share,
        "link": reverse("investment:funnel"),
    }
    nodes = (
        _settled(user=user, today=today, panel="gap-nodes", compute=lambda: pipeline.gap_nodes(user=user))
        if has_perm(user, Perm.CHAIN_VIEW)
        else []
    )
    coverage = pipeline.gap_coverage(user=user, with_leads=False, nodes=nodes)
    uncovered = [g for g in coverage if g.uncovered]
    result.gaps = {
        "gaps": len(coverage),
        "uncovered": len(uncovered),
        "nodes": [
            {
                "chain": g.chain,
                "node": g.node,
                "gap": g.gap,
                "link": reverse("chains:chain", kwargs={"chain_id": g.chain_id}),
            }
            for g in uncovered[:8]
        ],
        "link": reverse("investment:gaps"),
    }

    first = (today.replace(day=1) - dt.timedelta(days=365)).replace(day=1)
    stats = desk.statistics(user=user, first=first, last=today, today=today)
    queue = desk.queue_counts(user=user, today=today)
    result.orders = {
        "first": first,
        "filed": stats.total.filed,
        "answered": stats.total.answered,
        "on_time": stats.total.on_time,
        "on_time_rate": stats.total.on_time_rate,
        "mean_working_days": stats.total.mean_working_days,
        "mean_rating": stats.total.mean_rating,
        "satisfaction_rate": stats.total.satisfaction_rate,
        "open": queue["open"],
        "overdue": queue["overdue"],
        "link": reverse("servicedesk:stats"),
        "overdue_link": f"{reverse('servicedesk:orders')}?status=overdue",
    }

    loads = supervision_board(user=user)
    departments = [d for d in loads["departments"] if d.overdue]  # type: ignore[attr-defined]
    counts_by_bucket: dict[str, int] = loads["counts"]  # type: ignore[assignment]
    result.supervision = {
        "counts": counts_by_bucket,
        "overdue_by_department": [
            {
                "department_id": d.department_id,
                "department": d.department,
                "overdue": d.overdue,
                "open": d.open,
            }
            for d in departments
        ],
        "link": reverse("supervision:board"),
    }

    code = _quarter_before(today)
    ranking = (
        _settled(
            user=user,
            today=today,
            panel=f"ranking-{code}",
            compute=lambda: [
                {
                    "rank": r.rank,
                    "department_id": r.department_id,
                    "department": r.department,
                    "score": r.score,
                }
                for r in assessment(user=user, period_code=code, with_change=False)
            ],
        )
        if has_perm(user, Perm.ASSESSMENT_VIEW)
        else []
    )
    result.assessment = {
        "period": code,
        "ranking": ranking,
        "link": f"{reverse('supervision:assessment')}?period={code}",
    }
    return result


def as_json(data: Cockpit) -> dict[str, Any]:
    """The cockpit as the API returns it: the same figures as the page, money and rates as strings."""

    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return {
        "today": data.today.isoformat(),
        "period": data.period.isoformat() if data.period else None,
        "clusters": plain(data.clusters),
        "projects": plain(data.projects),
        "pipeline": plain(data.pipeline),
        "gaps": plain(data.gaps),
        "orders": plain(data.orders),
        "supervision": plain(data.supervision),
        "assessment": plain(data.assessment),
        "growers": plain(data.growers),
    }


@dataclass(frozen=True)
class WorkCard:
    key: str
    label: str
    count: int | None
    link: str
    urgent: bool = False


def my_work(*, user: User) -> list[WorkCard]:
    """What waits for this user today, by role: the cockpit for leaders and supervisors; the general
    office's orders to accept; a department's open and overdue orders, late monthly reports and
    supervision items; the investment bureau's leads needing attention. Shown at the top of the home page."""
    from zoneops.core.access import is_enterprise_user
    from zoneops.investment import selectors as pipeline
    from zoneops.projects.selectors import reports_missing
    from zoneops.servicedesk.selectors import queue_counts
    from zoneops.supervision.selectors import board as supervision_board

    if is_enterprise_user(user) or user.zone_id is None:
        return []
    today = clock.today(zone=user.zone)
    cards: list[WorkCard] = []
    if may_open(user):
        cards.append(WorkCard("cockpit", str(_("Cockpit")), None, reverse("cockpit:cockpit")))
    orders_link = reverse("servicedesk:orders")
    if has_perm(user, Perm.ORDER_DISPATCH):
        counts = queue_counts(user=user, today=today)
        cards.append(
            WorkCard(
                "to-accept", str(_("orders to accept")), counts["submitted"], reverse("servicedesk:board")
            )
        )
        cards.append(
            WorkCard(
                "orders-overdue",
                str(_("orders overdue")),
                counts["overdue"],
                f"{orders_link}?status=overdue",
                urgent=counts["overdue"] > 0,
            )
        )
    elif (
        user.department_id is not None
        and has_perm(user, Perm.ORDER_VIEW)
        and not has_perm(user, Perm.SUPERVISION_VIEW)
    ):
        counts = queue_counts(user=user, today=today)
        cards.append(WorkCard("orders-open", str(_("open service orders")), counts["open"], orders_link))
        cards.append(
            WorkCard(
                "orders-overdue",
                str(_("orders overdue")),
                counts["overdue"],
                f"{orders_link}?status=overdue",
                urgent=counts["overdue"] > 0,
            )
        )
    if has_perm(user, Perm.PROJECT_REPORT) and user.department_id is not None:
        late = reports_missing(zone_id=user.zone_id, today=today, department_id=user.department_id)
        cards.append(
            WorkCard(
                "reports-late",
                str(_("monthly reports late")),
                len(late),
                f"{reverse('projects:board')}?department={user.department_id}",
                urgent=bool(late),
            )
        )
    if has_perm(user, Perm.SUPERVISION_VIEW) or (has_perm(user, Perm.PROJECT_REPORT) and user.department_id):
        items = supervision_board(user=user)["counts"]
        assert isinstance(items, dict)
        cards.append(
            WorkCard(
                "items-overdue",
                str(_("supervision items overdue")),
                int(items["overdue"]),
                f"{reverse('supervision:board')}?bucket=overdue",
                urgent=int(items["overdue"]) > 0,
            )
        )
    if has_perm(user, Perm.LEAD_EDIT):
        attention = pipeline.needing_attention(user=user, today=today)
        cards.append(
            WorkCard(
                "leads-attention",
                str(_("leads needing attention")),
                len(attention),
                reverse("investment:board"),
            )
        )
    return cards


HOME_ORDERS_SHOWN = 10
HOME_MONTHS_SHOWN = 3


@dataclass(frozen=True)
class EnterpriseHome:
    """What an enterprise contact lands on: its orders (those waiting for it first) and its figures."""

    enterprise: Any
    counts: dict[str, int]
    to_act: list[Any]  # orders waiting for the enterprise: information to give, an answer to confirm or rate
    open_orders: list[Any]
    figures: Any
    submission_period: dt.date
    submission: Any
    submission_due: dt.date


def enterprise_home(*, user: User) -> EnterpriseHome:

    from zoneops.enterprises.selectors import enterprise_get
    from zoneops.indicators.selectors import figures_table, submissions_of
    from zoneops.indicators.services import submission_deadline
    from zoneops.servicedesk.models import OPEN_STATES, OrderStatus
    from zoneops.servicedesk.selectors import awaiting_enterprise, orders, queue_counts, timers_attach

    if user.enterprise_id is None:
        raise PermissionDenied(_("This page is for enterprise contacts."))
    today = clock.today(zone=user.zone)
    enterprise = enterprise_get(user=user, enterprise_id=user.enterprise_id)
    mine = orders(user=user)
    # Last month's figures are the ones due now (by the deadline day of this month).
    period = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    open_orders = list(
        mine.filter(status__in=list(OPEN_STATES))
        .exclude(status=OrderStatus.WAITING)
        .order_by("resolve_due", "accept_due", "id")[:HOME_ORDERS_SHOWN]
    )
    timers_attach(orders=open_orders, today=today)
    return EnterpriseHome(
        enterprise=enterprise,
        counts=queue_counts(user=user, today=today),
        to_act=list(mine.filter(awaiting_enterprise())[:HOME_ORDERS_SHOWN]),
        open_orders=open_orders,
        figures=figures_table(
            user=user, enterprise=enterprise, year=today.year, last_months=HOME_MONTHS_SHOWN
        ),
        submission_period=period,
        submission=submissions_of(user=user).filter(period=period).first(),
        submission_due=submission_deadline(period=period),
    )


SEARCH_MIN_LENGTH = 2
SEARCH_SHOWN = 10


@dataclass(frozen=True)
class SearchHit:
    title: str
    detail: str
    link: str


@dataclass(frozen=True)
class SearchGroup:
    kind: str  # enterprises, projects, leads, orders, items
    label: str
    total: int
    hits: list[SearchHit]
    more_link: str  # the list page filtered by the same words, where it has a search


def search(*, user: User, text: str, shown: int = SEARCH_SHOWN) -> list[SearchGroup]:
    """One search box across enterprises, key projects, leads, service orders and supervision items. Each
    kind is read through its own visibility rule (the scope the list pages use), so nobody finds what
    they may not open; kinds the user may not see at all are left out."""
    from urllib.parse import urlencode

    from django.db.models import Q

    from zoneops.core.access import project_scope, supervision_scope
    from zoneops.enterprises.selectors import EnterpriseFilters, enterprise_list
    from zoneops.investment.selectors import LeadFilter, leads
    from zoneops.projects.models import KeyProject
    from zoneops.servicedesk.selectors import QueueFilter, queue
    from zoneops.supervision.models import SupervisionItem

    words = " ".join(text.split())
    if len(words) < SEARCH_MIN_LENGTH or user.zone_id is None:
        return []
    query = urlencode({"search": words})
    groups: list[SearchGroup] = []

    def group(kind: str, label: str, rows: Any, hit: Any, more: str) -> None:
        total = rows.count()
        if total:
            groups.append(SearchGroup(kind, label, total, [hit(r) for r in rows[:shown]], more))

    if has_perm(user, Perm.ENTERPRISE_VIEW):
        group(
            "enterprises",
            str(_("Enterprises")),
            # The registry's own search (names, English name, short name, credit code).
            enterprise_list(user=user, filters=EnterpriseFilters(search=words)),
            lambda e: SearchHit(
                e.name, e.uscc, reverse("enterprises:detail", kwargs={"enterprise_id": e.pk})
            ),
            f"{reverse('enterprises:list')}?{query}",
        )
    projects = KeyProject.objects.filter(project_scope(user)).filter(
        Q(name__icontains=words) | Q(code__icontains=words) | Q(owner__name__icontains=words)
    )
    group(
        "projects",
        str(_("Key projects")),
        projects.select_related("owner").order_by("-year", "code"),
        lambda p: SearchHit(
            p.name,
            f"{p.code} · {p.owner.name if p.owner else ''}",
            reverse("projects:project", kwargs={"project_id": p.pk}),
        ),
        f"{reverse('projects:board')}",
    )
    group(
        "leads",
        str(_("Leads")),
        leads(user=user, filters=LeadFilter(search=words)),
        lambda lead: SearchHit(
            lead.company_name,
            str(lead.get_stage_display()),
            reverse("investment:lead", kwargs={"lead_id": lead.pk}),
        ),
        f"{reverse('investment:board')}?{query}",
    )
    today = clock.today(zone=user.zone)
    group(
        "orders",
        str(_("Service orders")),
        # The queue's own search (number, title, enterprise), over every status, newest first.
        queue(user=user, filters=QueueFilter(status="all", search=words), today=today),
        lambda o: SearchHit(
            f"{o.number} · {o.title}",
            f"{o.enterprise.name} · {o.get_status_display()}",
            reverse("servicedesk:order", kwargs={"order_id": o.pk}),
        ),
        f"{reverse('servicedesk:orders')}?status=all&{query}",
    )
    items = SupervisionItem.objects.filter(supervision_scope(user)).filter(
        Q(number__icontains=words) | Q(subject__icontains=words)
    )
    group(
        "items",
        str(_("Supervision items")),
        items.select_related("department").order_by("-pk"),
        lambda i: SearchHit(
            f"{i.number} · {i.subject}",
            f"{i.department.name} · {i.get_status_display()}",
            reverse("supervision:item", kwargs={"item_id": i.pk}),
        ),
        reverse("supervision:board"),
    )
    return groups

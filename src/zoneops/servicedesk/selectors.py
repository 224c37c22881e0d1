"""Reads of the service desk, scoped: the catalogue, orders, one order with its timeline."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.http import Http404
from django.utils.translation import gettext as _

from zoneops.accounts.models import Department, User
from zoneops.core.access import Perm, has_perm, is_active_user, order_scope, zone_scope
from zoneops.core.selectors import WorkdayCounter
from zoneops.enterprises.models import Enterprise
from zoneops.servicedesk.models import (
    BAD_RATING,
    OPEN_STATES,
    RUNNING_STATES,
    Guarantee,
    OrderAttachment,
    OrderDayStat,
    OrderEvent,
    OrderRating,
    OrderStatus,
    ServiceOrder,
    ServiceType,
)


def catalogue(*, user: User) -> QuerySet[ServiceType]:
    if not is_active_user(user):
        return ServiceType.objects.none()
    return (
        ServiceType.objects.filter(zone_scope(user), active=True)
        .select_related("department")
        .order_by("guarantee", "code")
    )


def orders(
    *, user: User, status: str | None = None, department_id: int | None = None
) -> QuerySet[ServiceOrder]:
    rows = ServiceOrder.objects.filter(order_scope(user))
    if status:
        rows = rows.filter(status=status)
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    return rows.select_related("enterprise", "service_type", "department", "zone").order_by(
        "-submitted_on", "-id"
    )


def possible_duplicates(
    *, user: User, enterprise: Enterprise, title: str, description: str = ""
) -> list[ServiceOrder]:
    """The enterprise's open orders, among those the user may see, whose text is close to this one
    (suggested while filing): the best five scoring at least 0.6, of the latest 200."""
    text = f"{title} {description}".strip()
    found: list[tuple[float, ServiceOrder]] = []
    recent = ServiceOrder.objects.filter(
        order_scope(user), enterprise=enterprise, status__in=OPEN_STATES
    ).order_by("-id")[:200]
    for order in recent:
        ratio = difflib.SequenceMatcher(None, text, f"{order.title} {order.description}").ratio()
        title_ratio = difflib.SequenceMatcher(None, title, order.title).ratio()
        score = max(ratio, title_ratio)
        if score >= 0.6:
            found.append((score, order))
    found.sort(key=lambda pair: (-pair[0], pair[1].pk))
    return [order for _score, order in found[:5]]


def order_get(*, user: User, order_id: int) -> ServiceOrder:
    order = (
        ServiceOrder.objects.filter(order_scope(user), pk=order_id)
        .select_related("enterprise", "service_type", "department", "department__head", "handler", "zone")
        .prefetch_related(
            Prefetch("events", queryset=OrderEvent.objects.select_related("actor").order_by("at", "pk")),
            "attachments",
            Prefetch("ratings", queryset=OrderRating.objects.order_by("rated_at", "pk")),
        )
        .first()
    )
    if order is None:
        raise Http404
    return order


# --- pages ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueFilter:
    status: str | None = None  # an OrderStatus, "open" (default), "overdue", "amber" or "all"
    department_id: int | None = None
    guarantee: str | None = None
    search: str = ""


def _overdue(today: dt.date) -> Q:
    """Past the deadline that applies now: acceptance for a submitted order, resolution once accepted
    (the same rule as ``services.deadline_state``; waiting orders are paused)."""
    return Q(status=OrderStatus.SUBMITTED, accept_due__lt=today) | Q(
        status__in=list(RUNNING_STATES), resolve_due__lt=today
    )


def queue(*, user: User, filters: QueueFilter, today: dt.date) -> QuerySet[ServiceOrder]:
    """The orders of a queue page: open ones by default, the most urgent deadline first."""
    rows = orders(user=user, department_id=filters.department_id)
    if filters.status in (None, "", "open"):
        rows = rows.filter(status__in=list(OPEN_STATES))
    elif filters.status == "overdue":
        rows = rows.filter(_overdue(today))
    elif filters.status == "amber":
        rows = rows.filter(status__in=list(RUNNING_STATES), resolve_due__gte=today, amber_sent=True)
    elif filters.status != "all":
        rows = rows.filter(status=filters.status)
    if filters.guarantee:
        rows = rows.filter(service_type__guarantee=filters.guarantee)
    if filters.search:
        rows = rows.filter(
            Q(number__icontains=filters.search)
            | Q(title__icontains=filters.search)
            | Q(enterprise__name__icontains=filters.search)
        )
    if filters.status in (None, "", "open", "overdue", "amber"):
        return rows.order_by(Coalesce("resolve_due", "accept_due").asc(), "id")
    return rows.order_by("-submitted_on", "-id")


def timers_attach(*, orders: list[ServiceOrder], today: dt.date) -> None:
    """Attach ``deadline_state``, ``days_left`` (working days, negative when late) and ``days_late`` to
    each order, for the countdowns the queues, the board, the order page and the enterprise's home show."""
    from zoneops.servicedesk.services import deadline_state

    if not orders:
        return
    dues = [o.resolve_due or o.accept_due for o in orders]
    counter = WorkdayCounter(first=min([*dues, today]) - dt.timedelta(days=1), last=max([*dues, today]))
    for order, due in zip(orders, dues, strict=True):
        order.deadline_state = deadline_state(order=order, today=today)  # type: ignore[attr-defined]
        order.days_left = counter.between(start=today, end=due)  # type: ignore[attr-defined]
        order.days_late = max(0, -order.days_left)  # type: ignore[attr-defined]


def queue_counts(*, user: User, today: dt.date, department_id: int | None = None) -> dict[str, int]:
    """Open orders of the user's scope by state, for the cards above a queue (one query)."""
    rows = orders(user=user, department_id=department_id).filter(status__in=list(OPEN_STATES))
    counted = rows.aggregate(
        open=Count("pk"),
        submitted=Count("pk", filter=Q(status=OrderStatus.SUBMITTED)),
        returned=Count("pk", filter=Q(status=OrderStatus.RETURNED)),
        waiting=Count("pk", filter=Q(status=OrderStatus.WAITING)),
        overdue=Count("pk", filter=_overdue(today)),
        amber=Count("pk", filter=Q(status__in=list(RUNNING_STATES), resolve_due__gte=today, amber_sent=True)),
        extension=Count("pk", filter=Q(extension_requested_days__isnull=False)),
    )
    return {key: int(value or 0) for key, value in counted.items()}


def board_columns(*, user: User, today: dt.date, limit: int = 30) -> dict[str, list[ServiceOrder]]:
    """The dispatcher's board: what waits for the general office (to accept, to re-route, extensions to
    decide, bad ratings to follow up) and what is late, each column oldest first."""
    base = orders(user=user)
    return {
        "submitted": list(base.filter(status=OrderStatus.SUBMITTED).order_by("accept_due", "id")[:limit]),
        "returned": list(base.filter(status=OrderStatus.RETURNED).order_by("resolve_due", "id")[:limit]),
        "extension": list(
            # Only open orders can have a pending request: the status index finds them.
            base.filter(status__in=list(OPEN_STATES), extension_requested_days__isnull=False).order_by(
                "resolve_due", "id"
            )[:limit]
        ),
        "overdue": _overdue_running(base, today=today, limit=limit),
        "answered": list(base.filter(status=OrderStatus.ANSWERED).order_by("answered_on", "id")[:limit]),
        "follow_up": _follow_ups(base, limit=limit),
    }


def _overdue_running(base: QuerySet[ServiceOrder], *, today: dt.date, limit: int) -> list[ServiceOrder]:
    """Running orders past their resolution deadline, oldest deadline first. Read one status at a time,
    each through the status index (zone, status, deadline): asked for all running states at once, the
    planner walks the deadline index from the zone's oldest order and filters out every closed one (about
    480,000 at province scale) before it meets the first running order."""
    candidates = [
        order
        for status in sorted(RUNNING_STATES)
        for order in base.filter(status=status, resolve_due__lt=today).order_by("resolve_due", "id")[:limit]
    ]
    return sorted(candidates, key=lambda order: (order.resolve_due, order.pk))[:limit]


def bad_ratings_pending(*, order: ServiceOrder | None = None) -> QuerySet[OrderRating]:
    """Ratings of ``BAD_RATING`` or lower that the general office has not followed up yet (of one order,
    or of all); their own partial index holds them."""
    pending = OrderRating.objects.filter(rating__lte=BAD_RATING, followed_up_at__isnull=True)
    return pending if order is None else pending.filter(order=order)


def _follow_ups(base: QuerySet[ServiceOrder], *, limit: int) -> list[ServiceOrder]:
    """Orders the user sees with a bad rating not followed up, by the oldest such rating. The pending
    ratings are walked in that order by their partial index, each checked against the user's orders, up to
    ``limit`` orders: neither every zone's pending ratings nor all of the user's orders are read."""
    wanted: list[int] = []
    pending = bad_ratings_pending().filter(order__in=base).order_by("rated_at", "id")
    for order_id in pending.values_list("order_id", flat=True).iterator(chunk_size=limit * 2):
        if order_id not in wanted:
            wanted.append(order_id)
            if len(wanted) == limit:
                break
    found = base.in_bulk(wanted)
    return [found[pk] for pk in wanted]


def attachment_get(*, user: User, attachment_id: int) -> OrderAttachment:
    attachment = (
        OrderAttachment.objects.filter(
            pk=attachment_id, order__in=ServiceOrder.objects.filter(order_scope(user))
        )
        .select_related("order")
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


# --- statistics -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatsRow:
    key: str
    label: str
    filed: int
    answered: int
    on_time: int
    open: int
    overdue: int
    mean_working_days: float | None
    rated: int
    mean_rating: float | None
    satisfied: int  # rated 4 or 5

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.answered, 1) if self.answered else None

    @property
    def satisfaction_rate(self) -> float | None:
        return round(100 * self.satisfied / self.rated, 1) if self.rated else None


@dataclass(frozen=True, slots=True)
class OrderStatistics:
    first: dt.date
    last: dt.date
    total: StatsRow
    by_guarantee: list[StatsRow]
    by_department: list[StatsRow]
    by_month: list[tuple[str, int, int]]  # (YYYY-MM, filed, answered on time)
    ratings: dict[int, int]


# Additive measures, so that the cells add up to every table of the page.
_CELL_SUMS = (
    "filed",
    "answered",
    "on_time",
    "days_total",
    "days_counted",
    "rated",
    "rating_total",
    "r1",
    "r2",
    "r3",
    "r4",
    "r5",
)
_SUMS = (*_CELL_SUMS, "open", "overdue")


def _add(into: dict[str, int], cell: Mapping[str, Any]) -> None:
    for name in _SUMS:
        into[name] = into.get(name, 0) + int(cell.get(name) or 0)


def _stats_row(key: str, label: str, sums: Mapping[str, int]) -> StatsRow:
    def mean(total: str, count: str) -> float | None:
        return round(sums[total] / sums[count], 2) if sums.get(count) else None

    return StatsRow(
        key=key,
        label=label,
        filed=sums.get("filed", 0),
        answered=sums.get("answered", 0),
        on_time=sums.get("on_time", 0),
        open=sums.get("open", 0),
        overdue=sums.get("overdue", 0),
        mean_working_days=mean("days_total", "days_counted"),
        rated=sums.get("rated", 0),
        mean_rating=mean("rating_total", "rated"),
        satisfied=sums.get("r4", 0) + sums.get("r5", 0),
    )


def statistics(*, user: User, first: dt.date, last: dt.date, today: dt.date) -> OrderStatistics:
    """Volume, on-time rate, mean working days to the answer and satisfaction of the zone's orders filed
    from ``first`` to ``last``, in total, by guarantee, by department and by month. Merged and refused
    orders count as filed but are never answered. For dispatchers, the supervision office and leaders.

    Read from the daily cells the services keep (``OrderDayStat``), plus the open and overdue counts of
    the orders still open; every table is a sum of (sub-type × department × month) cells, so the page
    costs the same at any number of orders."""
    if not (has_perm(user, Perm.ORDER_DISPATCH) or has_perm(user, Perm.SUPERVISION_VIEW)):
        raise PermissionDenied
    day_cells = (
        OrderDayStat.objects.filter(zone_scope(user), day__gte=first, day__lte=last)
        .annotate(month=TruncMonth("day"))
        .values("service_type_id", "department_id", "month")
        .annotate(**{name: Sum(name) for name in _CELL_SUMS})
        .order_by()
    )
    open_cells = (
        ServiceOrder.objects.filter(
            zone_scope(user), status__in=list(OPEN_STATES), submitted_on__gte=first, submitted_on__lte=last
        )
        .annotate(month=TruncMonth("submitted_on"))
        .values("service_type_id", "department_id", "month")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(status__in=list(RUNNING_STATES), resolve_due__lt=today)),
        )
        .order_by()
    )
    guarantee_of = dict(ServiceType.objects.filter(zone_scope(user)).values_list("pk", "guarantee"))
    total: dict[str, int] = {}
    by_guarantee: dict[str, dict[str, int]] = {}
    by_department: dict[int | None, dict[str, int]] = {}
    by_month: dict[str, dict[str, int]] = {}
    for cell in [*day_cells, *open_cells]:
        _add(total, cell)
        _add(by_guarantee.setdefault(guarantee_of.get(cell["service_type_id"], ""), {}), cell)
        _add(by_department.setdefault(cell["department_id"], {}), cell)
        _add(by_month.setdefault(f"{cell['month']:%Y-%m}", {}), cell)
    labels = dict(Guarantee.choices)
    names = dict(Department.objects.filter(zone_scope(user)).values_list("pk", "name"))
    return OrderStatistics(
        first=first,
        last=last,
        total=_stats_row("all", str(_("All")), total),
        by_guarantee=[
            _stats_row(value, str(label), by_guarantee[value])
            for value, label in labels.items()
            if value in by_guarantee
        ],
        by_department=sorted(
            (
                _stats_row(str(pk), names.get(pk, "—") if pk else "—", sums)
                for pk, sums in by_department.items()
            ),
            key=lambda r: (-r.filed, r.label),
        ),
        by_month=[(month, sums["filed"], sums["on_time"]) for month, sums in sorted(by_month.items())],
        ratings={n: total.get(f"r{n}", 0) for n in range(1, 6)},
    )


# The steps an order waits for its enterprise to take (reopening is the enterprise's choice, not a wait).
ENTERPRISE_AWAITED = ("resume", "confirm", "rate")


def awaiting_enterprise() -> Q:
    """Orders waiting for their enterprise: in a state one of its awaited steps starts from (the state
    machine's own table), a rating only while none is given (as the order page offers it)."""
    from zoneops.servicedesk.services import TRANSITIONS

    awaited = Q(pk__in=[])
    for action in ENTERPRISE_AWAITED:
        sources, _target, _who = TRANSITIONS[action]
        step = Q(status__in=sorted(sources))
        awaited |= step & Q(rating__isnull=True) if action == "rate" else step
    return awaited

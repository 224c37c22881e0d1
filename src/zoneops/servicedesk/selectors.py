"""Reads of the service desk, scoped: the catalogue, orders, one order with its timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce, TruncMonth
from django.http import Http404
from django.utils.translation import gettext as _

from zoneops.accounts.models import Department, User
from zoneops.core.access import is_active_user, order_scope, zone_scope
from zoneops.servicedesk.models import (
    OPEN_STATES,
    RUNNING_STATES,
    Guarantee,
    OrderAttachment,
    OrderEvent,
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
    return rows.select_related("enterprise", "service_type", "department").order_by("-submitted_on", "-id")


def order_get(*, user: User, order_id: int) -> ServiceOrder:
    order = (
        ServiceOrder.objects.filter(order_scope(user), pk=order_id)
        .select_related("enterprise", "service_type", "department", "department__head", "handler", "zone")
        .prefetch_related(
            Prefetch("events", queryset=OrderEvent.objects.select_related("actor").order_by("at", "pk")),
            "attachments",
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


def queue(*, user: User, filters: QueueFilter, today: dt.date) -> QuerySet[ServiceOrder]:
    """The orders of a queue page: open ones by default, the most urgent deadline first."""
    rows = orders(user=user, department_id=filters.department_id)
    if filters.status in (None, "", "open"):
        rows = rows.filter(status__in=list(OPEN_STATES))
    elif filters.status == "overdue":
        rows = rows.filter(status__in=list(RUNNING_STATES), resolve_due__lt=today)
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


def queue_counts(*, user: User, today: dt.date, department_id: int | None = None) -> dict[str, int]:
    """Open orders of the user's scope by state, for the cards above a queue (one query)."""
    rows = orders(user=user, department_id=department_id).filter(status__in=list(OPEN_STATES))
    counted = rows.aggregate(
        open=Count("pk"),
        submitted=Count("pk", filter=Q(status=OrderStatus.SUBMITTED)),
        returned=Count("pk", filter=Q(status=OrderStatus.RETURNED)),
        waiting=Count("pk", filter=Q(status=OrderStatus.WAITING)),
        overdue=Count("pk", filter=Q(status__in=list(RUNNING_STATES), resolve_due__lt=today)),
        amber=Count("pk", filter=Q(status__in=list(RUNNING_STATES), resolve_due__gte=today, amber_sent=True)),
        extension=Count("pk", filter=Q(extension_requested_days__isnull=False)),
    )
    return {key: int(value or 0) for key, value in counted.items()}


def board_columns(*, user: User, today: dt.date, limit: int = 30) -> dict[str, list[ServiceOrder]]:
    """The dispatcher's board: what waits for the general office (to accept, to re-route, extensions to
    decide) and what is late, each column oldest first."""
    base = orders(user=user)
    return {
        "submitted": list(base.filter(status=OrderStatus.SUBMITTED).order_by("accept_due", "id")[:limit]),
        "returned": list(base.filter(status=OrderStatus.RETURNED).order_by("resolve_due", "id")[:limit]),
        "extension": list(
            base.filter(extension_requested_days__isnull=False).order_by("resolve_due", "id")[:limit]
        ),
        "overdue": list(
            base.filter(status__in=list(RUNNING_STATES), resolve_due__lt=today).order_by("resolve_due", "id")[
                :limit
            ]
        ),
        "answered": list(base.filter(status=OrderStatus.ANSWERED).order_by("answered_on", "id")[:limit]),
    }


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


def _stats_measures(today: dt.date) -> dict[str, Any]:
    return {
        "filed": Count("pk"),
        "answered": Count("pk", filter=Q(answered_on_time__isnull=False)),
        "on_time": Count("pk", filter=Q(answered_on_time=True)),
        "open": Count("pk", filter=Q(status__in=list(OPEN_STATES))),
        "overdue": Count("pk", filter=Q(status__in=list(RUNNING_STATES), resolve_due__lt=today)),
        "mean_working_days": Avg("resolve_working_days"),
        "rated": Count("rating"),
        "mean_rating": Avg("rating"),
        "satisfied": Count("pk", filter=Q(rating__gte=4)),
    }


def _stats_row(key: str, label: str, values: Mapping[str, Any]) -> StatsRow:
    def mean(value: Any) -> float | None:
        return None if value is None else round(float(value), 2)

    return StatsRow(
        key=key,
        label=label,
        filed=int(values["filed"] or 0),
        answered=int(values["answered"] or 0),
        on_time=int(values["on_time"] or 0),
        open=int(values["open"] or 0),
        overdue=int(values["overdue"] or 0),
        mean_working_days=mean(values["mean_working_days"]),
        rated=int(values["rated"] or 0),
        mean_rating=mean(values["mean_rating"]),
        satisfied=int(values["satisfied"] or 0),
    )


def statistics(*, user: User, first: dt.date, last: dt.date, today: dt.date) -> OrderStatistics:
    """Volume, on-time rate, mean working days to the answer and satisfaction of the orders filed from
    ``first`` to ``last`` (the user's scope), in total, by guarantee, by department and by month. Merged
    and refused orders count as filed but are never answered."""
    rows = ServiceOrder.objects.filter(order_scope(user), submitted_on__gte=first, submitted_on__lte=last)
    measures = _stats_measures(today)
    total = _stats_row("all", str(_("All")), rows.aggregate(**measures))
    labels = dict(Guarantee.choices)
    by_guarantee = [
        _stats_row(v["service_type__guarantee"], str(labels[v["service_type__guarantee"]]), v)
        for v in rows.values("service_type__guarantee")
        .annotate(**measures)
        .order_by("service_type__guarantee")
    ]
    names = dict(Department.objects.filter(zone_scope(user)).values_list("pk", "name"))
    by_department = sorted(
        (
            _stats_row(str(v["department_id"]), names.get(v["department_id"], "—"), v)
            for v in rows.values("department_id").annotate(**measures).order_by("department_id")
        ),
        key=lambda r: (-r.filed, r.label),
    )
    by_month = [
        (f"{v['month']:%Y-%m}", int(v["filed"]), int(v["on_time"]))
        for v in rows.annotate(month=TruncMonth("submitted_on"))
        .values("month")
        .annotate(filed=Count("pk"), on_time=Count("pk", filter=Q(answered_on_time=True)))
        .order_by("month")
    ]
    ratings = dict.fromkeys(range(1, 6), 0)
    for v in rows.filter(rating__isnull=False).values("rating").annotate(n=Count("pk")):
        ratings[int(v["rating"] or 0)] = int(v["n"])
    return OrderStatistics(
        first=first,
        last=last,
        total=total,
        by_guarantee=by_guarantee,
        by_department=by_department,
        by_month=by_month,
        ratings=ratings,
    )

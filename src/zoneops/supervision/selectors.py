"""Reads of supervision items, scoped: the supervision office's board and one item with its timeline."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from zoneops.accounts.models import User
from zoneops.core import clock
from zoneops.core.access import is_enterprise_user, supervision_scope
from zoneops.core.selectors import add_working_days
from zoneops.supervision.models import ItemStatus, SupervisionEvent, SupervisionEvidence, SupervisionItem

BUCKETS = ("open", "due_soon", "overdue", "closed_this_month")


def _refuse_enterprises(user: User) -> None:
    # Supervision is the zone's internal business: an enterprise contact is refused the lists outright.
    if is_enterprise_user(user):
        raise PermissionDenied(_("Your role may not do this."))


def items(
    *, user: User, bucket: str | None = None, department_id: int | None = None, status: str | None = None
) -> QuerySet[SupervisionItem]:
    _refuse_enterprises(user)
    rows = SupervisionItem.objects.filter(supervision_scope(user))
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    if status:
        rows = rows.filter(status=status)
    if bucket:
        rows = rows.filter(_bucket_q(user=user, bucket=bucket))
    return rows.select_related("department", "project", "leader").order_by("deadline", "pk")


def _bucket_q(*, user: User, bucket: str) -> Q:
    today = clock.today(zone=user.zone)
    open_q = ~Q(status=ItemStatus.CLOSED)
    if bucket == "open":
        return open_q
    if bucket == "due_soon":
        soon = add_working_days(start=today, days=3).date
        return open_q & Q(deadline__gte=today, deadline__lte=soon)
    if bucket == "overdue":
        return open_q & Q(deadline__lt=today)
    if bucket == "closed_this_month":
        return Q(status=ItemStatus.CLOSED, closed_on__gte=today.replace(day=1), closed_on__lte=today)
    return Q()


def evidence_get(*, user: User, evidence_id: int) -> SupervisionEvidence:
    """An evidence file, for whoever may read its item."""
    document = SupervisionEvidence.objects.filter(
        pk=evidence_id, item__in=SupervisionItem.objects.filter(supervision_scope(user))
    ).first()
    if document is None:
        raise Http404
    return document


def item_get(*, user: User, item_id: int) -> SupervisionItem:
    item = (
        SupervisionItem.objects.filter(supervision_scope(user), pk=item_id)
        .select_related("department", "department__head", "project", "problem", "leader", "zone")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=SupervisionEvent.objects.select_related("actor")
                .prefetch_related("documents")
                .order_by("at", "pk"),
            )
        )
        .first()
    )
    if item is None:
        raise Http404
    return item


@dataclass
class DepartmentLoad:
    department_id: int
    department: str
    open: int
    overdue: int
    closed: int
    closed_on_time: int


def board(*, user: User) -> dict[str, object]:
    """Counts per bucket and per department (open, overdue, closed, closed on time)."""
    _refuse_enterprises(user)
    today = clock.today(zone=user.zone)
    scoped = SupervisionItem.objects.filter(supervision_scope(user))
    # One pass over the items for the four buckets.
    counts: dict[str, int] = scoped.order_by().aggregate(
        **{bucket: Count("id", filter=_bucket_q(user=user, bucket=bucket)) for bucket in BUCKETS}
    )
    per_department = [
        DepartmentLoad(
            department_id=row["department_id"],
            department=row["department__name"],
            open=row["open"],
            overdue=row["overdue"],
            closed=row["closed"],
            closed_on_time=row["closed_in_time"],
        )
        for row in scoped.values("department_id", "department__name")
        .annotate(
            open=Count("id", filter=~Q(status=ItemStatus.CLOSED)),
            overdue=Count("id", filter=~Q(status=ItemStatus.CLOSED) & Q(deadline__lt=today)),
            closed=Count("id", filter=Q(status=ItemStatus.CLOSED)),
            closed_in_time=Count("id", filter=Q(status=ItemStatus.CLOSED, closed_on__lte=F("deadline"))),
        )
        .order_by("-overdue", "-open", "department__name")
    ]
    return {"counts": counts, "departments": per_department, "today": today}

"""Reads of the service desk, scoped: the catalogue, orders, one order with its timeline."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from zoneops.accounts.models import User
from zoneops.core.access import is_active_user, order_scope, zone_scope
from zoneops.servicedesk.models import OrderEvent, ServiceOrder, ServiceType


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
            Prefetch("events", queryset=OrderEvent.objects.select_related("actor").order_by("at", "pk"))
        )
        .first()
    )
    if order is None:
        raise Http404
    return order

"""Reads of the enterprise registry, scoped to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from zoneops.accounts.models import User
from zoneops.core.access import enterprise_scope, zone_scope
from zoneops.enterprises.models import Enterprise, IndustryClass, IndustryLevel, Park


@dataclass(frozen=True)
class EnterpriseFilters:
    search: str = ""
    industry: str = ""  # a GB/T 4754 code at any level: "C", "39", "391", "3913"
    above_scale: bool | None = None
    cluster: int | None = None
    park: int | None = None
    fortune_global_500: bool | None = None


def _industry_q(code: str) -> Q:
    code = code.strip().upper()
    if not code:
        return Q()
    if code.isalpha():
        # A section letter: its classes sit three levels below it.
        return Q(industry__parent__parent__parent_id=code)
    return Q(industry__code__startswith=code)


def enterprise_list(*, user: User, filters: EnterpriseFilters | None = None) -> QuerySet[Enterprise]:
    from zoneops.chains.models import Cluster

    filters = filters or EnterpriseFilters()
    queryset = Enterprise.objects.filter(enterprise_scope(user))
    search = filters.search.strip()
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search)
            | Q(name_en__icontains=search)
            | Q(short_name__icontains=search)
            | Q(uscc=search.upper())
        )
    queryset = queryset.filter(_industry_q(filters.industry))
    if filters.above_scale is not None:
        queryset = queryset.filter(above_scale=filters.above_scale)
    if filters.fortune_global_500 is not None:
        queryset = queryset.filter(fortune_global_500=filters.fortune_global_500)
    if filters.cluster is not None:
        queryset = queryset.filter(memberships__cluster_id=filters.cluster)
    if filters.park is not None:
        queryset = queryset.filter(park_id=filters.park)
    return (
        queryset.select_related("industry", "park")
        .prefetch_related(Prefetch("clusters", queryset=Cluster.objects.order_by("sort_order", "code")))
        # One membership per (cluster, enterprise): filtering by one cluster cannot duplicate rows.
        .order_by("name", "id")
    )


def enterprise_get(*, user: User, enterprise_id: int) -> Enterprise:
    """The enterprise if the user may see it; ``Enterprise.DoesNotExist`` (404) otherwise."""
    return (
        Enterprise.objects.filter(enterprise_scope(user))
        .select_related("industry", "industry__parent", "industry__parent__parent", "park", "zone")
        .prefetch_related("contacts", "clusters")
        .get(pk=enterprise_id)
    )


def industry_classes(*, level: str | None = None) -> QuerySet[IndustryClass]:
    queryset = IndustryClass.objects.all()
    if level is not None:
        queryset = queryset.filter(level=level)
    return queryset.order_by("code")


def industry_divisions_in_use(*, user: User) -> QuerySet[IndustryClass]:
    """Divisions that the user's visible enterprises belong to (the filter list of the registry page)."""
    codes = (
        Enterprise.objects.filter(enterprise_scope(user))
        .values_list("industry__parent__parent_id", flat=True)
        .distinct()
    )
    return IndustryClass.objects.filter(level=IndustryLevel.DIVISION, code__in=codes).order_by("code")


def parks_visible(*, user: User) -> QuerySet[Park]:
    return Park.objects.filter(zone_scope(user)).order_by("code")


@dataclass(frozen=True)
class RegistrySummary:
    enterprises: int
    above_scale: int
    high_tech: int
    fortune_global_500: int
    listed: int


def registry_summary(*, user: User) -> RegistrySummary:
    """Counts of the enterprises the user may see, in one query."""
    counts = Enterprise.objects.filter(enterprise_scope(user)).aggregate(
        enterprises=Count("pk"),
        above_scale=Count("pk", filter=Q(above_scale=True)),
        high_tech=Count("pk", filter=Q(high_tech=True)),
        fortune_global_500=Count("pk", filter=Q(fortune_global_500=True)),
        listed=Count("pk", filter=Q(listed=True)),
    )
    return RegistrySummary(**counts)

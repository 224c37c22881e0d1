"""Reads of the statistics side: cluster progress against targets, roll-ups, rankings, an enterprise's
figures. They read the derived tables (EnterprisePeriodTotal, Rollup), so a province-sized zone answers
with a handful of indexed queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max, QuerySet

from zoneops.accounts.models import User
from zoneops.chains.models import Cluster
from zoneops.core.access import Perm, enterprise_scope, require_perm, zone_scope
from zoneops.enterprises.models import Enterprise
from zoneops.indicators.models import (
    ClusterTarget,
    EnterprisePeriodTotal,
    ImportBatch,
    Indicator,
    IndicatorValue,
    MonthlySubmission,
    Rollup,
    RollupDimension,
)

HUNDRED = Decimal(100)
TEN_THOUSAND = Decimal(10_000)
PROJECTION_YEARS = 3


def _percent(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if not denominator:
        return None
    return (numerator / denominator * HUNDRED).quantize(Decimal("0.01"))


def growth_percent(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    if current is None or previous is None or previous <= 0:
        return None
    return ((current - previous) / previous * HUNDRED).quantize(Decimal("0.01"))


def indicators() -> QuerySet[Indicator]:
    return Indicator.objects.order_by("sort_order")


def latest_period(*, user: User, indicator: str, year: int | None = None) -> dt.date | None:
    """The last month with published figures (in the year, when given)."""
    values = EnterprisePeriodTotal.objects.filter(zone_scope(user), indicator_id=indicator)
    if year is not None:
        values = values.filter(period__year=year)
    found: dt.date | None = values.aggregate(last=Max("period"))["last"]
    return found


@dataclass(frozen=True)
class ClusterProgress:
    cluster_id: int
    name: str
    name_en: str
    tier: str
    month: Decimal
    ytd: Decimal
    ytd_previous: Decimal | None  # comparable enterprises' YTD a year earlier (同口径)
    yoy: Decimal | None
    enterprises: int
    target: Decimal | None
    progress: Decimal | None  # percent of the annual target reached
    elapsed: Decimal  # percent of the year elapsed
    projection: Decimal | None  # year-end total from the seasonal profile of previous years
    projection_gap: Decimal | None  # projection − target (negative: expected shortfall)


def _seasonal_share(history: dict[int, dict[int, Decimal]], month: int) -> Decimal | None:
    """Mean share of a year's total reached by this month, over the years with a complete December."""
    shares = [
        months[month] / months[12]
        for months in history.values()
        if months.get(12) and months.get(month) is not None and months[12] > 0
    ]
    if not shares:
        return None
    return sum(shares, Decimal(0)) / len(shares)


def cluster_progress(*, user: User, indicator: str, period: dt.date) -> list[ClusterProgress]:
    """Each cluster's month, YTD, comparable YoY, target progress and year-end projection (3 queries)."""
    require_perm(user, Perm.INDICATOR_VIEW_ALL)
    clusters = list(Cluster.objects.filter(zone_scope(user)).order_by("sort_order", "code"))
    first_history = dt.date(period.year - PROJECTION_YEARS, 1, 1)
    rows = Rollup.objects.filter(
        zone_scope(user),
        dimension=RollupDimension.CLUSTER,
        member__in=[str(c.pk) for c in clusters],
        indicator_id=indicator,
        period__gte=first_history,
        period__lte=period,
    ).values_list(
        "member", "period", "month_value", "ytd", "comparable_ytd", "comparable_ytd_previous", "enterprises"
    )
    current: dict[str, tuple[Decimal, Decimal, Decimal, Decimal, int]] = {}
    history: dict[str, dict[int, dict[int, Decimal]]] = {}
    for member, row_period, month_value, ytd, comparable, comparable_previous, count in rows:
        if row_period == period:
            current[member] = (month_value, ytd, comparable, comparable_previous, count)
        elif row_period.year < period.year:
            history.setdefault(member, {}).setdefault(row_period.year, {})[row_period.month] = ytd
    targets = dict(
        ClusterTarget.objects.filter(
            zone_scope(user), cluster__in=clusters, indicator_id=indicator, year=period.year
        ).values_list("cluster_id", "value")
    )
    elapsed = (Decimal(period.month) / 12 * HUNDRED).quantize(Decimal("0.01"))
    result = []
    for cluster in clusters:
        month_value, ytd, comparable, comparable_previous, count = current.get(
            str(cluster.pk), (Decimal(0), Decimal(0), Decimal(0), Decimal(0), 0)
        )
        share = _seasonal_share(history.get(str(cluster.pk), {}), period.month)
        projection = (ytd / share).quantize(Decimal("0.01")) if share else None
        target = targets.get(cluster.pk)
        result.append(
            ClusterProgress(
                cluster_id=cluster.pk,
                name=cluster.name,
                name_en=cluster.name_en,
                tier=cluster.tier,
                month=month_value,
                ytd=ytd,
                ytd_previous=comparable_previous if count else None,
                yoy=growth_percent(comparable, comparable_previous),
                enterprises=count,
                target=target,
                progress=_percent(ytd, target) if target else None,
                elapsed=elapsed,
                projection=projection,
                projection_gap=(projection - target) if projection is not None and target else None,
            )
        )
    return result


@dataclass(frozen=True)
class RollupRow:
    member: str
    label: str
    month: Decimal
    ytd: Decimal
    yoy: Decimal | None
    share: Decimal | None  # percent of the zone's YTD
    contribution: Decimal | None  # percentage points of the zone's comparable growth
    enterprises: int


def rollup_table(*, user: User, dimension: str, indicator: str, period: dt.date) -> list[RollupRow]:
    """One dimension's members for a month, with share of the zone and contribution to its growth."""
    require_perm(user, Perm.INDICATOR_VIEW_ALL)
    rows = list(
        Rollup.objects.filter(
            zone_scope(user),
            dimension__in=[dimension, RollupDimension.ZONE],
            indicator_id=indicator,
            period=period,
        )
    )
    zone_row = next((r for r in rows if r.dimension == RollupDimension.ZONE), None)
    labels = _labels(user=user, dimension=dimension)
    result = []
    for row in rows:
        if row.dimension != dimension:
            continue
        contribution = None
        if zone_row is not None and zone_row.comparable_ytd_previous:
            contribution = _percent(
                row.comparable_ytd - row.comparable_ytd_previous, zone_row.comparable_ytd_previous
            )
        result.append(
            RollupRow(
                member=row.member,
                label=labels.get(row.member, row.member),
                month=row.month_value,
                ytd=row.ytd,
                yoy=growth_percent(row.comparable_ytd, row.comparable_ytd_previous),
                share=_percent(row.ytd, zone_row.ytd) if zone_row is not None else None,
                contribution=contribution,
                enterprises=row.enterprises,
            )
        )
    return sorted(result, key=lambda r: r.ytd, reverse=True)


def _labels(*, user: User, dimension: str) -> dict[str, str]:
    from zoneops.enterprises.models import IndustryClass, Ownership, Park

    if dimension == RollupDimension.CLUSTER:
        return {
            str(pk): name for pk, name in Cluster.objects.filter(zone_scope(user)).values_list("pk", "name")
        }
    if dimension == RollupDimension.PARK:
        return {str(pk): name for pk, name in Park.objects.filter(zone_scope(user)).values_list("pk", "name")}
    if dimension == RollupDimension.DIVISION:
        return dict(IndustryClass.objects.filter(level="division").values_list("code", "name_zh"))
    if dimension == RollupDimension.OWNERSHIP:
        return {value: str(label) for value, label in Ownership.choices}
    if dimension == RollupDimension.SCALE:
        return {"true": "规上", "false": "规下"}
    return {"all": "全区"}


def growth_ranking(
    *,
    user: User,
    indicator: str,
    year: int,
    growth_above: Decimal | None = None,
    period: dt.date | None = None,
) -> QuerySet[EnterprisePeriodTotal]:
    """Enterprises by YTD growth of an indicator (the full year for a closed year), comparable only:
    an enterprise that did not report a year earlier has no growth and is not ranked."""
    require_perm(user, Perm.INDICATOR_VIEW_ALL)
    if period is None:
        period = latest_period(user=user, indicator=indicator, year=year)
    if period is None:
        return EnterprisePeriodTotal.objects.none()
    ranked = EnterprisePeriodTotal.objects.filter(
        zone_scope(user), indicator_id=indicator, period=period, growth__isnull=False
    ).select_related("enterprise")
    # Totals carry their enterprise's zone: when the enterprise scope is the zone's, the zone scope above
    # is it already, and the count stays an index-only scan instead of joining the zone's registry.
    scope = enterprise_scope(user, prefix="enterprise__")
    if scope != zone_scope(user, field="enterprise__zone"):
        ranked = ranked.filter(scope)
    if growth_above is not None:
        ranked = ranked.filter(growth__gt=growth_above)
    return ranked.order_by("-growth", "enterprise_id")


def enterprise_values(*, user: User, enterprise: Enterprise, year: int) -> QuerySet[IndicatorValue]:
    """One enterprise's published monthly values of a year; an enterprise contact sees its own only."""
    visible = Enterprise.objects.filter(enterprise_scope(user), pk=enterprise.pk).exists()
    if not visible:
        return IndicatorValue.objects.none()
    return IndicatorValue.objects.filter(enterprise=enterprise, period__year=year).order_by(
        "period", "indicator__sort_order"
    )


@dataclass(frozen=True)
class FiguresRow:
    indicator: Indicator
    cells: list[Decimal | None]  # one per month; money in 10,000 yuan (万元), as statistical tables show it


@dataclass(frozen=True)
class FiguresTable:
    months: list[dt.date]
    rows: list[FiguresRow]


def figures_table(
    *, user: User, enterprise: Enterprise, year: int, last_months: int | None = None
) -> FiguresTable:
    """An enterprise's published figures of a year as a table (indicators × months), the way its figures
    page and its contact's home show them; ``last_months`` keeps only the latest months."""
    values = list(enterprise_values(user=user, enterprise=enterprise, year=year))
    months = sorted({v.period for v in values})
    if last_months is not None:
        months = months[-last_months:]
    table = {(v.indicator_id, v.period): v.value for v in values}

    def shown(indicator: Indicator, month: dt.date) -> Decimal | None:
        value = table.get((indicator.code, month))
        return value / TEN_THOUSAND if value is not None and indicator.unit == "yuan" else value

    return FiguresTable(
        months=months,
        rows=[FiguresRow(indicator=i, cells=[shown(i, m) for m in months]) for i in indicators()],
    )


def imports_visible(*, user: User) -> QuerySet[ImportBatch]:
    require_perm(user, Perm.INDICATOR_IMPORT)
    return ImportBatch.objects.filter(zone_scope(user)).defer("content").order_by("-created_at", "-id")


def import_get(*, user: User, batch_id: int) -> ImportBatch:
    return imports_visible(user=user).get(pk=batch_id)


@dataclass(frozen=True)
class Trend:
    months: list[str]
    series: dict[str, list[Decimal | None]]  # cluster name → month values
    yoy: dict[str, list[Decimal | None]]  # cluster name → comparable YoY of the YTD, percent


def cluster_trend(*, user: User, indicator: str, period: dt.date, months: int = 12) -> Trend:
    """Each cluster's month values and YTD YoY over the months up to ``period`` (one query)."""
    require_perm(user, Perm.INDICATOR_VIEW_ALL)
    index = period.year * 12 + period.month - 1 - (months - 1)
    first = dt.date(index // 12, index % 12 + 1, 1)
    clusters = {
        str(pk): name for pk, name in Cluster.objects.filter(zone_scope(user)).values_list("pk", "name")
    }
    axis: list[dt.date] = []
    cursor = first
    while cursor <= period:
        axis.append(cursor)
        cursor = dt.date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    rows = Rollup.objects.filter(
        zone_scope(user),
        dimension=RollupDimension.CLUSTER,
        indicator_id=indicator,
        period__gte=first,
        period__lte=period,
    ).values_list("member", "period", "month_value", "comparable_ytd", "comparable_ytd_previous")
    values: dict[tuple[str, dt.date], tuple[Decimal, Decimal | None]] = {
        (member, row_period): (month_value, growth_percent(comparable, previous))
        for member, row_period, month_value, comparable, previous in rows
    }
    series = {name: [values.get((pk, m), (None, None))[0] for m in axis] for pk, name in clusters.items()}
    yoy = {name: [values.get((pk, m), (None, None))[1] for m in axis] for pk, name in clusters.items()}
    return Trend(months=[f"{m:%Y-%m}" for m in axis], series=series, yoy=yoy)


def submissions_for_review(*, user: User, status: str | None = None) -> QuerySet[MonthlySubmission]:
    require_perm(user, Perm.INDICATOR_IMPORT)
    found = MonthlySubmission.objects.filter(zone_scope(user)).select_related("enterprise", "submitted_by")
    if status:
        found = found.filter(status=status)
    return found.order_by("-period", "status", "enterprise__name")


def submissions_of(*, user: User) -> QuerySet[MonthlySubmission]:
    """The submissions a user may see: an enterprise contact its own, statistics staff all of the zone."""
    return (
        MonthlySubmission.objects.filter(enterprise_scope(user, prefix="enterprise__"))
        .select_related("enterprise")
        .order_by("-period")
    )

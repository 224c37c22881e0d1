"""Deriving year-to-date totals and group roll-ups from published monthly values, in the database.

Two INSERT … SELECT statements do the work with window functions, so a province's 29 million monthly
values never travel to Python: enterprise totals (month, YTD, the same YTD a year earlier), then group
roll-ups per dimension. PostgreSQL sums exact numerics; SQLite, whose decimals are floating point, sums
integer fen (cents) and divides once, so totals stay exact to the fen. Called by the publishing
services; never from a request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction

from zoneops.accounts.models import Zone
from zoneops.indicators.models import EnterprisePeriodTotal, Rollup, RollupDimension

# Each dimension's members as (enterprise_id, member) rows; %s is the zone.
_ENTERPRISES = "FROM enterprises_enterprise WHERE zone_id = %s"
_MEMBERS: dict[str, str] = {
    RollupDimension.ZONE: f"SELECT id AS enterprise_id, 'all' AS member {_ENTERPRISES}",
    RollupDimension.CLUSTER: (
        "SELECT cm.enterprise_id, CAST(cm.cluster_id AS VARCHAR(60)) AS member "
        "FROM chains_clustermembership cm JOIN chains_cluster c ON c.id = cm.cluster_id WHERE c.zone_id = %s"
    ),
    RollupDimension.PARK: (
        "SELECT id AS enterprise_id, CAST(park_id AS VARCHAR(60)) AS member "
        f"{_ENTERPRISES} AND park_id IS NOT NULL"
    ),
    RollupDimension.DIVISION: (
        f"SELECT id AS enterprise_id, SUBSTR(industry_id, 1, 2) AS member {_ENTERPRISES}"
    ),
    RollupDimension.OWNERSHIP: f"SELECT id AS enterprise_id, ownership AS member {_ENTERPRISES}",
    RollupDimension.SCALE: (
        "SELECT id AS enterprise_id, CASE WHEN above_scale THEN 'true' ELSE 'false' END AS member "
        f"{_ENTERPRISES}"
    ),
}


def _dialect() -> dict[str, str]:
    if connection.vendor == "postgresql":
        return {
            "year": "CAST(EXTRACT(YEAR FROM {col}) AS INTEGER)",
            "month": "CAST(EXTRACT(MONTH FROM {col}) AS INTEGER)",
            "year_before": "CAST({col} - INTERVAL '1 year' AS DATE)",
            "amount": "{col}",
            "money": "{expr}",
        }
    return {
        "year": "CAST(STRFTIME('%%Y', {col}) AS INTEGER)",
        "month": "CAST(STRFTIME('%%m', {col}) AS INTEGER)",
        "year_before": "DATE({col}, '-1 year')",
        "amount": "CAST(ROUND({col} * 100) AS INTEGER)",
        "money": "({expr}) / 100.0",
    }


@transaction.atomic
def totals_refresh(*, zone: Zone, codes: Iterable[str], years: Iterable[int]) -> int:
    """Recompute enterprise totals and roll-ups of the given years (and the year after each, whose
    year-on-year bases they are). Returns the number of roll-up rows written."""
    code_list = sorted(set(codes))
    year_set = set(years)
    year_list = sorted(year_set | {y + 1 for y in year_set})
    if not code_list or not year_list:
        return 0
    ops = connection.ops
    first = ops.adapt_datefield_value(dt.date(year_list[0], 1, 1))
    last = ops.adapt_datefield_value(dt.date(year_list[-1], 12, 1))
    history = ops.adapt_datefield_value(dt.date(year_list[0] - 1, 1, 1))
    EnterprisePeriodTotal.objects.filter(
        zone=zone, indicator_id__in=code_list, period__gte=first, period__lte=last
    ).delete()
    Rollup.objects.filter(zone=zone, indicator_id__in=code_list, period__gte=first, period__lte=last).delete()
    d = _dialect()
    codes_sql = ", ".join(["%s"] * len(code_list))
    amount = d["amount"].format(col="iv.value")
    year = d["year"].format(col="iv.period")
    month = d["month"].format(col="iv.period")
    # The same month a year earlier is the previous row of the (enterprise, indicator, month) series when
    # its year is one less: a window, not a self-join, so the work stays linear.
    totals_sql = f"""
        INSERT INTO indicators_enterpriseperiodtotal
            (zone_id, enterprise_id, indicator_id, period, month_value, ytd, ytd_previous, growth)
        WITH base AS (
            SELECT iv.enterprise_id, iv.indicator_id, iv.period, iv.value AS month_value,
                {year} AS yr, {month} AS mo,
                CASE WHEN ind.kind = 'flow'
                     THEN SUM({amount}) OVER (
                         PARTITION BY iv.enterprise_id, iv.indicator_id, {year}
                         ORDER BY iv.period ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
                     ELSE {amount} END AS ytd
            FROM indicators_indicatorvalue iv
            JOIN indicators_indicator ind ON ind.code = iv.indicator_id
            WHERE iv.zone_id = %s AND iv.indicator_id IN ({codes_sql}) AND iv.period >= %s AND iv.period <= %s
        ), t AS (
            SELECT base.*,
                LAG(ytd) OVER (PARTITION BY enterprise_id, indicator_id, mo ORDER BY yr) AS prev_ytd,
                LAG(yr) OVER (PARTITION BY enterprise_id, indicator_id, mo ORDER BY yr) AS prev_yr
            FROM base
        )
        SELECT %s, enterprise_id, indicator_id, period, month_value,
               {d["money"].format(expr="ytd")},
               CASE WHEN prev_yr = yr - 1 THEN {d["money"].format(expr="prev_ytd")} END,
               CASE WHEN prev_yr = yr - 1 AND prev_ytd > 0
                    THEN ROUND((ytd - prev_ytd) * 100.0 / prev_ytd, 6) END
        FROM t
        WHERE period >= %s AND period <= %s
    """  # noqa: S608 - only fixed SQL fragments are interpolated; values are parameters
    written = 0
    with connection.cursor() as cursor:
        cursor.execute(totals_sql, [zone.pk, *code_list, history, last, zone.pk, first, last])
        money = d["money"]
        total_amount = d["amount"]
        for dimension, members in _MEMBERS.items():
            rollup_sql = f"""
                INSERT INTO indicators_rollup
                    (zone_id, dimension, member, indicator_id, period, month_value, ytd, comparable_ytd,
                     comparable_ytd_previous, enterprises, comparable_enterprises)
                SELECT %s, %s, m.member, t.indicator_id, t.period,
                    {money.format(expr="SUM(" + total_amount.format(col="t.month_value") + ")")},
                    {money.format(expr="SUM(" + total_amount.format(col="t.ytd") + ")")},
                    {
                money.format(
                    expr="SUM(CASE WHEN t.ytd_previous IS NULL THEN 0 ELSE "
                    + total_amount.format(col="t.ytd")
                    + " END)"
                )
            },
                    {
                money.format(expr="SUM(COALESCE(" + total_amount.format(col="t.ytd_previous") + ", 0))")
            },
                    COUNT(*), COUNT(t.ytd_previous)
                FROM indicators_enterpriseperiodtotal t
                JOIN ({members}) m ON m.enterprise_id = t.enterprise_id
                WHERE t.zone_id = %s AND t.indicator_id IN ({codes_sql}) AND t.period >= %s AND t.period <= %s
                GROUP BY m.member, t.indicator_id, t.period
            """  # noqa: S608
            cursor.execute(rollup_sql, [zone.pk, str(dimension), zone.pk, zone.pk, *code_list, first, last])
            written += max(cursor.rowcount, 0)
    return written

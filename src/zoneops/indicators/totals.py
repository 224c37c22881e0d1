"""Deriving year-to-date totals and group roll-ups from published monthly values (vectorised, pandas).

Amounts are summed as integer fen (cents) in int64, so a province's totals stay exact; they go back to
Decimal yuan when written. Called by the publishing services; never from a request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast

import numpy as np
import pandas as pd
from django.db import transaction

from zoneops.accounts.models import Zone
from zoneops.chains.models import ClusterMembership
from zoneops.core.bulk import insert_rows
from zoneops.enterprises.models import Enterprise
from zoneops.indicators.models import (
    EnterprisePeriodTotal,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    Rollup,
    RollupDimension,
)


def _fen_to_yuan(value: int) -> Decimal:
    return Decimal(int(value)).scaleb(-2)


def _load_values(zone: Zone, codes: list[str], first_year: int, last_year: int) -> pd.DataFrame:
    rows = IndicatorValue.objects.filter(
        zone=zone,
        indicator_id__in=codes,
        period__gte=dt.date(first_year, 1, 1),
        period__lte=dt.date(last_year, 12, 1),
    ).values_list("enterprise_id", "indicator_id", "period", "value")
    frame = pd.DataFrame.from_records(list(rows), columns=["enterprise", "indicator", "period", "value"])
    if frame.empty:
        return frame.assign(
            fen=pd.Series(dtype="int64"), year=pd.Series(dtype="int64"), month=pd.Series(dtype="int64")
        )
    frame["fen"] = [int(v.scaleb(2)) for v in frame["value"]]
    frame["fen"] = frame["fen"].astype("int64")
    frame["year"] = [p.year for p in frame["period"]]
    frame["month"] = [p.month for p in frame["period"]]
    return frame.drop(columns=["value"])


def enterprise_totals(frame: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    """Per enterprise, indicator and month: month value, YTD and the YTD of the same month a year earlier."""
    if frame.empty:
        return frame.assign(ytd=pd.Series(dtype="int64"), ytd_previous=pd.Series(dtype="float64"))
    frame = frame.sort_values(["enterprise", "indicator", "year", "month"]).reset_index(drop=True)
    flow = frame["indicator"].map(lambda code: kinds[code] == IndicatorKind.FLOW).to_numpy()
    cumulative = frame.groupby(["enterprise", "indicator", "year"], sort=False)["fen"].cumsum().to_numpy()
    frame["ytd"] = np.where(flow, cumulative, frame["fen"].to_numpy())
    previous = frame[["enterprise", "indicator", "year", "month", "ytd"]].copy()
    previous["year"] += 1
    previous = previous.rename(columns={"ytd": "ytd_previous"})
    # Comparable (同口径): the enterprise reported that same month a year earlier.
    return frame.merge(previous, on=["enterprise", "indicator", "year", "month"], how="left")


def _memberships(zone: Zone, enterprise_ids: Iterable[int]) -> dict[str, pd.DataFrame]:
    ids = list(enterprise_ids)
    registry = pd.DataFrame.from_records(
        list(
            Enterprise.objects.filter(zone=zone, pk__in=ids).values_list(
                "pk", "park_id", "industry_id", "ownership", "above_scale"
            )
        ),
        columns=["enterprise", "park", "industry", "ownership", "above_scale"],
    )
    clusters = pd.DataFrame.from_records(
        list(
            ClusterMembership.objects.filter(enterprise_id__in=ids).values_list("enterprise_id", "cluster_id")
        ),
        columns=["enterprise", "member"],
    )
    members: dict[str, pd.DataFrame] = {
        RollupDimension.ZONE: registry.assign(member="all")[["enterprise", "member"]],
        RollupDimension.CLUSTER: clusters.astype({"member": str}),
        RollupDimension.PARK: registry.dropna(subset=["park"]).assign(
            member=lambda f: f["park"].astype("int64").astype(str)
        )[["enterprise", "member"]],
        RollupDimension.DIVISION: registry.assign(member=registry["industry"].str[:2])[
            ["enterprise", "member"]
        ],
        RollupDimension.OWNERSHIP: registry.assign(member=registry["ownership"])[["enterprise", "member"]],
        RollupDimension.SCALE: registry.assign(
            member=registry["above_scale"].map({True: "true", False: "false"})
        )[["enterprise", "member"]],
    }
    return members


def rollups(totals: pd.DataFrame, members: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Group sums per dimension member, indicator and month, with comparable YoY bases."""
    parts = []
    totals = totals.assign(
        comparable=totals["ytd_previous"].notna(),
        comparable_ytd=np.where(totals["ytd_previous"].notna(), totals["ytd"], 0),
        comparable_previous=totals["ytd_previous"].fillna(0).astype("int64"),
    )
    for dimension, mapping in members.items():
        joined = totals.merge(mapping, on="enterprise", how="inner")
        if joined.empty:
            continue
        grouped = joined.groupby(["member", "indicator", "year", "month"], sort=False).agg(
            month_value=("fen", "sum"),
            ytd=("ytd", "sum"),
            comparable_ytd=("comparable_ytd", "sum"),
            comparable_previous=("comparable_previous", "sum"),
            enterprises=("enterprise", "nunique"),
            comparable_enterprises=("comparable", "sum"),
        )
        parts.append(grouped.reset_index().assign(dimension=str(dimension)))
    if not parts:
        return pd.DataFrame()
    return pd.concat(parts, ignore_index=True)


@transaction.atomic
def totals_refresh(*, zone: Zone, codes: Iterable[str], years: Iterable[int]) -> int:
    """Recompute enterprise totals and roll-ups of the given years (and the year after each, whose
    year-on-year bases they are). Returns the number of roll-up rows written."""
    code_list = sorted(set(codes))
    year_list = sorted(set(years) | {y + 1 for y in years})
    if not code_list or not year_list:
        return 0
    kinds = dict(Indicator.objects.filter(code__in=code_list).values_list("code", "kind"))
    frame = _load_values(zone, code_list, year_list[0] - 1, year_list[-1])
    totals = enterprise_totals(frame, kinds)
    totals = totals[totals["year"].isin(year_list)] if not totals.empty else totals
    first, last = dt.date(year_list[0], 1, 1), dt.date(year_list[-1], 12, 1)
    EnterprisePeriodTotal.objects.filter(
        zone=zone, indicator_id__in=code_list, period__gte=first, period__lte=last
    ).delete()
    Rollup.objects.filter(zone=zone, indicator_id__in=code_list, period__gte=first, period__lte=last).delete()
    if totals.empty:
        return 0
    insert_rows(
        model=EnterprisePeriodTotal,
        fields=["zone_id", "enterprise_id", "indicator_id", "period", "month_value", "ytd", "ytd_previous"],
        rows=(
            (
                zone.pk,
                int(e),
                code,
                dt.date(int(y), int(m), 1),
                _fen_to_yuan(f),
                _fen_to_yuan(t),
                None if p != p else _fen_to_yuan(int(p)),  # NaN: no value a year earlier
            )
            for e, code, y, m, f, t, p in totals[
                ["enterprise", "indicator", "year", "month", "fen", "ytd", "ytd_previous"]
            ].itertuples(index=False, name=None)
        ),
    )
    grouped = rollups(totals, _memberships(zone, totals["enterprise"].unique().tolist()))
    insert_rows(
        model=Rollup,
        fields=[
            "zone_id",
            "dimension",
            "member",
            "indicator_id",
            "period",
            "month_value",
            "ytd",
            "comparable_ytd",
            "comparable_ytd_previous",
            "enterprises",
            "comparable_enterprises",
        ],
        rows=(
            (
                zone.pk,
                row.dimension,
                str(row.member),
                row.indicator,
                dt.date(int(row.year), int(row.month), 1),
                _fen_to_yuan(row.month_value),
                _fen_to_yuan(row.ytd),
                _fen_to_yuan(row.comparable_ytd),
                _fen_to_yuan(row.comparable_previous),
                int(row.enterprises),
                int(row.comparable_enterprises),
            )
            for row in cast("Iterable[Any]", grouped.itertuples(index=False))
        ),
    )
    return len(grouped)

"""Bulk writes and reads by columns: what goes in comes back, exactly, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from django.db import connection
from django.utils import timezone

from zoneops.core.bulk import Labels, Scaled, insert_columns, insert_rows, select_columns
from zoneops.enterprises.models import Enterprise
from zoneops.indicators.models import IndicatorValue

pytestmark = pytest.mark.django_db

# Within what SQLite keeps exactly (its decimals are floating point).
CENTS = [0, 1, -1, 5, 99, -99, 100, 12_345, -1_234_567, 10**13 + 7, -(10**13) - 7, 40_000_000_000_00]


def _cents_sql() -> str:
    if connection.vendor == "postgresql":
        return "CAST(value * 100 AS BIGINT)"
    return "CAST(ROUND(value * 100) AS INTEGER)"


def test_columns_go_in_and_come_back(zone: Any) -> None:
    ids = list(Enterprise.objects.filter(zone=zone).order_by("pk").values_list("pk", flat=True)[:3])
    count = len(CENTS)
    enterprises = np.array([ids[i % 3] for i in range(count)], dtype=np.int64)
    # Runs of one label, of two, and single rows: each run is a block of its own layout.
    labels = np.array([0, 0, 0, 1, 1, 0, 1, 0, 0, 1, 1, 1])
    months = np.array([f"2030-{m:02d}" for m in range(1, count + 1)], dtype="datetime64[M]")
    moment = timezone.now()
    written = insert_columns(
        model=IndicatorValue,
        rows=count,
        columns={
            "zone_id": zone.pk,
            "enterprise_id": enterprises,
            "indicator_id": Labels(["revenue", "profit"], labels),
            "period": months,
            "value": Scaled(np.array(CENTS, dtype=np.int64), 2),
            "batch_id": None,
            "submission_id": None,
            "revision": 3,
            "updated_at": moment,
        },
    )
    assert written == count
    stored = IndicatorValue.objects.filter(period__year=2030).order_by("period")
    assert [(v.enterprise_id, v.indicator_id, v.period, v.value) for v in stored] == [
        (
            ids[i % 3],
            ["revenue", "profit"][labels[i]],
            dt.date(2030, i + 1, 1),
            Decimal(CENTS[i]).scaleb(-2),
        )
        for i in range(count)
    ]
    assert {(v.revision, v.batch_id, v.submission_id, v.updated_at) for v in stored} == {
        (3, None, None, moment)
    }

    enterprise, period, cents = select_columns(
        f"SELECT enterprise_id, period, {_cents_sql()} FROM indicators_indicatorvalue "  # noqa: S608
        "WHERE period >= %s ORDER BY period",
        [connection.ops.adapt_datefield_value(dt.date(2030, 1, 1))],
        ["int8", "date", "int8"],
    )
    assert enterprise.tolist() == enterprises.tolist()
    assert period.tolist() == [dt.date(2030, m, 1) for m in range(1, count + 1)]
    assert cents.tolist() == CENTS


def test_nothing_to_read_is_empty_columns() -> None:
    enterprise, indicator = select_columns(
        "SELECT enterprise_id, revision FROM indicators_indicatorvalue WHERE id < 0", [], ["int8", "int4"]
    )
    assert (enterprise.dtype, indicator.dtype, len(enterprise), len(indicator)) == (
        np.int64,
        np.int32,
        0,
        0,
    )


def test_a_staging_table_takes_the_models_columns(zone: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bulk_stage (id BIGINT, value NUMERIC(20, 2))")
        insert_columns(
            model=IndicatorValue,
            table="bulk_stage",
            rows=3,
            columns={"id": np.array([7, 8, 9]), "value": Scaled(np.array([1, -250, 0]), 2)},
        )
        insert_rows(
            model=IndicatorValue, table="bulk_stage", fields=["id", "value"], rows=[(10, Decimal("2.5"))]
        )
        cursor.execute("SELECT id, value FROM bulk_stage ORDER BY id")
        rows = [(i, Decimal(str(v))) for i, v in cursor.fetchall()]
        cursor.execute("DROP TABLE bulk_stage")
    assert rows == [(7, Decimal("0.01")), (8, Decimal("-2.5")), (9, Decimal(0)), (10, Decimal("2.5"))]

"""Fast inserts for derived and bulk-loaded rows: COPY on PostgreSQL, executemany on SQLite.

Django's bulk_create builds a model instance and prepares every field of every row (~60 µs a row);
loads of hundreds of thousands of rows (imports, roll-ups, the generator) go through here instead. The
caller passes plain values in column order; no save() or signals run, which is the point.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from itertools import islice
from typing import Any, cast

from django.db import connection, models

CHUNK = 10_000


def _sqlite_value(value: object) -> object:
    # Django's SQLite backend stores dates as ISO text and decimals as text-compatible numerics.
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def insert_rows(*, model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Insert rows (values in ``fields`` order, attnames like ``enterprise_id``) into the model's table."""
    meta = model._meta
    # get_field() knows attnames too ("enterprise_id"), so relations are given by their column.
    columns = [str(cast("models.Field[Any, Any]", meta.get_field(name)).column) for name in fields]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    table = connection.ops.quote_name(meta.db_table)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Materialised first: a generator that queries the database while COPY holds the connection
            # would wait on itself forever. Callers loading millions of rows call this per block.
            materialised = list(rows)
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in materialised:
                    copy.write_row(row)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(columns))
        statement = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"  # noqa: S608 - names from _meta
        iterator = iter(rows)
        while chunk := [tuple(_sqlite_value(v) for v in row) for row in islice(iterator, CHUNK)]:
            cursor.executemany(statement, chunk)  # type: ignore[arg-type]
            count += len(chunk)
    return count

"""Fast inserts for derived and bulk-loaded rows: COPY on PostgreSQL, executemany on SQLite.

Django's bulk_create builds a model instance and prepares every field of every row (~60 µs a row);
loads of hundreds of thousands of rows (imports, roll-ups, the generator) go through here instead. No
save() or signals run, which is the point.

Two ways in: ``insert_rows`` takes plain values in column order, row by row (psycopg encodes each value,
about 1.5 µs a row); ``insert_columns`` takes NumPy columns and, on PostgreSQL, builds COPY's binary
format for whole blocks of rows with NumPy (a few ns a row), which is what a million-value import needs.
``select_columns`` is the way back: the rows of a query as NumPy columns, read with ``COPY … TO`` in
binary on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Any, cast

import numpy as np
from django.db import connection, models
from numpy.typing import NDArray

CHUNK = 10_000

# PostgreSQL's binary COPY: signature, flags, header extension length; each row: field count, then per
# field its length (-1 for NULL) and its bytes, all big-endian; a field count of -1 ends the data.
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_COPY_TRAILER = struct.pack(">h", -1)
_PG_EPOCH_DAYS = 10_957  # 2000-01-01, PostgreSQL's epoch, in days after 1970-01-01
_PG_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_NUMERIC_NEGATIVE = 0x4000
_STRUCT_INTS = {">i8": ">q", ">i4": ">i", ">i2": ">h"}
_NUMERIC_DIGITS = 6  # base-10000 digits: five before the point (up to 10^20), one after (scale <= 4)


def _sqlite_value(value: object) -> object:
    # Django's SQLite backend stores dates as ISO text and decimals as text-compatible numerics.
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _columns(model: type[models.Model], fields: Sequence[str]) -> list[models.Field[Any, Any]]:
    # get_field() knows attnames too ("enterprise_id"), so relations are given by their column.
    return [cast("models.Field[Any, Any]", model._meta.get_field(name)) for name in fields]


def insert_rows(
    *,
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[object]],
    table: str | None = None,
) -> int:
    """Insert rows (values in ``fields`` order, attnames like ``enterprise_id``) into the model's table,
    or into ``table`` with columns of the same names and types (a staging table)."""
    quoted = ", ".join(connection.ops.quote_name(str(f.column)) for f in _columns(model, fields))
    table = connection.ops.quote_name(table or model._meta.db_table)
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
        placeholders = ", ".join(["%s"] * len(fields))
        statement = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"  # noqa: S608 - names from _meta
        iterator = iter(rows)
        while chunk := [tuple(_sqlite_value(v) for v in row) for row in islice(iterator, CHUNK)]:
            cursor.executemany(statement, chunk)  # type: ignore[arg-type]
            count += len(chunk)
    return count


@dataclass(frozen=True)
class Labels:
    """A text column with few distinct values: row i holds ``labels[index[i]]``."""

    labels: Sequence[str]
    index: NDArray[np.integer[Any]]


@dataclass(frozen=True)
class Scaled:
    """A decimal column as integers: row i holds ``units[i] / 10**scale`` (money in fen: scale 2)."""

    units: NDArray[np.int64]
    scale: int


# A column for insert_columns: an integer array (integer and foreign-key fields), a datetime64 array
# (date fields), Labels (text), Scaled (decimal), or one plain value for every row (None for NULL).
Column = NDArray[Any] | Labels | Scaled | int | str | bool | dt.date | None


def _binary_type(field: models.Field[Any, Any]) -> str:
    db_type = str(field.db_type(connection) or "")
    base = db_type.split("(")[0].strip()
    return {"bigint": ">i8", "integer": ">i4", "smallint": ">i2", "boolean": "?"}.get(base, base)


def _scalar_bytes(value: object, kind: str) -> bytes | None:
    """One value in COPY's binary format for a column of the given type; None is NULL."""
    if value is None:
        return None
    if isinstance(value, bool) and kind == "?":
        return b"\x01" if value else b"\x00"
    if isinstance(value, int) and kind in _STRUCT_INTS:
        return struct.pack(_STRUCT_INTS[kind], value)
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, dt.datetime) and kind == "timestamp with time zone":
        if value.tzinfo is None:
            raise ValueError("timestamps must be aware")
        return struct.pack(">q", (value - _PG_EPOCH) // dt.timedelta(microseconds=1))
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime) and kind == "date":
        return struct.pack(">i", (value - _PG_EPOCH.date()).days)
    raise TypeError(f"no binary COPY encoding of {value!r} for a {kind} column")


def _numeric_fields(units: NDArray[np.int64], scale: int) -> dict[str, NDArray[Any]]:
    """PostgreSQL's binary numeric with a fixed layout: six base-10000 digits, weight 4 (leading zero
    digits are allowed and stripped by the server), sign and display scale."""
    if not 0 <= scale <= 4:
        raise ValueError("scale must be between 0 and 4")
    magnitude = np.abs(units)
    whole, fraction = np.divmod(magnitude, 10**scale)
    digits = [whole // 10**16, (whole // 10**12) % 10_000, (whole // 10**8) % 10_000]
    digits += [(whole // 10**4) % 10_000, whole % 10_000, fraction * 10 ** (4 - scale)]
    fields: dict[str, NDArray[Any]] = {
        "sign": np.where(units < 0, _NUMERIC_NEGATIVE, 0).astype(">u2"),
    }
    for index, digit in enumerate(digits):
        fields[f"d{index}"] = digit.astype(">i2")
    return fields


def insert_columns(
    *, model: type[models.Model], columns: Mapping[str, Column], rows: int, table: str | None = None
) -> int:
    """Insert ``rows`` rows given as columns (attnames as keys, see ``Column``) into the model's table
    (or ``table``, as for ``insert_rows``).

    On PostgreSQL each run of rows with the same Labels values becomes one block of fixed-size binary
    records built by NumPy, so order the rows with few runs (e.g. by label within blocks)."""
    if rows == 0:
        return 0
    names = list(columns)
    fields = _columns(model, names)
    if connection.vendor != "postgresql":
        return insert_rows(model=model, fields=names, rows=_python_rows(columns, rows), table=table)
    quoted = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    table = connection.ops.quote_name(table or model._meta.db_table)
    kinds = [_binary_type(field) for field in fields]
    labelled = [i for i, name in enumerate(names) if isinstance(columns[name], Labels)]
    # Runs of rows whose Labels values are all the same: the record layout is fixed within a run.
    change = np.zeros(rows, dtype=bool)
    change[0] = True
    for i in labelled:
        index = cast(Labels, columns[names[i]]).index
        change[1:] |= index[1:] != index[:-1]
    starts = np.flatnonzero(change).tolist()
    bounds = list(zip(starts, [*starts[1:], rows], strict=True))
    scaled = {
        i: _numeric_fields(cast(Scaled, columns[names[i]]).units, cast(Scaled, columns[names[i]]).scale)
        for i, name in enumerate(names)
        if isinstance(columns[name], Scaled)
    }
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.write(_COPY_HEADER)
        for begin, end in bounds:
            copy.write(_records(columns, names, kinds, scaled, begin, end).tobytes())
        copy.write(_COPY_TRAILER)
    return rows


def _records(
    columns: Mapping[str, Column],
    names: Sequence[str],
    kinds: Sequence[str],
    scaled: Mapping[int, Mapping[str, NDArray[Any]]],
    begin: int,
    end: int,
) -> NDArray[Any]:
    """Rows begin..end as binary COPY records in one structured array."""
    layout: list[tuple[str, Any]] = [("count", ">i2")]
    values: dict[str, Any] = {"count": len(names)}
    for i, name in enumerate(names):
        column = columns[name]
        kind = kinds[i]
        length = f"n{i}"
        layout.append((length, ">i4"))
        if isinstance(column, Labels):
            text = column.labels[int(column.index[begin])].encode("utf-8")
            values[length] = len(text)
            if text:  # an empty text is a length of 0 and no bytes
                layout.append((f"v{i}", f"S{len(text)}"))
                values[f"v{i}"] = text
        elif isinstance(column, Scaled):
            values[length] = 8 + 2 * _NUMERIC_DIGITS
            layout += [(f"v{i}_ndigits", ">i2"), (f"v{i}_weight", ">i2"), (f"v{i}_sign", ">u2")]
            layout += [(f"v{i}_dscale", ">i2")]
            layout += [(f"v{i}_d{k}", ">i2") for k in range(_NUMERIC_DIGITS)]
            values[f"v{i}_ndigits"] = _NUMERIC_DIGITS
            values[f"v{i}_weight"] = _NUMERIC_DIGITS - 2
            values[f"v{i}_dscale"] = column.scale
            for part, array in scaled[i].items():
                values[f"v{i}_{part}"] = array[begin:end]
        elif isinstance(column, np.ndarray):
            if kind == "date":
                days = column[begin:end].astype("datetime64[D]").astype(np.int64) - _PG_EPOCH_DAYS
                values[length] = 4
                layout.append((f"v{i}", ">i4"))
                values[f"v{i}"] = days
            elif kind in (">i8", ">i4", ">i2"):
                values[length] = np.dtype(kind).itemsize
                layout.append((f"v{i}", kind))
                values[f"v{i}"] = column[begin:end]
            else:
                raise TypeError(f"no binary COPY encoding of a {column.dtype} array for a {kind} column")
        else:
            data = _scalar_bytes(column, kind)
            values[length] = -1 if data is None else len(data)
            if data:
                layout.append((f"v{i}", f"S{len(data)}"))
                values[f"v{i}"] = data
    records = np.empty(end - begin, dtype=np.dtype(layout))
    for key, value in values.items():
        records[key] = value
    return records


def _python_rows(columns: Mapping[str, Column], rows: int) -> list[tuple[object, ...]]:
    """The columns as rows of Python values (the SQLite path)."""
    lists: list[list[object] | None] = []
    constants: list[object] = []
    for column in columns.values():
        if isinstance(column, Labels):
            lists.append([column.labels[i] for i in column.index.tolist()])
        elif isinstance(column, Scaled):
            lists.append([Decimal(u).scaleb(-column.scale) for u in column.units.tolist()])
        elif isinstance(column, np.ndarray):
            if np.issubdtype(column.dtype, np.datetime64):
                lists.append(list(column.astype("datetime64[D]").tolist()))
            else:
                lists.append(column.tolist())
        else:
            lists.append(None)
        constants.append(column)
    full = [values if values is not None else [constants[i]] * rows for i, values in enumerate(lists)]
    return list(zip(*full, strict=True))


def select_columns(sql: str, params: Sequence[object], types: Sequence[str]) -> list[NDArray[Any]]:
    """The rows of a query as one NumPy array per output column, in order. ``types`` per column: "int8",
    "int4" (integers) or "date" (datetime64[D]); every value must be non-NULL (COALESCE in the query)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, list(params))  # type: ignore[arg-type]
            fetched = cursor.fetchall()
        out: list[NDArray[Any]] = []
        for i, kind in enumerate(types):
            values = [row[i] for row in fetched]
            if kind == "date":
                out.append(np.array(values, dtype="datetime64[D]"))
            else:
                out.append(np.array(values, dtype=np.int64 if kind == "int8" else np.int32))
        return out
    # One row back: every row's fields packed into one bytea by the server, read with one frombuffer.
    # (COPY TO would send a message per row, which costs psycopg microseconds per row.)
    sends = {
        "int8": ("int8send(CAST({} AS BIGINT))", ">i8"),
        "int4": ("int4send(CAST({} AS INTEGER))", ">i4"),
    }
    sends["date"] = ("date_send({})", ">i4")
    names = [f"c{i}" for i in range(len(types))]
    packed = " || ".join(sends[kind][0].format(f"q.{name}") for name, kind in zip(names, types, strict=True))
    statement = f"SELECT string_agg({packed}, ''::bytea) FROM ({sql}) AS q ({', '.join(names)})"  # noqa: S608
    with connection.cursor() as cursor:
        raw = cursor.cursor
        raw.execute(statement, list(params))
        row = raw.fetchone()
    data = bytes(row[0]) if row and row[0] is not None else b""
    layout = np.dtype([(name, sends[kind][1]) for name, kind in zip(names, types, strict=True)])
    records = np.frombuffer(data, dtype=layout)
    result: list[NDArray[Any]] = []
    for name, kind in zip(names, types, strict=True):
        column = records[name]
        if kind == "date":
            result.append((column.astype(np.int64) + _PG_EPOCH_DAYS).astype("datetime64[D]"))
        else:
            result.append(column.astype(np.int64 if kind == "int8" else np.int32))
    return result

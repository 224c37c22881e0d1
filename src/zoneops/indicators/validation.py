"""Checking a parsed sheet against the registry and the published figures (reads only, no writes).

Every problem is collected — a statistician fixes a file once, not once per error — with the row and
column as the spreadsheet shows them and the reason in the user's language.

The checks are set-based so that a province's month (a million values) takes a fraction of a second:
codes are looked up in one dict of the zone's registry and their check characters computed with NumPy,
value rules are array masks, and the published figures a file is compared with come from the database
in one read per purpose (``zoneops.core.bulk.select_columns``). Messages are made only for the cells
that have a problem, in the order a reader meets them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import connection
from django.utils.translation import gettext as _
from numpy.typing import NDArray

from zoneops.accounts.models import Zone
from zoneops.core import clock
from zoneops.core.bulk import select_columns
from zoneops.enterprises import uscc as uscc_rules
from zoneops.enterprises.models import Enterprise
from zoneops.indicators.models import Indicator
from zoneops.indicators.parsing import (
    MAX_CENTS,
    NO_PERIOD,
    CellProblem,
    ParsedSheet,
    month_date,
    month_number,
    normalise_name,
)

# A month this many times an enterprise's usual (median of its last 12 months) is worth a second look.
SURGE_FACTOR = Decimal(5)
# Reads of the registry and of published figures name the file's enterprises when they are few; a larger
# file reads the zone's range (one index range scan) instead of an IN list of 100,000 enterprises.
FEW_ENTERPRISES = 500

Key = tuple[int, str, dt.date]  # (enterprise id, indicator code, period)


def _empty() -> NDArray[np.int64]:
    return np.zeros(0, dtype=np.int64)


@dataclass
class ValueColumns:
    """Monthly values as columns: value i is ``cents[i] / 100`` (hundredths of the indicator's unit) for
    enterprise ``enterprise[i]``, indicator ``codes[indicator[i]]`` and month ``period[i]`` (a
    ``month_number``)."""

    codes: tuple[str, ...] = ()
    enterprise: NDArray[np.int64] = field(default_factory=_empty)
    indicator: NDArray[np.int64] = field(default_factory=_empty)
    period: NDArray[np.int64] = field(default_factory=_empty)
    cents: NDArray[np.int64] = field(default_factory=_empty)

    def __len__(self) -> int:
        return len(self.cents)

    def take(self, index: NDArray[Any]) -> ValueColumns:
        return ValueColumns(
            codes=self.codes,
            enterprise=self.enterprise[index],
            indicator=self.indicator[index],
            period=self.period[index],
            cents=self.cents[index],
        )

    @classmethod
    def from_mapping(cls, values: Mapping[Key, Decimal]) -> ValueColumns:
        codes = tuple(sorted({code for _e, code, _p in values}))
        position = {code: i for i, code in enumerate(codes)}
        cents = [int(v.quantize(Decimal("0.01")).scaleb(2)) for v in values.values()]
        if any(abs(c) >= MAX_CENTS for c in cents):
            raise ValueError("a value is too large")
        return cls(
            codes=codes,
            enterprise=np.array([e for e, _c, _p in values], dtype=np.int64),
            indicator=np.array([position[c] for _e, c, _p in values], dtype=np.int64),
            period=np.array([month_number(p) for _e, _c, p in values], dtype=np.int64),
            cents=np.array(cents, dtype=np.int64),
        )

    def as_mapping(self) -> dict[Key, Decimal]:
        return {
            (e, self.codes[i], month_date(p)): Decimal(c).scaleb(-2)
            for e, i, p, c in zip(
                self.enterprise.tolist(),
                self.indicator.tolist(),
                self.period.tolist(),
                self.cents.tolist(),
                strict=True,
            )
        }


def value_keys(values: ValueColumns, *, first: int, span: int) -> NDArray[np.int64]:
    """One int64 per (enterprise, indicator, month) for matching; months first..first+span-1."""
    if len(values) and int(values.enterprise.max()) >= 2**62 // (max(len(values.codes), 1) * span):
        raise ValueError("enterprise ids too large to combine into one key")
    return (values.enterprise * len(values.codes) + values.indicator) * span + (values.period - first)


def lookup(keys: NDArray[np.int64], among: NDArray[np.int64]) -> NDArray[np.int64]:
    """For each key, its index in ``among`` (unique keys), or -1."""
    if not len(among):
        return np.full(len(keys), -1, dtype=np.int64)
    order = np.argsort(among, kind="stable")
    ranked = among[order]
    position = np.minimum(np.searchsorted(ranked, keys), len(ranked) - 1)
    return np.where(ranked[position] == keys, order[position], -1)


def pick(values: NDArray[np.int64], at: NDArray[np.int64]) -> NDArray[np.int64]:
    """values[at] where at >= 0 (a ``lookup`` result), else 0."""
    if not len(values):
        return np.zeros(len(at), dtype=np.int64)
    return np.where(at >= 0, values[np.maximum(at, 0)], 0)


def cents_sql(column: str) -> str:
    """A stored value in hundredths as an integer; values beyond ±10^15 (which no import accepts) read as
    just beyond the limit, so they never equal a value of a file."""
    cents = (
        f"CAST({column} * 100 AS BIGINT)"
        if connection.vendor == "postgresql"
        else f"CAST(ROUND({column} * 100) AS INTEGER)"
    )
    return (
        f"CASE WHEN {column} >= 1e15 THEN {MAX_CENTS + 1} WHEN {column} <= -1e15 THEN {-MAX_CENTS - 1} "
        f"ELSE {cents} END"
    )


def indicator_number_sql(codes: Sequence[str]) -> tuple[str, list[object]]:
    """A CASE (and its parameters) that numbers indicator_id as its place in ``codes``."""
    whens = " ".join(f"WHEN %s THEN {i}" for i in range(len(codes)))
    return f"CASE indicator_id {whens} END", list(codes)


def few(enterprises: NDArray[np.int64]) -> list[int] | None:
    """The distinct enterprises when they are few enough to name in a query, else None (the zone)."""
    distinct = np.unique(enterprises)
    return distinct.tolist() if len(distinct) <= FEW_ENTERPRISES else None


def published_filter(
    *, zone: Zone, codes: Sequence[str], first: dt.date, last: dt.date, enterprises: Sequence[int] | None
) -> tuple[str, list[object]]:
    """WHERE clause (and its parameters) of a zone's published values of the given indicators and months,
    of the given enterprises or (None) all of the zone's."""
    where = "zone_id = %s AND indicator_id IN ({}) AND period >= %s AND period <= %s".format(
        ", ".join(["%s"] * len(codes))
    )
    ops = connection.ops
    params: list[object] = [
        zone.pk,
        *codes,
        ops.adapt_datefield_value(first),
        ops.adapt_datefield_value(last),
    ]
    if enterprises is not None:
        where += " AND enterprise_id IN ({})".format(", ".join(["%s"] * len(enterprises)) or "NULL")
        params += list(enterprises)
    return where, params


@dataclass
class ValidatedFile:
    """Monthly values ready to publish, or the problems that stop them."""

    values: ValueColumns = field(default_factory=ValueColumns)
    errors: list[CellProblem] = field(default_factory=list)
    warnings: list[CellProblem] = field(default_factory=list)
    periods: list[dt.date] = field(default_factory=list)
    rows: int = 0


_ALPHABET_VALUE = np.full(256, -1, dtype=np.int64)
for _index, _char in enumerate(uscc_rules.ALPHABET):
    _ALPHABET_VALUE[ord(_char)] = _index
_WEIGHTS = np.array(uscc_rules.WEIGHTS, dtype=np.int64)


def code_problems(codes: Iterable[str]) -> dict[str, str]:
    """The codes that are not valid unified social credit codes, each with the reason ``uscc.validate``
    gives. Well-formed codes are checked at once (check character by NumPy); the others one by one."""
    codes = list(codes)
    plain = [c for c in codes if len(c) == 18 and c.isascii()]
    valid: set[str] = set()
    if plain:
        chars = np.frombuffer("".join(plain).encode("ascii"), dtype=np.uint8).reshape(len(plain), 18)
        values = _ALPHABET_VALUE[chars]
        ok = (values >= 0).all(axis=1) & ((chars[:, 2:8] >= ord("0")) & (chars[:, 2:8] <= ord("9"))).all(1)
        expected = (31 - (values[:, :17] * _WEIGHTS).sum(axis=1) % 31) % 31
        ok &= values[:, 17] == expected
        valid = {plain[i] for i in np.flatnonzero(ok).tolist()}
    problems: dict[str, str] = {}
    for code in codes:
        if code in valid:
            continue
        try:
            uscc_rules.validate(code)
        except Exception as invalid:
            reason = getattr(invalid, "errors", [None])[0]
            problems[code] = reason.message if reason else str(invalid)
    return problems


def _registry(zone: Zone, codes: set[str]) -> dict[str, tuple[int, str, str]]:
    """USCC → (id, name, short name) of the zone's enterprises named in the file (for a large file, all
    of the zone's: one range read instead of an IN list of 100,000 codes)."""
    enterprises = Enterprise.objects.filter(zone=zone)
    if len(codes) <= FEW_ENTERPRISES:
        enterprises = enterprises.filter(uscc__in=codes)
    sql, params = enterprises.values_list("uscc", "pk", "name", "short_name").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {uscc: (pk, name, short) for uscc, pk, name, short in rows}


def _money(cents: int) -> str:
    return f"{Decimal(cents).scaleb(-2):,.2f}"


def validate_sheet(*, zone: Zone, sheet: ParsedSheet, declared_period: dt.date | None) -> ValidatedFile:
    result = ValidatedFile(errors=list(sheet.problems), rows=len(sheet.row_numbers))
    declared = declared_period or sheet.declared_period
    today = clock.today(zone=zone)
    current_month = month_number(dt.date(today.year, today.month, 1))
    indicators = {i.code: i for i in Indicator.objects.all()}
    uscc_header = "统一社会信用代码"
    name_header = "企业名称"
    period_header = "统计期"
    rows = sheet.row_numbers.tolist()
    count = len(rows)
    columns = sheet.indicator_columns
    codes = tuple(c.spec.code for c in columns)

    # Which enterprise each row is, and the rows that cannot be used at all; (row, order, problem).
    found: list[tuple[int, int, CellProblem]] = []
    distinct = set(sheet.usccs) - {""}
    known = _registry(zone, distinct)
    invalid = code_problems(distinct)
    enterprise = np.full(count, -1, dtype=np.int64)
    for i, (code, name) in enumerate(zip(sheet.usccs, sheet.names, strict=True)):
        entry = known.get(code)
        if entry is None or code in invalid:
            if not code:
                problem = _("The code is empty.")
            else:
                problem = invalid.get(code) or _("No enterprise of this zone has this code.")
            found.append((i, 0, CellProblem(rows[i], uscc_header, problem)))
            continue
        enterprise[i] = entry[0]
        if name and name == entry[1]:
            continue
        if not name:
            found.append((i, 1, CellProblem(rows[i], name_header, _("The name is empty."))))
        elif normalise_name(name) not in {normalise_name(entry[1]), normalise_name(entry[2])}:
            message = _("The name does not match the code: the registry says “%(name)s”.") % {
                "name": entry[1]
            }
            found.append((i, 1, CellProblem(rows[i], name_header, message)))

    periods = sheet.periods
    has_period = periods != NO_PERIOD
    months = sorted(set(periods[has_period].tolist()))
    file_year = min(month_date(m).year for m in months) if months else None
    outside: dict[int, str] = {}
    for number in months:
        period = month_date(number)
        if declared is not None and (
            (period != declared and not sheet.cumulative)
            or (sheet.cumulative and (period.year != declared.year or period > declared))
        ):
            outside[number] = _("The period is outside the file's (%(declared)s).") % {
                "declared": f"{declared:%Y-%m}"
            }
        elif declared is None and file_year is not None and period.year != file_year:
            outside[number] = _("The period is outside the file's year %(year)d.") % {"year": file_year}
        elif number > current_month:
            outside[number] = _("The period is in the future.")
    if outside:
        for i in np.flatnonzero(np.isin(periods, list(outside))).tolist():
            found.append((i, 2, CellProblem(rows[i], period_header, outside[int(periods[i])])))
    first_row: dict[tuple[str, int], int] = {}
    duplicates = False
    for i, (code, number) in enumerate(zip(sheet.usccs, periods.tolist(), strict=True)):
        if code and number != NO_PERIOD:
            seen = first_row.setdefault((code, number), rows[i])
            if seen != rows[i]:
                duplicates = True
                message = _("Duplicate row: the same enterprise and period as row %(row)d.") % {"row": seen}
                found.append((i, 3, CellProblem(rows[i], uscc_header, message)))
    found.sort(key=lambda item: (item[0], item[1]))
    result.errors += [problem for _i, _o, problem in found]

    # Values: sign and whole-number rules, per cell.
    specs = [indicators.get(code) for code in codes]
    no_negative = np.array([s is not None and not s.allow_negative for s in specs], dtype=np.bool_)
    whole = np.array([s is not None and s.unit == "person" for s in specs], dtype=np.bool_)
    cents, present = sheet.cents, sheet.present
    negative = np.argwhere(present & (cents < 0) & no_negative[None, :])
    fraction = np.argwhere(present & (cents % 100 != 0) & whole[None, :])
    cells = sorted(
        [(int(r), int(c), 0) for r, c in negative.tolist()]
        + [(int(r), int(c), 1) for r, c in fraction.tolist()]
    )
    not_negative = _("The value must not be negative.")
    whole_number = _("A head count is a whole number.")
    for r, c, kind in cells:
        result.errors.append(
            CellProblem(rows[r], columns[c].header, not_negative if kind == 0 else whole_number)
        )

    usable = enterprise >= 0
    result.periods = [month_date(m) for m in months]
    if not months or not usable.any():
        return result

    # The file's values of usable rows, in reading order; a key given twice (duplicate rows) keeps its
    # first place and its last value, as a dict would.
    usable_rows = np.flatnonzero(usable & has_period)
    row_of, column_of = np.nonzero(present[usable_rows])
    row_of = usable_rows[row_of]
    file = ValueColumns(
        codes=codes,
        enterprise=enterprise[row_of],
        indicator=column_of.astype(np.int64),
        period=periods[row_of],
        cents=cents[row_of, column_of],
    )
    first_month, span = months[0] - 12, months[-1] - months[0] + 14
    keys = value_keys(file, first=first_month, span=span)
    if duplicates:
        order = np.argsort(keys, kind="stable")
        ranked = keys[order]
        starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
        ends = np.r_[starts[1:], len(ranked)] - 1
        firsts, lasts = order[starts], order[ends]
        place = np.argsort(firsts)
        firsts, lasts = firsts[place], lasts[place]
        file = file.take(firsts)
        file.cents = cents[row_of[lasts], column_of[lasts]]
        row_of, column_of, keys = row_of[lasts], column_of[lasts], keys[firsts]
    # Months in order (a stable sort: within a month, reading order).
    order = np.argsort(file.period, kind="stable")
    file, row_of, column_of, keys = file.take(order), row_of[order], column_of[order], keys[order]

    history_first = month_date(months[0] - 12)
    history_last = month_date(months[-1])
    ids = few(file.enterprise)
    kinds = [indicators[code].kind for code in codes]
    allow_negative = np.array([indicators[code].allow_negative for code in codes], dtype=np.bool_)
    keep = np.ones(len(file), dtype=np.bool_)
    monthly = file.cents.copy()
    if sheet.cumulative:
        # Cumulative files: each month is its YTD less the previous month's YTD (from the file, else the
        # published months of the year, all of which must be there).
        flow = np.array([kind != "stock" for kind in kinds], dtype=np.bool_)
        month_of_year = file.period % 12 + 1
        derive = flow[file.indicator] & (month_of_year != 1)
        previous_key = keys - 1  # the same enterprise and indicator, a month earlier
        in_file = lookup(previous_key, keys)
        previous = np.zeros(len(file), dtype=np.int64)
        missing = np.zeros(len(file), dtype=np.bool_)
        from_file = derive & (in_file >= 0)
        previous[from_file] = file.cents[in_file[from_file]]
        needs = derive & (in_file < 0)
        for number in sorted(set(file.period[needs].tolist())):
            here = np.flatnonzero(needs & (file.period == number))
            sums, counts = _published_year_to_date(zone=zone, codes=codes, month=number, enterprises=ids)
            pair = file.enterprise[here] * len(codes) + file.indicator[here]
            at = lookup(pair, sums[0])
            complete = (at >= 0) & (pick(counts, at) == (number % 12))
            previous[here[complete]] = sums[1][at[complete]]
            missing[here[~complete]] = True
        falling = derive & ~missing & (file.cents < previous) & ~allow_negative[file.indicator]
        for i in np.flatnonzero(missing | falling).tolist():
            header = columns[int(file.indicator[i])].header
            row = rows[int(row_of[i])]
            if missing[i]:
                month = month_date(int(file.period[i]) - 1)
                message = _(
                    "The year-to-date value of %(month)s is missing, so this month cannot be derived."
                ) % {"month": f"{month:%Y-%m}"}
            else:
                message = _("The year-to-date value falls from %(previous)s to %(value)s.") % {
                    "previous": _money(int(previous[i])),
                    "value": _money(int(file.cents[i])),
                }
            result.errors.append(CellProblem(row, header, message))
        keep = ~(missing | falling)
        monthly = np.where(derive, file.cents - previous, file.cents)

    # Warnings: a month far above the enterprise's usual (the median of its published positive months of
    # the year before and the file's months).
    flows = [i for i, kind in enumerate(kinds) if kind == "flow"]
    candidates = np.flatnonzero(keep & np.isin(file.indicator, flows))
    if candidates.size:
        pairs, twice_median = _usual_months(
            zone=zone, codes=codes, flows=flows, first=history_first, last=history_last, enterprises=ids
        )
        pair = file.enterprise[candidates] * len(codes) + file.indicator[candidates]
        at = lookup(pair, pairs)
        median2 = pick(twice_median, at)
        surge = (at >= 0) & (2 * monthly[candidates] > int(SURGE_FACTOR) * median2)
        for k in np.flatnonzero(surge).tolist():
            i = int(candidates[k])
            median = Decimal(int(median2[k])).scaleb(-2) / 2
            message = _(
                "%(value)s is more than %(factor)s times this enterprise's usual month (%(median)s)."
            ) % {"value": _money(int(monthly[i])), "factor": SURGE_FACTOR, "median": f"{median:,.2f}"}
            header = columns[int(file.indicator[i])].header
            result.warnings.append(CellProblem(rows[int(row_of[i])], header, message))
    chosen = np.flatnonzero(keep)
    result.values = file.take(chosen)
    result.values.cents = monthly[chosen]
    return result


def _published_year_to_date(
    *, zone: Zone, codes: Sequence[str], month: int, enterprises: Sequence[int] | None
) -> tuple[tuple[NDArray[np.int64], NDArray[np.int64]], NDArray[np.int64]]:
    """Per (enterprise, indicator) of the zone: ((pair keys, sum of the published months from January to
    the month before ``month``), number of those months)."""
    period = month_date(month)
    where, params = published_filter(
        zone=zone,
        codes=codes,
        first=dt.date(period.year, 1, 1),
        last=month_date(month - 1),
        enterprises=enterprises,
    )
    number, number_params = indicator_number_sql(codes)
    enterprise, indicator, total, months = select_columns(
        f"SELECT enterprise_id, {number}, SUM({cents_sql('value')}), COUNT(*) "  # noqa: S608
        f"FROM indicators_indicatorvalue WHERE {where} GROUP BY enterprise_id, indicator_id",
        [*number_params, *params],
        ["int8", "int4", "int8", "int8"],
    )
    pairs = enterprise * len(codes) + indicator.astype(np.int64)
    return (pairs, total), months


def _usual_months(
    *,
    zone: Zone,
    codes: Sequence[str],
    flows: Sequence[int],
    first: dt.date,
    last: dt.date,
    enterprises: Sequence[int] | None,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(pair keys, twice the median) of the published positive values of flow indicators, for the pairs
    with at least three of them. Twice the median is a whole number of hundredths."""
    flow_codes = [codes[i] for i in flows]
    where, params = published_filter(
        zone=zone, codes=flow_codes, first=first, last=last, enterprises=enterprises
    )
    number, number_params = indicator_number_sql(codes)
    enterprise, indicator, cents = select_columns(
        f"SELECT enterprise_id, {number}, {cents_sql('value')} "  # noqa: S608
        f"FROM indicators_indicatorvalue WHERE {where} AND value > 0",
        [*number_params, *params],
        ["int8", "int4", "int8"],
    )
    pairs = enterprise * len(codes) + indicator.astype(np.int64)
    if not len(pairs):
        return pairs, pairs
    order = np.lexsort((cents, pairs))
    pairs, cents = pairs[order], cents[order]
    starts = np.flatnonzero(np.r_[True, pairs[1:] != pairs[:-1]])
    sizes = np.diff(np.r_[starts, len(pairs)])
    enough = sizes >= 3
    starts, sizes = starts[enough], sizes[enough]
    low = starts + (sizes - 1) // 2
    high = starts + sizes // 2
    return pairs[starts], cents[low] + cents[high]

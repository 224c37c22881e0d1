"""Reading a file of monthly figures into a table, forgivingly (no database here).

Government figures arrive in Excel typed by hand: headers with full-width brackets, stray spaces,
English names or 元/万元/亿元 units; values with thousands separators or full-width digits; periods as
``2022-04``, ``2022/4``, ``2022年4月``, ``202204`` or an Excel date. This module turns such a sheet into
typed columns and reports every cell it cannot read, with its row and column; it never guesses.

A province's month is a million cells, so columns are read at once with NumPy: plain numbers (``1234.5``
in text, or a spreadsheet number with at most two decimals) in one pass, and only the other cells one by
one through ``parse_number``, which defines the result and the messages.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import cast

import numpy as np
from django.utils.translation import gettext as _
from numpy.typing import NDArray

from zoneops.indicators.definitions import STANDARD_INDICATORS, IndicatorSpec

USCC_HEADERS = {
    "统一社会信用代码",
    "社会信用代码",
    "信用代码",
    "uscc",
    "unifiedsocialcreditcode",
    "creditcode",
}
NAME_HEADERS = {"企业名称", "单位名称", "名称", "企业", "name", "enterprise", "enterprisename", "company"}
PERIOD_HEADERS = {"统计期", "报告期", "期别", "月份", "统计月份", "period", "month", "reportperiod"}
CUMULATIVE_MARKERS = ("1-本月累计", "本月累计", "本年累计", "累计", "ytd", "year-to-date", "yeartodate")

# Multipliers from a header's unit to the indicator's stored unit (yuan, persons).
UNIT_FACTORS: dict[str, Decimal] = {
    "元": Decimal(1),
    "yuan": Decimal(1),
    "千元": Decimal(1_000),
    "万元": Decimal(10_000),
    "10kyuan": Decimal(10_000),
    "10,000yuan": Decimal(10_000),
    "tenthousandyuan": Decimal(10_000),
    "亿元": Decimal(100_000_000),
    "100myuan": Decimal(100_000_000),
    "人": Decimal(1),
    "persons": Decimal(1),
    "person": Decimal(1),
    "people": Decimal(1),
}
MONEY_UNITS = {"元", "yuan", "千元", "万元", "10kyuan", "10,000yuan", "tenthousandyuan", "亿元", "100myuan"}
PERSON_UNITS = {"人", "persons", "person", "people"}


class FileUnreadable(Exception):
    """The file is not a spreadsheet or CSV we can open."""


@dataclass(frozen=True)
class CellProblem:
    row: int  # 1-based, as the spreadsheet shows it
    column: str  # the header as written in the file
    message: str


@dataclass(frozen=True)
class IndicatorColumn:
    spec: IndicatorSpec
    header: str
    factor: Decimal
    index: int


# Months as NumPy counts them (datetime64[M]: months since 1970-01); NO_PERIOD where a cell is no month.
NO_PERIOD = int(np.iinfo(np.int64).min)
# Values are kept as integer hundredths of the stored unit (fen for yuan). Below 10^15 yuan (10^17 fen)
# sums of a year of months and five times a median stay far inside int64.
MAX_CENTS = 10**17


@dataclass
class ParsedSheet:
    """Typed columns of a sheet. Cells that could not be read are listed in ``problems``."""

    header_row: int
    cumulative: bool
    indicator_columns: list[IndicatorColumn]
    row_numbers: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    usccs: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    periods: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # cents[i, j]: row i, indicator column j, in hundredths of the stored unit; present[i, j] is False
    # where the cell is empty or could not be read.
    cents: NDArray[np.int64] = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    present: NDArray[np.bool_] = field(default_factory=lambda: np.zeros((0, 0), dtype=np.bool_))
    problems: list[CellProblem] = field(default_factory=list)
    declared_period: dt.date | None = None


def month_number(period: dt.date) -> int:
    """A month as NumPy's datetime64[M] counts it."""
    return (period.year - 1970) * 12 + period.month - 1


def month_date(number: int) -> dt.date:
    return dt.date(1970 + number // 12, number % 12 + 1, 1)


def normalise(text: object) -> str:
    """Full-width to half-width (NFKC), no spaces, lower case: how headers and names are compared."""
    if text is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


def normalise_name(text: object) -> str:
    """Enterprise names compared without spaces, bracket width or punctuation differences."""
    return normalise(text).replace("(", "").replace(")", "").replace("·", "").replace(".", "")


_INDICATOR_NAMES: dict[str, IndicatorSpec] = {}
for _spec in STANDARD_INDICATORS:
    for _alias in (_spec.name_zh, _spec.name_en, _spec.code, *_spec.aliases):
        _INDICATOR_NAMES[normalise(_alias)] = _spec


def _strip_cumulative(header: str) -> tuple[str, bool]:
    for marker in CUMULATIVE_MARKERS:
        if marker in header:
            return header.replace(marker, "").replace("()", ""), True
    return header, False


def match_indicator_header(raw: object) -> tuple[IndicatorSpec, Decimal, bool] | None:
    """The indicator a header names, the factor to its stored unit, and whether it says 累计 (YTD)."""
    header = normalise(raw)
    header, cumulative = _strip_cumulative(header)
    match = re.fullmatch(r"(?P<name>[^()]+?)(?:\((?P<unit>[^()]*)\))?", header)
    if match is None:
        return None
    spec = _INDICATOR_NAMES.get(match.group("name"))
    if spec is None:
        return None
    unit = match.group("unit")
    if not unit:
        unit = normalise(spec.template_unit)
    factor = UNIT_FACTORS.get(unit)
    if factor is None:
        return None
    allowed = MONEY_UNITS if spec.unit == "yuan" else PERSON_UNITS
    if unit not in allowed:
        return None
    return spec, factor, cumulative


_PERIOD_PATTERNS = (
    re.compile(r"(?P<y>\d{4})[-/.年](?P<m>\d{1,2})月?(?:[-/.]\d{1,2}日?)?"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})"),
)


def parse_period(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return dt.date(value.year, value.month, 1)
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, 1)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = normalise(value)
    for pattern in _PERIOD_PATTERNS:
        found = pattern.fullmatch(text)
        if found:
            year, month = int(found.group("y")), int(found.group("m"))
            if 1990 <= year <= 2100 and 1 <= month <= 12:
                return dt.date(year, month, 1)
    return None


_EMPTY = {"", "-", "—", "–", "/", "无"}


def parse_number(value: object) -> Decimal | None:
    """A cell as a Decimal; None for an empty cell; raises InvalidOperation for text."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidOperation("boolean")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise InvalidOperation("not finite")
        # repr() is the shortest string that round-trips: 1234.56 stays 1234.56, not 1234.5599999.
        return Decimal(repr(value))
    text = normalise(value).replace(",", "").replace("，", "")
    if text in _EMPTY:
        return None
    negative = text.startswith("(") and text.endswith(")")  # accounting style (123) for -123
    if negative:
        text = "-" + text[1:-1]
    number = Decimal(text)
    if not number.is_finite():
        raise InvalidOperation("not finite")
    return number


def _declared_period(rows: Sequence[Sequence[object]]) -> dt.date | None:
    """A title line above the header such as ``统计期：2022年4月`` or ``2022年1-4月``."""
    for row in rows:
        for cell in row:
            text = normalise(cell)
            if not text:
                continue
            found = re.search(r"(\d{4})年(?:\d{1,2}-)?(\d{1,2})月", text) or re.search(
                r"(?:统计期|报告期|period)[:：]?(\d{4})[-/.](\d{1,2})", text
            )
            if found:
                return dt.date(int(found.group(1)), int(found.group(2)), 1)
    return None


def read_rows(*, content: bytes, file_name: str) -> list[list[object]]:
    """All rows of the first sheet (xlsx, xls, ods) or of a CSV file (UTF-8 with or without BOM, or GBK)."""
    lowered = file_name.lower()
    if lowered.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
            except UnicodeDecodeError:
                continue
            return cast("list[list[object]]", list(csv.reader(io.StringIO(text))))
        raise FileUnreadable(_("The CSV file is neither UTF-8 nor GBK text."))
    try:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = workbook.get_sheet_by_index(0)
        return cast("list[list[object]]", sheet.to_python(skip_empty_area=False))
    except Exception as error:
        raise FileUnreadable(
            _("The file is not a spreadsheet that can be read (xlsx, xls, ods or csv).")
        ) from error


def _find_header(rows: Sequence[Sequence[object]]) -> int | None:
    for index, row in enumerate(rows[:20]):
        cells = {normalise(cell) for cell in row}
        if cells & USCC_HEADERS:
            return index
    return None


def _number_problem(cell: object) -> str:
    return _("Not a number: “%(text)s”.") % {"text": cell}


_POWERS = np.array([10.0**k for k in range(17)])


def _plain_strings(cells: Sequence[str]) -> tuple[NDArray[np.int64], NDArray[np.bool_], NDArray[np.bool_]]:
    """Strings of the plain form ``-1,234.5`` read at once: (hundredths, read, empty). Cells of any other
    form (full-width digits, ``(12)``, ``1e3``, ``-``, …) are left unread for ``parse_number``.

    The column is one UTF-8 buffer with a newline after each cell, scanned with NumPy. Spaces and commas
    before the point are dropped (as ``normalise`` drops them); what is left must be
    ``-?digits(.d|.dd)?`` with at most 15 digits, so the value is exact in int64 and in the float64 sums
    that build it."""
    count = len(cells)
    if not count:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.bool_), np.zeros(0, dtype=np.bool_)
    joined = "\n".join(cells) + "\n"
    if joined.count("\n") != count:  # a cell with a line break in it (a quoted CSV field): one by one
        joined = "\n".join("\x00" if "\n" in cell else cell for cell in cells) + "\n"
    data = np.frombuffer(joined.encode("utf-8"), dtype=np.uint8)
    ends = np.flatnonzero(data == ord("\n"))
    starts = np.r_[0, ends[:-1] + 1]
    size = ends - starts
    digit = (data >= ord("0")) & (data <= ord("9"))
    dropped = (data == ord(" ")) | (data == ord(","))
    dot = np.flatnonzero(data == ord("."))
    minus = np.flatnonzero(data == ord("-"))
    # Digits up to and including each byte, so the digits of any stretch are a difference.
    upto = np.cumsum(digit, dtype=np.int64)
    before_start = np.where(starts > 0, upto[starts - 1], 0)
    digits = upto[ends] - before_start
    spaces = np.add.reduceat(dropped, starts, dtype=np.int64) if len(data) else np.zeros(0, np.int64)
    length = size - spaces
    # At most one point; the bytes after it are all digits (one or two of them).
    dots = np.bincount(np.searchsorted(ends, dot), minlength=count)
    point = np.full(count, -1, dtype=np.int64)
    point[np.searchsorted(ends, dot)] = dot
    decimals = np.where(dots == 1, ends - point - 1, 0)
    digits_after = np.where(dots == 1, upto[ends] - upto[np.maximum(point, 0)], 0)
    # At most one minus sign, as the cell's first byte.
    signs = np.bincount(np.searchsorted(ends, minus), minlength=count)
    negative = (signs == 1) & (data[np.minimum(starts, len(data) - 1)] == ord("-")) & (size > 0)
    read = (
        (length == digits + dots + signs)
        & ((signs == 0) | negative)
        & (dots <= 1)
        & (decimals == digits_after)
        & (decimals <= 2)
        & ((dots == 0) | (decimals >= 1))
        & (digits - decimals >= 1)
        & (digits <= 15)
    )
    # Each digit times ten to the number of digits after it in its cell, summed per cell.
    cell_end_digits = np.repeat(upto[ends], size + 1)
    weights = np.where(digit, (data - ord("0")) * _POWERS[np.clip(cell_end_digits - upto, 0, 16)], 0.0)
    whole = np.add.reduceat(weights, starts) if len(data) else np.zeros(0)
    scale = 10 ** (2 - np.minimum(decimals, 2))
    hundredths = np.where(read, np.where(negative, -1, 1) * whole.astype(np.int64) * scale, 0)
    return hundredths, read, length == 0


def _plain_floats(values: NDArray[np.float64]) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Spreadsheet numbers with at most two decimals, read at once: (hundredths, read).

    n / 100 == v with |n| < 10^15 means v is the double nearest the decimal n/100 of at most 15
    significant digits, so repr(v) (what parse_number reads) is that decimal."""
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = np.rint(values * 100)
        ok = np.isfinite(scaled) & (np.abs(scaled) < 1e15)
        ok &= np.where(ok, scaled, 0) / 100 == values
    return np.where(ok, scaled, 0).astype(np.int64), ok


def parse_number_column(
    cells: Sequence[object], factor: Decimal
) -> tuple[NDArray[np.int64], NDArray[np.bool_], list[tuple[int, str]]]:
    """A column of cells as (hundredths of the stored unit, present, problems by index).

    The same result as ``parse_number`` cell by cell, times ``factor``, to the hundredth; plain cells
    are read with NumPy and only the others one by one."""
    count = len(cells)
    scale = int(factor)
    cents = np.zeros(count, dtype=np.int64)
    present = np.zeros(count, dtype=np.bool_)
    unread: list[int] = []
    kinds = set(map(type, cells))
    groups: dict[type, list[int]] | None = None
    if len(kinds) > 1:
        groups = {kind: [] for kind in kinds}
        for index, kind in enumerate(map(type, cells)):
            groups[kind].append(index)
    for kind in kinds:
        where = np.arange(count) if groups is None else np.array(groups[kind], dtype=np.int64)
        chosen = cells if groups is None else [cells[i] for i in groups[kind]]
        if kind is str:
            hundredths, read, empty = _plain_strings(cast(Sequence[str], chosen))
            unread += where[~read & ~empty].tolist()
        elif kind is float:
            hundredths, read = _plain_floats(np.array(chosen, dtype=np.float64))
            unread += where[~read].tolist()
        elif kind is int:
            numbers = cast("Sequence[int]", chosen)
            read = np.array([-(10**15) < v < 10**15 for v in numbers], dtype=np.bool_)
            whole = np.array([v if -(10**15) < v < 10**15 else 0 for v in numbers], dtype=np.int64)
            hundredths = whole * 100
            unread += where[~read].tolist()
        elif kind is type(None):
            continue
        else:  # bool, Decimal, dates, …: one by one
            unread += where.tolist()
            continue
        # Within the limit, the product by the unit's factor is exact in int64.
        fits = read & (np.abs(hundredths) < MAX_CENTS // scale)
        unread += where[read & ~fits].tolist()
        cents[where[fits]] = hundredths[fits] * scale
        present[where[fits]] = True
    problems: list[tuple[int, str]] = []
    for index in sorted(unread):
        cell = cells[index]
        try:
            number = parse_number(cell)
        except (InvalidOperation, ValueError):
            problems.append((index, _number_problem(cell)))
            continue
        if number is None:
            continue
        try:
            exact = int((number * factor).quantize(Decimal("0.01")).scaleb(2))
        except InvalidOperation:
            exact = MAX_CENTS
        if abs(exact) >= MAX_CENTS:
            problems.append((index, _("The number is too large.")))
            continue
        cents[index] = exact
        present[index] = True
    return cents, present, problems


def _blank(row: Sequence[object]) -> bool:
    return all(normalise(cell) == "" for cell in row)


def _letters_and_digits(cells: Sequence[object]) -> bool:
    """Every cell a non-empty string of letters and digits (so no row is blank)."""
    if not cells or set(map(type, cells)) != {str}:
        return False
    texts = cast("Sequence[str]", cells)
    return min(map(len, texts)) > 0 and "".join(texts).isalnum()


def _normalised_code(cell: object) -> str:
    if type(cell) is str and cell.isascii() and cell.isalnum():
        return cell.upper()  # what normalise(cell).upper() gives for letters and digits
    return normalise(cell).upper()


def parse_sheet(rows: Sequence[Sequence[object]], *, cumulative: bool | None = None) -> ParsedSheet:
    """Type every cell, a column at a time; collect every problem. ``cumulative`` None means: detect from
    the headers."""
    header_index = _find_header(rows)
    if header_index is None:
        sheet = ParsedSheet(header_row=1, cumulative=bool(cumulative), indicator_columns=[])
        sheet.problems.append(
            CellProblem(1, "", _("No header row with a 统一社会信用代码 (USCC) column was found."))
        )
        return sheet
    header = [str(cell) if cell is not None else "" for cell in rows[header_index]]
    header_row = header_index + 1
    uscc_col = name_col = period_col = None
    columns: list[IndicatorColumn] = []
    problems: list[CellProblem] = []
    cumulative_headers: list[bool] = []
    seen: dict[str, str] = {}
    for index, raw in enumerate(header):
        key = normalise(raw)
        if not key:
            continue
        if key in USCC_HEADERS:
            uscc_col = index
        elif key in NAME_HEADERS:
            name_col = index
        elif key in PERIOD_HEADERS:
            period_col = index
        else:
            matched = match_indicator_header(raw)
            if matched is None:
                problems.append(
                    CellProblem(header_row, raw, _("Unknown column: not an indicator of the survey."))
                )
                continue
            spec, factor, says_cumulative = matched
            if spec.code in seen:
                problems.append(
                    CellProblem(
                        header_row,
                        raw,
                        _("The indicator also has column “%(other)s”.") % {"other": seen[spec.code]},
                    )
                )
                continue
            seen[spec.code] = raw
            cumulative_headers.append(says_cumulative)
            columns.append(IndicatorColumn(spec=spec, header=raw, factor=factor, index=index))
    for found, label in ((uscc_col, "统一社会信用代码"), (name_col, "企业名称"), (period_col, "统计期")):
        if found is None:
            problems.append(CellProblem(header_row, label, _("This column is missing.")))
    if not columns:
        problems.append(CellProblem(header_row, "", _("The file has no indicator column.")))
    if cumulative is None:
        cumulative = any(cumulative_headers) or any(
            marker in normalise(cell)
            for row in rows[:header_index]
            for cell in row
            for marker in CUMULATIVE_MARKERS
        )
    sheet = ParsedSheet(
        header_row=header_row,
        cumulative=cumulative,
        indicator_columns=columns,
        problems=problems,
        declared_period=_declared_period(rows[:header_index]),
    )
    if problems and (uscc_col is None or name_col is None or period_col is None or not columns):
        return sheet
    assert uscc_col is not None
    assert name_col is not None
    assert period_col is not None
    width = len(header)
    data = rows[header_index + 1 :]
    fitted = (
        data if set(map(len, data)) <= {width} else [(list(row) + [None] * width)[:width] for row in data]
    )
    table: list[Sequence[object]] = list(zip(*fitted, strict=True)) if data else [()] * width
    # Blank lines between blocks are common in hand-made sheets; they are skipped. A row whose code cell
    # holds letters or digits is not blank; only the others are looked at cell by cell.
    codes_cells = table[uscc_col]
    plain_codes = _letters_and_digits(codes_cells)
    blank = (
        []
        if plain_codes
        else [
            i
            for i, cell in enumerate(codes_cells)
            if not (type(cell) is str and cell.isalnum()) and _blank(data[i])
        ]
    )
    kept = np.arange(len(data), dtype=np.int64)
    if blank:
        kept = np.setdiff1d(kept, np.array(blank, dtype=np.int64))
        chosen = kept.tolist()
        table = [[column[i] for i in chosen] for column in table]
    count = len(kept)
    sheet.row_numbers = kept + (header_row + 1)
    if plain_codes and "".join(cast("Sequence[str]", codes_cells)).isascii():
        # What normalise(cell).upper() gives for ASCII letters and digits, for the column at once.
        sheet.usccs = "\n".join(cast("Sequence[str]", codes_cells)).upper().split("\n")
    else:
        sheet.usccs = list(map(_normalised_code, table[uscc_col]))
    names = table[name_col]
    if set(map(type, names)) == {str}:
        sheet.names = list(map(str.strip, cast("Sequence[str]", names)))
    else:
        sheet.names = [str(cell or "").strip() for cell in names]
    months = {cell: parse_period(cell) for cell in set(table[period_col])}
    month_numbers = {cell: NO_PERIOD if p is None else month_number(p) for cell, p in months.items()}
    sheet.periods = np.fromiter(map(month_numbers.__getitem__, table[period_col]), np.int64, count)
    # Problems in reading order: row by row, the period before the values.
    located: list[tuple[int, int, CellProblem]] = []
    not_a_month = _("Not a month: write it as YYYY-MM, e.g. 2022-04.")
    for i in np.flatnonzero(sheet.periods == NO_PERIOD).tolist():
        located.append((i, -1, CellProblem(int(sheet.row_numbers[i]), header[period_col], not_a_month)))
    sheet.cents = np.zeros((count, len(columns)), dtype=np.int64)
    sheet.present = np.zeros((count, len(columns)), dtype=np.bool_)
    for j, column in enumerate(columns):
        cents, present, bad = parse_number_column(table[column.index], column.factor)
        sheet.cents[:, j] = cents
        sheet.present[:, j] = present
        located += [(i, j, CellProblem(int(sheet.row_numbers[i]), column.header, text)) for i, text in bad]
    located.sort(key=lambda item: (item[0], item[1]))
    sheet.problems += [problem for _i, _j, problem in located]
    return sheet


def header_labels(specs: Iterable[IndicatorSpec]) -> list[str]:
    """The template's header: fixed columns, then ``<Chinese name>(<unit>)`` per indicator."""
    return ["统一社会信用代码", "企业名称", "统计期", *(f"{s.name_zh}({s.template_unit})" for s in specs)]

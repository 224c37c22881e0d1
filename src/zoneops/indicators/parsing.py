"""Reading a file of monthly figures into a table, forgivingly (no database here).

Government figures arrive in Excel typed by hand: headers with full-width brackets, stray spaces,
English names or 元/万元/亿元 units; values with thousands separators or full-width digits; periods as
``2022-04``, ``2022/4``, ``2022年4月``, ``202204`` or an Excel date. This module turns such a sheet into
typed columns and reports every cell it cannot read, with its row and column; it never guesses.
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

from django.utils.translation import gettext as _

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


@dataclass
class ParsedSheet:
    """Typed columns of a sheet. Rows whose cells could not be read are listed in ``problems``."""

    header_row: int
    cumulative: bool
    indicator_columns: list[IndicatorColumn]
    row_numbers: list[int] = field(default_factory=list)
    usccs: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    periods: list[dt.date | None] = field(default_factory=list)
    # values[i][j]: row i, indicator column j, in the stored unit; None when the cell is empty.
    values: list[list[Decimal | None]] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)
    declared_period: dt.date | None = None


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
            return [list(row) for row in csv.reader(io.StringIO(text))]
        raise FileUnreadable(_("The CSV file is neither UTF-8 nor GBK text."))
    try:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = workbook.get_sheet_by_index(0)
        return [list(row) for row in sheet.to_python(skip_empty_area=False)]
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


def parse_sheet(rows: Sequence[Sequence[object]], *, cumulative: bool | None = None) -> ParsedSheet:
    """Type every cell; collect every problem. ``cumulative`` None means: detect from the headers."""
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
    for offset, raw_row in enumerate(rows[header_index + 1 :], start=header_row + 1):
        row = list(raw_row) + [None] * (width - len(raw_row))
        if all(normalise(cell) == "" for cell in row):
            continue  # blank lines between blocks are common in hand-made sheets
        sheet.row_numbers.append(offset)
        sheet.usccs.append(normalise(row[uscc_col]).upper())
        sheet.names.append(str(row[name_col] or "").strip())
        period = parse_period(row[period_col])
        if period is None:
            sheet.problems.append(
                CellProblem(offset, header[period_col], _("Not a month: write it as YYYY-MM, e.g. 2022-04."))
            )
        sheet.periods.append(period)
        values: list[Decimal | None] = []
        for column in columns:
            try:
                number = parse_number(row[column.index])
            except (InvalidOperation, ValueError):
                sheet.problems.append(
                    CellProblem(
                        offset, column.header, _("Not a number: “%(text)s”.") % {"text": row[column.index]}
                    )
                )
                values.append(None)
                continue
            values.append(None if number is None else (number * column.factor).quantize(Decimal("0.01")))
        sheet.values.append(values)
    return sheet


def header_labels(specs: Iterable[IndicatorSpec]) -> list[str]:
    """The template's header: fixed columns, then ``<Chinese name>(<unit>)`` per indicator."""
    return ["统一社会信用代码", "企业名称", "统计期", *(f"{s.name_zh}({s.template_unit})" for s in specs)]

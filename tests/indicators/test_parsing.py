"""Reading a sheet a column at a time gives exactly what reading it cell by cell gives."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal, InvalidOperation

import numpy as np
import pytest
from django.utils import translation

from zoneops.indicators.parsing import (
    MAX_CENTS,
    NO_PERIOD,
    month_date,
    month_number,
    parse_number,
    parse_number_column,
    parse_sheet,
)

FACTORS = [Decimal(1), Decimal(1_000), Decimal(10_000), Decimal(100_000_000)]


def _one_by_one(cell: object, factor: Decimal) -> tuple[int | None, str | None]:
    """The reference: parse_number, times the factor, to the hundredth (what the import stores)."""
    try:
        number = parse_number(cell)
    except (InvalidOperation, ValueError):
        return None, f"Not a number: “{cell}”."
    if number is None:
        return None, None
    try:
        cents = int((number * factor).quantize(Decimal("0.01")).scaleb(2))
    except InvalidOperation:
        return None, "The number is too large."
    if abs(cents) >= MAX_CENTS:
        return None, "The number is too large."
    return cents, None


def _random_cell(rng: random.Random) -> object:
    kind = rng.randrange(14)
    digits = "".join(rng.choice("0123456789") for _ in range(rng.randrange(1, 18)))
    if kind == 0:
        return digits
    if kind == 1:
        return f"-{digits}.{rng.randrange(100):0{rng.randrange(1, 4)}d}"
    if kind == 2:
        return f"{int(digits):,}.{rng.randrange(10)}"
    if kind == 3:
        return rng.choice(["", " ", "-", "—", "/", "无", "abc", "约七万", "1e3", "(123)", "12.", ".5", "+5"])
    if kind == 4:
        return rng.choice(
            ["８１００", "２，６００", " 1 000 ", "1\t2", "\u3000", "0", "-0", "-0.00", "00012"]
        )
    if kind == 5:
        return rng.choice(
            ["1\x00", "\x00", "1,2,3", ",", "NaN", "Infinity", "1_000", "9" * 30, "-" + "9" * 16]
        )
    if kind == 6:
        return rng.uniform(-1e6, 1e6)
    if kind == 7:
        return round(rng.uniform(-1e9, 1e9), rng.randrange(3))
    if kind == 8:
        return rng.choice([0.1, 0.125, 0.115, 1e15, 1e20, -0.0, float("nan"), float("inf"), 260000.5])
    if kind == 9:
        return rng.randrange(-(10**16), 10**16)
    if kind == 10:
        return rng.choice([None, True, False, Decimal("1.005"), dt.date(2022, 5, 1)])
    if kind == 11:
        return f"{rng.randrange(10**13)}.{rng.randrange(100):02d}"
    if kind == 12:
        return str(rng.randrange(10**15, 10**16))
    return f"{digits[:8]}{rng.choice(['.', '', ',', ' '])}{digits[8:12]}"


@pytest.fixture(autouse=True)
def _english() -> object:
    with translation.override("en"):
        yield


@pytest.mark.parametrize("seed", range(6))
def test_a_column_reads_like_its_cells_one_by_one(seed: int) -> None:
    rng = random.Random(seed)
    factor = FACTORS[seed % len(FACTORS)]
    # Uniform columns take the fast paths; mixed ones the split by type.
    makers = {
        0: lambda: f"{rng.randrange(10**9)}.{rng.randrange(100):02d}",
        1: lambda: round(rng.uniform(-1e7, 1e7), 2),
    }
    maker = makers.get(seed % 3, lambda: _random_cell(rng))
    cells = [maker() for _ in range(3000)] + [_random_cell(rng) for _ in range(3000)]
    rng.shuffle(cells)
    for column in (cells, cells[:50], [c for c in cells if isinstance(c, str)], []):
        cents, present, problems = parse_number_column(column, factor)
        messages = dict(problems)
        for index, cell in enumerate(column):
            expected, problem = _one_by_one(cell, factor)
            assert messages.get(index) == problem, (cell, factor)
            assert bool(present[index]) == (expected is not None), (cell, factor)
            if expected is not None:
                assert int(cents[index]) == expected, (cell, factor)
        assert [i for i, _ in problems] == sorted(i for i, _ in problems)


def test_months_are_numbered_as_numpy_numbers_them() -> None:
    for period in (dt.date(1990, 1, 1), dt.date(2022, 5, 1), dt.date(2100, 12, 1)):
        number = month_number(period)
        assert number == np.datetime64(period, "M").astype(np.int64)
        assert month_date(number) == period


def test_a_sheet_is_typed_column_by_column_with_its_problems_in_reading_order() -> None:
    rows: list[list[object]] = [
        ["统计期：2022年5月"],
        ["统一社会信用代码", "企业名称", "统计期", "营业收入(万元)", "从业人员期末人数(人)"],
        [" 91371000ma000001x1 ", " 甲公司 ", "2022-05", "1,234.5", 10],
        [None, "", "", "", ""],
        ["", "  ", None],
        ["91371000MA000002X2", "乙公司", "五月", "abc", "x"],
        ["ＡＢＣ", None, 202205.0, 7.25, ""],
    ]
    sheet = parse_sheet(rows)
    assert sheet.declared_period == dt.date(2022, 5, 1)
    assert sheet.row_numbers.tolist() == [3, 6, 7]
    assert sheet.usccs == ["91371000MA000001X1", "91371000MA000002X2", "ABC"]
    assert sheet.names == ["甲公司", "乙公司", ""]
    may = month_number(dt.date(2022, 5, 1))
    assert sheet.periods.tolist() == [may, NO_PERIOD, may]
    assert sheet.cents.tolist() == [[1_234_500_000, 1000], [0, 0], [7_250_000, 0]]
    assert sheet.present.tolist() == [[True, True], [False, False], [True, False]]
    assert [(p.row, p.column, p.message) for p in sheet.problems] == [
        (6, "统计期", "Not a month: write it as YYYY-MM, e.g. 2022-04."),
        (6, "营业收入(万元)", "Not a number: “abc”."),
        (6, "从业人员期末人数(人)", "Not a number: “x”."),
    ]

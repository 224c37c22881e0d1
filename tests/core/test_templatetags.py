"""The shell's number filters."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zoneops.core.templatetags.zoneops_tags import plain, wan, yi


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1000"), "1000"),
        (Decimal("1000.00"), "1000"),
        (Decimal("12.50"), "12.5"),
        (Decimal("0.05"), "0.05"),
        (Decimal("1E+3"), "1000"),
        (Decimal("0"), "0"),
        (10, "10"),
        (None, ""),
    ],
)
def test_plain_gives_a_number_back_to_a_form(value: object, shown: str) -> None:
    assert plain(value) == shown


def test_yi_and_wan() -> None:
    assert yi(Decimal("100000000000")) == "1,000.0"
    assert yi(None) == "—"
    assert wan(Decimal("25000")) == Decimal("2.5")
    assert wan(None) is None

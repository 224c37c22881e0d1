"""GB/T 4754-2017, the national industry classification, shipped as package data."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

LEVELS = ("section", "division", "group", "class")


@dataclass(frozen=True)
class IndustryRow:
    code: str
    level: str
    parent: str
    name_zh: str
    name_en: str


@cache
def classification_rows() -> tuple[IndustryRow, ...]:
    """Every row of the classification, parents before children."""
    text = (
        resources.files("zoneops.enterprises").joinpath("data/gbt4754_2017.csv").read_text(encoding="utf-8")
    )
    rows = tuple(
        IndustryRow(
            code=r["code"].strip(),
            level=r["level"].strip(),
            parent=r["parent"].strip(),
            name_zh=r["name_zh"].strip(),
            name_en=r["name_en"].strip(),
        )
        for r in csv.DictReader(text.splitlines())
    )
    return tuple(sorted(rows, key=lambda r: LEVELS.index(r.level)))

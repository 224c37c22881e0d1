"""The standard indicator set of the monthly enterprise survey (codes are part of the API contract)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name_zh: str
    name_en: str
    unit: str
    template_unit: str
    kind: str
    allow_negative: bool = False
    # Names a statistician may type in a header instead of the Chinese name.
    aliases: tuple[str, ...] = ()


STANDARD_INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec(
        "revenue",
        "营业收入",
        "Operating revenue",
        "yuan",
        "万元",
        "flow",
        aliases=("主营业务收入", "营收", "revenue", "operating revenue"),
    ),
    IndicatorSpec(
        "output_value",
        "工业总产值",
        "Gross industrial output",
        "yuan",
        "万元",
        "flow",
        aliases=("总产值", "output value", "gross industrial output", "gross output"),
    ),
    IndicatorSpec(
        "added_value",
        "工业增加值",
        "Industrial added value",
        "yuan",
        "万元",
        "flow",
        aliases=("增加值", "added value", "industrial added value"),
    ),
    IndicatorSpec(
        "profit",
        "利润总额",
        "Total profit",
        "yuan",
        "万元",
        "flow",
        allow_negative=True,
        aliases=("利润", "profit", "total profit"),
    ),
    IndicatorSpec(
        "tax",
        "实缴税金",
        "Tax paid",
        "yuan",
        "万元",
        "flow",
        aliases=("税金", "实缴税金总额", "纳税", "tax", "tax paid", "taxes paid"),
    ),
    IndicatorSpec(
        "employees",
        "从业人员期末人数",
        "Employees at period end",
        "person",
        "人",
        "stock",
        aliases=(
            "从业人员",
            "期末从业人员",
            "从业人员数",
            "employees",
            "employees at period end",
            "headcount",
        ),
    ),
    IndicatorSpec(
        "rd_expense",
        "研发费用",
        "R&D expenditure",
        "yuan",
        "万元",
        "flow",
        aliases=("研发投入", "研究开发费用", "r&d expenditure", "r&d expense", "rd expense"),
    ),
    IndicatorSpec(
        "export_value",
        "出口交货值",
        "Export delivery value",
        "yuan",
        "万元",
        "flow",
        aliases=("出口", "export delivery value", "export value", "exports"),
    ),
)

"""Excel files of the statistics side: the import template, an import's error report, the monthly
economic report."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from openpyxl import Workbook

from zoneops.accounts.models import User
from zoneops.core.excel import mark_cell, workbook_bytes, write_sheet
from zoneops.indicators.definitions import STANDARD_INDICATORS
from zoneops.indicators.models import ImportBatch, RollupDimension
from zoneops.indicators.parsing import header_labels, normalise, read_rows
from zoneops.indicators.selectors import cluster_progress, growth_ranking, rollup_table

TEN_THOUSAND = 10_000


def template_workbook() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "月度数据"
    write_sheet(
        sheet,
        header=header_labels(STANDARD_INDICATORS),
        rows=[],
        widths=[22, 30, 10, *[14] * len(STANDARD_INDICATORS)],
    )
    notes = workbook.create_sheet("填报说明")
    write_sheet(
        notes,
        header=["项目", "说明"],
        rows=[
            ("统一社会信用代码", "18位，须与企业库一致"),
            ("企业名称", "与统一社会信用代码对应的企业名称"),
            ("统计期", "YYYY-MM，例如 2022-04"),
            ("金额单位", "万元（表头写“元”或“亿元”时按表头换算）"),
            ("累计数", "表头含“1-本月累计”或“累计”时按累计数导入，系统推算当月数；累计数不得回落"),
            ("空白", "不填表示本月无此数据，不等于 0"),
        ],
        widths=[20, 70],
    )
    return workbook_bytes(workbook)


def error_report(batch: ImportBatch) -> bytes:
    """The uploaded sheet with each bad cell coloured and explained, plus a list of every problem."""
    rows = read_rows(content=bytes(batch.content), file_name=batch.file_name)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "data"
    for row in rows:
        sheet.append([cell if not isinstance(cell, dt.time) else str(cell) for cell in row])
    header_index = next(
        (
            i
            for i, row in enumerate(rows[:20])
            if any(normalise(c) in {"统一社会信用代码", "uscc"} for c in row)
        ),
        0,
    )
    columns = {str(cell): index + 1 for index, cell in enumerate(rows[header_index])} if rows else {}
    problems = [*batch.errors, *batch.warnings]
    for problem in problems:
        row_number = int(str(problem.get("row") or 0))
        column = columns.get(str(problem.get("column")), 1)
        if row_number >= 1:
            mark_cell(sheet, row=row_number, column=column, message=str(problem.get("message")))
    listing = workbook.create_sheet(_("problems"))
    write_sheet(
        listing,
        header=[_("row"), _("column"), _("problem"), _("kind")],
        rows=[
            *((p.get("row"), p.get("column"), p.get("message"), _("error")) for p in batch.errors),
            *((p.get("row"), p.get("column"), p.get("message"), _("warning")) for p in batch.warnings),
        ],
        widths=[8, 24, 80, 10],
    )
    return workbook_bytes(workbook)


def economic_report(*, user: User, period: dt.date) -> bytes:
    """The monthly economic report: clusters against targets, the zone by dimension, the fastest growers."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "产业集群"
    clusters = cluster_progress(user=user, indicator="revenue", period=period)
    write_sheet(
        sheet,
        header=[
            "产业集群",
            "本月营业收入(万元)",
            "1-本月累计(万元)",
            "同比(%)",
            "年度目标(万元)",
            "目标完成(%)",
            "时间进度(%)",
            "全年预计(万元)",
        ],
        rows=[
            (
                c.name,
                float(c.month / TEN_THOUSAND),
                float(c.ytd / TEN_THOUSAND),
                float(c.yoy) if c.yoy is not None else None,
                float(c.target / TEN_THOUSAND) if c.target else None,
                float(c.progress) if c.progress is not None else None,
                float(c.elapsed),
                float(c.projection / TEN_THOUSAND) if c.projection is not None else None,
            )
            for c in clusters
        ],
        widths=[34, 16, 16, 10, 16, 12, 12, 16],
    )
    for dimension, title in (
        (RollupDimension.PARK, "分园区"),
        (RollupDimension.DIVISION, "分行业大类"),
        (RollupDimension.OWNERSHIP, "分登记注册类型"),
        (RollupDimension.SCALE, "规上规下"),
    ):
        table = rollup_table(user=user, dimension=dimension, indicator="revenue", period=period)
        write_sheet(
            workbook.create_sheet(title),
            header=["分组", "企业数", "1-本月累计(万元)", "同比(%)", "占比(%)", "拉动(百分点)"],
            rows=[
                (
                    r.label,
                    r.enterprises,
                    float(r.ytd / TEN_THOUSAND),
                    float(r.yoy) if r.yoy is not None else None,
                    float(r.share) if r.share is not None else None,
                    float(r.contribution) if r.contribution is not None else None,
                )
                for r in table
            ],
            widths=[34, 10, 16, 10, 10, 12],
        )
    ranking = growth_ranking(user=user, indicator="revenue", year=period.year, period=period)[:100]
    write_sheet(
        workbook.create_sheet("增速排名"),
        header=["排名", "企业名称", "1-本月累计(万元)", "上年同期(万元)", "增速(%)"],
        rows=[
            (
                index,
                row.enterprise.name,
                float(row.ytd / TEN_THOUSAND),
                float((row.ytd_previous or 0) / TEN_THOUSAND),
                round(float(row.growth or 0), 2),
            )
            for index, row in enumerate(ranking, start=1)
        ],
        widths=[6, 40, 16, 16, 10],
    )
    return workbook_bytes(workbook)

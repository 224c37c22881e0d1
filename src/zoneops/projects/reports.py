"""The monthly scheduling report (月调度表) as Excel: one row per project in the usual columns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from openpyxl import Workbook

from zoneops.accounts.models import User
from zoneops.core.excel import workbook_bytes, write_sheet
from zoneops.projects.selectors import scheduling_rows
from zoneops.projects.warnings import reason_text

TEN_THOUSAND = Decimal(10_000)
HEADER = (
    "序号",
    "项目编号",
    "项目名称",
    "级别",
    "类型",
    "建设单位",
    "总投资(万元)",
    "年度计划投资(万元)",
    "本月完成投资(万元)",
    "年度累计完成投资(万元)",
    "年度投资完成率(%)",
    "形象进度(%)",
    "本月进展",
    "下一节点",
    "计划完成日期",
    "责任部门",
    "包保领导",
    "待协调问题(个)",
    "预警",
    "预警原因",
    "按期报送",
)


def completion_percent(cumulative: Decimal | None, planned: Decimal) -> Decimal | None:
    """Investment completed this year as a percentage of the year's plan, to one decimal."""
    if cumulative is None or not planned:
        return None
    return (cumulative * 100 / planned).quantize(Decimal("0.1"))


def scheduling_report(*, user: User, period: dt.date) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"{period:%Y年%m月}调度"
    rows = []
    for number, row in enumerate(scheduling_rows(user=user, period=period), start=1):
        project, report = row.project, row.report
        cumulative = report.investment_cumulative if report else None
        completion = completion_percent(cumulative, project.planned_investment)
        rows.append(
            (
                number,
                project.code,
                project.name,
                project.get_level_display(),
                project.get_project_type_display(),
                project.owner.name if project.owner else "",
                float(project.total_investment / TEN_THOUSAND),
                float(project.planned_investment / TEN_THOUSAND),
                float(report.investment_month / TEN_THOUSAND) if report else None,
                float(cumulative / TEN_THOUSAND) if cumulative is not None else None,
                float(completion) if completion is not None else None,
                report.progress_percent if report else None,
                report.progress_text if report else "未报送",
                f"{row.next_milestone.name} {row.next_milestone.planned_date:%Y-%m-%d}"
                if row.next_milestone
                else "",
                project.planned_completion,
                project.department.name,
                project.leader.display_name if project.leader else "",
                row.open_problems,
                {"green": "绿", "amber": "黄", "red": "红"}.get(project.warning_level, ""),
                "；".join(reason_text(r) for r in project.warning_reasons),
                ("是" if report.on_time else "否") if report else "未报送",
            )
        )
    write_sheet(
        sheet,
        header=HEADER,
        rows=rows,
        widths=[6, 14, 36, 12, 10, 30, 12, 12, 12, 12, 10, 8, 40, 24, 12, 20, 10, 8, 6, 60, 8],
    )
    return workbook_bytes(workbook)

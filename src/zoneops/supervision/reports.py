"""The assessment as Excel: the ranking with every measure's points, and the bonus and penalty points."""

from __future__ import annotations

from openpyxl import Workbook

from zoneops.accounts.models import User
from zoneops.core.excel import workbook_bytes, write_sheet
from zoneops.supervision.assessment import ADJUSTMENTS, DEFAULT_WEIGHTS, assessment, measure_label


def assessment_workbook(*, user: User, period_code: str) -> bytes:
    rows = assessment(user=user, period_code=period_code)
    measures = [b.measure for b in rows[0].breakdown] if rows else [*DEFAULT_WEIGHTS, ADJUSTMENTS]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"{period_code}考核"
    write_sheet(
        sheet,
        header=[
            "排名",
            "部门",
            "得分",
            "上期得分",
            "变化",
            # The last measure is the bonus and penalty points: the row's cells add up to its score.
            *[measure_label(m) for m in measures],
        ],
        rows=[
            (
                r.rank,
                r.department,
                float(r.score),
                float(r.previous_score) if r.previous_score is not None else None,
                float(r.change) if r.change is not None else None,
                *[float(b.points) if b.applies else None for b in r.breakdown],
            )
            for r in rows
        ],
    )
    detail = workbook.create_sheet("加减分明细")
    write_sheet(
        detail,
        header=["部门", "分值", "事由", "录入人"],
        rows=[
            (r.department, float(a.points), a.reason, str(a.entered_by) if a.entered_by else "")
            for r in rows
            for a in r.adjustments
        ],
    )
    return workbook_bytes(workbook)

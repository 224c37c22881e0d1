"""Excel helpers shared by every export: a workbook with a styled header, saved to bytes."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="0D2C54")
HEADER_FONT = Font(bold=True, color="FFFFFF")
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")


def write_sheet(
    sheet: Worksheet,
    *,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    widths: Sequence[int] | None = None,
) -> None:
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    for index, title in enumerate(header, start=1):
        width = (
            widths[index - 1]
            if widths and index - 1 < len(widths)
            else max(10, min(40, len(str(title)) * 2 + 2))
        )
        sheet.column_dimensions[get_column_letter(index)].width = width


def mark_cell(sheet: Worksheet, *, row: int, column: int, message: str) -> None:
    """Colour a cell and attach the reason as a comment (the error report of an import)."""
    cell = sheet.cell(row=row, column=column)
    cell.fill = ERROR_FILL
    cell.comment = Comment(message, "zoneops")


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

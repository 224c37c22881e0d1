"""Reading back the monthly report pack: the ZIP's members, each workbook's cells, the PDF's text."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pypdf
from openpyxl import load_workbook

PERIOD = dt.date(2022, 4, 1)
TODAY = dt.date(2022, 5, 8)

# What each role's pack holds: the permission of each report's own download decides.
ALL_PARTS = ["scheduling", "economic", "pipeline", "servicedesk"]
PARTS_BY_ROLE: dict[str, list[str]] = {
    "admin": ALL_PARTS,
    "leader": ALL_PARTS,
    "supervisor": ALL_PARTS,
    "invest": ["scheduling", "economic", "pipeline"],
    "projects": ["scheduling", "economic"],
    "stats": ["scheduling", "economic"],
    "hp": [],
    "weigao": [],
}
FILE_NAMES = {
    "scheduling": "2022-04-月调度.xlsx",
    "economic": "2022-04-经济运行.xlsx",
    "pipeline": "2022-04-招商项目.xlsx",
    "servicedesk": "2022-04-服务工单.xlsx",
}
PDF_NAME = "月度报告-2022-04.pdf"


def zip_members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        return {info.filename: archive.read(info) for info in archive.infolist()}


def workbook_cells(content: bytes) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's cell values, in order, by sheet title."""
    book = load_workbook(io.BytesIO(content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def pdf_pages(content: bytes) -> list[str]:
    """Each page's text with every line stripped and the lines joined by single spaces."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    return [" ".join(line.strip() for line in page.extract_text().splitlines()) for page in reader.pages]


def pdf_text(content: bytes) -> str:
    return " ".join(pdf_pages(content))

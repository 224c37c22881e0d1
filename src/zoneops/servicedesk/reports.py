"""The service desk's statistics as an Excel workbook (the same figures as the statistics page)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl import Workbook

from zoneops.core.excel import workbook_bytes, write_sheet
from zoneops.servicedesk.selectors import OrderStatistics, StatsRow


def _rows(rows: list[StatsRow]) -> list[list[object]]:
    return [
        [
            r.label,
            r.filed,
            r.answered,
            r.on_time,
            r.on_time_rate,
            r.open,
            r.overdue,
            r.mean_working_days,
            r.rated,
            r.mean_rating,
            r.satisfaction_rate,
        ]
        for r in rows
    ]


def statistics_workbook(stats: OrderStatistics) -> bytes:
    header = [
        "",
        _("Filed"),
        _("Answered"),
        _("Answered on time"),
        _("On-time rate %"),
        _("Open"),
        _("Overdue"),
        _("Mean working days to answer"),
        _("Rated"),
        _("Mean rating"),
        _("Satisfied (4–5) %"),
    ]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("By guarantee")[:31]
    write_sheet(sheet, header=[_("Guarantee"), *header[1:]], rows=_rows([*stats.by_guarantee, stats.total]))
    write_sheet(
        book.create_sheet(_("By department")[:31]),
        header=[_("Department"), *header[1:]],
        rows=_rows(stats.by_department),
    )
    write_sheet(
        book.create_sheet(_("By month")[:31]),
        header=[_("Month"), _("Filed"), _("Answered on time")],
        rows=[list(m) for m in stats.by_month],
    )
    write_sheet(
        book.create_sheet(_("Ratings")[:31]),
        header=[_("Rating"), _("Orders")],
        rows=[[rating, count] for rating, count in stats.ratings.items()],
    )
    notes = book.create_sheet(_("About")[:31])
    notes.append([_("Orders filed from %(first)s to %(last)s.") % {"first": stats.first, "last": stats.last}])
    notes.append(
        [_("On time: answered no later than the resolution deadline (paused days and extensions moved it).")]
    )
    notes.append(
        [_("Working days count China's official calendar, less the days waiting for the enterprise.")]
    )
    return workbook_bytes(book)

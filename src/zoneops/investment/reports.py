"""The monthly pipeline report as an Excel workbook: the funnel, gap coverage, value, chain-master
referrals and the leads needing attention — the figures of the pipeline pages, for the leaders' meeting."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import Workbook

from zoneops.accounts.models import User
from zoneops.core import clock
from zoneops.core.errors import InvalidInput
from zoneops.core.excel import workbook_bytes, write_sheet
from zoneops.investment import selectors
from zoneops.investment.models import LeadStage


@dataclass(frozen=True)
class ReportRequest:
    year: int
    as_of: dt.date | None  # None: as of now
    filename: str


def report_request(*, year: int, month: str | None, today: dt.date) -> ReportRequest:
    """Which report is asked for: the year's as of now, or — ``month`` given (``YYYY-MM``) — that month's,
    as the pipeline stood at the month's end, for the month's year (this month's is as of now). A month
    not begun yet is refused."""
    if not month:
        return ReportRequest(year=year, as_of=None, filename=f"pipeline-{year}.xlsx")
    found = re.fullmatch(r"(\d{4})-(\d{2})", month.strip())
    if found is None or not 2000 <= int(found[1]) <= 2100 or not 1 <= int(found[2]) <= 12:
        raise InvalidInput.single("month", _("Enter a month as YYYY-MM."))
    chosen_year, number = int(found[1]), int(found[2])
    if (chosen_year, number) > (today.year, today.month):
        raise InvalidInput.single("month", _("Choose a month that has begun."))
    current = (chosen_year, number) == (today.year, today.month)
    return ReportRequest(
        year=chosen_year,
        as_of=None if current else dt.date(chosen_year, number, calendar.monthrange(chosen_year, number)[1]),
        filename=f"pipeline-{chosen_year}-{number:02d}.xlsx",
    )


def pipeline_workbook(*, user: User, year: int, as_of: dt.date | None = None) -> bytes:
    """The report of the leads opened in ``year`` as of now, or as the pipeline stood at the end of
    ``as_of`` (see ``report_request``)."""
    today = as_of or clock.today(zone=user.zone)
    funnel = selectors.funnel(user=user, year=year, as_of=as_of)
    coverage = selectors.gap_coverage(user=user, as_of=as_of)
    value = selectors.value(user=user, year=year, as_of=as_of)
    referrals = selectors.referrals(user=user, as_of=as_of)
    attention = selectors.needing_attention(user=user, today=today, as_of=as_of)
    labels = [label for _stage, label in funnel.stages]

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Funnel")[:31]
    groups = [
        (_("All"), [funnel.total]),
        (_("Source"), funnel.by_source),
        (_("Cluster"), funnel.by_cluster),
        (_("Chain"), funnel.by_chain),
        (_("Officer"), funnel.by_officer),
        (_("Team"), funnel.by_team),
    ]
    write_sheet(
        sheet,
        header=[_("By"), _("Group"), *labels],
        rows=[[str(name), row.label, *row.reached] for name, rows in groups for row in rows],
    )
    write_sheet(
        book.create_sheet(_("Conversion")[:31]),
        header=[_("Stage"), _("Leads"), _("Went on to the next stage %"), _("Median days in the stage")],
        rows=[
            [
                label,
                funnel.total.reached[i],
                funnel.total.conversion[i] if i < len(funnel.total.conversion) else None,
                funnel.median_days.get(stage),
            ]
            for i, (stage, label) in enumerate(funnel.stages)
        ],
    )
    write_sheet(
        book.create_sheet(_("Median days in the stage")[:31]),
        header=[_("By"), _("Group"), *labels],
        rows=[
            [str(name), row.label, *(row.median_days.get(stage) for stage, _label in funnel.stages)]
            for name, rows in groups
            for row in rows
        ],
    )
    write_sheet(
        book.create_sheet(_("By month")[:31]),
        header=[_("Month"), *labels],
        rows=[[month, *(counts[s] for s, _label in funnel.stages)] for month, counts in funnel.by_month],
    )
    write_sheet(
        book.create_sheet(_("Gap coverage")[:31]),
        header=[_("Chain"), _("Node"), _("Gap"), _("Importance"), _("Uncovered"), _("Leads")],
        rows=[
            [
                row.chain,
                row.node,
                row.gap,
                round(row.importance, 2),
                _("yes") if row.uncovered else "",
                "; ".join(f"{lead.company_name} ({lead.get_stage_display()})" for lead in row.leads),
            ]
            for row in coverage
        ],
    )
    signed, started, operating = value.signed_to_started_to_operating
    value_sheet = book.create_sheet(_("Value")[:31])
    write_sheet(
        value_sheet,
        header=[_("Stage"), _("Intended investment (yuan)")],
        rows=[[str(LeadStage(s).label), float(v)] for s, v in value.intended_by_stage.items()],
    )
    value_sheet.append([])
    value_sheet.append([_("Signed in %(year)s (yuan)") % {"year": year}, float(value.signed_in_year)])
    value_sheet.append([_("Target (yuan)"), float(value.target) if value.target is not None else None])
    value_sheet.append([_("Against the target %"), value.target_share])
    value_sheet.append(
        [_("Signed → construction started → in operation"), f"{signed} → {started} → {operating}"]
    )
    value_sheet.append(
        [
            _("Started of signed → in operation of started, %"),
            " → ".join(
                "—" if rate is None else str(rate) for rate in (value.started_rate, value.operating_rate)
            ),
        ]
    )
    value_sheet.append([_("As of"), today.isoformat()])
    write_sheet(
        book.create_sheet(_("Referrals")[:31]),
        header=[_("Chain master"), _("Leads"), _("Signed"), _("Signed investment (yuan)")],
        rows=[[r.enterprise, r.leads, r.signed, float(r.signed_amount)] for r in referrals],
    )
    write_sheet(
        book.create_sheet(_("Needing attention")[:31]),
        header=[_("Lead"), _("Stage"), _("Officer"), _("Why")],
        rows=[
            [lead.company_name, lead.get_stage_display(), str(lead.officer or ""), "; ".join(reasons)]
            for lead, reasons in attention
        ],
    )
    return workbook_bytes(book)

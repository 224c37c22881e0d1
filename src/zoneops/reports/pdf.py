"""The printable PDF of the monthly report pack: a cover, then one section per report with its headline
figures and main table, in the active language.

Chinese text is set in reportlab's built-in CID font ``STSong-Light`` (Adobe-GB1): the PDF names the font
and the reader supplies it, so no font file is embedded or needed on the user's machine.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from zoneops.projects.reports import completion_percent
from zoneops.projects.warnings import reason_text
from zoneops.reports.selectors import (
    EconomyPart,
    MonthlySummary,
    OrdersPart,
    Part,
    PipelinePart,
    ProjectsPart,
    part_title,
    pdf_file_name,
)

FONT = "STSong-Light"
BRAND = colors.HexColor("#0D2C54")
RULE = colors.HexColor("#C5CCD6")
MUTED = colors.HexColor("#5B6573")
STRIPE = colors.HexColor("#F3F5F8")
LEVEL_COLOURS = {"red": colors.HexColor("#C0392B"), "amber": colors.HexColor("#D68910")}
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
BODY_WIDTH = PAGE_WIDTH - 2 * MARGIN
TEN_THOUSAND = Decimal(10_000)
HUNDRED_MILLION = Decimal(100_000_000)
DASH = "—"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _style(name: str, size: float, *, leading: float | None = None, **extra: Any) -> Any:
    return ParagraphStyle(
        name, fontName=_font(), fontSize=size, leading=leading or size * 1.35, wordWrap="CJK", **extra
    )


class _Styles:
    def __init__(self) -> None:
        self.title = _style("title", 24, leading=32, textColor=BRAND, spaceAfter=6 * mm)
        self.subtitle = _style("subtitle", 15, leading=22, spaceAfter=3 * mm)
        self.section = _style("section", 15, leading=20, textColor=BRAND, spaceAfter=3 * mm)
        self.heading = _style(
            "heading", 11, leading=15, textColor=BRAND, spaceBefore=4 * mm, spaceAfter=2 * mm
        )
        self.body = _style("body", 9.5, leading=14, spaceAfter=2 * mm)
        self.note = _style("note", 8, leading=11, textColor=MUTED, spaceBefore=1 * mm, spaceAfter=1 * mm)
        self.cell = _style("cell", 8, leading=10)
        self.head = _style("head", 8, leading=10, textColor=colors.white)
        self.figure_label = _style("figure_label", 8, leading=10, textColor=MUTED)
        self.figure = _style("figure", 13, leading=16, textColor=BRAND)


# --- numbers as the tables print them -------------------------------------------------------------


def _number(value: Decimal | float | int | None, digits: int = 0) -> str:
    return DASH if value is None else f"{value:,.{digits}f}"


def _wan(yuan: Decimal | None) -> str:
    """Yuan in 10,000 yuan (万元), whole."""
    return DASH if yuan is None else _number(Decimal(yuan) / TEN_THOUSAND, 0)


def _yi(yuan: Decimal | None) -> str:
    """Yuan in 100 million yuan (亿元), two decimals."""
    return DASH if yuan is None else _number(Decimal(yuan) / HUNDRED_MILLION, 2)


def _percent(value: Decimal | float | None) -> str:
    return DASH if value is None else f"{value:.1f}%"


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


# --- building blocks ------------------------------------------------------------------------------


def _text(value: object, style: Any) -> Any:
    return Paragraph(escape(str(value)), style)


def _table(
    styles: _Styles,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    *,
    numeric_from: int = 1,
    total_row: bool = False,
    row_colours: Sequence[tuple[int, Any]] = (),
) -> Any:
    """A table with the Excel files' dark header row; text cells wrap, numbers align right."""
    coloured = {
        row_index: ParagraphStyle(f"cell-{row_index}", parent=styles.cell, textColor=colour)
        for row_index, colour in row_colours
    }
    data: list[list[object]] = [[_text(title, styles.head) for title in header]]
    for row_index, row in enumerate(rows):
        data.append(
            [
                cell
                if index >= numeric_from
                else _text(cell, coloured.get(row_index, styles.cell) if index == 0 else styles.cell)
                for index, cell in enumerate(row)
            ]
        )
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), _font()),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("BACKGROUND", (0, 0), (-1, 0), BRAND),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (numeric_from, 1), (-1, -1), "RIGHT"),
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    for index in range(2, len(data), 2):
        commands.append(("BACKGROUND", (0, index), (-1, index), STRIPE))
    if total_row and rows:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 1, BRAND))
    table = Table(data, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    return table


def _figures(styles: _Styles, pairs: Sequence[tuple[str, str]], *, columns: int = 4) -> Any:
    """The headline figures: a grid of captioned numbers."""
    cells = [[_text(value, styles.figure), _text(label, styles.figure_label)] for label, value in pairs]
    rows = [cells[i : i + columns] for i in range(0, len(cells), columns)]
    data: list[list[object]] = [[*row, *[""] * (columns - len(row))] for row in rows]
    table = Table(data, colWidths=[BODY_WIDTH / columns] * columns, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (0, 0), (-1, -1), 0.4, RULE),
                ("INNERGRID", (0, 0), (-1, -1), 0.4, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return table


def _section_head(styles: _Styles, number: int, part: Part, lead: str) -> list[Any]:
    return [_text(f"{number}  {part_title(part)}", styles.section), _text(lead, styles.body)]


# --- the sections ---------------------------------------------------------------------------------


def _level_label(level: str) -> str:
    return capfirst({"red": _("red"), "amber": _("amber"), "green": _("green"), "all": _("All")}[level])


def _projects_section(styles: _Styles, number: int, month: str, data: ProjectsPart) -> list[Any]:
    everything = data.groups[-1]
    story = _section_head(
        styles,
        number,
        Part.SCHEDULING,
        _(
            "The key projects of %(year)s as reported for %(month)s: warning levels as they stand, "
            "investment completed this year against the year's plan (projects that did not report count "
            "nothing)."
        )
        % {"year": data.year, "month": month},
    )
    story.append(
        _figures(
            styles,
            [
                (_("Key projects %(year)s") % {"year": data.year}, _number(everything.projects)),
                (_("Reported for the month"), _number(everything.reported)),
                (capfirst(_("red")), _number(data.counts.get("red", 0))),
                (capfirst(_("amber")), _number(data.counts.get("amber", 0))),
                (capfirst(_("green")), _number(data.counts.get("green", 0))),
                (_("Planned this year (10k yuan)"), _wan(everything.planned)),
                (_("Completed this year (10k yuan)"), _wan(everything.completed)),
                (_("Completion of the year's plan"), _percent(everything.completion)),
            ],
        )
    )
    story.append(_text(_("By warning level"), styles.heading))
    story.append(
        _table(
            styles,
            [
                _("Warning"),
                _("Projects"),
                _("Reported for the month"),
                _("Planned this year (10k yuan)"),
                _("Completed this year (10k yuan)"),
                _("Completion %"),
            ],
            [
                [
                    _level_label(g.level),
                    _number(g.projects),
                    _number(g.reported),
                    _wan(g.planned),
                    _wan(g.completed),
                    _percent(g.completion),
                ]
                for g in data.groups
            ],
            [30 * mm, 22 * mm, 30 * mm, 34 * mm, 34 * mm, BODY_WIDTH - 150 * mm],
            total_row=True,
            row_colours=[
                (i, LEVEL_COLOURS[g.level]) for i, g in enumerate(data.groups) if g.level in LEVEL_COLOURS
            ],
        )
    )
    story.append(_text(_("Projects in red and amber (10k yuan)"), styles.heading))
    flagged = data.flagged
    if not flagged:
        story.append(_text(_("No project is in red or amber."), styles.body))
        return story
    rows = []
    for row in flagged:
        project, report = row.project, row.report
        cumulative = report.investment_cumulative if report else None
        rows.append(
            [
                _level_label(project.warning_level),
                project.code,
                project.name,
                project.department.name,
                _wan(project.planned_investment),
                _wan(cumulative) if cumulative is not None else _("not reported"),
                _percent(completion_percent(cumulative, project.planned_investment)),
                Paragraph("<br/>".join(escape(reason_text(r)) for r in project.warning_reasons), styles.cell),
            ]
        )
    story.append(
        _table(
            styles,
            [
                _("Warning"),
                _("Code"),
                _("Project"),
                _("Department"),
                _("Planned"),
                _("Completed"),
                _("Completion %"),
                _("Reasons"),
            ],
            rows,
            [15 * mm, 22 * mm, 27 * mm, 23 * mm, 15 * mm, 17 * mm, 19 * mm, BODY_WIDTH - 138 * mm],
            numeric_from=4,
            row_colours=[(i, LEVEL_COLOURS[r.project.warning_level]) for i, r in enumerate(flagged)],
        )
    )
    return story


def _economy_section(styles: _Styles, number: int, month: str, data: EconomyPart) -> list[Any]:
    story = _section_head(
        styles,
        number,
        Part.ECONOMIC,
        _(
            "Revenue of the zone and of each industrial cluster for %(month)s, year to date against the "
            "year's target, growth on comparable enterprises (同口径) in 100 million yuan."
        )
        % {"month": month},
    )
    zone = data.zone
    if zone is None:
        story.append(_text(_("No figures are published for this month yet."), styles.body))
    else:
        story.append(
            _figures(
                styles,
                [
                    (_("Zone revenue in the month (100m yuan)"), _yi(zone.month)),
                    (_("Zone revenue year to date (100m yuan)"), _yi(zone.ytd)),
                    (_("Year on year"), _percent(zone.yoy)),
                    (_("Enterprises reporting"), _number(zone.enterprises)),
                ],
            )
        )
    story.append(_text(_("Industrial clusters against their targets (100m yuan)"), styles.heading))
    english = _english()
    story.append(
        _table(
            styles,
            [
                _("Cluster"),
                _("Month"),
                _("Year to date"),
                _("YoY %"),
                _("Target"),
                _("Reached %"),
                _("Elapsed %"),
                _("Projection"),
            ],
            [
                [
                    c.name_en if english and c.name_en else c.name,
                    _yi(c.month),
                    _yi(c.ytd),
                    _percent(c.yoy),
                    _yi(c.target),
                    _percent(c.progress),
                    _percent(c.elapsed),
                    _yi(c.projection),
                ]
                for c in data.clusters
            ],
            [44 * mm, 18 * mm, 20 * mm, 17 * mm, 20 * mm, 20 * mm, 18 * mm, BODY_WIDTH - 157 * mm],
        )
    )
    return story


def _pipeline_section(styles: _Styles, number: int, month: str, data: PipelinePart) -> list[Any]:
    funnel, worth = data.funnel, data.value
    signed, started, operating = worth.signed_to_started_to_operating
    story = _section_head(
        styles,
        number,
        Part.PIPELINE,
        _(
            "The leads opened in %(year)s and how far they went, as of %(date)s; signed investment against "
            "the year's target."
        )
        % {"year": data.year, "date": data.as_of.isoformat()},
    )
    story.append(
        _figures(
            styles,
            [
                (_("Leads opened in %(year)s") % {"year": data.year}, _number(funnel.total.reached[0])),
                (_("Signed in %(year)s") % {"year": data.year}, _number(worth.signed_count)),
                (_("Signed investment (100m yuan)"), _yi(worth.signed_in_year)),
                (_("Target (100m yuan)"), _yi(worth.target)),
                (_("Against the target"), _percent(worth.target_share)),
                (_("Signed → started → in operation"), f"{signed} → {started} → {operating}"),
                (_("Lost"), _number(funnel.lost)),
                (_("On hold"), _number(funnel.on_hold)),
            ],
        )
    )
    story.append(_text(_("The funnel"), styles.heading))
    conversion = funnel.total.conversion
    story.append(
        _table(
            styles,
            [
                _("Stage"),
                _("Leads that reached it"),
                _("Went on to the next stage %"),
                _("Median days in the stage"),
                _("Entered in %(month)s") % {"month": month},
            ],
            [
                [
                    label,
                    _number(funnel.total.reached[index]),
                    _percent(conversion[index]) if index < len(conversion) else DASH,
                    _number(funnel.median_days.get(stage), 1),
                    _number(data.entered_in_month.get(stage, 0)),
                ]
                for index, (stage, label) in enumerate(funnel.stages)
            ],
            [44 * mm, 34 * mm, 36 * mm, 34 * mm, BODY_WIDTH - 148 * mm],
        )
    )
    return story


def _orders_section(styles: _Styles, number: int, month: str, data: OrdersPart) -> list[Any]:
    stats = data.stats
    total = stats.total
    story = _section_head(
        styles,
        number,
        Part.SERVICEDESK,
        _(
            "Service orders filed from %(first)s to %(last)s: answered, answered on time, open and overdue "
            "as of %(date)s, satisfaction of the rated ones."
        )
        % {"first": stats.first.isoformat(), "last": stats.last.isoformat(), "date": data.as_of.isoformat()},
    )
    story.append(
        _figures(
            styles,
            [
                (_("Filed"), _number(total.filed)),
                (_("Answered"), _number(total.answered)),
                (_("Answered on time"), _number(total.on_time)),
                (_("On-time rate"), _percent(total.on_time_rate)),
                (_("Open"), _number(total.open)),
                (_("Overdue"), _number(total.overdue)),
                (_("Mean working days to answer"), _number(total.mean_working_days, 2)),
                (_("Rated"), _number(total.rated)),
                (_("Mean rating"), _number(total.mean_rating, 2)),
                (_("Satisfied (rated 4 or 5)"), _percent(total.satisfaction_rate)),
            ],
            columns=5,
        )
    )
    story.append(_text(_("By guarantee"), styles.heading))
    rows = [*stats.by_guarantee, total]
    story.append(
        _table(
            styles,
            [
                _("Guarantee"),
                _("Filed"),
                _("Answered"),
                _("Answered on time"),
                _("On-time rate"),
                _("Open"),
                _("Overdue"),
                _("Mean rating"),
                _("Satisfied (rated 4 or 5)"),
            ],
            [
                [
                    r.label,
                    _number(r.filed),
                    _number(r.answered),
                    _number(r.on_time),
                    _percent(r.on_time_rate),
                    _number(r.open),
                    _number(r.overdue),
                    _number(r.mean_rating, 2),
                    _percent(r.satisfaction_rate),
                ]
                for r in rows
            ],
            [36 * mm, *[18 * mm] * 7, BODY_WIDTH - 162 * mm],
            total_row=True,
        )
    )
    if not total.filed:
        story.append(_text(_("No service order was filed in %(month)s.") % {"month": month}, styles.note))
    return story


# --- the document ---------------------------------------------------------------------------------


def _cover(styles: _Styles, summary: MonthlySummary, zone_name: str, month_label: str) -> list[Any]:
    story: list[Any] = [Spacer(1, 40 * mm), _text(zone_name, styles.subtitle)]
    story.append(_text(_("Monthly report %(month)s") % {"month": month_label}, styles.title))
    story.append(
        _table(
            styles,
            [_("Month"), _("Generated"), _("Prepared for")],
            [[f"{summary.period:%Y-%m}", f"{summary.generated:%Y-%m-%d}", summary.prepared_for]],
            [BODY_WIDTH / 3] * 3,
            numeric_from=3,
        )
    )
    story.append(_text(_("Contents"), styles.heading))
    story.append(
        _table(
            styles,
            ["#", _("Report"), _("Excel file in the pack")],
            [
                [str(number), part_title(part), name]
                for number, (part, name) in enumerate(zip(summary.parts, summary.files, strict=True), start=1)
            ],
            [12 * mm, 80 * mm, BODY_WIDTH - 92 * mm],
            numeric_from=3,
        )
    )
    story.append(
        _text(
            _(
                "This summary shows each report's headline figures and main table; the Excel files of the "
                "pack hold the full tables. Reports your role may not see are left out."
            ),
            styles.note,
        )
    )
    return story


def summary_pdf(summary: MonthlySummary) -> bytes:
    """The month's summary as an A4 PDF in the active language."""
    styles = _Styles()
    english = _english()
    zone_name = summary.zone_name_en if english and summary.zone_name_en else summary.zone_name
    month_label = date_format(summary.period, "YEAR_MONTH_FORMAT")
    month = f"{summary.period:%Y-%m}"
    footer = f"{zone_name} — {_('Monthly report %(month)s') % {'month': month}}"

    def decorate(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(_font(), 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, 9 * mm, footer)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, 9 * mm, _("Page %(number)s") % {"number": document.page})
        canvas.restoreState()

    # One section per part the user may see, each on a new page, numbered as in the contents.
    sections: list[Callable[[int], list[Any]]] = []
    if (projects := summary.projects) is not None:
        sections.append(lambda number: _projects_section(styles, number, month, projects))
    if (economy := summary.economy) is not None:
        sections.append(lambda number: _economy_section(styles, number, month, economy))
    if (pipeline := summary.pipeline) is not None:
        sections.append(lambda number: _pipeline_section(styles, number, month, pipeline))
    if (orders := summary.orders) is not None:
        sections.append(lambda number: _orders_section(styles, number, month, orders))
    story = _cover(styles, summary, zone_name, month_label)
    for number, section in enumerate(sections, start=1):
        story.append(PageBreak())
        story.extend(section(number))

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=f"{_('Monthly report %(month)s') % {'month': month}} — {zone_name}",
        author="zoneops",
        subject=pdf_file_name(summary.period),
        lang="en" if english else "zh-CN",
    )
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()

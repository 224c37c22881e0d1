"""The monthly report pack (月度报告包): one read that gathers the month's scheduling report, economic
report, pipeline report and service-desk report (the owning apps' own Excel builders, unchanged) and a
printable PDF summarising them, into one ZIP.

Each part is in the pack only if the user may see it, by the same permission its own download requires;
the figures of the PDF come from the owning apps' selectors, never counted again here.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from zoneops.accounts.models import User
from zoneops.core import clock
from zoneops.core.access import Perm, has_perm
from zoneops.core.errors import InvalidInput
from zoneops.core.excel import XLSX
from zoneops.indicators.models import RollupDimension
from zoneops.indicators.parsing import parse_period
from zoneops.indicators.reports import economic_report
from zoneops.indicators.selectors import ClusterProgress, RollupRow, cluster_progress, rollup_table
from zoneops.investment.reports import pipeline_workbook
from zoneops.investment.selectors import Funnel, PipelineValue, funnel, value
from zoneops.projects.reports import completion_percent, scheduling_report
from zoneops.projects.selectors import SchedulingRow, board_counts, scheduling_rows
from zoneops.servicedesk.reports import statistics_workbook
from zoneops.servicedesk.selectors import OrderStatistics, statistics

PDF = "application/pdf"
ZIP = "application/zip"
CLUSTER_INDICATOR = "revenue"
WARNING_LEVELS = ("red", "amber", "green")


class Part(StrEnum):
    """The four reports of the pack, in the order they appear."""

    SCHEDULING = "scheduling"
    ECONOMIC = "economic"
    PIPELINE = "pipeline"
    SERVICEDESK = "servicedesk"


# Stable file names inside the pack (the names staff file them under, whatever the language).
_FILE_STEMS = {
    Part.SCHEDULING: "月调度",
    Part.ECONOMIC: "经济运行",
    Part.PIPELINE: "招商项目",
    Part.SERVICEDESK: "服务工单",
}


def part_title(part: Part) -> str:
    return {
        Part.SCHEDULING: _("Monthly scheduling report"),
        Part.ECONOMIC: _("Monthly economic report"),
        Part.PIPELINE: _("Investment pipeline report"),
        Part.SERVICEDESK: _("Service desk report"),
    }[part]


def part_description(part: Part) -> str:
    return {
        Part.SCHEDULING: _(
            "Every key project of the year: the month's report, investment against the year's plan, "
            "next milestone, open problems, warning and its reasons."
        ),
        Part.ECONOMIC: _(
            "Clusters' revenue against their targets with year-on-year growth, the zone by park, industry, "
            "ownership and size, and the fastest-growing enterprises."
        ),
        Part.PIPELINE: _(
            "The year's lead funnel by stage, source, cluster, chain and officer, gap coverage, signed "
            "investment against the target, chain-master referrals and the leads needing attention."
        ),
        Part.SERVICEDESK: _(
            "Service orders filed in the month by guarantee and department: answered, on time, open, "
            "overdue, working days to the answer and satisfaction."
        ),
    }[part]


def part_file_name(part: Part, period: dt.date) -> str:
    return f"{period:%Y-%m}-{_FILE_STEMS[part]}.xlsx"


def pdf_file_name(period: dt.date) -> str:
    return f"月度报告-{period:%Y-%m}.pdf"


def pack_file_name(period: dt.date) -> str:
    return f"月度报告包-{period:%Y-%m}.zip"


def may_see(user: User, part: Part) -> bool:
    """The permission the part's own download requires (its page answers 403 without it)."""
    if part is Part.SCHEDULING:
        return has_perm(user, Perm.PROJECT_VIEW)
    if part is Part.ECONOMIC:
        return has_perm(user, Perm.INDICATOR_VIEW_ALL)
    if part is Part.PIPELINE:
        return has_perm(user, Perm.LEAD_VIEW)
    return has_perm(user, Perm.ORDER_DISPATCH) or has_perm(user, Perm.SUPERVISION_VIEW)


def parts_of(*, user: User) -> list[Part]:
    """The parts of the pack this user may see; none answers 403."""
    parts = [part for part in Part if may_see(user, part)]
    if not parts:
        raise PermissionDenied(_("Your role may not do this."))
    return parts


# --- the month ------------------------------------------------------------------------------------


def default_period(*, user: User) -> dt.date:
    """The last complete month before the zone's today."""
    today = clock.today(zone=user.zone)
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def month_end(period: dt.date) -> dt.date:
    following = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def pack_period(*, user: User, text: str | None) -> dt.date:
    """The month asked for (``YYYY-MM``), the last complete month when none is given; a month that is not
    one, or has not begun yet, is refused naming the field."""
    if not text or not text.strip():
        return default_period(user=user)
    period = parse_period(text.strip())
    if period is None:
        raise InvalidInput.single("period", _("Not a month: write it as YYYY-MM, e.g. 2022-04."))
    if period > clock.today(zone=user.zone).replace(day=1):
        raise InvalidInput.single(
            "period", _("%(month)s has not begun yet: choose a past month.") % {"month": f"{period:%Y-%m}"}
        )
    return period


# --- the four workbooks ---------------------------------------------------------------------------


def order_statistics(*, user: User, period: dt.date) -> OrderStatistics:
    """The service desk's statistics of the orders filed in the month (overdue as of the zone's today)."""
    return statistics(user=user, first=period, last=month_end(period), today=clock.today(zone=user.zone))


def part_workbook(*, user: User, period: dt.date, part: Part) -> bytes:
    """One part of the pack: the owning app's own Excel report for the month (the year, for the pipeline)."""
    if not may_see(user, part):
        raise PermissionDenied(_("Your role may not do this."))
    if part is Part.SCHEDULING:
        return scheduling_report(user=user, period=period)
    if part is Part.ECONOMIC:
        return economic_report(user=user, period=period)
    if part is Part.PIPELINE:
        return pipeline_workbook(user=user, year=period.year)
    return statistics_workbook(order_statistics(user=user, period=period))


# --- the figures of the PDF -----------------------------------------------------------------------


@dataclass(frozen=True)
class WarningGroup:
    """Key projects of one warning level (or all of them): how many, how many reported in the month,
    and the investment completed this year against the year's plan."""

    level: str  # red | amber | green | all
    projects: int
    reported: int
    planned: Decimal
    completed: Decimal  # the month's reported cumulative investment of the year

    @property
    def completion(self) -> Decimal | None:
        return completion_percent(self.completed, self.planned)


@dataclass(frozen=True)
class ProjectsPart:
    year: int
    rows: list[SchedulingRow]
    counts: dict[str, int]  # warning level → projects of the year (the board's counts)
    groups: list[WarningGroup]  # red, amber, green, then all

    @property
    def flagged(self) -> list[SchedulingRow]:
        """The red projects, then the amber ones, each in the report's order."""
        return [row for level in ("red", "amber") for row in self.rows if row.project.warning_level == level]


@dataclass(frozen=True)
class EconomyPart:
    zone: RollupRow | None  # the zone's revenue: month, YTD, comparable YoY
    clusters: list[ClusterProgress]


@dataclass(frozen=True)
class PipelinePart:
    year: int
    funnel: Funnel
    value: PipelineValue
    entered_in_month: dict[str, int]  # stage → leads entering it in the month
    as_of: dt.date


@dataclass(frozen=True)
class OrdersPart:
    stats: OrderStatistics
    as_of: dt.date


@dataclass
class MonthlySummary:
    zone_name: str
    zone_name_en: str
    period: dt.date
    generated: dt.datetime
    prepared_for: str
    parts: list[Part]
    projects: ProjectsPart | None = None
    economy: EconomyPart | None = None
    pipeline: PipelinePart | None = None
    orders: OrdersPart | None = None
    files: list[str] = field(default_factory=list)


def _projects_part(*, user: User, period: dt.date) -> ProjectsPart:
    rows = scheduling_rows(user=user, period=period)

    def group(level: str, members: list[SchedulingRow]) -> WarningGroup:
        reported = [r.report for r in members if r.report is not None]
        return WarningGroup(
            level=level,
            projects=len(members),
            reported=len(reported),
            planned=sum((r.project.planned_investment for r in members), Decimal(0)),
            completed=sum((r.investment_cumulative for r in reported), Decimal(0)),
        )

    groups = [group(level, [r for r in rows if r.project.warning_level == level]) for level in WARNING_LEVELS]
    return ProjectsPart(
        year=period.year,
        rows=rows,
        counts=board_counts(user=user, year=period.year),
        groups=[*groups, group("all", rows)],
    )


def _economy_part(*, user: User, period: dt.date) -> EconomyPart:
    zone_rows = rollup_table(
        user=user, dimension=RollupDimension.ZONE, indicator=CLUSTER_INDICATOR, period=period
    )
    return EconomyPart(
        zone=zone_rows[0] if zone_rows else None,
        clusters=cluster_progress(user=user, indicator=CLUSTER_INDICATOR, period=period),
    )


def _pipeline_part(*, user: User, period: dt.date) -> PipelinePart:
    found = funnel(user=user, year=period.year)
    month = dict(found.by_month).get(f"{period:%Y-%m}", {})
    return PipelinePart(
        year=period.year,
        funnel=found,
        value=value(user=user, year=period.year),
        entered_in_month={stage: month.get(stage, 0) for stage, _label in found.stages},
        as_of=clock.today(zone=user.zone),
    )


def monthly_summary(*, user: User, period: dt.date) -> MonthlySummary:
    """The headline figures and main tables of each part the user may see, for the PDF."""
    parts = parts_of(user=user)
    zone = user.zone
    summary = MonthlySummary(
        zone_name=zone.name if zone else "",
        zone_name_en=zone.name_en if zone else "",
        period=period,
        generated=clock.now(zone=zone).astimezone(clock.SHANGHAI),
        prepared_for=f"{user.label} ({user.get_role_display()})",
        parts=parts,
        files=[part_file_name(part, period) for part in parts],
    )
    if Part.SCHEDULING in parts:
        summary.projects = _projects_part(user=user, period=period)
    if Part.ECONOMIC in parts:
        summary.economy = _economy_part(user=user, period=period)
    if Part.PIPELINE in parts:
        summary.pipeline = _pipeline_part(user=user, period=period)
    if Part.SERVICEDESK in parts:
        summary.orders = OrdersPart(
            stats=order_statistics(user=user, period=period), as_of=clock.today(zone=zone)
        )
    return summary


# --- the files ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackFile:
    name: str
    content: bytes
    content_type: str


def pack_pdf(*, user: User, period: dt.date) -> PackFile:
    """The printable summary of the month, in the active language."""
    from zoneops.reports.pdf import summary_pdf

    return PackFile(pdf_file_name(period), summary_pdf(monthly_summary(user=user, period=period)), PDF)


def part_file(*, user: User, period: dt.date, part: Part) -> PackFile:
    return PackFile(part_file_name(part, period), part_workbook(user=user, period=period, part=part), XLSX)


def report_pack(*, user: User, period: dt.date) -> PackFile:
    """The month's pack: a ZIP of each report the user may see (Excel) and the PDF summary."""
    members = [part_file(user=user, period=period, part=part) for part in parts_of(user=user)]
    members.append(pack_pdf(user=user, period=period))
    moment = clock.now(zone=user.zone).astimezone(clock.SHANGHAI)
    stamp = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member in members:
            info = zipfile.ZipInfo(member.name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, member.content)
    return PackFile(pack_file_name(period), buffer.getvalue(), ZIP)

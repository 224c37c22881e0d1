"""API of the statistics side: definitions, template, imports, cluster roll-ups, rankings, figures."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from zoneops.core.errors import InvalidInput
from zoneops.core.excel import XLSX
from zoneops.core.web import request_user
from zoneops.enterprises.selectors import enterprise_get
from zoneops.indicators import reports
from zoneops.indicators.models import EnterprisePeriodTotal, ImportBatch, Indicator, IndicatorValue
from zoneops.indicators.parsing import parse_period
from zoneops.indicators.selectors import (
    cluster_progress,
    enterprise_values,
    growth_ranking,
    import_get,
    imports_visible,
    indicators,
    latest_period,
    rollup_table,
)
from zoneops.indicators.services import import_confirm, import_start

router = Router(tags=["indicators"])
enterprise_router = Router(tags=["indicators"])

IndicatorCode = Literal[
    "revenue", "output_value", "added_value", "profit", "tax", "employees", "rd_expense", "export_value"
]


def _period(text: str, *, field: str = "period") -> dt.date:
    period = parse_period(text)
    if period is None:
        raise InvalidInput.single(field, _("Not a month: write it as YYYY-MM, e.g. 2022-04."))
    return period


class IndicatorOut(Schema):
    code: str
    name_zh: str
    name_en: str
    unit: str
    template_unit: str
    kind: str
    allow_negative: bool


@router.get("", response=list[IndicatorOut])
def indicator_list(request: HttpRequest) -> list[Indicator]:
    request_user(request)
    return list(indicators())


@router.get("/template", response={200: None})
def indicator_template(request: HttpRequest) -> HttpResponse:
    """The Excel template: 统一社会信用代码, 企业名称, 统计期 (YYYY-MM), one column per indicator."""
    request_user(request)
    response = HttpResponse(reports.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="zoneops-indicators-template.xlsx"'
    return response


class ProblemOut(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    id: int
    file_name: str
    status: str
    progress: int
    cumulative: bool
    dry_run: bool
    rows: int
    periods: list[str]
    counts: dict[str, int]
    errors: list[ProblemOut]
    warnings: list[ProblemOut]
    created_at: dt.datetime
    finished_at: dt.datetime | None


class ImportForm(Schema):
    cumulative: bool | None = Field(
        None, description="year-to-date (1-本月累计) values; empty: detect from headers"
    )
    period: str | None = Field(None, description="the file's period, YYYY-MM; rows outside it are refused")
    dry_run: bool = False


@router.post("/imports", response={202: ImportOut})
def import_create(
    request: HttpRequest, file: File[UploadedFile], form: Form[ImportForm]
) -> Status[ImportBatch]:
    """Start an import job. All-or-nothing: one bad row rejects the file, listing every problem."""
    user = request_user(request)
    if user.zone is None:
        raise HttpError(403, _("Act from an account of the zone."))
    declared = _period(form.period) if form.period else None
    batch = import_start(
        actor=user,
        zone=user.zone,
        file_name=file.name or "upload",
        content=file.read(),
        cumulative=form.cumulative,
        declared_period=declared,
        dry_run=form.dry_run,
    )
    return Status(202, import_get(user=user, batch_id=batch.pk))


@router.get("/imports", response=list[ImportOut])
@paginate(PageNumberPagination)
def import_list(request: HttpRequest) -> list[ImportBatch]:
    return imports_visible(user=request_user(request))  # type: ignore[return-value]


@router.get("/imports/{batch_id}", response=ImportOut)
def import_detail(request: HttpRequest, batch_id: int) -> ImportBatch:
    return import_get(user=request_user(request), batch_id=batch_id)


@router.post("/imports/{batch_id}/confirm", response=ImportOut)
def import_confirm_warnings(request: HttpRequest, batch_id: int) -> ImportBatch:
    """Accept the warnings (e.g. a month 5× the usual) of a file awaiting confirmation, and publish it."""
    user = request_user(request)
    return import_confirm(actor=user, batch=import_get(user=user, batch_id=batch_id))


@router.get("/imports/{batch_id}/error-report", response={200: None})
def import_error_report(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The uploaded sheet with the bad cells marked in red and explained, and a list of every problem."""
    batch = import_get(user=request_user(request), batch_id=batch_id)
    response = HttpResponse(reports.error_report(batch), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-errors.xlsx"'
    return response


class ClusterOut(Schema):
    cluster_id: int
    name: str
    name_en: str
    tier: str
    month: Decimal
    ytd: Decimal
    ytd_previous: Decimal | None
    yoy: Decimal | None
    enterprises: int
    target: Decimal | None
    progress: Decimal | None
    elapsed: Decimal
    projection: Decimal | None
    projection_gap: Decimal | None


class ClusterQuery(Schema):
    indicator: IndicatorCode = "revenue"
    period: str | None = Field(None, description="YYYY-MM; the latest published month when empty")


@router.get("/clusters", response=list[ClusterOut])
def cluster_rollup(request: HttpRequest, query: Query[ClusterQuery]) -> list[object]:
    """Per cluster: YTD, comparable YoY (percent), annual target, progress (percent) and projection."""
    user = request_user(request)
    period = _period(query.period) if query.period else latest_period(user=user, indicator=query.indicator)
    if period is None:
        return []
    return list(cluster_progress(user=user, indicator=query.indicator, period=period))


class RollupOut(Schema):
    member: str
    label: str
    month: Decimal
    ytd: Decimal
    yoy: Decimal | None
    share: Decimal | None
    contribution: Decimal | None
    enterprises: int


class RollupQuery(Schema):
    dimension: Literal["zone", "cluster", "park", "division", "ownership", "scale"] = "cluster"
    indicator: IndicatorCode = "revenue"
    period: str = Field(..., description="YYYY-MM")


@router.get("/rollups", response=list[RollupOut])
def rollups(request: HttpRequest, query: Query[RollupQuery]) -> list[object]:
    """A dimension's members for one month: YTD, comparable YoY, share, contribution to growth (pp)."""
    return list(
        rollup_table(
            user=request_user(request),
            dimension=query.dimension,
            indicator=query.indicator,
            period=_period(query.period),
        )
    )


class RankingOut(Schema):
    rank: int
    enterprise_id: int
    name: str
    name_en: str
    value: Decimal
    previous: Decimal
    growth: Decimal


class RankingQuery(Schema):
    indicator: IndicatorCode = "revenue"
    year: int = Field(..., ge=2000, le=2100)
    growth_above: Decimal | None = Field(None, description="percent, e.g. 20")
    period: str | None = Field(None, description="YYYY-MM within the year; the year's last month by default")


class RankingPage(Schema):
    items: list[RankingOut]
    count: int
    period: str | None


@router.get("/rankings", response=RankingPage)
def rankings(
    request: HttpRequest, query: Query[RankingQuery], page: int = 1, page_size: int = 50
) -> RankingPage:
    """Enterprises by growth of the indicator (YTD against the same months a year earlier)."""
    user = request_user(request)
    period = _period(query.period) if query.period else None
    if period is not None and period.year != query.year:
        raise InvalidInput.single("period", _("The period must be in the year asked for."))
    period = period or latest_period(user=user, indicator=query.indicator, year=query.year)
    ranked = growth_ranking(
        user=user, indicator=query.indicator, year=query.year, growth_above=query.growth_above, period=period
    )
    page_size = max(1, min(page_size, 500))
    offset = (max(page, 1) - 1) * page_size
    rows: list[EnterprisePeriodTotal] = list(ranked[offset : offset + page_size])
    items = [
        RankingOut(
            rank=offset + index,
            enterprise_id=row.enterprise_id,
            name=row.enterprise.name,
            name_en=row.enterprise.name_en,
            value=row.ytd,
            previous=row.ytd_previous or Decimal(0),
            growth=(row.growth or Decimal(0)).quantize(Decimal("0.01")),
        )
        for index, row in enumerate(rows, start=1)
    ]
    return RankingPage(items=items, count=ranked.count(), period=f"{period:%Y-%m}" if period else None)


class ValueOut(Schema):
    indicator: str
    period: dt.date
    value: Decimal
    revision: int


class EnterpriseFigures(Schema):
    enterprise_id: int
    year: int
    values: list[ValueOut]


@enterprise_router.get("/{enterprise_id}/indicators", response=EnterpriseFigures)
def enterprise_figures(request: HttpRequest, enterprise_id: int, year: int) -> EnterpriseFigures:
    """An enterprise's published monthly values of a year (an enterprise contact: its own only)."""
    user = request_user(request)
    enterprise = enterprise_get(user=user, enterprise_id=enterprise_id)
    values: list[IndicatorValue] = list(enterprise_values(user=user, enterprise=enterprise, year=year))
    return EnterpriseFigures(
        enterprise_id=enterprise.pk,
        year=year,
        values=[
            ValueOut(indicator=v.indicator_id, period=v.period, value=v.value, revision=v.revision)
            for v in values
        ],
    )

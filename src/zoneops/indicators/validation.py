"""Checking a parsed sheet against the registry and the published figures (reads only, no writes).

Every problem is collected — a statistician fixes a file once, not once per error — with the row and
column as the spreadsheet shows them and the reason in the user's language.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from zoneops.accounts.models import Zone
from zoneops.core import clock
from zoneops.enterprises import uscc as uscc_rules
from zoneops.enterprises.models import Enterprise
from zoneops.indicators.models import Indicator, IndicatorValue
from zoneops.indicators.parsing import CellProblem, ParsedSheet, normalise_name

# A month this many times an enterprise's usual (median of its last 12 months) is worth a second look.
SURGE_FACTOR = Decimal(5)

Key = tuple[int, str, dt.date]  # (enterprise id, indicator code, period)


@dataclass
class ValidatedFile:
    """Monthly values ready to publish, or the problems that stop them."""

    values: dict[Key, Decimal] = field(default_factory=dict)
    errors: list[CellProblem] = field(default_factory=list)
    warnings: list[CellProblem] = field(default_factory=list)
    periods: list[dt.date] = field(default_factory=list)
    rows: int = 0


def _previous_month(period: dt.date) -> dt.date:
    return dt.date(period.year - 1, 12, 1) if period.month == 1 else dt.date(period.year, period.month - 1, 1)


def _published(
    *, enterprise_ids: Iterable[int], codes: Iterable[str], first: dt.date, last: dt.date
) -> dict[Key, Decimal]:
    rows = IndicatorValue.objects.filter(
        enterprise_id__in=list(enterprise_ids),
        indicator_id__in=list(codes),
        period__gte=first,
        period__lte=last,
    ).values_list("enterprise_id", "indicator_id", "period", "value")
    return {(e, i, p): v for e, i, p, v in rows}


def validate_sheet(*, zone: Zone, sheet: ParsedSheet, declared_period: dt.date | None) -> ValidatedFile:
    result = ValidatedFile(errors=list(sheet.problems), rows=len(sheet.row_numbers))
    declared = declared_period or sheet.declared_period
    today = clock.today(zone=zone)
    current_month = dt.date(today.year, today.month, 1)
    indicators = {i.code: i for i in Indicator.objects.all()}
    known = {
        e.uscc: e
        for e in Enterprise.objects.filter(zone=zone, uscc__in=set(sheet.usccs)).only(
            "pk", "uscc", "name", "short_name"
        )
    }
    uscc_header = "统一社会信用代码"
    name_header = "企业名称"
    period_header = "统计期"

    # Which enterprise each row is, and the rows that cannot be used at all.
    row_enterprise: list[Enterprise | None] = []
    first_row: dict[tuple[str, dt.date], int] = {}
    years = {p.year for p in sheet.periods if p is not None}
    file_year = min(years) if years else None
    for index, row_number in enumerate(sheet.row_numbers):
        code = sheet.usccs[index]
        enterprise: Enterprise | None = None
        if not code:
            result.errors.append(CellProblem(row_number, uscc_header, _("The code is empty.")))
        else:
            try:
                uscc_rules.validate(code)
            except Exception as invalid:
                reason = getattr(invalid, "errors", [None])[0]
                result.errors.append(
                    CellProblem(row_number, uscc_header, reason.message if reason else str(invalid))
                )
            else:
                enterprise = known.get(code)
                if enterprise is None:
                    result.errors.append(
                        CellProblem(row_number, uscc_header, _("No enterprise of this zone has this code."))
                    )
        name = sheet.names[index]
        if enterprise is not None:
            if not name:
                result.errors.append(CellProblem(row_number, name_header, _("The name is empty.")))
            elif normalise_name(name) not in {
                normalise_name(enterprise.name),
                normalise_name(enterprise.short_name),
            }:
                result.errors.append(
                    CellProblem(
                        row_number,
                        name_header,
                        _("The name does not match the code: the registry says “%(name)s”.")
                        % {"name": enterprise.name},
                    )
                )
        period = sheet.periods[index]
        if period is not None:
            if (declared is not None and period != declared and not sheet.cumulative) or (
                declared is not None
                and sheet.cumulative
                and (period.year != declared.year or period > declared)
            ):
                result.errors.append(
                    CellProblem(
                        row_number,
                        period_header,
                        _("The period is outside the file's (%(declared)s).")
                        % {"declared": f"{declared:%Y-%m}"},
                    )
                )
            elif declared is None and file_year is not None and period.year != file_year:
                result.errors.append(
                    CellProblem(
                        row_number,
                        period_header,
                        _("The period is outside the file's year %(year)d.") % {"year": file_year},
                    )
                )
            elif period > current_month:
                result.errors.append(
                    CellProblem(row_number, period_header, _("The period is in the future."))
                )
            if code and period is not None:
                seen = first_row.get((code, period))
                if seen is not None:
                    result.errors.append(
                        CellProblem(
                            row_number,
                            uscc_header,
                            _("Duplicate row: the same enterprise and period as row %(row)d.")
                            % {"row": seen},
                        )
                    )
                else:
                    first_row[(code, period)] = row_number
        row_enterprise.append(enterprise)

    # Values: sign and whole-number rules, per cell.
    for index, row_number in enumerate(sheet.row_numbers):
        for column, value in zip(sheet.indicator_columns, sheet.values[index], strict=True):
            if value is None:
                continue
            indicator = indicators.get(column.spec.code)
            if indicator is None:
                continue
            if value < 0 and not indicator.allow_negative:
                result.errors.append(
                    CellProblem(row_number, column.header, _("The value must not be negative."))
                )
            if indicator.unit == "person" and value != value.to_integral_value():
                result.errors.append(
                    CellProblem(row_number, column.header, _("A head count is a whole number."))
                )

    enterprise_ids = {e.pk for e in row_enterprise if e is not None}
    periods = sorted({p for p in sheet.periods if p is not None})
    result.periods = periods
    codes = [c.spec.code for c in sheet.indicator_columns]
    if not periods or not enterprise_ids:
        return result
    history_first = dt.date(periods[0].year - 1, periods[0].month, 1)
    published = _published(enterprise_ids=enterprise_ids, codes=codes, first=history_first, last=periods[-1])

    # Cumulative files: each month is its YTD less the previous month's YTD (from the file, else published).
    file_ytd: dict[Key, tuple[Decimal, int, str]] = {}
    for index, row_number in enumerate(sheet.row_numbers):
        enterprise = row_enterprise[index]
        period = sheet.periods[index]
        if enterprise is None or period is None:
            continue
        for column, value in zip(sheet.indicator_columns, sheet.values[index], strict=True):
            if value is not None:
                file_ytd[(enterprise.pk, column.spec.code, period)] = (value, row_number, column.header)

    for key, (value, row_number, header) in sorted(file_ytd.items(), key=lambda item: item[0][2]):
        enterprise_id, code, period = key
        indicator = indicators[code]
        if not sheet.cumulative or indicator.kind == "stock" or period.month == 1:
            result.values[key] = value
            continue
        previous_key = (enterprise_id, code, _previous_month(period))
        if previous_key in file_ytd:
            previous_ytd = file_ytd[previous_key][0]
        else:
            months = [
                published.get((enterprise_id, code, dt.date(period.year, m, 1)))
                for m in range(1, period.month)
            ]
            if any(m is None for m in months):
                result.errors.append(
                    CellProblem(
                        row_number,
                        header,
                        _("The year-to-date value of %(month)s is missing, so this month cannot be derived.")
                        % {"month": f"{_previous_month(period):%Y-%m}"},
                    )
                )
                continue
            previous_ytd = sum((m for m in months if m is not None), Decimal(0))
        if value < previous_ytd and not indicator.allow_negative:
            result.errors.append(
                CellProblem(
                    row_number,
                    header,
                    _("The year-to-date value falls from %(previous)s to %(value)s.")
                    % {"previous": f"{previous_ytd:,.2f}", "value": f"{value:,.2f}"},
                )
            )
            continue
        result.values[key] = value - previous_ytd

    # Warnings: a month far above the enterprise's usual.
    usual: dict[tuple[int, str], list[Decimal]] = defaultdict(list)
    for (enterprise_id, code, _period), value in published.items():
        usual[(enterprise_id, code)].append(value)
    locations = {(k[0], k[1], k[2]): (row, header) for k, (_v, row, header) in file_ytd.items()}
    for key, value in result.values.items():
        enterprise_id, code, period = key
        if indicators[code].kind != "flow":
            continue
        history = [v for v in usual.get((enterprise_id, code), []) if v > 0]
        if len(history) < 3:
            continue
        median = Decimal(statistics.median(history))
        if median > 0 and value > SURGE_FACTOR * median:
            row_number, header = locations[key]
            result.warnings.append(
                CellProblem(
                    row_number,
                    header,
                    _("%(value)s is more than %(factor)s times this enterprise's usual month (%(median)s).")
                    % {"value": f"{value:,.2f}", "factor": SURGE_FACTOR, "median": f"{median:,.2f}"},
                )
            )
    return result

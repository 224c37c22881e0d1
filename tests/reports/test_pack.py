"""The monthly report pack: which reports each role gets, that each Excel file is its owning app's own
report cell for cell, and that the PDF shows the owning selectors' figures exactly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from tests.conftest import ROLES
from tests.reports.conftest import (
    FILE_NAMES,
    PARTS_BY_ROLE,
    PDF_NAME,
    PERIOD,
    TODAY,
    pdf_pages,
    pdf_text,
    workbook_cells,
    zip_members,
)
from zoneops.core.errors import InvalidInput
from zoneops.indicators.models import RollupDimension
from zoneops.indicators.reports import economic_report
from zoneops.indicators.selectors import cluster_progress, rollup_table
from zoneops.investment.reports import pipeline_workbook
from zoneops.investment.selectors import funnel, value
from zoneops.projects.models import KeyProject, MonthlyReport
from zoneops.projects.reports import scheduling_report
from zoneops.reports import selectors
from zoneops.reports.selectors import Part
from zoneops.servicedesk.reports import statistics_workbook
from zoneops.servicedesk.selectors import statistics

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ROLES)
def test_each_role_gets_the_reports_its_own_downloads_allow(user_of: Any, username: str) -> None:
    user = user_of(username)
    expected = PARTS_BY_ROLE[username]
    if not expected:
        with pytest.raises(PermissionDenied):
            selectors.parts_of(user=user)
        with pytest.raises(PermissionDenied):
            selectors.report_pack(user=user, period=PERIOD)
        return
    assert [p.value for p in selectors.parts_of(user=user)] == expected
    for part in Part:
        if part.value in expected:
            continue
        with pytest.raises(PermissionDenied):
            selectors.part_workbook(user=user, period=PERIOD, part=part)


def test_the_month_defaults_to_the_last_complete_one(user_of: Any) -> None:
    leader = user_of("leader")
    assert selectors.default_period(user=leader) == dt.date(2022, 4, 1)
    assert selectors.pack_period(user=leader, text=None) == dt.date(2022, 4, 1)
    assert selectors.pack_period(user=leader, text=" ") == dt.date(2022, 4, 1)
    assert selectors.pack_period(user=leader, text="2022-05") == dt.date(2022, 5, 1)
    assert selectors.pack_period(user=leader, text="2021-12") == dt.date(2021, 12, 1)
    assert selectors.month_end(dt.date(2022, 2, 1)) == dt.date(2022, 2, 28)
    assert selectors.month_end(dt.date(2022, 12, 1)) == dt.date(2022, 12, 31)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2022-13", "Not a month: write it as YYYY-MM, e.g. 2022-04."),
        ("April", "Not a month: write it as YYYY-MM, e.g. 2022-04."),
        ("2022-06", "%(month)s has not begun yet: choose a past month."),
    ],
)
def test_a_bad_month_is_refused_naming_the_field(user_of: Any, text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        selectors.pack_period(user=user_of("leader"), text=text)
    assert [e.as_dict() for e in refused.value.errors] == [
        {"field": "period", "message": _(message) % {"month": "2022-06"} if "%(" in message else _(message)}
    ]


def test_the_zip_holds_each_report_as_its_own_builder_makes_it(user_of: Any) -> None:
    leader = user_of("leader")
    pack = selectors.report_pack(user=leader, period=PERIOD)
    assert pack.name == "月度报告包-2022-04.zip"
    assert pack.content_type == "application/zip"
    members = zip_members(pack.content)
    assert list(members) == [*FILE_NAMES.values(), PDF_NAME]
    builders = {
        "scheduling": scheduling_report(user=leader, period=PERIOD),
        "economic": economic_report(user=leader, period=PERIOD),
        "pipeline": pipeline_workbook(user=leader, year=2022),
        "servicedesk": statistics_workbook(
            statistics(user=leader, first=PERIOD, last=dt.date(2022, 4, 30), today=TODAY)
        ),
    }
    for part, own in builders.items():
        assert workbook_cells(members[FILE_NAMES[part]]) == workbook_cells(own), part
    # The scheduling report has every key project of the year; the service desk's covers April only.
    scheduling = workbook_cells(members[FILE_NAMES["scheduling"]])["2022年04月调度"]
    assert len(scheduling) == 1 + KeyProject.objects.filter(year=2022).count() == 98
    about = workbook_cells(members[FILE_NAMES["servicedesk"]])[_("About")[:31]]
    assert about[0] == (
        _("Orders filed from %(first)s to %(last)s.") % {"first": PERIOD, "last": "2022-04-30"},
    )
    assert members[PDF_NAME].startswith(b"%PDF-")
    # The PDF of the pack is the PDF alone.
    alone = selectors.pack_pdf(user=leader, period=PERIOD)
    assert alone.name == PDF_NAME
    assert pdf_text(members[PDF_NAME]) == pdf_text(alone.content)


@pytest.mark.parametrize("username", ["invest", "projects"])
def test_a_partial_pack_leaves_out_what_the_role_may_not_see(user_of: Any, username: str) -> None:
    user = user_of(username)
    members = zip_members(selectors.report_pack(user=user, period=PERIOD).content)
    assert list(members) == [*(FILE_NAMES[p] for p in PARTS_BY_ROLE[username]), PDF_NAME]
    text = pdf_text(members[PDF_NAME])
    for part in Part:
        shown = part.value in PARTS_BY_ROLE[username]
        assert (f"{selectors.part_title(part)} {FILE_NAMES[part.value]}" in text) is shown, part
    assert (_("Service desk report") in text) is False
    if username == "projects":
        assert selectors.part_title(Part.PIPELINE) not in text


def _wan(yuan: Decimal) -> str:
    return f"{yuan / 10_000:,.0f}"


def _yi(yuan: Decimal | None) -> str:
    return "—" if yuan is None else f"{yuan / 100_000_000:,.2f}"


def _pct(value: Decimal | float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _title(part: Part) -> str:
    return selectors.part_title(part)


def _figures(text: str) -> str:
    """The headline figures alone, in order (each figure's caption dropped)."""
    return " ".join(token for token in text.split(" ") if token and (token[0].isdigit() or token in "—"))


@pytest.fixture
def leader_pdf(user_of: Any) -> list[str]:
    return pdf_pages(selectors.pack_pdf(user=user_of("leader"), period=PERIOD).content)


def test_the_pdf_has_a_cover_and_a_section_per_report(leader_pdf: list[str]) -> None:
    cover = leader_pdf[0]
    assert cover.startswith("威海火炬高技术产业开发区 — ")
    assert f"{_('Monthly report %(month)s') % {'month': '2022年4月'}}" in cover
    assert f"2022-04 {TODAY.isoformat()} 刘主任 ({_('zone leadership')})" in cover
    for number, part in enumerate(Part, start=1):
        assert f"{number} {selectors.part_title(part)} {FILE_NAMES[part.value]}" in cover
    # Each section starts on a page of its own, in the order of the contents; every page is numbered.
    starts = [next(i for i, page in enumerate(leader_pdf[1:], start=1) if _title(p) in page) for p in Part]
    assert starts == sorted(set(starts))
    assert starts[0] == 1
    for index, page in enumerate(leader_pdf, start=1):
        assert _("Page %(number)s") % {"number": index} in page
    assert len(leader_pdf) == 8


def test_the_pdf_shows_the_key_projects_figures(leader_pdf: list[str]) -> None:
    text = " ".join(leader_pdf)
    projects = KeyProject.objects.filter(year=2022)
    reports = {r.project_id: r for r in MonthlyReport.objects.filter(project__in=projects, period=PERIOD)}
    rows: list[str] = []
    for level in ("red", "amber", "green", None):
        members = [p for p in projects if level is None or p.warning_level == level]
        planned = sum((p.planned_investment for p in members), Decimal(0))
        done = sum((reports[p.pk].investment_cumulative for p in members if p.pk in reports), Decimal(0))
        label = capfirst(_(level)) if level else _("All")
        reported = sum(1 for p in members if p.pk in reports)
        completion = _pct((done * 100 / planned).quantize(Decimal("0.1")))
        rows.append(f"{label} {len(members)} {reported} {_wan(planned)} {_wan(done)} {completion}")
        if level:
            assert f"{len(members)} {label}" in text  # the headline count by warning level
        else:
            assert f"{len(members)} {_('Key projects %(year)s') % {'year': 2022}}" in text
            assert f"{_wan(planned)} {_('Planned this year (10k yuan)')}" in text
            assert f"{completion} {_("Completion of the year's plan")}" in text
    assert " ".join(rows) in text
    assert rows[-1] == f"{_('All')} 97 91 2,248,500 609,416 27.1%"
    # Every red and amber project, with its code, name and completion.
    flagged = projects.filter(warning_level__in=["red", "amber"]).order_by("level", "code")
    for project in flagged:
        assert project.code in text
        report = reports.get(project.pk)
        if report is not None:
            done = report.investment_cumulative
            completion = (done * 100 / project.planned_investment).quantize(Decimal("0.1"))
            assert f"{_wan(project.planned_investment)} {_wan(done)} {_pct(completion)}" in text
    green = projects.filter(warning_level="green").values_list("code", flat=True)
    assert not [code for code in green if f" {code} " in text]


def test_the_pdf_shows_the_clusters_against_their_targets(user_of: Any, leader_pdf: list[str]) -> None:
    text = " ".join(leader_pdf)
    leader = user_of("leader")
    zone = rollup_table(user=leader, dimension=RollupDimension.ZONE, indicator="revenue", period=PERIOD)[0]
    assert f"{_yi(zone.month)} {_yi(zone.ytd)} {_pct(zone.yoy)} {zone.enterprises}" in _figures(text)
    assert zone.ytd > 0
    assert zone.enterprises > 300
    clusters = cluster_progress(user=leader, indicator="revenue", period=PERIOD)
    assert len(clusters) == 5
    for c in clusters:
        row = (
            f"{c.name} {_yi(c.month)} {_yi(c.ytd)} {_pct(c.yoy)} {_yi(c.target)} {_pct(c.progress)} "
            f"{_pct(c.elapsed)} {_yi(c.projection)}"
        )
        assert row in text
    assert "电子信息与智能制造产业集群" in text
    assert f"{_yi(Decimal(100_000_000_000))} " in text  # a 100-billion target, as 1,000.00 (亿元)


def test_the_pdf_shows_the_pipeline_funnel_and_signed_investment(user_of: Any, leader_pdf: list[str]) -> None:
    text = " ".join(leader_pdf)
    leader = user_of("leader")
    found = funnel(user=leader, year=2022)
    worth = value(user=leader, year=2022)
    assert f"{found.total.reached[0]} {_('Leads opened in %(year)s') % {'year': 2022}}" in text
    assert f"{worth.signed_count} {_('Signed in %(year)s') % {'year': 2022}}" in text
    assert f"{_yi(worth.signed_in_year)} {_yi(worth.target)} {_pct(worth.target_share)}" in _figures(text)
    assert worth.signed_count > 0
    assert worth.target is not None
    april = dict(found.by_month).get("2022-04", {})
    conversion = found.total.conversion
    for index, (stage, label) in enumerate(found.stages):
        share = _pct(conversion[index]) if index < len(conversion) else "—"
        days = found.median_days.get(stage)
        row = f"{label} {found.total.reached[index]} {share} {'—' if days is None else f'{days:,.1f}'}"
        assert f"{row} {april.get(stage, 0)}" in text


def test_the_pdf_shows_the_month_of_service_orders(user_of: Any, leader_pdf: list[str]) -> None:
    text = " ".join(leader_pdf)
    stats = statistics(user=user_of("leader"), first=PERIOD, last=dt.date(2022, 4, 30), today=TODAY)
    total = stats.total
    assert total.filed > 0
    assert f"{total.filed} {_('Filed')} {total.answered} " in text
    assert f"{total.overdue} {_('Overdue')}" in text
    for r in [*stats.by_guarantee, total]:
        rating = "—" if r.mean_rating is None else f"{r.mean_rating:,.2f}"
        row = (
            f"{r.label} {r.filed} {r.answered} {r.on_time} {_pct(r.on_time_rate)} {r.open} {r.overdue} "
            f"{rating} {_pct(r.satisfaction_rate)}"
        )
        assert row in text

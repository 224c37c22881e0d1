"""The monthly report pack over HTTP: the page and its downloads for every role, the API, a bad month, and
the English pack."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext as _

from tests.conftest import ROLES
from tests.reports.conftest import (
    FILE_NAMES,
    PARTS_BY_ROLE,
    PDF_NAME,
    PERIOD,
    pdf_pages,
    pdf_text,
    zip_members,
)
from zoneops.accounts.models import Zone
from zoneops.indicators.selectors import cluster_progress
from zoneops.reports import selectors
from zoneops.reports.selectors import Part

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_ENDPOINTS = ["/reports/pack", "/reports/pack.pdf", *(f"/reports/{p.value}.xlsx" for p in Part)]
API_ENDPOINTS = [
    "/api/v1/reports/pack",
    "/api/v1/reports/pack.pdf",
    *(f"/api/v1/reports/{p.value}.xlsx" for p in Part),
]


def _attachment(name: str) -> str:
    return f"attachment; filename*=utf-8''{quote(name)}"


def _expected(path: str, username: str) -> tuple[int, str, str]:
    """Status, content type and file name of a download for the role."""
    parts = PARTS_BY_ROLE[username]
    if not parts:
        return 403, "", ""
    if path.endswith("/pack"):
        return 200, "application/zip", "月度报告包-2022-04.zip"
    if path.endswith("/pack.pdf"):
        return 200, "application/pdf", PDF_NAME
    part = path.rsplit("/", 1)[1].removesuffix(".xlsx")
    return (200, XLSX, FILE_NAMES[part]) if part in parts else (403, "", "")


def _check_download(response: Any, path: str, username: str) -> None:
    status, content_type, name = _expected(path, username)
    assert response.status_code == status, (path, username)
    if status != 200:
        return
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == _attachment(name)
    if content_type == "application/zip":
        assert list(zip_members(response.content)) == [
            *(FILE_NAMES[p] for p in PARTS_BY_ROLE[username]),
            PDF_NAME,
        ]
    elif content_type == "application/pdf":
        assert pdf_text(response.content).startswith("威海火炬高技术产业开发区 — ")
    else:
        assert response.content.startswith(b"PK")


@pytest.mark.parametrize("username", ROLES)
def test_every_page_and_download_for_every_role(page_as: Any, username: str) -> None:
    client = page_as(username)
    page = client.get("/reports/")
    if not PARTS_BY_ROLE[username]:
        assert page.status_code == 403
    else:
        assert page.status_code == 200
        body = page.content.decode()
        listed = [p.value for p in Part if f'data-part="{p.value}"' in body]
        assert listed == PARTS_BY_ROLE[username]
        assert 'data-part="pdf"' in body
        assert 'value="2022-04"' in body  # the last complete month before 2022-05-08
        assert 'href="/reports/pack?period=2022-04"' in body
        assert 'href="/reports/pack.pdf?period=2022-04"' in body
        for part in PARTS_BY_ROLE[username]:
            assert f'href="/reports/{part}.xlsx?period=2022-04"' in body
            assert FILE_NAMES[part] in body
    for path in PAGE_ENDPOINTS:
        _check_download(client.get(path, {"period": "2022-04"}), path, username)


@pytest.mark.parametrize("username", ROLES)
def test_every_api_endpoint_for_every_role(api_as: Any, username: str) -> None:
    api = api_as(username)
    listing = api.get("/api/v1/reports", period="2022-04")
    if not PARTS_BY_ROLE[username]:
        assert listing.status_code == 403
        assert listing.json() == {"detail": _("Your role may not do this."), "errors": []}
    else:
        assert listing.status_code == 200
        assert listing.json() == {
            "period": "2022-04",
            "file_name": "月度报告包-2022-04.zip",
            "pdf_file_name": PDF_NAME,
            "parts": [
                {"key": p, "title": selectors.part_title(Part(p)), "file_name": FILE_NAMES[p]}
                for p in PARTS_BY_ROLE[username]
            ],
        }
    for path in API_ENDPOINTS:
        _check_download(api.get(path, period="2022-04"), path, username)


def test_anonymous_is_sent_to_log_in_and_the_api_answers_401(api_as: Any) -> None:
    client = Client()
    for path in ["/reports/", *PAGE_ENDPOINTS]:
        response = client.get(path, {"period": "2022-04"})
        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={quote(path)}%3Fperiod%3D2022-04"
    api = api_as(None)
    for path in ["/api/v1/reports", *API_ENDPOINTS]:
        response = api.get(path, period="2022-04")
        assert response.status_code == 401
        assert response.json()["detail"] == _("Authentication required.")


def test_an_unknown_report_is_not_found(page_as: Any, api_as: Any) -> None:
    assert page_as("leader").get("/reports/budget.xlsx").status_code == 404
    assert api_as("leader").get("/api/v1/reports/budget.xlsx").status_code == 404
    # An enterprise contact is refused before anything else.
    assert page_as("hp").get("/reports/budget.xlsx").status_code == 403


def test_without_a_month_the_pack_is_the_last_complete_month(page_as: Any, api_as: Any) -> None:
    response = page_as("leader").get("/reports/pack.pdf")
    assert response["Content-Disposition"] == _attachment(PDF_NAME)
    response = api_as("stats").get("/api/v1/reports/pack")
    assert response["Content-Disposition"] == _attachment("月度报告包-2022-04.zip")
    # The current month may be asked for; its files are named for it.
    response = page_as("stats").get("/reports/economic.xlsx", {"period": "2022-05"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == _attachment("2022-05-经济运行.xlsx")


@pytest.mark.parametrize("path", ["/reports/", *PAGE_ENDPOINTS])
@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2022-13", "不是月份：请写作 YYYY-MM，例如 2022-04。"),
        ("bad", "不是月份：请写作 YYYY-MM，例如 2022-04。"),
        ("2022-06", None),
    ],
)
def test_a_bad_month_answers_400_naming_the_field(
    page_as: Any, path: str, period: str, message: str | None
) -> None:
    response = page_as("leader").get(path, {"period": period})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/html; charset=utf-8"
    body = response.content.decode()
    reason = message or _("%(month)s has not begun yet: choose a past month.") % {"month": period}
    assert (
        f'<p class="error" id="r-period-error" role="alert" data-testid="period-error">月份 (<code>period</code>): {reason}</p>'
        in body
    )
    assert f'value="{period}"' in body  # what was typed stays in the field
    assert 'aria-invalid="true"' in body
    assert 'data-testid="download-pack"' not in body  # no download offered for a bad month


def test_the_api_refuses_a_bad_month_naming_the_field(api_as: Any) -> None:
    for path in ["/api/v1/reports", *API_ENDPOINTS]:
        response = api_as("leader").get(path, period="2022-13")
        assert response.status_code == 422, path
        assert response.json() == {
            "detail": "输入有误。",
            "errors": [{"field": "period", "message": "不是月份：请写作 YYYY-MM，例如 2022-04。"}],
        }


def test_the_pack_in_english(page_as: Any, api_as: Any, user_of: Any) -> None:
    english = page_as("leader")
    english.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = english.get("/reports/")
    assert page.status_code == 200
    assert "<h1>Monthly report pack</h1>" in page.content.decode()
    assert (
        "Month (<code>period</code>): Not a month: write it as YYYY-MM, e.g. 2022-04."
        in english.get("/reports/pack", {"period": "2022-13"}).content.decode()
    )

    api = api_as("leader")
    api.headers["Accept-Language"] = "en"
    response = api.get("/api/v1/reports/pack", period="2022-04")
    assert response.status_code == 200
    pages = pdf_pages(zip_members(response.content)[PDF_NAME])
    assert len(pages) == 8
    zone = Zone.objects.get(code="weihai-torch")
    cover = pages[0]
    assert cover.startswith(
        f"{zone.name_en} — Monthly report 2022-04 Page 1 {zone.name_en} Monthly report April 2022"
    )
    assert "Month Generated Prepared for 2022-04 2022-05-08 刘主任 (zone leadership)" in cover
    assert "1 Monthly scheduling report 2022-04-月调度.xlsx" in cover
    text = " ".join(pages)
    assert "97 Key projects 2022 91 Reported for the month 23 Red 10 Amber 64 Green" in text
    assert "Red 23 19 602,500 134,533 22.3% Amber 10 8 411,000 90,900 22.1%" in text
    assert "Projects in red and amber (10k yuan)" in text
    with translation.override("en"):
        clusters = cluster_progress(user=user_of("leader"), indicator="revenue", period=PERIOD)
    for c in clusters:
        assert c.name_en
        assert f"{c.name_en} " in text
        assert c.name not in text
    assert "Leads opened in 2022" in text
    assert "Service orders filed from 2022-04-01 to 2022-04-30" in text
    # The workbooks whose builders speak the user's language do so in the pack too.
    assert "Zone revenue year to date (100m yuan)" in text

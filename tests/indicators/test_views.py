"""Indicator pages for every role."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ROLES
from tests.indicators.conftest import xlsx
from zoneops.demo import weihai

pytestmark = pytest.mark.django_db

STAFF_WITH_INDICATORS = ("admin", "leader", "supervisor", "invest", "projects", "stats")


@pytest.mark.parametrize("username", ROLES)
def test_dashboard_by_role(page_as: Any, username: str) -> None:
    response = page_as(username).get("/indicators/")
    if username in STAFF_WITH_INDICATORS:
        content = response.content.decode()
        assert response.status_code == 200
        assert content.count('data-testid="cluster-card"') == 5
        assert "2022-04" in content
        assert 'id="chart-data"' in content
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("username", ROLES)
def test_rankings_page_by_role(page_as: Any, username: str) -> None:
    response = page_as(username).get("/indicators/rankings/", {"year": 2021, "growth_above": 20})
    if username in STAFF_WITH_INDICATORS:
        assert response.content.decode().count('data-testid="ranking-row"') == 34
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("username", ROLES)
def test_imports_page_by_role(page_as: Any, username: str) -> None:
    status = 200 if username in ("admin", "stats") else 403
    assert page_as(username).get("/indicators/imports/").status_code == status


def test_enterprise_figures_page_own_only(page_as: Any, zone: Any) -> None:
    hp = weihai.enterprise_by_key(zone, "hp")
    weigao = weihai.enterprise_by_key(zone, "weigao")
    own = page_as("hp").get(f"/indicators/enterprises/{hp.pk}/", {"year": 2021})
    assert own.status_code == 200
    assert own.content.decode().count('<th scope="col" class="num">2021-') == 12
    assert page_as("hp").get(f"/indicators/enterprises/{weigao.pk}/").status_code == 404


def test_economic_report_is_an_excel_file(page_as: Any) -> None:
    import io

    from openpyxl import load_workbook

    response = page_as("leader").get("/indicators/report/", {"period": "2022-04"})
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "产业集群",
        "分园区",
        "分行业大类",
        "分登记注册类型",
        "规上规下",
        "增速排名",
    ]
    clusters = workbook["产业集群"]
    assert clusters["A2"].value == "电子信息与智能制造产业集群"
    assert clusters["E2"].value == 10_000_000
    assert page_as("hp").get("/indicators/report/").status_code == 403


def test_upload_through_the_page_then_follow_the_job(
    page_as: Any, zone: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    hp = weihai.enterprise_by_key(zone, "hp")
    content = xlsx(
        [["统一社会信用代码", "企业名称", "统计期", "营业收入(万元)"], [hp.uscc, hp.name, "2022-05", "abc"]]
    )
    client = page_as("stats")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/indicators/imports/", {"file": SimpleUploadedFile("f.xlsx", content), "period": "2022-05"}
        )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "已退回" in page
    assert "不是数字：“abc”。" in page
    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment


def test_chinese_tables_group_thousands_with_commas(page_as: Any) -> None:
    content = page_as("leader").get("/indicators/", {"period": "2021-12"}).content.decode()
    # Electronics ended 2021 at 86.0 bn yuan = 8,600,000 万元.
    assert "8,600,000" in content

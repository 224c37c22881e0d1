"""Importing monthly figures: all-or-nothing, every bad row listed, idempotent, corrections kept."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import ROLES
from tests.indicators.conftest import xlsx
from zoneops.demo import weihai
from zoneops.enterprises import uscc as uscc_rules
from zoneops.indicators.models import IndicatorValue, IndicatorValueRevision

pytestmark = pytest.mark.django_db

HEADER = [
    "统一社会信用代码",
    "企业名称",
    "统计期",
    "营业收入(万元)",
    "从业人员期末人数(人)",
    "利润总额(万元)",
]


def _firms(zone: Any) -> tuple[Any, Any, Any]:
    return (
        weihai.enterprise_by_key(zone, "hp"),
        weihai.enterprise_by_key(zone, "weigao"),
        weihai.enterprise_by_key(zone, "dishang"),
    )


def _good_rows(zone: Any) -> list[list[object]]:
    hp, weigao, dishang = _firms(zone)
    return [
        HEADER,
        [hp.uscc, hp.name, "2022-05", 260000.5, 5200, 18000],
        [weigao.uscc, weigao.name, "2022-05", "245,000.00", "８１００", -1200],
        [dishang.uscc, dishang.name, "2022-05", 76000, 9100, 3000],
    ]


def test_a_file_with_bad_rows_is_rejected_listing_every_one_and_writes_nothing(
    upload: Any, zone: Any
) -> None:
    hp, weigao, dishang = _firms(zone)
    wrong_check = hp.uscc[:17] + ("0" if hp.uscc[17] != "0" else "1")
    rows = [
        HEADER,
        [hp.uscc, hp.name, "2022-05", 260000, 5200, 18000],
        [wrong_check, hp.name, "2022-05", 1, 1, 1],  # invalid USCC
        [uscc_rules.synthetic(index=888_888), "不存在的企业", "2022-05", 1, 1, 1],  # unknown enterprise
        [weigao.uscc, "别的名字有限公司", "2022-05", 1, 1, 1],  # name does not match
        [dishang.uscc, dishang.name, "2022-05", "约七万", 9100, 3000],  # text in a number cell
        [dishang.uscc, dishang.name, "2022-04", 70000, -3, 3000],  # negative head count
        [hp.uscc, hp.name, "2022-05", 1, 1, 1],  # duplicate of row 2
        [weigao.uscc, weigao.name, "2021-05", 1, 1, 1],  # outside the file's period
    ]
    before = IndicatorValue.objects.count()
    job = upload("stats", xlsx(rows), period="2022-05").json()
    assert job["status"] == "rejected"
    assert job["counts"] == {"created": 0, "updated": 0, "unchanged": 0}
    assert {(e["row"], e["column"]) for e in job["errors"]} == {
        (3, "统一社会信用代码"),
        (4, "统一社会信用代码"),
        (5, "企业名称"),
        (6, "营业收入(万元)"),
        (7, "统计期"),
        (7, "从业人员期末人数(人)"),
        (8, "统一社会信用代码"),
        (9, "统计期"),
    }
    messages = {(e["row"], e["column"]): e["message"] for e in job["errors"]}
    assert messages[(6, "营业收入(万元)")] == "不是数字：“约七万”。"
    assert messages[(8, "统一社会信用代码")] == "重复行：与第 2 行的企业和统计期相同。"
    assert IndicatorValue.objects.count() == before


def test_errors_speak_english_to_an_english_user(upload: Any, zone: Any, user_of: Any) -> None:
    stats = user_of("stats")
    stats.language = "en"
    stats.save()
    rows = [HEADER, [uscc_rules.synthetic(index=888_889), "Nobody", "2022-05", 1, 1, 1]]
    job = upload("stats", xlsx(rows), period="2022-05").json()
    assert job["errors"] == [
        {"row": 2, "column": "统一社会信用代码", "message": "No enterprise of this zone has this code."}
    ]


def test_the_corrected_file_imports_and_importing_it_again_changes_nothing(upload: Any, zone: Any) -> None:
    first = upload("stats", xlsx(_good_rows(zone)), period="2022-05").json()
    assert first["status"] == "completed"
    assert first["counts"] == {"created": 9, "updated": 0, "unchanged": 0}
    hp, weigao, _dishang = _firms(zone)
    assert IndicatorValue.objects.get(
        enterprise=hp, indicator_id="revenue", period="2022-05-01"
    ).value == Decimal("2600005000.00")
    assert IndicatorValue.objects.get(
        enterprise=weigao, indicator_id="revenue", period="2022-05-01"
    ).value == Decimal("2450000000.00")
    assert IndicatorValue.objects.get(
        enterprise=weigao, indicator_id="employees", period="2022-05-01"
    ).value == Decimal("8100")
    assert IndicatorValue.objects.get(
        enterprise=weigao, indicator_id="profit", period="2022-05-01"
    ).value == Decimal("-12000000.00")

    again = upload("stats", xlsx(_good_rows(zone)), period="2022-05").json()
    assert again["status"] == "completed"
    assert again["counts"] == {"created": 0, "updated": 0, "unchanged": 9}
    assert IndicatorValueRevision.objects.count() == 0


def test_a_correction_replaces_the_value_and_keeps_the_old_one(upload: Any, zone: Any) -> None:
    upload("stats", xlsx(_good_rows(zone)), period="2022-05")
    rows = _good_rows(zone)
    rows[1][3] = 261000
    job = upload("stats", xlsx(rows), period="2022-05").json()
    assert job["counts"] == {"created": 0, "updated": 1, "unchanged": 8}
    hp = weihai.enterprise_by_key(zone, "hp")
    value = IndicatorValue.objects.get(enterprise=hp, indicator_id="revenue", period="2022-05-01")
    assert (value.value, value.revision, value.batch_id) == (Decimal("2610000000.00"), 2, job["id"])
    (old,) = IndicatorValueRevision.objects.filter(enterprise=hp, indicator_id="revenue", period="2022-05-01")
    assert (old.value, old.revision, old.replaced_by_batch_id) == (Decimal("2600005000.00"), 1, job["id"])


def test_forgiving_headers_units_and_digits(upload: Any, zone: Any) -> None:
    hp = weihai.enterprise_by_key(zone, "hp")
    rows = [
        [
            " 统一社会信用代码 ",
            "企业名称",
            "统计期",
            "Operating revenue（元）",
            "实缴税金（亿元）",
            "从业人员 (人)",
        ],
        [hp.uscc.lower(), "惠普打印机(威海)有限公司", "2022年5月", "２，６００，０００，０００", "0.5", 5200],
    ]
    job = upload("stats", xlsx(rows)).json()
    assert job["status"] == "completed", job["errors"]
    assert IndicatorValue.objects.get(
        enterprise=hp, indicator_id="revenue", period="2022-05-01"
    ).value == Decimal("2600000000.00")
    assert IndicatorValue.objects.get(
        enterprise=hp, indicator_id="tax", period="2022-05-01"
    ).value == Decimal("50000000.00")


def test_unknown_column_is_an_error_on_the_header_row(upload: Any, zone: Any) -> None:
    rows = [[*HEADER, "心情指数"], *[[*r, 1] for r in _good_rows(zone)[1:]]]
    job = upload("stats", xlsx(rows), period="2022-05").json()
    assert job["status"] == "rejected"
    assert job["errors"] == [{"row": 1, "column": "心情指数", "message": "未知列：不是统计调查的指标。"}]


def test_year_to_date_file_derives_months_and_refuses_a_falling_total(upload: Any, zone: Any) -> None:
    hp = weihai.enterprise_by_key(zone, "hp")
    april_ytd = sum(
        IndicatorValue.objects.filter(enterprise=hp, indicator_id="revenue", period__year=2022).values_list(
            "value", flat=True
        ),
        Decimal(0),
    )
    may_ytd_wan = (april_ytd + Decimal("2500000000")) / 10000
    rows = [
        ["统一社会信用代码", "企业名称", "统计期", "营业收入(万元)1-本月累计"],
        [hp.uscc, hp.name, "2022-05", str(may_ytd_wan)],
    ]
    job = upload("stats", xlsx(rows)).json()
    assert (job["status"], job["cumulative"]) == ("completed", True)
    assert IndicatorValue.objects.get(
        enterprise=hp, indicator_id="revenue", period="2022-05-01"
    ).value == Decimal("2500000000.00")

    falling = [rows[0], [hp.uscc, hp.name, "2022-05", str((april_ytd - 1000000) / 10000)]]
    rejected = upload("stats", xlsx(falling)).json()
    assert rejected["status"] == "rejected"
    assert rejected["errors"][0]["row"] == 2
    assert rejected["errors"][0]["message"].startswith("1-本月累计数从")


def test_a_surge_waits_for_confirmation_then_publishes(
    upload: Any, zone: Any, api_as: Any, django_capture_on_commit_callbacks: Any
) -> None:
    hp = weihai.enterprise_by_key(zone, "hp")
    rows = [HEADER[:4], [hp.uscc, hp.name, "2022-05", 2_000_000]]  # 20 bn yuan in one month
    job = upload("stats", xlsx(rows), period="2022-05").json()
    assert job["status"] == "awaiting_confirmation"
    assert len(job["warnings"]) == 1
    assert not IndicatorValue.objects.filter(enterprise=hp, period="2022-05-01").exists()
    confirmed = api_as("stats").post(f"/api/v1/indicators/imports/{job['id']}/confirm")
    assert confirmed.json()["status"] == "completed"
    assert IndicatorValue.objects.get(
        enterprise=hp, indicator_id="revenue", period="2022-05-01"
    ).value == Decimal("20000000000.00")


@pytest.mark.parametrize("username", ROLES)
def test_who_may_import(upload: Any, zone: Any, username: str) -> None:
    response = upload(username, xlsx(_good_rows(zone)), period="2022-05")
    if username in ("admin", "stats"):
        assert response.json()["status"] == "completed"
    else:
        assert response.status_code == 403
        assert not IndicatorValue.objects.filter(period="2022-05-01").exists()


def test_not_a_spreadsheet(upload: Any) -> None:
    job = upload("stats", b"this is not excel", name="figures.xlsx").json()
    assert job["status"] == "rejected"
    assert job["errors"][0]["row"] == 0
    refused = upload("stats", b"x", name="figures.pdf")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "file"


def test_error_report_marks_the_bad_cells(upload: Any, api_as: Any, zone: Any) -> None:
    import io

    from openpyxl import load_workbook

    hp = weihai.enterprise_by_key(zone, "hp")
    job = upload("stats", xlsx([HEADER, [hp.uscc, hp.name, "2022-05", "abc", 1, 1]]), period="2022-05").json()
    report = api_as("stats").get(f"/api/v1/indicators/imports/{job['id']}/error-report")
    assert report["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(report.content))
    data = workbook.worksheets[0]
    assert data["D2"].fill.fgColor.rgb.endswith("FFC7CE")
    assert data["D2"].comment.text == "不是数字：“abc”。"
    listing = workbook.worksheets[1]
    assert [c.value for c in listing[2]] == [2, "营业收入(万元)", "不是数字：“abc”。", "错误"]


def test_template_download(api_as: Any) -> None:
    import io

    from openpyxl import load_workbook

    response = api_as("stats").get("/api/v1/indicators/template")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == [
        "统一社会信用代码",
        "企业名称",
        "统计期",
        "营业收入(万元)",
        "工业总产值(万元)",
        "工业增加值(万元)",
        "利润总额(万元)",
        "实缴税金(万元)",
        "从业人员期末人数(人)",
        "研发费用(万元)",
        "出口交货值(万元)",
    ]

"""Roll-ups, rankings and an enterprise's figures, for every role."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import ENTERPRISE_ROLES, STAFF_ROLES
from zoneops.demo import weihai

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", STAFF_ROLES)
def test_34_enterprises_grew_revenue_by_more_than_20_percent_in_2021(api_as: Any, username: str) -> None:
    body = (
        api_as(username)
        .get("/api/v1/indicators/rankings", indicator="revenue", year=2021, growth_above=20, page_size=100)
        .json()
    )
    assert body["count"] == 34
    assert body["period"] == "2021-12"
    assert len(body["items"]) == 34
    assert all(Decimal(item["growth"]) > 20 for item in body["items"])
    names = {item["name_en"] for item in body["items"]}
    assert {
        "HP Printing (Weihai) Co., Ltd.",
        "Shandong Weigao Group Medical Polymer Co., Ltd.",
        "Dishang Group Co., Ltd.",
    } <= names
    first = body["items"][0]
    assert set(first) == {"rank", "enterprise_id", "name", "name_en", "value", "previous", "growth"}
    assert Decimal(first["growth"]) == (
        (Decimal(first["value"]) - Decimal(first["previous"])) * 100 / Decimal(first["previous"])
    ).quantize(Decimal("0.01"))


def test_the_two_100_billion_clusters_with_ytd_yoy_and_progress(api_as: Any) -> None:
    body = api_as("leader").get("/api/v1/indicators/clusters", indicator="revenue", period="2022-04").json()
    assert [c["name_en"] for c in body[:2]] == [
        "Electronic Information & Intelligent Manufacturing",
        "Medical Devices & Biomedicine",
    ]
    for cluster in body[:2]:
        assert cluster["tier"] == "hundred_billion"
        assert Decimal(cluster["target"]) == Decimal("100000000000")
        assert Decimal(cluster["ytd"]) > Decimal("20000000000")
        assert Decimal(cluster["progress"]) == (
            Decimal(cluster["ytd"]) / Decimal(cluster["target"]) * 100
        ).quantize(Decimal("0.01"))
        assert Decimal(cluster["yoy"]) > 0
        assert Decimal(cluster["elapsed"]) == Decimal("33.33")
        assert Decimal(cluster["projection"]) > Decimal(cluster["ytd"])
    december = (
        api_as("leader").get("/api/v1/indicators/clusters", indicator="revenue", period="2021-12").json()
    )
    assert [Decimal(c["ytd"]) for c in december[:2]] == [Decimal("86000000000.00"), Decimal("81500000000.00")]


def test_cluster_rollup_query_count_is_pinned(api_as: Any, django_assert_num_queries: Any) -> None:
    api = api_as("leader")
    api.get("/api/v1/indicators/clusters", period="2022-04")
    with django_assert_num_queries(4):  # token, clusters, roll-ups (this month and history), targets
        api.get("/api/v1/indicators/clusters", period="2022-04")


def test_rollups_by_dimension_share_and_contribution(api_as: Any) -> None:
    rows = api_as("leader").get("/api/v1/indicators/rollups", dimension="scale", period="2022-04").json()
    assert {r["member"] for r in rows} == {"true", "false"}
    assert sum(Decimal(r["share"]) for r in rows) == Decimal("100.00")
    zone = api_as("leader").get("/api/v1/indicators/rollups", dimension="zone", period="2022-04").json()
    zone_yoy = Decimal(zone[0]["yoy"])
    assert abs(sum(Decimal(r["contribution"]) for r in rows) - zone_yoy) <= Decimal("0.02")


@pytest.mark.parametrize("username", ENTERPRISE_ROLES)
def test_enterprise_users_see_no_rollups_or_rankings(api_as: Any, username: str) -> None:
    api = api_as(username)
    assert api.get("/api/v1/indicators/clusters").status_code == 403
    assert api.get("/api/v1/indicators/rankings", year=2021).status_code == 403
    assert api.get("/api/v1/indicators/rollups", period="2022-04").status_code == 403
    assert api.get("/api/v1/indicators/imports").status_code == 403


def test_hp_sees_only_its_own_figures(api_as: Any, zone: Any) -> None:
    hp = weihai.enterprise_by_key(zone, "hp")
    weigao = weihai.enterprise_by_key(zone, "weigao")
    api = api_as("hp")
    own = api.get(f"/api/v1/enterprises/{hp.pk}/indicators", year=2021).json()
    assert own["enterprise_id"] == hp.pk
    assert len(own["values"]) == 12 * 8
    revenue = sum(Decimal(v["value"]) for v in own["values"] if v["indicator"] == "revenue")
    assert revenue == Decimal("26000000000.00")
    assert api.get(f"/api/v1/enterprises/{weigao.pk}/indicators", year=2021).status_code == 404


def test_period_and_indicator_validation(api_as: Any) -> None:
    api = api_as("leader")
    api.headers["Accept-Language"] = "en"
    bad = api.get("/api/v1/indicators/clusters", period="2022-13")
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {"field": "period", "message": "Not a month: write it as YYYY-MM, e.g. 2022-04."}
    ]
    unknown = api.get("/api/v1/indicators/clusters", indicator="happiness")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "indicator"


@pytest.mark.parametrize(
    "username", ["admin", "leader", "supervisor", "invest", "projects", "stats", "hp", "weigao"]
)
def test_definitions_and_template_for_every_role(api_as: Any, username: str) -> None:
    api = api_as(username)
    codes = [i["code"] for i in api.get("/api/v1/indicators").json()]
    assert codes == [
        "revenue",
        "output_value",
        "added_value",
        "profit",
        "tax",
        "employees",
        "rd_expense",
        "export_value",
    ]
    assert api.get("/api/v1/indicators/template").status_code == 200


def test_anonymous_gets_401_everywhere(api_as: Any, zone: Any) -> None:
    api = api_as(None)
    hp = weihai.enterprise_by_key(zone, "hp")
    for path in (
        "/api/v1/indicators",
        "/api/v1/indicators/template",
        "/api/v1/indicators/clusters",
        "/api/v1/indicators/imports",
        f"/api/v1/enterprises/{hp.pk}/indicators?year=2021",
    ):
        assert api.get(path).status_code == 401, path


@pytest.mark.parametrize("username", ["admin", "leader", "supervisor", "invest", "projects", "stats"])
def test_staff_read_any_enterprise_figures(api_as: Any, zone: Any, username: str) -> None:
    weigao = weihai.enterprise_by_key(zone, "weigao")
    body = api_as(username).get(f"/api/v1/enterprises/{weigao.pk}/indicators", year=2022).json()
    assert len(body["values"]) == 4 * 8


def test_a_staff_ranking_counts_without_joining_the_registry(user_of: Any) -> None:
    """The totals carry their enterprise's zone, so the zone scope is the enterprise scope for staff and
    the count reads the ranking index alone."""
    import datetime as dt

    from zoneops.indicators.selectors import growth_ranking

    ranked = growth_ranking(
        user=user_of("leader"), indicator="revenue", year=2021, period=dt.date(2021, 12, 1)
    )
    assert "enterprises_enterprise" not in str(ranked.values("pk").query)
    assert ranked.count() > 0

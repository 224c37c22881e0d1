from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ENTERPRISE_ROLES, STAFF_ROLES
from zoneops.demo import weihai

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", STAFF_ROLES)
def test_staff_read_their_zone_and_departments(api_as: Any, username: str, zone: Any) -> None:
    api = api_as(username)
    zones = api.get("/api/v1/zones").json()
    assert [z["code"] for z in zones["items"]] == [weihai.ZONE_CODE]
    assert zones["items"][0]["clock_date"] == "2022-05-08"
    departments = api.get("/api/v1/departments", page_size=100).json()
    assert departments["count"] == len(weihai.DEPARTMENTS)
    supervision = next(d for d in departments["items"] if d["code"] == "supervision")
    assert (supervision["name"], supervision["function"]) == ("督查室", "supervision")
    assert api.get(f"/api/v1/departments/{supervision['id']}").json()["name_en"] == "Supervision Office"
    assert api.get(f"/api/v1/zones/{zone.pk}").status_code == 200


@pytest.mark.parametrize("username", ENTERPRISE_ROLES)
def test_enterprise_users_see_no_directory(api_as: Any, username: str, zone: Any) -> None:
    api = api_as(username)
    assert api.get("/api/v1/zones").json() == {"items": [], "count": 0}
    assert api.get("/api/v1/departments").json() == {"items": [], "count": 0}
    assert api.get(f"/api/v1/zones/{zone.pk}").status_code == 404


def test_directory_is_read_only(api_as: Any) -> None:
    api = api_as("admin")
    assert api.post("/api/v1/departments", {"code": "x"}).status_code == 405
    assert api.post("/api/v1/zones", {"code": "x"}).status_code == 405


def test_other_zones_are_invisible(api_as: Any) -> None:
    from zoneops.accounts.models import Department, Zone

    other = Zone.objects.create(code="other", name="其他园区")
    dept = Department.objects.create(zone=other, code="x", name="X")
    api = api_as("leader")
    assert api.get(f"/api/v1/zones/{other.pk}").status_code == 404
    assert api.get(f"/api/v1/departments/{dept.pk}").status_code == 404

"""Enterprise registry API, for every role."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ENTERPRISE_ROLES, ROLES, STAFF_ROLES
from zoneops.core.models import AuditEvent
from zoneops.demo import weihai
from zoneops.enterprises import uscc
from zoneops.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db

FG500 = ["HP", "Lenovo Image", "Foxconn", "Jabil"]


def _names(body: dict[str, Any]) -> list[str]:
    return [item["name_en"] for item in body["items"]]


@pytest.mark.parametrize("search", FG500)
def test_leader_finds_each_fortune_global_500_firm_by_english_name(api_as: Any, search: str) -> None:
    body = api_as("leader").get("/api/v1/enterprises", search=search).json()
    matches = [item for item in body["items"] if item["name_en"].startswith(search)]
    assert len(matches) == 1
    firm = matches[0]
    assert firm["fortune_global_500"] is True
    assert uscc.is_valid(firm["uscc"])
    assert firm["above_scale"] is True
    assert firm["clusters"][0]["name_en"] == "Electronic Information & Intelligent Manufacturing"


def test_search_matches_chinese_name_short_name_and_uscc(api_as: Any, zone: Any) -> None:
    api = api_as("leader")
    assert _names(api.get("/api/v1/enterprises", search="捷普").json()) == [
        "Jabil Electronics (Weihai) Co., Ltd."
    ]
    hp = weihai.enterprise_by_key(zone, "hp")
    assert _names(api.get("/api/v1/enterprises", search=hp.uscc.lower()).json()) == [hp.name_en]


def test_filters(api_as: Any) -> None:
    api = api_as("leader")
    fg500 = api.get("/api/v1/enterprises", fortune_global_500="true").json()
    assert fg500["count"] == 4
    assert sorted(_names(fg500)) == sorted(
        [
            "Foxconn Precision Electronics (Weihai) Co., Ltd.",
            "HP Printing (Weihai) Co., Ltd.",
            "Jabil Electronics (Weihai) Co., Ltd.",
            "Lenovo Image (Shandong) Technology Co., Ltd.",
        ]
    )
    printers = api.get("/api/v1/enterprises", industry="3913", page_size=500).json()
    assert printers["count"] == Enterprise.objects.filter(industry_id="3913").count()
    assert all(item["industry"] == "3913" for item in printers["items"])
    division = api.get("/api/v1/enterprises", industry="39", page_size=500).json()
    assert division["count"] == Enterprise.objects.filter(industry__code__startswith="39").count()
    section = api.get("/api/v1/enterprises", industry="C", page_size=1).json()
    assert section["count"] == Enterprise.objects.filter(industry__parent__parent__parent_id="C").count()
    above = api.get("/api/v1/enterprises", above_scale="true", page_size=1).json()
    assert above["count"] == Enterprise.objects.filter(above_scale=True).count()
    medical = api.get("/api/v1/enterprises", search="Weigao").json()
    cluster_id = next(i for i in medical["items"] if i["short_name"] == "威高")["clusters"][0]["id"]
    in_cluster = api.get("/api/v1/enterprises", cluster=cluster_id, page_size=1).json()
    assert in_cluster["count"] == Enterprise.objects.filter(memberships__cluster_id=cluster_id).count()
    assert in_cluster["count"] > 10


def test_list_is_paginated_with_a_pinned_query_count(api_as: Any, django_assert_num_queries: Any) -> None:
    api = api_as("leader")
    # token lookup, last-used update is skipped within a minute after the first call
    api.get("/api/v1/enterprises")
    with django_assert_num_queries(4):  # token+user, count, page, clusters prefetch
        body = api.get("/api/v1/enterprises", page=2, page_size=20).json()
    assert len(body["items"]) == 20
    assert body["count"] == Enterprise.objects.count()


@pytest.mark.parametrize("username", STAFF_ROLES)
def test_staff_roles_see_the_whole_registry(api_as: Any, username: str) -> None:
    body = api_as(username).get("/api/v1/enterprises", page_size=1).json()
    assert (
        body["count"] == Enterprise.objects.count() == len(weihai.NAMED_ENTERPRISES) + weihai.SYNTHETIC_COUNT
    )


def test_hp_lists_itself_alone_and_its_neighbour_is_404(api_as: Any, zone: Any) -> None:
    api = api_as("hp")
    body = api.get("/api/v1/enterprises").json()
    assert body["count"] == 1
    assert _names(body) == ["HP Printing (Weihai) Co., Ltd."]
    hp = weihai.enterprise_by_key(zone, "hp")
    neighbour = Enterprise.objects.exclude(pk=hp.pk).order_by("pk").filter(pk__gt=hp.pk).first()
    assert neighbour is not None
    assert api.get(f"/api/v1/enterprises/{neighbour.pk}").status_code == 404
    assert api.get(f"/api/v1/enterprises/{hp.pk - 1}").status_code == 404
    own = api.get(f"/api/v1/enterprises/{hp.pk}")
    assert own.status_code == 200
    assert own.json()["contacts"][0]["is_primary"] is True


@pytest.mark.parametrize("username", ENTERPRISE_ROLES)
def test_enterprise_users_cannot_find_others_by_search(api_as: Any, username: str) -> None:
    assert api_as(username).get("/api/v1/enterprises", search="Foxconn").json()["count"] == 0


def _new_enterprise(code: str) -> dict[str, Any]:
    return {
        "name": "威海测试新材料有限公司",
        "name_en": "Weihai Test Materials",
        "uscc": code,
        "industry": "3091",
    }


@pytest.mark.parametrize(
    ("username", "status"), [(u, 201 if u in ("admin", "invest", "stats") else 403) for u in ROLES]
)
def test_who_may_register_an_enterprise(api_as: Any, username: str, status: int) -> None:
    code = uscc.synthetic(index=777_001)
    before = Enterprise.objects.count()
    response = api_as(username).post("/api/v1/enterprises", _new_enterprise(code))
    assert response.status_code == status
    if status == 201:
        body = response.json()
        assert (body["uscc"], body["industry"], body["name"]) == (code, "3091", "威海测试新材料有限公司")
        event = AuditEvent.objects.get(action="enterprise.create", object_id=str(body["id"]))
        assert event.actor_label == username
        assert event.after["uscc"] == code
    else:
        assert Enterprise.objects.count() == before


def test_a_wrong_check_character_answers_422_naming_the_field_and_writes_nothing(api_as: Any) -> None:
    good = uscc.synthetic(index=777_002)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    api = api_as("stats")
    api.headers["Accept-Language"] = "en"
    before = (Enterprise.objects.count(), AuditEvent.objects.count())
    response = api.post("/api/v1/enterprises", _new_enterprise(wrong))
    assert response.status_code == 422
    assert response.json() == {
        "detail": "The input is not valid.",
        "errors": [
            {
                "field": "uscc",
                "message": f"The check character (18th) is wrong: {wrong[17]} given, {good[17]} expected.",
            }
        ],
    }
    assert (Enterprise.objects.count(), AuditEvent.objects.count()) == before


def test_every_bad_field_is_listed_at_once(api_as: Any) -> None:
    api = api_as("stats")
    api.headers["Accept-Language"] = "en"
    response = api.post(
        "/api/v1/enterprises",
        {
            "name": "",
            "uscc": "123",
            "industry": "39",
            "registered_capital": "-5",
            "established_on": "2030-01-01",
        },
    )
    assert response.status_code == 422
    assert {(e["field"], e["message"]) for e in response.json()["errors"]} == {
        ("name", "This field is required."),
        ("uscc", "A unified social credit code has 18 characters; this one has 3."),
        ("industry", "Choose a 4-digit class, not a section, division or group."),
        ("registered_capital", "The amount must not be negative."),
        ("established_on", "The date is in the future."),
    }


def test_type_errors_are_422_with_field(api_as: Any) -> None:
    api = api_as("stats")
    api.headers["Accept-Language"] = "en"
    response = api.post(
        "/api/v1/enterprises", {**_new_enterprise(uscc.synthetic(index=5)), "above_scale": "maybe"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "above_scale", "message": "Enter true or false."}]


def test_duplicate_uscc_is_refused(api_as: Any, zone: Any) -> None:
    hp = weihai.enterprise_by_key(zone, "hp")
    response = api_as("stats").post("/api/v1/enterprises", _new_enterprise(hp.uscc))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "uscc"


def test_patch_changes_only_given_fields_and_audits_the_difference(api_as: Any, zone: Any) -> None:
    hp = weihai.enterprise_by_key(zone, "hp")
    response = api_as("admin").patch(
        f"/api/v1/enterprises/{hp.pk}", {"listed": True, "short_name": "惠普威海"}
    )
    assert response.status_code == 200
    assert (
        response.json()["listed"],
        response.json()["short_name"],
        response.json()["fortune_global_500"],
    ) == (True, "惠普威海", True)
    event = AuditEvent.objects.filter(action="enterprise.update", object_id=str(hp.pk)).get()
    assert event.before == {"listed": False, "short_name": "惠普"}
    assert event.after == {"listed": True, "short_name": "惠普威海"}


@pytest.mark.parametrize("username", ["leader", "supervisor", "projects", "hp"])
def test_roles_without_edit_rights_cannot_patch(api_as: Any, zone: Any, username: str) -> None:
    hp = weihai.enterprise_by_key(zone, "hp")
    response = api_as(username).patch(f"/api/v1/enterprises/{hp.pk}", {"listed": True})
    assert response.status_code == 403
    hp.refresh_from_db()
    assert hp.listed is False


def test_weigao_cannot_patch_hp_and_gets_404(api_as: Any, zone: Any) -> None:
    hp = weihai.enterprise_by_key(zone, "hp")
    assert api_as("weigao").patch(f"/api/v1/enterprises/{hp.pk}", {"listed": True}).status_code == 404


def test_anonymous_is_401(api_as: Any) -> None:
    assert api_as(None).get("/api/v1/enterprises").status_code == 401
    assert api_as(None).post("/api/v1/enterprises", {}).status_code == 401

"""The first administrator (`zoneops createsuperuser`) and adding users in Django's admin."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from zoneops.accounts.models import Department, Role, User, Zone
from zoneops.core.models import AuditEvent

PASSWORD = "Ch4nge-me-at-first-login"


@pytest.fixture(autouse=True)
def _clear_throttle() -> None:
    cache.clear()


def test_createsuperuser_makes_a_zone_administrator_who_can_log_in_to_the_admin(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    out = StringIO()

    call_command(
        "createsuperuser", interactive=False, username="root", email="root@example.gov.cn", stdout=out
    )

    assert out.getvalue() == "Superuser created successfully.\n"
    user = User.objects.get(username="root")
    assert (user.role, user.zone, user.department, user.is_staff, user.is_superuser) == (
        Role.ZONE_ADMIN,
        None,
        None,
        True,
        True,
    )
    event = AuditEvent.objects.get(action="user.create", object_type="accounts.user", object_id=str(user.pk))
    assert (event.actor_label, event.note, event.after) == (
        "system",
        "createsuperuser",
        {
            "username": "root",
            "role": "zone_admin",
            "zone_id": None,
            "email": "root@example.gov.cn",
            "is_staff": True,
            "is_superuser": True,
        },
    )
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/add/").status_code == 200


def _add_user(client: Client, **fields: Any) -> Any:
    data = {
        "username": "newcomer",
        "usable_password": "true",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "zone": "",
        "role": "",
        "department": "",
        "enterprise": "",
        "display_name": "",
    }
    data.update(fields)
    return client.post("/admin/accounts/user/add/", data, headers={"Accept-Language": "en"})


def test_admin_add_user_form_asks_for_the_role_and_its_department(page_as: Any) -> None:
    response = page_as("admin").get("/admin/accounts/user/add/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert [name for name in ("zone", "role", "department", "enterprise") if name in form.fields] == [
        "zone",
        "role",
        "department",
        "enterprise",
    ]


def test_admin_add_department_staff_without_department_is_a_form_error(zone: Zone, page_as: Any) -> None:
    users = User.objects.count()
    audit = AuditEvent.objects.count()

    response = _add_user(page_as("admin"), zone=str(zone.pk), role=Role.DEPARTMENT_STAFF)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "department": ["Department staff need a department."]
    }
    assert User.objects.count() == users
    assert AuditEvent.objects.count() == audit
    assert not User.objects.filter(username="newcomer").exists()


def test_admin_add_enterprise_contact_without_enterprise_is_a_form_error(zone: Zone, page_as: Any) -> None:
    response = _add_user(page_as("admin"), zone=str(zone.pk), role=Role.ENTERPRISE_USER)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "enterprise": ["An enterprise contact needs an enterprise."]
    }
    assert not User.objects.filter(username="newcomer").exists()


def test_admin_add_department_staff_with_a_department_is_saved(zone: Zone, page_as: Any) -> None:
    land = Department.objects.get(zone=zone, code="land")

    response = _add_user(
        page_as("admin"), zone=str(zone.pk), role=Role.DEPARTMENT_STAFF, department=str(land.pk)
    )

    assert response.status_code == 302
    user = User.objects.get(username="newcomer")
    assert (user.zone, user.role, user.department) == (zone, Role.DEPARTMENT_STAFF, land)
    assert user.check_password(PASSWORD)


def test_admin_change_to_department_staff_without_department_is_a_form_error(page_as: Any) -> None:
    stats = User.objects.get(username="stats")
    client = page_as("admin")
    form = client.get(f"/admin/accounts/user/{stats.pk}/change/").context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields
        and name not in {"password", "groups", "user_permissions", "last_login"}
        and value is not None
    }
    data.update(
        role=Role.DEPARTMENT_STAFF,
        department="",
        date_joined_0=f"{stats.date_joined:%Y-%m-%d}",
        date_joined_1=f"{stats.date_joined:%H:%M:%S}",
    )
    data.pop("date_joined", None)

    response = client.post(
        f"/admin/accounts/user/{stats.pk}/change/", data, headers={"Accept-Language": "en"}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "department": ["Department staff need a department."]
    }
    stats.refresh_from_db()
    assert stats.role == Role.STATISTICIAN

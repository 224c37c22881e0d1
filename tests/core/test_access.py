"""The access policy, role by role."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from zoneops.core.access import Perm, enterprise_scope, has_perm, permissions_of
from zoneops.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db

STAFF = {
    Perm.ENTERPRISE_VIEW,
    Perm.DIRECTORY_VIEW,
    Perm.API_DOCS,
    Perm.INDICATOR_VIEW_ALL,
    Perm.CHAIN_VIEW,
    Perm.PROJECT_VIEW,
    Perm.ASSESSMENT_VIEW,
    Perm.ORDER_VIEW,
}
EXPECTED = {
    "admin": set(Perm) - {Perm.INDICATOR_SUBMIT, Perm.ORDER_FILE},
    "leader": {*STAFF, Perm.AUDIT_VIEW, Perm.SUPERVISION_VIEW, Perm.LEAD_VIEW},
    "supervisor": {
        *STAFF,
        Perm.AUDIT_VIEW,
        Perm.SUPERVISION_VIEW,
        Perm.LEAD_VIEW,
        Perm.SUPERVISION_MANAGE,
        Perm.ASSESSMENT_ADJUST,
    },
    "invest": {
        *STAFF,
        Perm.ENTERPRISE_EDIT,
        Perm.CHAIN_EDIT,
        Perm.PROJECT_REPORT,
        Perm.LEAD_VIEW,
        Perm.LEAD_EDIT,
    },
    "projects": {*STAFF, Perm.PROJECT_REPORT, Perm.PROJECT_EDIT},
    "stats": {*STAFF, Perm.ENTERPRISE_EDIT, Perm.INDICATOR_IMPORT},
    "hp": {Perm.ENTERPRISE_VIEW, Perm.INDICATOR_SUBMIT, Perm.ORDER_VIEW, Perm.ORDER_FILE},
    "weigao": {Perm.ENTERPRISE_VIEW, Perm.INDICATOR_SUBMIT, Perm.ORDER_VIEW, Perm.ORDER_FILE},
}


@pytest.mark.parametrize(("username", "perms"), EXPECTED.items())
def test_permissions_per_role(user_of: Any, username: str, perms: set[Perm]) -> None:
    assert set(permissions_of(user_of(username))) == perms


def test_anonymous_and_inactive_users_have_nothing(user_of: Any) -> None:
    assert permissions_of(AnonymousUser()) == frozenset()  # type: ignore[arg-type]
    leader = user_of("leader")
    leader.is_active = False
    assert permissions_of(leader) == frozenset()
    assert not has_perm(leader, Perm.ENTERPRISE_VIEW)
    assert Enterprise.objects.filter(enterprise_scope(leader)).count() == 0


def test_enterprise_scope_through_a_relation(user_of: Any) -> None:
    from zoneops.enterprises.models import EnterpriseContact

    hp = user_of("hp")
    contacts = EnterpriseContact.objects.filter(enterprise_scope(hp, prefix="enterprise__"))
    assert {c.enterprise_id for c in contacts} == {hp.enterprise_id}

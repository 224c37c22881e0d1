"""The access policy: the one place that decides what each role may read and write.

Selectors apply the ``*_scope`` filters here to every read, so an object outside the user's scope is
simply not found (404) rather than forbidden — a user from enterprise A never learns that enterprise
B's object exists. Actions a role may never take (e.g. an enterprise editing the registry) answer 403.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from zoneops.accounts.models import DepartmentFunction, Role

if TYPE_CHECKING:
    from zoneops.accounts.models import User


class Perm(StrEnum):
    ENTERPRISE_VIEW = "enterprise.view"
    ENTERPRISE_EDIT = "enterprise.edit"
    DIRECTORY_VIEW = "directory.view"  # zones, departments, clusters
    AUDIT_VIEW = "audit.view"
    ADMIN_SITE = "admin.site"
    API_DOCS = "api.docs"
    INDICATOR_VIEW_ALL = "indicator.view_all"  # every enterprise's figures, roll-ups, rankings
    INDICATOR_IMPORT = "indicator.import"  # import, correct and publish figures, set targets
    INDICATOR_SUBMIT = "indicator.submit"  # an enterprise hands in its own monthly figures
    CHAIN_VIEW = "chain.view"  # chain maps, gaps, supply relations, opportunities, candidates
    CHAIN_EDIT = "chain.edit"  # edit chains, confirm node members, keep the candidate registry, start leads
    PROJECT_VIEW = "project.view"  # every key project, its reports, problems and warnings
    PROJECT_EDIT = "project.edit"  # create and plan key projects, set warning rules
    PROJECT_REPORT = "project.report"  # monthly reports and problems for the department's own projects
    SUPERVISION_VIEW = "supervision.view"  # every supervision item (departments see their own without it)
    SUPERVISION_MANAGE = "supervision.manage"  # raise, verify, close, send back, remind, approve extensions
    ASSESSMENT_VIEW = "assessment.view"  # department scores and their breakdown
    ASSESSMENT_ADJUST = "assessment.adjust"  # bonus and penalty points with a reason
    LEAD_VIEW = "lead.view"  # the investment pipeline: leads, funnel, gap coverage (commercially sensitive)
    LEAD_EDIT = "lead.edit"  # create leads and move them through the stages
    ORDER_VIEW = "order.view"  # the service desk's pages (which orders: ``order_scope``)
    ORDER_FILE = "order.file"  # an enterprise files service orders for itself
    ORDER_DISPATCH = "order.dispatch"  # accept, refuse, dispatch, merge and close service orders


# Everything a zone administrator (or an installation superuser) may do; submitting an enterprise's own
# figures stays with that enterprise's contacts.
_ADMINISTRATION = frozenset(Perm) - {Perm.INDICATOR_SUBMIT, Perm.ORDER_FILE}

_STAFF_READ = frozenset(
    {
        Perm.ENTERPRISE_VIEW,
        Perm.DIRECTORY_VIEW,
        Perm.API_DOCS,
        Perm.INDICATOR_VIEW_ALL,
        Perm.CHAIN_VIEW,
        Perm.PROJECT_VIEW,
        Perm.ASSESSMENT_VIEW,
        Perm.ORDER_VIEW,
    }
)
_OVERSIGHT = frozenset({Perm.AUDIT_VIEW, Perm.SUPERVISION_VIEW, Perm.LEAD_VIEW})

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.ZONE_ADMIN: _ADMINISTRATION,
    Role.LEADER: _STAFF_READ | _OVERSIGHT,
    Role.SUPERVISOR: _STAFF_READ | _OVERSIGHT | {Perm.SUPERVISION_MANAGE, Perm.ASSESSMENT_ADJUST},
    # Department staff report on and answer for their own department's projects and items (scoped).
    Role.DEPARTMENT_STAFF: _STAFF_READ | {Perm.PROJECT_REPORT},
    Role.STATISTICIAN: _STAFF_READ | {Perm.ENTERPRISE_EDIT, Perm.INDICATOR_IMPORT},
    # An enterprise contact sees its own enterprise (scoped below) and nothing of the zone's directory.
    Role.ENTERPRISE_USER: frozenset(
        {Perm.ENTERPRISE_VIEW, Perm.INDICATOR_SUBMIT, Perm.ORDER_VIEW, Perm.ORDER_FILE}
    ),
}

# Department functions that widen what their staff may do.
DEPARTMENT_PERMISSIONS: dict[str, frozenset[Perm]] = {
    # The investment bureau registers the enterprises it brings in.
    DepartmentFunction.INVESTMENT: frozenset(
        {Perm.ENTERPRISE_EDIT, Perm.CHAIN_EDIT, Perm.LEAD_VIEW, Perm.LEAD_EDIT}
    ),
    # The general office runs the service desk's dispatch (受理、派单).
    DepartmentFunction.GENERAL_OFFICE: frozenset({Perm.ORDER_DISPATCH}),
    # The key project office plans the zone's key projects.
    DepartmentFunction.PROJECTS: frozenset({Perm.PROJECT_EDIT}),
    DepartmentFunction.ECONOMY: frozenset({Perm.ENTERPRISE_EDIT, Perm.INDICATOR_IMPORT}),
}


def is_active_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def permissions_of(user: User) -> frozenset[Perm]:
    if not is_active_user(user):
        return frozenset()
    if user.is_superuser:
        return _ADMINISTRATION
    if user.zone_id is None:
        return frozenset()
    granted = ROLE_PERMISSIONS.get(user.role, frozenset())
    if user.role == Role.DEPARTMENT_STAFF and user.department is not None:
        granted = granted | DEPARTMENT_PERMISSIONS.get(user.department.function, frozenset())
    return granted


def has_perm(user: User, perm: Perm) -> bool:
    return perm in permissions_of(user)


def require_perm(user: User, perm: Perm) -> None:
    if not has_perm(user, perm):
        raise PermissionDenied(_("Your role may not do this."))


def is_enterprise_user(user: User) -> bool:
    return is_active_user(user) and user.role == Role.ENTERPRISE_USER and not user.is_superuser


def zone_scope(user: User, *, field: str = "zone") -> Q:
    """Rows of the user's zone; nothing for a user without one (a superuser sees every zone)."""
    if not is_active_user(user):
        return Q(pk__in=[])
    if user.is_superuser and user.zone_id is None:
        return Q()
    if user.zone_id is None:
        return Q(pk__in=[])
    return Q(**{f"{field}_id": user.zone_id})


def enterprise_scope(user: User, *, prefix: str = "") -> Q:
    """Enterprises the user may read. ``prefix`` lets other models filter through their enterprise FK,
    e.g. ``enterprise_scope(user, prefix="enterprise__")``."""
    if not has_perm(user, Perm.ENTERPRISE_VIEW):
        return Q(pk__in=[])
    scope = zone_scope(user, field=f"{prefix}zone")
    if is_enterprise_user(user):
        scope &= Q(**{f"{prefix}pk": user.enterprise_id})
    return scope


def project_scope(user: User, *, prefix: str = "") -> Q:
    """Key projects the user may read: the zone's for staff; an enterprise contact, its own enterprise's."""
    if has_perm(user, Perm.PROJECT_VIEW):
        return zone_scope(user, field=f"{prefix}zone")
    if is_enterprise_user(user) and user.enterprise_id is not None:
        return zone_scope(user, field=f"{prefix}zone") & Q(**{f"{prefix}owner_id": user.enterprise_id})
    return Q(pk__in=[])


def supervision_scope(user: User) -> Q:
    """Supervision items the user may read: all of the zone's for the supervision office and leaders; a
    department's own for its staff; none for enterprise contacts."""
    if has_perm(user, Perm.SUPERVISION_VIEW):
        return zone_scope(user)
    if is_active_user(user) and user.department_id is not None and not is_enterprise_user(user):
        return zone_scope(user) & Q(department_id=user.department_id)
    return Q(pk__in=[])


def order_scope(user: User) -> Q:
    """Service orders the user may read: an enterprise contact its own enterprise's; the dispatchers, the
    supervision office and leaders all of the zone's; department staff their department's."""
    if is_enterprise_user(user):
        if user.enterprise_id is None:
            return Q(pk__in=[])
        return zone_scope(user) & Q(enterprise_id=user.enterprise_id)
    if has_perm(user, Perm.ORDER_DISPATCH) or has_perm(user, Perm.SUPERVISION_VIEW):
        return zone_scope(user)
    if is_active_user(user) and user.department_id is not None:
        return zone_scope(user) & Q(department_id=user.department_id)
    return Q(pk__in=[])

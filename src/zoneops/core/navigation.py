"""The shell's navigation: one entry per capability, shown to the roles that may open it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from zoneops.accounts.models import User
from zoneops.core.access import Perm, has_perm, is_active_user


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    perm: Perm | None
    # Shown also to holders of these permissions (e.g. department staff see their own supervision items).
    also: tuple[Perm, ...] = ()


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("home", _("Home"), "home-page", None),
    NavItem("cockpit", _("Cockpit"), "cockpit:cockpit", Perm.SUPERVISION_VIEW),
    NavItem("enterprises", _("Enterprises"), "enterprises:list", Perm.ENTERPRISE_VIEW),
    NavItem("indicators", _("Indicators"), "indicators:dashboard", Perm.INDICATOR_VIEW_ALL),
    NavItem("chains", _("Chains"), "chains:index", Perm.CHAIN_VIEW),
    NavItem("opportunities", _("Opportunities"), "chains:opportunities", Perm.CHAIN_VIEW),
    NavItem("pipeline", _("Investment pipeline"), "investment:board", Perm.LEAD_VIEW),
    NavItem("projects", _("Key projects"), "projects:board", Perm.PROJECT_VIEW),
    NavItem(
        "supervision",
        _("Supervision"),
        "supervision:board",
        Perm.SUPERVISION_VIEW,
        also=(Perm.PROJECT_REPORT,),
    ),
    NavItem("orders", _("Service orders"), "servicedesk:orders", Perm.ORDER_VIEW),
    NavItem("dispatch", _("Dispatch board"), "servicedesk:board", Perm.ORDER_DISPATCH),
    NavItem(
        "servicestats",
        _("Service statistics"),
        "servicedesk:stats",
        Perm.ORDER_DISPATCH,
        also=(Perm.SUPERVISION_VIEW,),
    ),
    NavItem("assessment", _("Assessment"), "supervision:assessment", Perm.ASSESSMENT_VIEW),
    NavItem(
        "reports",
        _("Monthly report pack"),
        "reports:index",
        Perm.PROJECT_VIEW,
        also=(Perm.INDICATOR_VIEW_ALL,),
    ),
    NavItem("imports", _("Import figures"), "indicators:imports", Perm.INDICATOR_IMPORT),
    NavItem("submissions", _("Submitted figures"), "indicators:submissions", Perm.INDICATOR_IMPORT),
    NavItem("submit", _("Submit figures"), "indicators:submit", Perm.INDICATOR_SUBMIT),
    NavItem(
        "settings",
        _("Zone settings"),
        "configuration:settings",
        Perm.PROJECT_EDIT,
        also=(Perm.INDICATOR_IMPORT, Perm.SUPERVISION_MANAGE, Perm.LEAD_EDIT),
    ),
    NavItem("directory", _("Departments"), "directory", Perm.DIRECTORY_VIEW),
    NavItem("audit", _("Audit log"), "audit-log", Perm.AUDIT_VIEW),
    NavItem("api", _("API"), "api:openapi-view", Perm.API_DOCS),
    NavItem("admin", _("Administration"), "admin:index", Perm.ADMIN_SITE),
)


@dataclass(frozen=True)
class NavLink:
    key: str
    label: str | Promise
    url: str


def navigation_for(user: User) -> list[NavLink]:
    if not is_active_user(user):
        return []
    return [
        NavLink(item.key, item.label, reverse(item.url_name))
        for item in NAVIGATION
        if item.perm is None or has_perm(user, item.perm) or any(has_perm(user, perm) for perm in item.also)
    ]

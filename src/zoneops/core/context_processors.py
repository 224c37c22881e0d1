"""Template context of the application shell (navigation, zone, inbox count)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from zoneops.accounts.models import User
from zoneops.core.navigation import navigation_for
from zoneops.core.selectors import unread_notification_count


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {"nav": [], "shell_zone": None, "unread_count": 0}
    match = getattr(request, "resolver_match", None)
    return {
        "nav": navigation_for(user),
        "nav_active": _active_section(match.view_name if match else ""),
        "shell_zone": user.zone,
        "unread_count": unread_notification_count(user=user),
    }


def _active_section(view_name: str) -> str:
    if view_name.startswith("enterprises:"):
        return "enterprises"
    if view_name.startswith("api:"):
        return "api"
    if view_name.startswith("indicators:import"):
        return "imports"
    if view_name in ("indicators:submit", "indicators:submissions"):
        return view_name.split(":")[1]
    if view_name.startswith("indicators:"):
        return "indicators"
    if view_name.startswith("reports:"):
        return "reports"
    if view_name.startswith("configuration:"):
        return "settings"
    return {"home": "home", "home-page": "home", "directory": "directory", "audit-log": "audit"}.get(
        view_name, ""
    )

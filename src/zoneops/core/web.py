"""Small helpers shared by views and API endpoints (request parsing only, no business logic)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest

from zoneops.accounts.models import User


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the address the N-th proxy saw (``ZONEOPS_NUM_PROXIES``)."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    proxies = int(getattr(settings, "NINJA_NUM_PROXIES", 0) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies <= 0 or not forwarded:
        return remote
    addresses = [a.strip() for a in str(forwarded).split(",") if a.strip()]
    return addresses[-min(proxies, len(addresses))] if addresses else remote


def parse_bool(value: str | None) -> bool | None:
    """'1'/'true'/'yes' → True, '0'/'false'/'no' → False, anything else (incl. empty) → None."""
    if value is None:
        return None
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    return None


def request_user(request: HttpRequest) -> User:
    """The authenticated user of an API call or page (auth has already run, so this is a real User)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def or_404[T](read: Callable[[], T]) -> T:
    """Run a selector's get; an object the user may not see (or that does not exist) is a 404 page."""
    try:
        return read()
    except ObjectDoesNotExist as missing:
        raise Http404 from missing

"""Reads of zones, departments, users and tokens, scoped by the access policy."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db.models import QuerySet
from django.utils import timezone

from zoneops.accounts.models import ApiToken, Department, User, Zone
from zoneops.core.access import Perm, has_perm, is_active_user

# Writing last_used_at on every request would turn each read into a write; once a minute is enough.
_LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def user_for_token(*, token: str) -> User | None:
    """The active user a bearer token belongs to, or None if it is unknown, expired or revoked."""
    if not token or len(token) > 200:
        return None
    now = timezone.now()
    found = (
        ApiToken.objects.select_related("user", "user__department", "user__zone")
        .filter(token_hash=token_hash(token), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if found is None or not found.user.is_active:
        return None
    if found.last_used_at is None or now - found.last_used_at > _LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user


def zones_visible(*, user: User) -> QuerySet[Zone]:
    if not is_active_user(user):
        return Zone.objects.none()
    if user.is_superuser and user.zone_id is None:
        return Zone.objects.all()
    if not has_perm(user, Perm.DIRECTORY_VIEW) or user.zone_id is None:
        return Zone.objects.none()
    return Zone.objects.filter(pk=user.zone_id)


def departments_visible(*, user: User) -> QuerySet[Department]:
    if not has_perm(user, Perm.DIRECTORY_VIEW):
        return Department.objects.none()
    return (
        Department.objects.filter(zone__in=zones_visible(user=user))
        .select_related("head")
        .order_by("zone_id", "code")
    )


def users_with_role(*, zone: Zone, role: str) -> QuerySet[User]:
    return User.objects.filter(zone=zone, role=role, is_active=True)


def with_current[T](choices: list[T], current: T | None) -> list[T]:
    """A form's choices plus the one the record names now, though no longer offered (a person deactivated
    or given another role since, an enterprise no longer a chain master): saving the form unchanged posts
    that one back."""
    return choices if current is None or current in choices else [*choices, current]

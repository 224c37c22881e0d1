"""Writes of accounts: zones, departments, users, API tokens, and login with its failure throttle."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.accounts.models import ApiToken, Department, Role, User, Zone
from zoneops.accounts.selectors import token_hash
from zoneops.core.errors import FieldError, InvalidInput
from zoneops.core.services import audit_record, model_snapshot


class LoginFailed(Exception):
    pass


class LoginThrottled(Exception):
    def __init__(self, wait_seconds: int) -> None:
        self.wait_seconds = wait_seconds
        super().__init__(wait_seconds)


def _failure_keys(*, username: str, client_ip: str) -> list[str]:
    # Counted per username (guessing one account's password) and per address (trying many accounts).
    return [f"login-failures:user:{username.strip().lower()}", f"login-failures:ip:{client_ip}"]


def login_check_throttle(*, username: str, client_ip: str) -> None:
    limit = settings.LOGIN_FAILURE_LIMIT
    for key in _failure_keys(username=username, client_ip=client_ip):
        if int(cache.get(key, 0)) >= limit:
            raise LoginThrottled(settings.LOGIN_FAILURE_WINDOW_SECONDS)


def login_record_failure(*, username: str, client_ip: str) -> None:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for key in _failure_keys(username=username, client_ip=client_ip):
        if cache.add(key, 1, timeout=window):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=window)


def login_clear_failures(*, username: str, client_ip: str) -> None:
    cache.delete_many(_failure_keys(username=username, client_ip=client_ip))


def login_authenticate(*, request: HttpRequest | None, username: str, password: str, client_ip: str) -> User:
    """Check credentials, counting failures; raises LoginThrottled after too many, LoginFailed if wrong."""
    login_check_throttle(username=username, client_ip=client_ip)
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User) or not user.is_active:
        login_record_failure(username=username, client_ip=client_ip)
        raise LoginFailed
    login_clear_failures(username=username, client_ip=client_ip)
    return user


@dataclass(frozen=True)
class IssuedToken:
    token: str
    record: ApiToken


@transaction.atomic
def api_token_issue(*, user: User, name: str = "") -> IssuedToken:
    token = secrets.token_urlsafe(32)
    record = ApiToken.objects.create(
        user=user,
        name=name[:120],
        token_hash=token_hash(token),
        prefix=token[:8],
        expires_at=timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS),
    )
    audit_record(
        actor=user, action="api_token.issue", instance=record, zone=user.zone, after={"prefix": record.prefix}
    )
    return IssuedToken(token=token, record=record)


@transaction.atomic
def api_token_revoke(*, user: User, token: str) -> bool:
    record = ApiToken.objects.filter(user=user, token_hash=token_hash(token), revoked_at__isnull=True).first()
    if record is None:
        return False
    record.revoked_at = timezone.now()
    record.save(update_fields=["revoked_at", "updated_at"])
    audit_record(
        actor=user,
        action="api_token.revoke",
        instance=record,
        zone=user.zone,
        after={"prefix": record.prefix},
    )
    return True


def user_role_errors(
    *, zone: Zone | None, role: str, department: Department | None, enterprise_id: int | None
) -> list[FieldError]:
    """What a user's role still needs (a department, an enterprise), as field errors; empty when complete.

    The rules of the database's check constraints, checked first so that forms (the admin's too) can
    name the field instead of failing on the constraint."""
    errors: list[FieldError] = []
    if role not in Role.values:
        errors.append(FieldError("role", _("Unknown role.")))
    if role == Role.DEPARTMENT_STAFF and department is None:
        errors.append(FieldError("department", _("Department staff need a department.")))
    if role == Role.ENTERPRISE_USER and enterprise_id is None:
        errors.append(FieldError("enterprise", _("An enterprise contact needs an enterprise.")))
    if department is not None and zone is not None and department.zone_id != zone.pk:
        errors.append(FieldError("department", _("The department belongs to another zone.")))
    return errors


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    zone: Zone,
    username: str,
    password: str,
    role: str,
    department: Department | None = None,
    enterprise_id: int | None = None,
    display_name: str = "",
    email: str = "",
    is_staff: bool = False,
) -> User:
    errors = user_role_errors(zone=zone, role=role, department=department, enterprise_id=enterprise_id)
    if User.objects.filter(username=username).exists():
        errors.append(FieldError("username", _("This username is taken.")))
    if errors:
        raise InvalidInput(errors)
    user = User(
        zone=zone,
        username=username,
        role=role,
        department=department,
        enterprise_id=enterprise_id,
        display_name=display_name,
        email=email,
        is_staff=is_staff,
    )
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        action="user.create",
        instance=user,
        zone=zone,
        after=model_snapshot(
            user, fields=["username", "role", "department", "enterprise", "display_name", "email", "is_staff"]
        ),
    )
    return user


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise InvalidInput.single("language", _("Unknown language."))
    user.language = language
    user.save(update_fields=["language"])
    return user

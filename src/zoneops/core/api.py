"""API of the platform: tokens, the current user, the inbox, working-day arithmetic."""

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from zoneops.accounts.services import (
    LoginFailed,
    LoginThrottled,
    api_token_issue,
    api_token_revoke,
    login_authenticate,
)
from zoneops.core.access import permissions_of
from zoneops.core.errors import InvalidInput
from zoneops.core.models import Notification
from zoneops.core.selectors import add_working_days, notifications_for, unread_notification_count
from zoneops.core.services import notification_mark_read
from zoneops.core.web import client_ip, request_user

router = Router(tags=["platform"])


class Credentials(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=200)


class TokenOut(Schema):
    token: str
    expires_at: dt.datetime


class ErrorOut(Schema):
    detail: str
    errors: list[dict[str, object]] = []


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut})
def token_create(request: HttpRequest, payload: Credentials) -> TokenOut:
    """Exchange a username and password for a bearer token (valid `ZONEOPS_API_TOKEN_DAYS` days)."""
    try:
        user = login_authenticate(
            request=request,
            username=payload.username,
            password=payload.password,
            client_ip=client_ip(request),
        )
    except LoginThrottled as throttled:
        raise HttpError(
            429,
            _("Too many failed logins. Try again in %(minutes)d minutes.")
            % {"minutes": max(1, throttled.wait_seconds // 60)},
        ) from throttled
    except LoginFailed as failed:
        raise HttpError(401, _("Wrong username or password.")) from failed
    issued = api_token_issue(user=user, name="api")
    return TokenOut(token=issued.token, expires_at=issued.record.expires_at)


@router.delete("/auth/token", response={204: None})
def token_revoke(request: HttpRequest) -> Status[None]:
    """Revoke the bearer token this request was made with."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        api_token_revoke(user=request_user(request), token=header[7:].strip())
    return Status(204, None)


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    role: str
    role_label: str
    zone_id: int | None
    zone_name: str | None
    department_id: int | None
    department_name: str | None
    enterprise_id: int | None
    enterprise_name: str | None
    language: str
    permissions: list[str]
    unread_notifications: int


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> MeOut:
    user = request_user(request)
    return MeOut(
        id=user.pk,
        username=user.username,
        display_name=str(user),
        email=user.email,
        role=user.role,
        role_label=str(user.get_role_display()),
        zone_id=user.zone_id,
        zone_name=user.zone.name if user.zone else None,
        department_id=user.department_id,
        department_name=user.department.name if user.department else None,
        enterprise_id=user.enterprise_id,
        enterprise_name=user.enterprise.name if user.enterprise else None,
        language=user.language,
        permissions=sorted(str(p) for p in permissions_of(user)),
        unread_notifications=unread_notification_count(user=user),
    )


class NotificationOut(Schema):
    id: int
    event_key: str
    title: str
    body: str
    link: str
    created_at: dt.datetime
    read_at: dt.datetime | None


@router.get("/notifications", response=list[NotificationOut])
@paginate(PageNumberPagination, page_size=50)
def notification_list(request: HttpRequest) -> list[Notification]:
    user = request_user(request)
    return notifications_for(user=user)  # type: ignore[return-value]


class MarkRead(Schema):
    ids: list[int] | None = None


class MarkedOut(Schema):
    marked: int


@router.post("/notifications/read", response=MarkedOut)
def notification_read(request: HttpRequest, payload: MarkRead) -> MarkedOut:
    user = request_user(request)
    return MarkedOut(marked=notification_mark_read(user=user, notification_ids=payload.ids))


class WorkingDateIn(Schema):
    start: dt.date
    days: int = Field(..., ge=0, le=3650)


class WorkingDateOut(Schema):
    date: dt.date
    provisional: bool


@router.get("/calendar/add-working-days", response={200: WorkingDateOut, 422: ErrorOut})
def calendar_add_working_days(request: HttpRequest, query: Query[WorkingDateIn]) -> WorkingDateOut:
    """The date `days` working days after `start` on China's official calendar (holidays and make-up
    working days included); `provisional` when a year crossed has no official notice yet."""
    if query.start.year < 2000:
        raise InvalidInput.single("start", _("The calendar starts in 2000."))
    result = add_working_days(start=query.start, days=query.days)
    return WorkingDateOut(date=result.date, provisional=result.provisional)

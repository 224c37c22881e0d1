"""API authentication: bearer tokens issued by ``POST /api/v1/auth/token``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from zoneops.accounts.selectors import user_for_token


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token=token)
        if user is None:
            return None
        # Selectors read request.user whichever way the caller authenticated.
        request.user = user
        return user

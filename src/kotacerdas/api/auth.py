"""API authentication: the browser's session (with CSRF) or a per-user bearer token for systems."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from kotacerdas.accounts.actions import authenticate_token

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_token(token)
        if user is None:
            return None
        if request.method in WRITE_METHODS and "write" not in user._kc_token_scopes:
            return None
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """Django's session cookie; CSRF is checked for unsafe methods like Django does for forms."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


token_auth = TokenAuth()
session_auth = SessionAuth()
authenticated = [token_auth, session_auth]


class OptionalAuth(SessionAuth):
    """For public endpoints that show more to a signed-in user: never refuses."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            user = token_auth.authenticate(request, header.split(" ", 1)[1].strip())
            if user is not None:
                return user
        return getattr(request, "user", None) or True


optional_auth = OptionalAuth()

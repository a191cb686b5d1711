"""API authentication: the browser's session (with CSRF) or a per-user bearer token for systems."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from kotacerdas.accounts.actions import authenticate_token

from .errors import ApiError

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_token(token)
        if user is None:
            return None
        if request.method in WRITE_METHODS and "write" not in user._kc_token_scopes:
            # A valid token without the scope: say so (403), rather than falling through to the session
            # check and answering about a CSRF token the caller never meant to use.
            raise ApiError(403, "Token ini hanya boleh membaca (cakupan read); perubahan perlu token dengan cakupan "
                                "write / this token is read-only: writes need the write scope",
                           "insufficient_scope")
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """Django's session cookie; CSRF is checked for unsafe methods like Django does for forms — only
    when there is a signed-in session to protect: a caller without one gets 401, not a CSRF error."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        try:
            return super()._get_key(request)
        except HttpError:
            raise ApiError(403, "Pemeriksaan CSRF gagal: kirim header X-CSRFToken dari cookie csrftoken, atau "
                                "pakai token API / CSRF check failed", "csrf_failed") from None

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

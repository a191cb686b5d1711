"""Turn a lost database connection into a plain 503 page instead of a traceback."""

from __future__ import annotations

from collections.abc import Callable

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OperationalError | InterfaceError) or (
            isinstance(exception, DatabaseError) and "connection" in str(exception).lower()
        ):
            body = {"detail": "Basis data sedang tidak tersedia. Coba lagi sebentar lagi.", "code": "db_unavailable"}
            if request.path.startswith("/api/") or request.path == "/healthz":
                response: HttpResponse = JsonResponse(body, status=503)
            else:
                response = HttpResponse(body["detail"], status=503, content_type="text/plain; charset=utf-8")
            response["Retry-After"] = "5"
            return response
        return None

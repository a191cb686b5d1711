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
        return unavailable_response(request) if is_db_outage(exception) else None


def is_db_outage(exception: BaseException | None) -> bool:
    return isinstance(exception, OperationalError | InterfaceError) or (
        isinstance(exception, DatabaseError) and "connection" in str(exception).lower())


def unavailable_response(request: HttpRequest) -> HttpResponse:
    body = {"detail": "Basis data sedang tidak tersedia. Coba lagi sebentar lagi.", "code": "db_unavailable"}
    if request.path.startswith("/api/") or request.path == "/healthz":
        response: HttpResponse = JsonResponse(body, status=503)
    else:
        response = HttpResponse(body["detail"], status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "5"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: Django calls it inside its `except` block, so the exception is at hand. A database
    outage anywhere (also in another middleware, e.g. loading the session) becomes a 503, never a 500."""
    import sys

    from django.views.defaults import server_error as default_server_error

    if is_db_outage(sys.exc_info()[1]):
        return unavailable_response(request)
    return default_server_error(request)


class DefaultIndonesianLocaleMiddleware:
    """Indonesian unless the person chose another language (the language switch sets a cookie).
    Unlike Django's LocaleMiddleware, the browser's Accept-Language is ignored: most office PCs run
    an English browser, and the product's working language is Indonesian."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers["Vary"] = ", ".join(filter(None, [response.headers.get("Vary"), "Cookie"]))
        return response


class RejectNulMiddleware:
    """A NUL character has no business in a URL or form field, and PostgreSQL cannot store one in text:
    answer 400 with a clear message instead of failing deep inside a query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        suspects = [request.path, *request.GET.keys(), *(v for vs in request.GET.lists() for v in vs[1])]
        if request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded",
                                                                  "multipart/form-data"):
            suspects += [v for vs in request.POST.lists() for v in vs[1]]
        if any("\x00" in s for s in suspects):
            body = {"detail": "Karakter NUL (\\x00) tidak diizinkan dalam alamat atau isian", "code": "invalid"}
            if request.path.startswith("/api/"):
                return JsonResponse(body, status=400)
            return HttpResponse(body["detail"], status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

"""One error shape for every API failure: {"detail": ..., "code": ..., "field"?: ...}."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError


class ApiError(Exception):
    def __init__(self, status: int, detail: str, code: str, field: str | None = None,
                 context: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.code, self.field = status, detail, code, field
        self.context = context or {}


def not_found(what: str, key: str) -> ApiError:
    return ApiError(404, f"{what} dengan kode {key!r} tidak ditemukan", "not_found")


def invalid(field: str, detail: str) -> ApiError:
    return ApiError(422, detail, "invalid", field)


def install(api: NinjaAPI) -> None:
    @api.exception_handler(ApiError)
    def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        body: dict[str, Any] = {"detail": exc.detail, "code": exc.code}
        if exc.field:
            body["field"] = exc.field
        if exc.context:
            body["context"] = exc.context
        return api.create_response(request, body, status=exc.status)

    from kotacerdas.core.errors import ActionError

    @api.exception_handler(ActionError)
    def _action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
        if "field" in exc.context:
            body["field"] = exc.context["field"]
        extra = {k: v for k, v in exc.context.items() if k != "field"}
        if extra:
            body["context"] = extra
        return api.create_response(request, body, status=exc.status)

    @api.exception_handler(ValueError)
    def _value(request: HttpRequest, exc: ValueError) -> HttpResponse:
        # A JSON body may still carry "\u0000", which PostgreSQL refuses to store in text.
        if "NUL" in str(exc) or "\x00" in str(exc):
            return api.create_response(request, {"detail": "Karakter NUL (\\x00) tidak diizinkan",
                                                 "code": "invalid"}, status=422)
        raise exc

    @api.exception_handler(PermissionError)
    def _perm(request: HttpRequest, exc: PermissionError) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc), "code": "forbidden"}, status=403)

    @api.exception_handler(ValidationError)
    def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = []
        for err in exc.errors:
            loc = [str(p) for p in err.get("loc", []) if p not in ("query", "path", "body", "form")]
            errors.append({"field": ".".join(loc), "message": err.get("msg", "")})
        first = errors[0]["field"] if errors else ""
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return api.create_response(
            request, {"detail": detail, "code": "invalid", "field": first, "errors": errors}, status=422)

    @api.exception_handler(AuthenticationError)
    def _auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(request, {"detail": "Perlu masuk / authentication required",
                                             "code": "unauthenticated"}, status=401)

    @api.exception_handler(Http404)
    def _404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": "Tidak ditemukan / not found", "code": "not_found"},
                                   status=404)

    from .parser import UnsafeText

    def _unsafe_response(request: HttpRequest, exc: UnsafeText) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc), "code": "invalid", "field": exc.field}, status=422)

    @api.exception_handler(UnsafeText)
    def _unsafe(request: HttpRequest, exc: UnsafeText) -> HttpResponse:
        return _unsafe_response(request, exc)

    @api.exception_handler(HttpError)
    def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, UnsafeText):  # ninja wraps what the body parser raises
            return _unsafe_response(request, exc.__cause__)
        return api.create_response(request, {"detail": str(exc), "code": "error"}, status=exc.status_code)

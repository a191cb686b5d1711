from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse

from kotacerdas import __version__


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness plus a real round trip to the database, for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        db = {"status": "ok", "vendor": connection.vendor}
        status = 200
    except Exception as exc:  # any driver error means "down" to a health check
        db = {"status": "error", "vendor": connection.vendor, "error": exc.__class__.__name__}
        status = 503
    return JsonResponse({"status": "ok" if status == 200 else "degraded", "version": __version__, "database": db},
                        status=status)

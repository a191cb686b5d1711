from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpRequest, JsonResponse

from kotacerdas import __version__


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness plus a real round trip to the database, for load balancers and monitoring; and the
    background work: a missing worker or a stuck queue makes `status` "degraded" and is named in
    `problems` (the web itself still answers 200: taking it out of a load balancer would not help)."""
    problems: list[str] = []
    body: dict[str, Any] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        db = {"status": "ok", "vendor": connection.vendor}
        status = 200
        from .jobs import worker_health

        body.update(worker_health())
        if body["worker"]["status"] != "ok":
            problems.append("worker_missing")
        if body["queue"]["status"] != "ok":
            problems.append("queue_stuck")
    except Exception as exc:  # any driver error means "down" to a health check
        db = {"status": "error", "vendor": connection.vendor, "error": exc.__class__.__name__}
        status = 503
        problems.append("database_unavailable")
    return JsonResponse({"status": "degraded" if problems else "ok", "version": __version__, "database": db,
                         **body, "problems": problems}, status=status)

"""Refusals people can read: the public is sent to the login page, a signed-in person gets a page in
their language saying why (the refusing check's own message) and where to go instead."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    """handler403."""
    reason = str(exception or "").strip() if exception is not None else ""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "forbidden", "detail": reason or _("Tidak diizinkan")}, status=403)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        if request.headers.get("HX-Request"):
            from django.conf import settings
            from django.shortcuts import resolve_url

            response = HttpResponse(status=401)
            response["HX-Redirect"] = f"{resolve_url(settings.LOGIN_URL)}?next={request.get_full_path()}"
            return response
        return redirect_to_login(request.get_full_path())
    from kotacerdas.accounts import roles

    home = roles.home_region(user)
    return render(request, "web/403.html", {
        "reason": reason or _("Anda tidak berhak membuka halaman ini atau menjalankan tindakan ini."),
        "home_region": home, "back": request.headers.get("Referer", ""),
    }, status=403)

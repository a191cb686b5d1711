"""Two-factor authentication is mandatory for national admins and assessors: until they have set up
TOTP, every page sends them to the set-up page (they may still log out or reach static files)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from . import roles
from .choices import Role

MFA_ROLES = (Role.NATIONAL_ADMIN, Role.ASSESSOR)


def needs_mfa_setup(user: object) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if not (roles.is_national_admin(user) or roles.has_role(user, Role.ASSESSOR)):  # type: ignore[arg-type]
        return False
    from allauth.mfa.models import Authenticator

    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class RequireMFAMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if needs_mfa_setup(getattr(request, "user", None)) and not self._allowed(request.path):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Aktifkan autentikasi dua faktor (TOTP) terlebih dahulu",
                                     "code": "mfa_required"}, status=403)
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        return path.startswith(("/akun/", "/static/", "/healthz", "/i18n/", "/keluar/"))

"""Who acts, for the type checker. settings.AUTH_USER_MODEL is Django's default, so the project's user model is
``django.contrib.auth.models.User``: the actions take one as their ``actor``.

``request.user`` is typed ``User | AnonymousUser``; behind ``login_required`` (and on API endpoints with
``auth=authenticated``) it is always a signed-in ``User``, which ``AuthenticatedHttpRequest`` says. At run time
it is plain ``HttpRequest`` (django-ninja resolves the annotation of ``request`` too)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    class AuthenticatedHttpRequest(HttpRequest):
        user: User
else:
    AuthenticatedHttpRequest = HttpRequest

__all__ = ["AuthenticatedHttpRequest"]

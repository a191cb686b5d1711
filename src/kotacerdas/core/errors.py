"""The refusals every action can raise, and the one permission check they share. Ground level: imports no app,
so every app (and the API and web layers) can raise and catch these."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class ActionError(Exception):
    """A refused action; the message is for people (in the request's language, Indonesian by default: raise
    sites pass gettext(...)), `code` for programs."""

    code = "refused"
    status = 400

    def __init__(self, message: str, **context: object) -> None:
        super().__init__(message)
        self.message = message
        self.context = context


class NotAllowed(ActionError):
    code = "forbidden"
    status = 403


class InvalidTransition(ActionError):
    code = "invalid_transition"
    status = 409


class StaleEdit(ActionError):
    code = "stale"
    status = 409


class DeadlinePassed(ActionError):
    code = "deadline_passed"
    status = 409


class InvalidInput(ActionError):
    code = "invalid"
    status = 422


class DuplicateEvidence(ActionError):
    """The same file (by content) or link is already attached; `context["evidence"]` is the one there."""

    code = "duplicate"
    status = 409


def require(predicate: Any, user: AbstractBaseUser | AnonymousUser, obj: Any, message: str) -> None:
    """Raise `NotAllowed(message)` unless the django-rules `predicate` holds for (user, obj)."""
    if not predicate.test(user, obj):
        raise NotAllowed(message)

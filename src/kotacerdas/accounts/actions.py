"""Every change to accounts goes through here, and every change anywhere writes an audit event."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.utils.translation import gettext as _

from .models import AuditEvent


def record_event(
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    obj: models.Model | None = None,
    *,
    object_type: str = "",
    object_id: str = "",
    region_code: str = "",
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        region_code = region_code or str(getattr(obj, "region_id", "") or "")
    user: Any = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user, action=action, object_type=object_type, object_id=object_id, region_code=region_code,
        from_state=from_state, to_state=to_state, reason=reason, data=data or {},
    )


def _hash_token(raw: str) -> str:
    import hashlib

    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def do_create_token(actor: Any, user: Any, name: str, scopes: list[str] | None = None) -> tuple[Any, str]:
    """Create a token for `user`; returns (token, raw key). The raw key is shown once and never stored."""
    import secrets

    from .models import ApiToken

    if actor.pk != user.pk and not getattr(actor, "is_superuser", False):
        from . import roles

        if not roles.is_national_admin(actor):
            raise PermissionError(_("Hanya pemilik akun atau admin nasional yang membuat token"))
    scopes = sorted(set(scopes or ["read"]))
    unknown = set(scopes) - {"read", "write"}
    if unknown:
        raise ValueError(_("Cakupan tidak dikenal: %(names)s") % {"names": ", ".join(sorted(unknown))})
    raw = "kc_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:10], key_hash=_hash_token(raw), scopes=scopes)
    record_event(actor, "accounts.create_token", token, data={"user": user.username, "scopes": scopes})
    return token, raw


def do_revoke_token(actor: Any, token: Any, reason: str = "") -> Any:
    from django.utils import timezone

    from . import roles
    from .models import ApiToken

    if actor.pk != token.user_id and not roles.is_national_admin(actor):
        raise PermissionError(_("Hanya pemilik token atau admin nasional yang mencabut token"))
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    record_event(actor, "accounts.revoke_token", token, to_state="revoked", reason=reason)
    token.refresh_from_db()
    return token


def authenticate_token(raw: str) -> Any:
    """Return the token's user if the token is valid and not revoked, else None."""
    from django.utils import timezone

    from .models import ApiToken

    token = ApiToken.objects.select_related("user").filter(key_hash=_hash_token(raw), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    setattr(token.user, "_kc_token_scopes", set(token.scopes or ["read"]))  # noqa: B010
    return token.user

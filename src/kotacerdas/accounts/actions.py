"""Every change to accounts goes through here, and every change anywhere writes an audit event."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models, transaction
from django.utils.translation import gettext as _

from kotacerdas.core import dataversion

from .models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from .models import ApiToken, Membership


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
    event = AuditEvent.objects.create(
        actor=user, action=action, object_type=object_type, object_id=object_id, region_code=region_code,
        from_state=from_state, to_state=to_state, reason=reason, data=data or {},
    )
    # In the action's transaction, like the event: cached pages see the change exactly when it commits.
    dataversion.touch(action, region_code)
    return event


def record_events(rows: list[dict[str, Any]]) -> None:
    """Many audit events at once, as plain rows (AuditEvent fields by attname: at, actor_id, action, ...),
    for the bulk writers (a national recompute, participants and assignments in bulk): COPY on PostgreSQL
    (core.bulk). They bypass ``record_event``, so the data versions are bumped here, in the same
    transaction."""
    from kotacerdas.core import bulk

    dataversion.touch_many((row["action"], row.get("region_code", "")) for row in rows)
    bulk.insert(AuditEvent, rows)


def _hash_token(raw: str) -> str:
    import hashlib

    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def do_create_token(actor: User, user: User, name: str, scopes: list[str] | None = None) -> tuple[ApiToken, str]:
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
    from .rules import can_hold_write_token

    if "write" in scopes and not can_hold_write_token.test(user):
        raise PermissionError(_("Peran ini hanya membaca; token dengan cakupan write tidak bisa dibuat"))
    raw = "kc_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:10], key_hash=_hash_token(raw), scopes=scopes)
    record_event(actor, "accounts.create_token", token, data={"user": user.username, "scopes": scopes})
    return token, raw


def do_revoke_token(actor: User, token: ApiToken, reason: str = "") -> ApiToken:
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


# --- people: invitations, roles and memberships, deactivation ---------------------------------------

# What a regional coordinator may hand out, in their own region only.
COORDINATOR_MAY_GRANT = ("operator", "executive")
EXPERIENCE = ("", "A", "B", "AB")


def may_grant(actor: User, role: str, region_code: str | None) -> bool:
    """National admins give any role anywhere; a regional coordinator gives the operator and executive
    roles of their own region; nobody else gives roles."""
    from . import roles
    from .choices import Role

    if roles.is_national_admin(actor):
        return True
    return (role in COORDINATOR_MAY_GRANT and region_code is not None
            and region_code in roles.regions_for(actor, Role.COORDINATOR))


def check_membership(role: str, region: Any = None, unit: Any = None, experience: str = "") -> tuple[Any, Any]:
    """Validate where a role is held; returns (region code or None, unit or None). Raises InvalidInput."""
    from kotacerdas.catalogue.models import Unit
    from kotacerdas.core.errors import InvalidInput
    from kotacerdas.regions.models import Region

    from .choices import Role

    if role not in Role.values:
        raise InvalidInput(_("Peran %(role)r tidak dikenal") % {"role": role}, field="role")
    if experience not in EXPERIENCE:
        raise InvalidInput(_("Pengalaman kelas harus A, B atau AB"), field="experience")
    if experience and role != Role.ASSESSOR:
        raise InvalidInput(_("Pengalaman kelas hanya untuk asesor"), field="experience")
    code = getattr(region, "code", region) or None
    unit_obj = None
    if unit not in (None, ""):
        unit_obj = unit if isinstance(unit, Unit) else Unit.objects.filter(pk=unit).first() if str(unit).isdigit() \
            else Unit.objects.filter(region_id=code, short_name=unit).first()
        if unit_obj is None:
            raise InvalidInput(_("Unit kerja %(unit)r tidak dikenal") % {"unit": str(unit)}, field="unit")
    if role == Role.OPERATOR:
        if unit_obj is None:
            raise InvalidInput(_("Operator unit memerlukan unit kerja"), field="unit")
        if code and code != unit_obj.region_id:
            raise InvalidInput(_("Unit kerja bukan milik wilayah %(region)s") % {"region": code}, field="unit")
        code = unit_obj.region_id
    elif unit_obj is not None:
        raise InvalidInput(_("Unit kerja hanya untuk operator unit"), field="unit")
    if role in (Role.COORDINATOR, Role.EXECUTIVE) and not code:
        raise InvalidInput(_("Peran ini memerlukan kabupaten/kota"), field="region")
    if role == Role.NATIONAL_ADMIN and code:
        raise InvalidInput(_("Admin nasional tidak terikat wilayah"), field="region")
    if code and not Region.objects.filter(code=code, level="kabkota").exists():
        raise InvalidInput(_("Kode kabupaten/kota %(code)r tidak dikenal") % {"code": code}, field="region")
    return code, unit_obj


def _refuse_unless_may_grant(actor: User, role: str, region_code: str | None) -> None:
    from kotacerdas.core.errors import NotAllowed

    if not may_grant(actor, role, region_code):
        raise NotAllowed(_("Anda tidak boleh memberi peran ini di wilayah ini: koordinator daerah hanya mengundang "
                           "operator unit dan pimpinan daerah wilayahnya sendiri"))


def invitation_url(user: User) -> str:
    """A set-password link for ``user`` through allauth's password-reset-from-key page (the same token
    as its password reset mail)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str
    from django.conf import settings
    from django.urls import reverse

    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"}).replace("UID-KEY", key)
    return settings.SITE_ROOT.rstrip("/") + path


def send_invitation(user: User, inviter: User, role: str) -> int:
    from django.conf import settings
    from django.core.mail import send_mail

    from .choices import Role

    who = getattr(inviter, "get_full_name", lambda: "")() or getattr(inviter, "email", "") or "kotacerdas"
    body = (f"Anda diundang oleh {who} ke kotacerdas sebagai {Role(role).label}.\n"
            f"You have been invited to kotacerdas as {role}.\n\n"
            f"Buat kata sandi Anda / set your password:\n{invitation_url(user)}\n\n"
            f"Lalu masuk / then sign in: {settings.SITE_ROOT.rstrip('/')}/akun/login/ ({user.email})\n")
    return send_mail("[kotacerdas] Undangan / invitation", body, settings.DEFAULT_FROM_EMAIL, [user.email],
                     fail_silently=True)


@transaction.atomic
def do_invite(actor: User, email: str, *, role: str, region: Any = None, unit: Any = None, experience: str = "",
              name: str = "", send: bool = True) -> User:
    """Create an account without a password for ``email`` with one role, and mail a link to set the
    password. A national admin invites anyone; a coordinator the operators and executive of their region."""
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from kotacerdas.core.errors import InvalidInput

    from .models import Membership

    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput(_("Alamat email tidak sah: %(email)s") % {"email": email}, field="email") from exc
    code, unit_obj = check_membership(role, region, unit, experience)
    _refuse_unless_may_grant(actor, role, code)
    User = get_user_model()
    if User.objects.filter(models.Q(username__iexact=email) | models.Q(email__iexact=email)).exists():
        raise InvalidInput(_("Sudah ada akun untuk %(email)s; beri peran pada akun itu") % {"email": email},
                           field="email")
    first, _sep, last = name.strip().partition(" ")
    user = User.objects.create_user(email, email=email, first_name=first[:150], last_name=last[:150])
    user.set_unusable_password()
    user.save(update_fields=["password"])
    membership = Membership.objects.create(user=user, role=role, region_id=code, unit=unit_obj, experience=experience)
    record_event(actor, "accounts.invite", user, region_code=code or "", to_state=role,
                 data={"email": email, "role": role, "membership": membership.pk, "experience": experience})
    if send:
        send_invitation(user, actor, role)
    return user


@transaction.atomic
def do_grant_role(actor: User, user: User, role: str, *, region: Any = None, unit: Any = None,
                  experience: str = "") -> Membership:
    """Give ``user`` a role (or take it up again if it was taken away); an assessor's kelas experience is
    updated in place."""
    from .models import Membership

    code, unit_obj = check_membership(role, region, unit, experience)
    _refuse_unless_may_grant(actor, role, code)
    membership = Membership.objects.filter(user=user, role=role, region_id=code, unit=unit_obj).first()
    if membership is None:
        membership = Membership.objects.create(user=user, role=role, region_id=code, unit=unit_obj,
                                               experience=experience)
        before = ""
    else:
        before = "active" if membership.active else "inactive"
        Membership.objects.filter(pk=membership.pk).update(active=True, experience=experience)
        membership.refresh_from_db()
    record_event(actor, "accounts.grant_role", membership, region_code=code or "", from_state=before,
                 to_state="active", data={"user": user.username, "role": role, "experience": experience})
    return membership


@transaction.atomic
def do_revoke_role(actor: User, membership: Membership, reason: str = "") -> Membership:
    """Take a role away (the membership is kept, inactive)."""
    from .models import Membership

    _refuse_unless_may_grant(actor, membership.role, membership.region_id)
    Membership.objects.filter(pk=membership.pk).update(active=False)
    record_event(actor, "accounts.revoke_role", membership, region_code=membership.region_id or "",
                 from_state="active" if membership.active else "inactive", to_state="inactive", reason=reason,
                 data={"user": membership.user.username, "role": membership.role})
    membership.refresh_from_db()
    return membership


@transaction.atomic
def do_set_active(actor: User, user: User, active: bool, reason: str = "") -> User:
    """Deactivate (or reactivate) an account: it can no longer sign in or use its tokens. Never deleted.
    National admins only; nobody deactivates themselves."""
    from django.contrib.auth import get_user_model

    from kotacerdas.core.errors import InvalidInput, NotAllowed

    from . import roles

    if not roles.is_national_admin(actor):
        raise NotAllowed(_("Hanya admin nasional yang menonaktifkan akun"))
    if user.pk == getattr(actor, "pk", None) and not active:
        raise InvalidInput(_("Anda tidak bisa menonaktifkan akun Anda sendiri"), field="user")
    before = user.is_active
    get_user_model().objects.filter(pk=user.pk).update(is_active=active)
    user.refresh_from_db()
    record_event(actor, "accounts.activate" if active else "accounts.deactivate", user,
                 from_state="active" if before else "inactive", to_state="active" if active else "inactive",
                 reason=reason)
    return user

"""People through the API: users and their roles (national admin: everyone; region coordinator: the
people of their region), invitations, the spreadsheet import of users, granting and revoking roles and
(de)activating accounts. Every change goes through accounts.actions (permission + audit event)."""

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from kotacerdas.accounts import actions as account_actions
from kotacerdas.accounts import filters as people_filters
from kotacerdas.accounts import roles
from kotacerdas.accounts.choices import Role
from kotacerdas.accounts.imports import UserImportFailed, import_users
from kotacerdas.accounts.models import Membership
from kotacerdas.accounts.types import AuthenticatedHttpRequest
from kotacerdas.core.errors import InvalidInput, NotAllowed

from .auth import authenticated
from .errors import not_found
from .national import REFUSALS, ReasonIn, read_upload, require_admin
from .schemas import ErrorOut

if TYPE_CHECKING:
    from django.contrib.auth.models import User

router = Router(tags=["administrasi nasional"], auth=authenticated)


class MembershipOut(Schema):
    id: int
    role: str
    region: str | None
    unit: int | None
    experience: str
    active: bool


class UserOut(Schema):
    id: int
    email: str
    name: str
    is_active: bool
    has_password: bool
    memberships: list[MembershipOut]


def _user_out(u: Any) -> dict[str, Any]:
    return {"id": u.pk, "email": u.email, "name": u.get_full_name(), "is_active": u.is_active,
            "has_password": u.has_usable_password(),
            "memberships": [{"id": m.pk, "role": m.role, "region": m.region_id, "unit": m.unit_id,
                             "experience": m.experience, "active": m.active} for m in u.memberships.all()]}


def _may_see(actor: "User", user: "User") -> bool:
    if roles.is_national_admin(actor):
        return True
    mine = roles.regions_for(actor, "coordinator")
    return bool(mine) and any(m.region_id in mine for m in user.memberships.all())


class UserFilter(Schema):
    q: str = Field("", max_length=254, description="Cari pada email atau nama / search email or name")
    role: Role | None = Field(None, description="Hanya yang memegang peran ini (aktif) / holding this role now")


@router.get("/users", response={200: list[UserOut], **REFUSALS},
            summary="Pengguna (admin: semua; koordinator: wilayahnya)")
def list_users(request: HttpRequest, filters: Query[UserFilter]):  # type: ignore[no-untyped-def]
    actor = request.user
    qs = get_user_model().objects.prefetch_related("memberships").order_by("email")
    if not roles.is_national_admin(actor):
        mine = roles.regions_for(actor, "coordinator")
        if not mine:
            raise NotAllowed("Hanya admin nasional atau koordinator daerah / admins and coordinators only")
        qs = qs.filter(memberships__region_id__in=mine).distinct()
    # The same FilterSet as the national people screen /nasional/kelola/orang/ (accounts.filters).
    qs = people_filters.users(qs, {"q": filters.q, "role": filters.role.value if filters.role else ""})
    return [_user_out(u) for u in qs[:1000]]


class InviteIn(Schema):
    email: str = Field(max_length=254)
    name: str = Field("", max_length=300)
    role: str
    region: str | None = Field(None, pattern=r"^\d{2}\.\d{2}$")
    unit: int | None = Field(None, ge=1, le=2_147_483_647)
    experience: str = Field("", pattern=r"^(|A|B|AB)$")


@router.post("/users/invitations", response={201: UserOut, **REFUSALS},
             summary="Undang pengguna (email berisi tautan membuat kata sandi)")
def invite(request: AuthenticatedHttpRequest, body: InviteIn):  # type: ignore[no-untyped-def]
    user = account_actions.do_invite(request.user, body.email, role=body.role, region=body.region, unit=body.unit,
                                     experience=body.experience, name=body.name)
    return 201, _user_out(user)


class UsersImportOut(Schema):
    ok: bool
    rows: int
    created: int
    errors: list[dict[str, Any]]


@router.post("/users/import", response={200: UsersImportOut, 413: ErrorOut, **REFUSALS},
             summary="Impor pengguna dari Excel/CSV (semua-atau-tidak, galat per baris)")
def users_import(request: AuthenticatedHttpRequest, file: File[UploadedFile], dry_run: Form[bool] = False):  # type: ignore[no-untyped-def]
    if not (roles.is_national_admin(request.user) or roles.regions_for(request.user, "coordinator")):
        raise NotAllowed("Hanya admin nasional atau koordinator daerah / admins and coordinators only")
    try:
        report = import_users(request.user, read_upload(file), file.name or "", dry_run=dry_run)
    except UserImportFailed as exc:
        if exc.report.forbidden:
            raise NotAllowed("; ".join(str(e) for e in exc.report.errors if e.forbidden)[:2000],
                             errors=[e.to_dict() for e in exc.report.errors[:200]]) from exc
        raise InvalidInput("; ".join(str(e) for e in exc.report.errors[:10]), field="file",
                           errors=[e.to_dict() for e in exc.report.errors[:200]]) from exc
    return report.to_dict()


class RoleIn(Schema):
    role: str
    region: str | None = Field(None, pattern=r"^\d{2}\.\d{2}$")
    unit: int | None = Field(None, ge=1, le=2_147_483_647)
    experience: str = Field("", pattern=r"^(|A|B|AB)$")


@router.post("/users/{user_id}/memberships", response={201: UserOut, **REFUSALS}, summary="Beri peran")
def grant(request: AuthenticatedHttpRequest, user_id: int, body: RoleIn):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or not (roles.is_national_admin(request.user) or roles.regions_for(request.user, "coordinator")):
        raise not_found("Pengguna", str(user_id))
    account_actions.do_grant_role(request.user, user, body.role, region=body.region, unit=body.unit,
                                  experience=body.experience)
    return 201, _user_out(user)


@router.post("/memberships/{membership_id}/revoke", response={200: UserOut, **REFUSALS}, summary="Cabut peran")
def revoke(request: AuthenticatedHttpRequest, membership_id: int, body: ReasonIn):  # type: ignore[no-untyped-def]
    m = Membership.objects.select_related("user").filter(pk=membership_id).first()
    if m is None or not _may_see(request.user, m.user):
        raise not_found("Keanggotaan", str(membership_id))
    account_actions.do_revoke_role(request.user, m, body.reason)
    return _user_out(m.user)


class ActiveIn(Schema):
    active: bool
    reason: str = Field("", max_length=2000)


@router.post("/users/{user_id}/active", response={200: UserOut, **REFUSALS},
             summary="Nonaktifkan / aktifkan akun (tidak pernah dihapus)")
def set_active(request: AuthenticatedHttpRequest, user_id: int, body: ActiveIn):  # type: ignore[no-untyped-def]
    require_admin(request)
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise not_found("Pengguna", str(user_id))
    return _user_out(account_actions.do_set_active(request.user, user, body.active, body.reason))

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from kotacerdas.accounts.actions import do_create_token, do_revoke_token
from kotacerdas.accounts.models import ApiToken
from kotacerdas.accounts.types import AuthenticatedHttpRequest

from .auth import authenticated
from .errors import ApiError, invalid, not_found
from .schemas import ErrorOut

Scope = Literal["read", "write"]
router = Router(tags=["token API"], auth=authenticated)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scopes: list[Scope]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    key: str = Field(description="Kunci token; ditampilkan SEKALI ini saja / shown once")


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=80)
    scopes: list[Scope] = Field(default_factory=lambda: list[Scope](["read"]), description='"read" dan/atau "write"')


class RevokeIn(Schema):
    reason: str = Field("", max_length=500)


def _out(token: ApiToken) -> dict:  # type: ignore[type-arg]
    return {"id": token.pk, "name": token.name, "prefix": token.prefix, "scopes": list(token.scopes or ["read"]),
            "created_at": token.created_at, "last_used_at": token.last_used_at, "revoked_at": token.revoked_at}


@router.get("/tokens", response=list[TokenOut], summary="Token API milik Anda")
def list_tokens(request: HttpRequest):  # type: ignore[no-untyped-def]
    return [_out(t) for t in ApiToken.objects.filter(user_id=request.user.pk or 0).order_by("-created_at", "-id")]


@router.post("/tokens", response={201: TokenCreated, 422: ErrorOut}, summary="Buat token API (kunci tampil sekali)")
def create_token(request: AuthenticatedHttpRequest, body: TokenIn):  # type: ignore[no-untyped-def]
    try:
        token, raw = do_create_token(request.user, request.user, body.name.strip(), list(body.scopes))
    except ValueError as exc:
        raise invalid("scopes", str(exc)) from exc
    return 201, {**_out(token), "key": raw}


@router.post("/tokens/{token_id}/revoke", response={200: TokenOut, 404: ErrorOut},
             summary="Cabut token (tidak bisa dibatalkan)")
def revoke_token(request: AuthenticatedHttpRequest, token_id: int, body: RevokeIn):  # type: ignore[no-untyped-def]
    from kotacerdas.accounts import roles

    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None or (token.user_id != request.user.pk and not roles.is_national_admin(request.user)):
        raise not_found("Token", str(token_id))
    if token.revoked_at is not None:
        raise ApiError(409, _("Token sudah dicabut"), "invalid_transition")
    return _out(do_revoke_token(request.user, token, body.reason))

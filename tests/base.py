"""One named actor per role, so every test reads as a story of who may see what.

alice — national admin; andi, ayu, arif — assessors; citra — coordinator of Banyuasin;
oki — operator of Disdukcapil Banyuasin; eka — executive (Bupati) of Banyuasin;
mira — coordinator of Musi Banyuasin (another region); the public is the anonymous client.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.test import Client

from kotacerdas.accounts.choices import Role
from kotacerdas.accounts.models import Membership
from kotacerdas.catalogue.models import Unit

PASSWORD = "rahasia-yang-panjang-123"


@dataclass
class Actors:
    alice: User
    andi: User
    ayu: User
    arif: User
    citra: User
    oki: User
    eka: User
    mira: User

    def client(self, user: User | None) -> Client:
        c = Client()
        if user is not None:
            c.force_login(user)
        return c


def _user(username: str, role: str, region: str | None = None, unit: Unit | None = None) -> User:
    User = get_user_model()
    user = User.objects.create_user(username, email=username, password=PASSWORD, first_name=username.split("@")[0])
    Membership.objects.create(user=user, role=role, region_id=region, unit=unit)
    return user


TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _with_totp(user: User) -> User:
    # Admins and assessors must have two-factor authentication; give them TOTP like real ones have.
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, TEST_TOTP_SECRET)
    return user


def make_actors() -> Actors:
    dukcapil = Unit.objects.get(region_id="16.07", short_name="Disdukcapil")
    return Actors(
        alice=_with_totp(_user("alice@test.id", Role.NATIONAL_ADMIN)),
        andi=_with_totp(_user("andi@test.id", Role.ASSESSOR)),
        ayu=_with_totp(_user("ayu@test.id", Role.ASSESSOR)),
        arif=_with_totp(_user("arif@test.id", Role.ASSESSOR, region="16.07")),  # lives in Banyuasin: conflict
        citra=_user("citra@test.id", Role.COORDINATOR, region="16.07"),
        oki=_user("oki@test.id", Role.OPERATOR, region="16.07", unit=dukcapil),
        eka=_user("eka@test.id", Role.EXECUTIVE, region="16.07"),
        mira=_user("mira@test.id", Role.COORDINATOR, region="16.06"),
    )


def assign_to_banyuasin(user: User) -> None:
    """Put an assessor on the demo 2024 panel that is assigned to Banyuasin (assessors see only
    regions assigned to their panel)."""
    from kotacerdas.evaluations.models import Panel

    Panel.objects.get(cycle__year=2024, name="Panel B-1").members.add(user)
    for attr in ("_kc_assigned", "_kc_memberships"):
        if hasattr(user, attr):
            delattr(user, attr)

"""Load the Banyuasin demo (units, programmes, users for every role). Idempotent: natural keys
(region + unit name, region + programme code, username) are looked up before anything is written.

`app_loaders()` are the apps' own demo loaders, run after this one in dependency order by `kotacerdas demo`."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import transaction

from kotacerdas.accounts.choices import Role
from kotacerdas.accounts.models import Membership
from kotacerdas.catalogue.models import Programme, SubDimension, Unit
from kotacerdas.regions.models import Region

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DEMO_FILE = Path(__file__).resolve().parent / "demodata" / "banyuasin.toml"
MFA_ROLES = (Role.NATIONAL_ADMIN, Role.ASSESSOR)


@dataclass
class DemoReport:
    created: int = 0
    updated: int = 0

    def bump(self, created: bool, changed: bool) -> None:
        if created:
            self.created += 1
        elif changed:
            self.updated += 1


def _upsert(model: Any, lookup: dict[str, Any], values: dict[str, Any]) -> tuple[Any, bool, bool]:
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values), True, False
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        obj.save(update_fields=changed)
    return obj, False, bool(changed)


def app_loaders() -> list[Callable[[Any], None]]:
    """The apps' own demo loaders, run after the catalogue demo in dependency order; each takes a writable
    stream for its progress lines. Imported here, when the demo runs (monitoring's pulls in Ibis)."""
    from kotacerdas.actionplans.demo import load_demo as actionplans
    from kotacerdas.evaluations.demo import load_demo as evaluations
    from kotacerdas.monitoring.demo import load_demo as monitoring
    from kotacerdas.surveys.demo import load_demo as surveys

    return [evaluations, actionplans, surveys, monitoring]


def read_demo(path: Path = DEMO_FILE) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


@transaction.atomic
def load_catalogue_demo(path: Path = DEMO_FILE) -> DemoReport:
    data = read_demo(path)
    region = Region.objects.get(code=data["region"])
    report = DemoReport()
    units: dict[str, Unit] = {}
    for u in data["units"]:
        unit, created, changed = _upsert(Unit, {"region": region, "name": u["name"]},
                                         {"short_name": u["short"], "kind": u["kind"]})
        units[u["key"]] = unit
        report.bump(created, changed)
    subdims = {s.code: s for s in SubDimension.objects.all()}
    for p in data["programmes"]:
        sub = subdims[p["sub"]]
        app = p.get("app") or {}
        values = {
            "title": p["title"], "owner": units[p["unit"]], "pillar_id": sub.pillar_id, "subdimension": sub,
            "sector": p["sector"], "start_year": p["start"], "status": p["status"],
            "is_application": bool(app), "url": app.get("url", ""), "platform": app.get("platform", ""),
            "hosting": app.get("hosting", ""), "quick_win": p.get("quick_win", False),
            "target_group": p.get("target", ""), "description": p.get("description", ""),
            "masterplan_ref": p.get("masterplan", "Masterplan Smart City Kabupaten Banyuasin 2019–2028"),
            "is_demo": True,
        }
        _obj, created, changed = _upsert(Programme, {"region": region, "code": p["code"]}, values)
        report.bump(created, changed)
    User = get_user_model()
    for u in data["users"]:
        user = User.objects.filter(username=u["username"]).first()
        if user is None:
            first, _, last = u["name"].partition(" ")
            user = User.objects.create_user(u["username"], email=u["username"], password=data["password"],
                                            first_name=first, last_name=last)
            report.created += 1
        unit = units.get(u.get("unit", "")) if u.get("unit") else None
        _m, created, changed = _upsert(
            Membership, {"user": user, "role": u["role"], "region_id": u.get("region"), "unit": unit}, {"active": True})
        report.bump(created, changed)
        if u["role"] in MFA_ROLES and ensure_demo_totp(user, data["totp_secret"]):
            report.created += 1
    return report


def ensure_demo_totp(user: User, secret: str) -> bool:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        return False
    TOTP.activate(user, secret)
    return True

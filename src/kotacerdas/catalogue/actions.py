"""Every change to a region's catalogue: programmes and the units that own them. Each `do_*` checks
permission (catalogue/rules.py), validates, changes state in one transaction and writes an audit event.
The web forms, the programme importer and the Django admin call only these."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kotacerdas.accounts.actions import record_event
from kotacerdas.core.errors import InvalidInput, NotAllowed, StaleEdit, require
from kotacerdas.regions.models import Region

from . import rules as perms
from .choices import AreaScope, Hosting, ProgrammeStatus, Sector, UnitKind
from .models import Programme, SubDimension, Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Editable fields of a programme, foreign keys by id (owner: Unit pk, pillar/subdimension: code),
# kecamatan as a sorted list of region codes.
PROGRAMME_FIELDS = (
    "title", "owner", "subdimension", "pillar", "sector", "start_year", "status", "is_application", "url",
    "platform", "hosting", "quick_win", "target_group", "area_scope", "kecamatan", "description",
    "masterplan_ref", "is_innovation",
)
FK_FIELDS = ("owner", "subdimension", "pillar")
UNIT_FIELDS = ("name", "short_name", "kind")
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
RESERVED_CODES = {"baru"}  # /wilayah/<code>/program/baru/ is the "add" page


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def programme_values(programme: Programme) -> dict[str, Any]:
    """The current editable values of a programme, in the form `do_update_programme` compares against."""
    values = {f: (getattr(programme, f + "_id") if f in FK_FIELDS else getattr(programme, f))
              for f in PROGRAMME_FIELDS if f != "kecamatan"}
    values["kecamatan"] = sorted(programme.kecamatan.values_list("code", flat=True)) if programme.pk else []
    return values


def _normalise(values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name in FK_FIELDS:
            value = _pk(value)
            if name == "owner" and value not in (None, ""):
                try:
                    value = int(value)
                except (TypeError, ValueError):
                    pass
        elif name == "kecamatan":
            value = sorted(str(_pk(k)) for k in (value or []))
        elif name == "start_year" and value not in (None, ""):
            try:
                value = int(value)
            except (TypeError, ValueError):
                pass
        elif isinstance(value, str):
            value = value.strip()
        out[name] = value
    if out.get("subdimension") and not out.get("pillar"):
        sub = SubDimension.objects.filter(pk=out["subdimension"]).first()
        if sub is not None:
            out["pillar"] = sub.pillar_id
    return out


def check_programme(values: Mapping[str, Any], region_code: str) -> dict[str, str]:
    """Checks shared by the form, the importer and the admin. Values are normalised (ids, ints).
    Returns {field: message}; empty means valid."""
    errors: dict[str, str] = {}
    if not (values.get("title") or "").strip():
        errors["title"] = _("Nama program wajib diisi")
    elif len(values["title"]) > 200:
        errors["title"] = _("Nama program paling panjang 200 huruf")
    owner = values.get("owner")
    if not owner or not Unit.objects.filter(pk=owner if isinstance(owner, int) else -1, region_id=region_code,
                                            archived_at__isnull=True).exists():
        errors["owner"] = _("Pilih unit pemilik yang aktif di wilayah ini")
    sub = SubDimension.objects.filter(pk=values.get("subdimension") or "").first()
    if sub is None:
        errors["subdimension"] = _("Sub-dimensi %(code)r tidak dikenal") % {"code": values.get("subdimension")}
    elif values.get("pillar") != sub.pillar_id:
        errors["pillar"] = _("Sub-dimensi %(sub)s bukan bagian pilar %(pillar)s") % {
            "sub": sub.name, "pillar": values.get("pillar")}
    choices: dict[str, Any] = {"sector": Sector, "status": ProgrammeStatus, "hosting": Hosting,
                               "area_scope": AreaScope}
    for name, enum in choices.items():
        if values.get(name, "") not in enum.values:
            errors[name] = _("%(value)r tidak dikenal; pilih: %(choices)s") % {
                "value": values.get(name), "choices": ", ".join(str(label) for label in enum.labels)}
    year = values.get("start_year")
    if not isinstance(year, int) or not 1990 <= year <= timezone.now().year + 5:
        errors["start_year"] = _("Tahun mulai %(value)s tidak masuk akal (1990–%(max)s)") % {
            "value": year, "max": timezone.now().year + 5}
    url = values.get("url") or ""
    if url and not url.startswith(("http://", "https://")):
        errors["url"] = _("Alamat aplikasi harus diawali http:// atau https://")
    for name, limit in (("platform", 80), ("target_group", 200), ("masterplan_ref", 200), ("url", 200)):
        if len(values.get(name) or "") > limit:
            errors[name] = _("Paling panjang %(n)s huruf") % {"n": limit}
    kecamatan = values.get("kecamatan") or []
    if kecamatan:
        known = set(Region.objects.filter(parent_id=region_code, code__in=kecamatan).values_list("code", flat=True))
        unknown = sorted(set(kecamatan) - known)
        if unknown:
            errors["kecamatan"] = _("Bukan kecamatan wilayah ini: %(codes)s") % {"codes": ", ".join(unknown)}
    if values.get("area_scope") == AreaScope.LISTED and not kecamatan:
        errors["kecamatan"] = _("Pilih kecamatan yang dilayani, atau pilih layanan seluruh wilayah")
    return errors


def _defaults() -> dict[str, Any]:
    return {"sector": Sector.PEMERINTAHAN, "status": ProgrammeStatus.RUNNING, "is_application": False,
            "url": "", "platform": "", "hosting": Hosting.NONE, "quick_win": False, "is_innovation": False,
            "target_group": "",
            "area_scope": AreaScope.WHOLE, "kecamatan": [], "description": "", "masterplan_ref": ""}


def _raise_first(errors: dict[str, str]) -> None:
    if errors:
        name, message = next(iter(errors.items()))
        raise InvalidInput(message, field=name, errors=errors)


def _model_kwargs(values: Mapping[str, Any]) -> dict[str, Any]:
    return {(f + "_id" if f in FK_FIELDS else f): v for f, v in values.items() if f != "kecamatan"}


def _audit_value(value: Any) -> Any:
    return value if value is None or isinstance(value, str | int | bool | list) else str(value)


@transaction.atomic
def do_create_programme(actor: User, region: Region, code: str, values: Mapping[str, Any], *,
                        source: str = "form", is_demo: bool = False) -> Programme:
    """Add a programme to the region's catalogue. Coordinators add for any unit of the region, operators
    only for their own unit."""
    data = {**_defaults(), **_normalise(values)}
    unknown = set(data) - set(PROGRAMME_FIELDS)
    if unknown:
        raise InvalidInput(_("Kolom tidak dikenal: %(names)s") % {"names": ", ".join(sorted(unknown))},
                           field=sorted(unknown)[0])
    probe = _probe(region.code, data.get("owner"))
    if not perms.can_add_programme.test(actor, region):
        raise NotAllowed(_("Hanya koordinator daerah atau operator unit yang menambah program"))
    if not perms.can_edit_programme.test(actor, probe):
        raise NotAllowed(_("Operator unit hanya menambah program milik unitnya sendiri"), field="owner")
    code = (code or "").strip().lower()
    if not CODE_RE.match(code) or code in RESERVED_CODES:
        raise InvalidInput(_("Kode hanya huruf kecil, angka dan tanda hubung (mis. jam-kunci), paling panjang 60"),
                           field="code")
    if Programme.objects.filter(region=region, code=code).exists():
        raise InvalidInput(_("Kode %(code)s sudah dipakai di wilayah ini") % {"code": code}, field="code")
    _raise_first(check_programme(data, region.code))
    programme = Programme.objects.create(region=region, code=code, is_demo=is_demo, **_model_kwargs(data))
    if data["kecamatan"]:
        programme.kecamatan.set(data["kecamatan"])
    record_event(actor, "catalogue.create_programme", programme, to_state=programme.status,
                 data={"code": code, "source": source, "values": {k: _audit_value(v) for k, v in data.items()}})
    return programme


def _probe(region_code: str, owner: Any) -> Programme:
    """An unsaved programme of the region and owner, to ask the permission predicates about."""
    probe = Programme(region_id=region_code)
    probe.owner_id = owner if isinstance(owner, int) else None  # type: ignore[assignment]
    return probe


def _stale(programme: Programme, version: int, stored: int | None) -> StaleEdit:
    return StaleEdit(
        _("Program %(code)s sudah diubah orang lain (versi %(stored)s, Anda menyunting versi %(version)s). "
          "Muat ulang halaman, periksa perubahannya, lalu simpan lagi.")
        % {"code": programme.code, "stored": stored, "version": version}, current_version=stored)


@transaction.atomic
def do_update_programme(actor: User, programme: Programme, version: int, changes: Mapping[str, Any], *,
                        source: str = "form", reason: str = "") -> Programme:
    """Change fields of a programme the actor saw at `version` (optimistic lock). Nothing changes, no
    version is spent and no event is written when the values are the same."""
    require(perms.can_edit_programme, actor, programme,
            _("Anda hanya boleh mengubah program milik unit Anda"))
    if programme.archived_at is not None:
        raise InvalidInput(_("Program %(code)s sudah diarsipkan") % {"code": programme.code})
    data = _normalise(changes)
    unknown = set(data) - set(PROGRAMME_FIELDS)
    if unknown:
        raise InvalidInput(_("Kolom tidak dikenal: %(names)s") % {"names": ", ".join(sorted(unknown))},
                           field=sorted(unknown)[0])
    before = programme_values(programme)
    diff = {k: v for k, v in data.items() if before[k] != v}
    stored = Programme.objects.filter(pk=programme.pk).values_list("version", flat=True).first()
    if int(version) != programme.version or int(version) != stored:
        raise _stale(programme, version, stored)
    if not diff:
        return programme
    after = {**before, **diff}
    if "owner" in diff:  # an operator may not hand a programme to another unit
        probe = _probe(programme.region_id, after["owner"])
        if not perms.can_edit_programme.test(actor, probe):
            raise NotAllowed(_("Operator unit tidak boleh memindahkan program ke unit lain"), field="owner")
    _raise_first(check_programme(after, programme.region_id))
    updated = Programme.objects.filter(pk=programme.pk, version=version).update(
        **_model_kwargs(diff), version=F("version") + 1, updated_at=timezone.now())
    if not updated:
        raise _stale(programme, version, Programme.objects.filter(pk=programme.pk)
                     .values_list("version", flat=True).first())
    if "kecamatan" in diff:
        programme.kecamatan.set(after["kecamatan"])
    old_status = programme.status
    programme.refresh_from_db()
    record_event(actor, "catalogue.update_programme", programme, from_state=old_status, to_state=programme.status,
                 reason=reason, data={"code": programme.code, "source": source, "version": programme.version,
                                      "changes": {k: [_audit_value(before[k]), _audit_value(v)]
                                                  for k, v in diff.items()}})
    return programme


@transaction.atomic
def do_archive_programme(actor: User, programme: Programme, reason: str = "", *, source: str = "form") -> Programme:
    """Take a programme out of the catalogue (never deleted: its feedback, evidence and history stay)."""
    require(perms.can_edit_programme, actor, programme,
            _("Anda hanya boleh mengarsipkan program milik unit Anda"))
    if programme.archived_at is None:
        Programme.objects.filter(pk=programme.pk).update(archived_at=timezone.now(), version=F("version") + 1)
        programme.refresh_from_db()
        record_event(actor, "catalogue.archive_programme", programme, to_state="archived", reason=reason,
                     data={"code": programme.code, "source": source})
    return programme


@transaction.atomic
def do_restore_programme(actor: User, programme: Programme, reason: str = "", *, source: str = "form") -> Programme:
    require(perms.can_edit_programme, actor, programme,
            _("Anda hanya boleh memulihkan program milik unit Anda"))
    if programme.archived_at is not None:
        if not Unit.objects.filter(pk=programme.owner_id, archived_at__isnull=True).exists():
            raise InvalidInput(_("Unit pemilik sudah diarsipkan; pulihkan unitnya dulu"), field="owner")
        Programme.objects.filter(pk=programme.pk).update(archived_at=None, version=F("version") + 1)
        programme.refresh_from_db()
        record_event(actor, "catalogue.restore_programme", programme, from_state="archived",
                     to_state=programme.status, reason=reason, data={"code": programme.code, "source": source})
    return programme


# --- units ------------------------------------------------------------------------------------------

def _unit_values(values: Mapping[str, Any]) -> dict[str, Any]:
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    unknown = set(data) - set(UNIT_FIELDS)
    if unknown:
        raise InvalidInput(_("Kolom tidak dikenal: %(names)s") % {"names": ", ".join(sorted(unknown))},
                           field=sorted(unknown)[0])
    return data


def _check_unit(data: Mapping[str, Any], region_code: str, exclude: int | None = None) -> None:
    name = data.get("name") or ""
    if not name:
        raise InvalidInput(_("Nama unit wajib diisi"), field="name")
    if len(name) > 160:
        raise InvalidInput(_("Paling panjang %(n)s huruf") % {"n": 160}, field="name")
    if len(data.get("short_name") or "") > 40:
        raise InvalidInput(_("Paling panjang %(n)s huruf") % {"n": 40}, field="short_name")
    if data.get("kind") not in UnitKind.values:
        raise InvalidInput(_("%(value)r tidak dikenal; pilih: %(choices)s") % {
            "value": data.get("kind"), "choices": ", ".join(str(c.label) for c in UnitKind)}, field="kind")
    same = Unit.objects.filter(region_id=region_code, name__iexact=name)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        raise InvalidInput(_("Unit %(name)s sudah ada di wilayah ini") % {"name": name}, field="name")


@transaction.atomic
def do_create_unit(actor: User, region: Region, values: Mapping[str, Any], *, source: str = "form") -> Unit:
    require(perms.can_manage_catalogue, actor, region, _("Hanya koordinator daerah yang menambah unit kerja"))
    data = {"short_name": "", "kind": UnitKind.OPD, **_unit_values(values)}
    _check_unit(data, region.code)
    unit = Unit.objects.create(region=region, **data)
    record_event(actor, "catalogue.create_unit", unit, data={"source": source, "values": dict(data)})
    return unit


@transaction.atomic
def do_update_unit(actor: User, unit: Unit, changes: Mapping[str, Any], *, source: str = "form") -> Unit:
    require(perms.can_manage_catalogue, actor, unit, _("Hanya koordinator daerah yang mengubah unit kerja"))
    if unit.archived_at is not None:
        raise InvalidInput(_("Unit %(name)s sudah diarsipkan") % {"name": unit.name})
    before = {f: getattr(unit, f) for f in UNIT_FIELDS}
    diff = {k: v for k, v in _unit_values(changes).items() if before[k] != v}
    if not diff:
        return unit
    _check_unit({**before, **diff}, unit.region_id, exclude=unit.pk)
    Unit.objects.filter(pk=unit.pk).update(**diff)
    unit.refresh_from_db()
    record_event(actor, "catalogue.update_unit", unit,
                 data={"source": source, "changes": {k: [before[k], v] for k, v in diff.items()}})
    return unit


def active_programmes_of(units: Iterable[int]) -> int:
    return Programme.objects.active().filter(owner_id__in=list(units)).count()


@transaction.atomic
def do_archive_unit(actor: User, unit: Unit, reason: str = "", *, source: str = "form") -> Unit:
    """Archive a unit that owns no active programme (move or archive its programmes first)."""
    require(perms.can_manage_catalogue, actor, unit, _("Hanya koordinator daerah yang mengarsipkan unit kerja"))
    if unit.archived_at is None:
        count = active_programmes_of([unit.pk])
        if count:
            raise InvalidInput(_("Unit %(name)s masih memiliki %(n)s program aktif; pindahkan atau arsipkan "
                                 "programnya dulu") % {"name": unit.name, "n": count})
        Unit.objects.filter(pk=unit.pk).update(archived_at=timezone.now())
        unit.refresh_from_db()
        record_event(actor, "catalogue.archive_unit", unit, to_state="archived", reason=reason,
                     data={"source": source})
    return unit

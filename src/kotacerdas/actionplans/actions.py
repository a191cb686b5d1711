"""Every state change of a rencana aksi. Each `do_*` checks permission, changes state in one transaction
and writes an audit event (the item's history is its audit trail). Views, the API and the importer call
only these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kotacerdas.accounts.actions import record_event
from kotacerdas.core import fieldguard
from kotacerdas.core.errors import InvalidInput, NotAllowed, StaleEdit, require
from kotacerdas.evaluations.models import Cycle
from kotacerdas.regions.models import Region

from . import queries
from . import rules as perms
from .choices import ActionStatus, ProgressMode
from .models import ActionComment, ActionItem

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The plan itself (what, who, by when, how measured) belongs to the coordinator; the unit reports progress.
COORDINATOR_FIELDS = (
    "title", "description", "category", "recommendation", "programme", "pillar", "owner", "target",
    "progress_mode", "target_value", "realised_value", "measure_unit", "start_on", "due_on", "status",
    "evidence_url", "evidence_note",
)
OPERATOR_FIELDS = ("description", "realised_value", "start_on", "status", "evidence_url", "evidence_note")
FK_FIELDS = ("recommendation", "programme", "pillar", "owner")


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value for the audit trail."""
    if value is None or isinstance(value, str | int | bool):
        return value
    if isinstance(value, Decimal):
        # fixed-point, never exponent notation (Decimal("60.00").normalize() prints as "6E+1")
        return format(value.normalize(), "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(getattr(value, "pk", value))


def current_values(item: ActionItem) -> dict[str, Any]:
    return {f: (getattr(item, f + "_id") if f in FK_FIELDS else getattr(item, f)) for f in COORDINATOR_FIELDS}


def check_values(values: Mapping[str, Any], *, cycle: Cycle, region_code: str) -> dict[str, str]:
    """Cross-field checks shared by the edit form, the API and the Excel importer. Values are typed
    (dates, Decimals, ids). Returns {field: message}; empty means valid."""
    errors: dict[str, str] = {}
    if not (values.get("title") or "").strip():
        errors["title"] = _("Nama kegiatan wajib diisi")
    cats = queries.category_names(cycle)
    if values.get("category") not in cats:
        errors["category"] = _("Kategori tidak dikenal; pilih salah satu: %(choices)s") % {
            "choices": ", ".join(cats.values())}
    if values.get("status") not in ActionStatus.values:
        errors["status"] = _("Status tidak diizinkan; pilih: %(choices)s") % {
            "choices": ", ".join(str(s.label) for s in ActionStatus)}
    if values.get("progress_mode") not in ProgressMode.values:
        errors["progress_mode"] = _("Cara hitung tidak dikenal; pilih: %(choices)s") % {
            "choices": ", ".join(str(m.label) for m in ProgressMode)}
    if not values.get("owner"):
        errors["owner"] = _("Unit pemilik wajib diisi")
    target, realised = values.get("target_value"), values.get("realised_value")
    if values.get("progress_mode") == ProgressMode.MEASURED and not target:
        errors["target_value"] = _("Target angka wajib diisi (lebih dari 0) bila capaian dihitung dari realisasi")
    if target is not None and target < 0:
        errors["target_value"] = _("Target angka tidak boleh negatif")
    if realised is not None and realised < 0:
        errors["realised_value"] = _("Realisasi tidak boleh negatif")
    start, due = values.get("start_on"), values.get("due_on")
    if start and due and due < start:
        errors["due_on"] = _("Tenggat lebih awal dari tanggal mulai")
    url = values.get("evidence_url") or ""
    if url and not url.startswith(("http://", "https://")):
        errors["evidence_url"] = _("Tautan bukti harus diawali http:// atau https://")
    return errors


def _next_code(region_code: str, cycle: Cycle) -> str:
    prefix = f"RA-{cycle.year}-"
    last = (ActionItem.objects.filter(region_id=region_code, cycle=cycle, code__startswith=prefix)
            .aggregate(m=Max("code"))["m"])
    number = int(last.rsplit("-", 1)[1]) + 1 if last and last.rsplit("-", 1)[1].isdigit() else 1
    return f"{prefix}{number:03d}"


def _fk_kwargs(values: Mapping[str, Any]) -> dict[str, Any]:
    return {(f + "_id" if f in FK_FIELDS else f): v for f, v in values.items()}


@transaction.atomic
def do_create_item(actor: User, region: Region, cycle: Cycle, values: Mapping[str, Any], *, code: str = "",
                   is_demo: bool = False, source: str = "form") -> ActionItem:
    require(perms.can_manage_plan, actor, region, _("Hanya koordinator daerah yang menambah rencana aksi"))
    data = {"progress_mode": ProgressMode.STATUS, "status": ActionStatus.NOT_STARTED, **values}
    unknown = set(data) - set(COORDINATOR_FIELDS)
    if unknown:
        raise InvalidInput(_("Kolom tidak dikenal: %(names)s") % {"names": ", ".join(sorted(unknown))},
                           field=sorted(unknown)[0])
    errors = check_values(data, cycle=cycle, region_code=region.code)
    if errors:
        name, message = next(iter(errors.items()))
        raise InvalidInput(message, field=name, errors=errors)
    code = code or _next_code(region.code, cycle)
    if ActionItem.objects.filter(region=region, cycle=cycle, code=code).exists():
        raise InvalidInput(_("Kode %(code)s sudah dipakai") % {"code": code}, field="code")
    item = ActionItem.objects.create(region=region, cycle=cycle, code=code, created_by=_user(actor),
                                     is_demo=is_demo, **_fk_kwargs(data))
    record_event(actor, "actionplans.create_item", item, to_state=item.status,
                 data={"code": code, "source": source, "values": {k: _plain(v) for k, v in data.items()}})
    return item


def _user(actor: User) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def allowed_fields(actor: User, item: ActionItem) -> tuple[str, ...]:
    if perms.can_manage_plan.test(actor, item):
        return COORDINATOR_FIELDS
    if perms.is_item_operator.test(actor, item):
        return OPERATOR_FIELDS
    return ()


@transaction.atomic
def do_update_item(actor: User, item: ActionItem, version: int, changes: Mapping[str, Any], *,
                   source: str = "form", reason: str = "") -> ActionItem:
    """Change fields of an item the actor saw at `version`. A stale version is refused (optimistic lock),
    so two people editing the same item never overwrite each other silently."""
    require(perms.can_edit_item, actor, item, _("Anda hanya boleh mengubah rencana aksi milik unit Anda"))
    if item.archived_at is not None:
        raise InvalidInput(_("Rencana aksi ini sudah diarsipkan"))
    fields = allowed_fields(actor, item)
    before = current_values(item)
    diff = {k: v for k, v in changes.items() if k not in before or before[k] != v}
    refused = sorted(set(diff) - set(fields))
    if refused:
        raise NotAllowed(_("Anda tidak boleh mengubah: %(names)s") % {"names": ", ".join(refused)}, field=refused[0])
    stored = ActionItem.objects.filter(pk=item.pk).values_list("version", flat=True).first()
    if int(version) != item.version or int(version) != stored:
        raise _stale(item, version, stored)
    if not diff:
        return item
    after = {**before, **diff}
    errors = check_values(after, cycle=item.cycle, region_code=item.region_id)
    if errors:
        name, message = next(iter(errors.items()))
        raise InvalidInput(message, field=name, errors=errors)
    fieldguard.check_values(ActionItem, diff)
    updated = ActionItem.objects.filter(pk=item.pk, version=version).update(
        **_fk_kwargs(diff), version=F("version") + 1, updated_at=timezone.now())
    if not updated:
        raise _stale(item, version, ActionItem.objects.filter(pk=item.pk).values_list("version", flat=True).first())
    old_status = item.status
    item.refresh_from_db()
    record_event(actor, "actionplans.update_item", item, from_state=old_status, to_state=item.status,
                 reason=reason, data={"source": source, "version": item.version,
                                      "changes": {k: [_plain(before[k]), _plain(v)] for k, v in diff.items()}})
    return item


def _stale(item: ActionItem, version: int, stored: int | None) -> StaleEdit:
    return StaleEdit(
        _("Rencana aksi %(code)s sudah diubah orang lain (versi %(stored)s, Anda menyunting versi %(version)s). "
          "Muat ulang halaman, periksa perubahannya, lalu simpan lagi.")
        % {"code": item.code, "stored": stored, "version": version}, current_version=stored)


@transaction.atomic
def do_archive_item(actor: User, item: ActionItem, reason: str = "") -> ActionItem:
    require(perms.can_manage_plan, actor, item, _("Hanya koordinator daerah yang mengarsipkan rencana aksi"))
    if item.archived_at is None:
        ActionItem.objects.filter(pk=item.pk).update(archived_at=timezone.now(), version=F("version") + 1)
        item.refresh_from_db()
        record_event(actor, "actionplans.archive_item", item, to_state="archived", reason=reason)
    return item


@transaction.atomic
def do_comment(actor: User, item: ActionItem, text: str) -> ActionComment:
    require(perms.can_comment, actor, item, _("Anda tidak berhak mengomentari rencana aksi wilayah ini"))
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed(_("Masuk terlebih dahulu"))
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("Komentar kosong"), field="text")
    comment = ActionComment.objects.create(item=item, author=actor, text=text)
    record_event(actor, "actionplans.comment", item, data={"comment": comment.pk})
    return comment

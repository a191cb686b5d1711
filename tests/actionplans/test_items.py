"""Action items: who may change what, optimistic locking, achievement with formula, overdue, reminders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from kotacerdas.actionplans import actions, queries
from kotacerdas.actionplans.choices import ActionStatus, ProgressMode
from kotacerdas.actionplans.models import ActionItem, ImportJob, progress
from kotacerdas.actionplans.notify import send_reminders
from kotacerdas.core.errors import InvalidInput, NotAllowed, StaleEdit
from kotacerdas.core.models import JobStatus


def _item(code: str) -> ActionItem:
    return ActionItem.objects.select_related("cycle", "owner").get(region_id="16.07", code=code)


def test_it_loads_the_demo_plan_through_the_excel_importer(db, cycle) -> None:
    job = ImportJob.objects.select_related("job").get(region_id="16.07", cycle=cycle, is_demo=True)
    assert job.status == JobStatus.DONE and job.filename.endswith(".xlsx")
    assert job.job is not None and job.job.kind == "kotacerdas.actionplans.jobs.import_task"
    items = ActionItem.objects.filter(region_id="16.07", cycle=cycle)
    assert items.count() == 16 and all(i.is_demo for i in items)
    assert set(items.values_list("category", flat=True)) == {"sdm", "infrastruktur", "aplikasi", "literasi"}
    assert set(items.values_list("status", flat=True)) == set(ActionStatus.values)
    assert any(i.overdue for i in items)


def test_it_lets_the_coordinator_create_and_change_anything(actors, banyuasin, cycle) -> None:
    item = actions.do_create_item(actors.citra, banyuasin, cycle, {
        "title": "Pelatihan keamanan siber", "category": "sdm", "owner": _item("RA-2024-001").owner_id})
    assert item.code == "RA-2024-017" and item.status == ActionStatus.NOT_STARTED
    item = actions.do_update_item(actors.citra, item, 1, {"due_on": dt.date(2024, 12, 1), "target": "30 ASN"})
    assert item.version == 2 and item.target == "30 ASN"


def test_it_lets_an_operator_report_progress_only_on_their_units_items(actors) -> None:
    own = _item("RA-2024-003")  # Disdukcapil
    assert own.owner.short_name == "Disdukcapil"
    version = own.version
    updated = actions.do_update_item(actors.oki, own, version, {"description": "Selesai di 21 kecamatan"})
    assert updated.version == version + 1
    with pytest.raises(NotAllowed, match="tidak boleh mengubah: due_on"):
        actions.do_update_item(actors.oki, updated, updated.version, {"due_on": dt.date(2030, 1, 1)})
    other = _item("RA-2024-006")  # PUPR
    with pytest.raises(NotAllowed, match="milik unit Anda"):
        actions.do_update_item(actors.oki, other, other.version, {"status": ActionStatus.DONE})
    with pytest.raises(NotAllowed):
        actions.do_create_item(actors.oki, own.region, own.cycle, {"title": "x", "category": "sdm",
                                                                     "owner": own.owner_id})


@pytest.mark.parametrize("who", ["eka", "andi", "mira", "alice"])
def test_it_refuses_changes_from_readers_and_other_regions(actors, who: str) -> None:
    item = _item("RA-2024-001")
    with pytest.raises(NotAllowed):
        actions.do_update_item(getattr(actors, who), item, item.version, {"status": ActionStatus.DONE})


def test_it_refuses_a_stale_save_with_a_clear_message(actors) -> None:
    first = _item("RA-2024-004")
    second = _item("RA-2024-004")
    actions.do_update_item(actors.citra, first, first.version, {"status": ActionStatus.DONE})
    with pytest.raises(StaleEdit, match="sudah diubah orang lain .*versi 2, Anda menyunting versi 1"):
        actions.do_update_item(actors.citra, second, second.version,
                               {"target": "Semua puskesmas"})
    assert _item("RA-2024-004").target == "34 puskesmas"


def test_it_shows_the_stale_message_on_the_web_form(actors) -> None:
    item = _item("RA-2024-004")
    seen = item.version
    actions.do_update_item(actors.citra, _item("RA-2024-004"), seen, {"status": ActionStatus.DONE})
    client = actors.client(actors.citra)
    r = client.post(f"/wilayah/16.07/rencana-aksi/{item.pk}/", {
        "do": "save", "version": seen, "title": item.title, "category": item.category,
        "owner": item.owner_id, "progress_mode": "status", "status": "in_progress"})
    assert r.status_code == 409
    assert "sudah diubah orang lain" in r.content.decode()
    assert _item("RA-2024-004").status == ActionStatus.DONE


def test_it_validates_fields_before_saving(actors) -> None:
    item = _item("RA-2024-002")
    with pytest.raises(InvalidInput, match="Tenggat lebih awal"):
        actions.do_update_item(actors.citra, item, item.version, {"due_on": dt.date(2023, 1, 1)})
    with pytest.raises(InvalidInput, match="Target angka wajib"):
        actions.do_update_item(actors.citra, item, item.version, {"target_value": None})


def test_it_computes_item_percent_by_status_or_measurement(settings) -> None:
    assert progress(ProgressMode.STATUS, ActionStatus.IN_PROGRESS, None, None) == (Decimal(50),
                                                                                   "status Berjalan = 50%")
    pct, formula = progress(ProgressMode.MEASURED, ActionStatus.IN_PROGRESS, Decimal(120), Decimal(112))
    assert pct == Decimal("93.33") and formula == "realisasi 112 / target 120 × 100 = 93,33%"
    pct, formula = progress(ProgressMode.MEASURED, ActionStatus.DONE, Decimal(10), Decimal(12))
    assert pct == 100 and "(maks. 100)" in formula
    settings.ACTIONPLAN_STATUS_PERCENT = {"in_progress": 40}
    assert progress(ProgressMode.STATUS, ActionStatus.IN_PROGRESS, None, None)[0] == 40


def test_it_reports_achievement_per_category_and_pillar_with_formula(db, cycle) -> None:
    items = list(queries.plan_items("16.07", cycle))
    cats = {a.key: a for a in queries.achievement_by_category(cycle, items)}
    assert list(cats) == ["sdm", "infrastruktur", "aplikasi", "literasi"]
    sdm = cats["sdm"]
    # 112/120 measured, 6/6 measured, two by status (Selesai 100, Berjalan 50)
    assert sdm.percent == Decimal("85.83") and sdm.formula == "(93,33 + 100 + 100 + 50) / 4 = 85,83%"
    assert sdm.percent_text == "85,83%"
    pillars = {a.key: a for a in queries.achievement_by_pillar(items)}
    assert "governance" in pillars and pillars["governance"].n >= 3


def test_it_flags_overdue_items_and_reminds_their_owners(actors) -> None:
    item = _item("RA-2024-008")  # BPBD, Belum mulai, due 15 Dec 2024
    assert item.is_overdue(dt.date(2024, 12, 16)) and not item.is_overdue(dt.date(2024, 12, 15))
    mail.outbox.clear()
    sent = send_reminders(dt.date(2024, 12, 22))  # 7 days late
    assert sent >= 1
    bodies = "\n".join(str(m.body) for m in mail.outbox)
    assert "RA-2024-008" in bodies and "terlambat 7 hari" in bodies
    # Disdukcapil has an operator: its reminder goes to them, not to the coordinator.
    mail.outbox.clear()
    jam = _item("RA-2024-009")
    ActionItem.objects.filter(pk=jam.pk).update(status=ActionStatus.IN_PROGRESS, due_on=dt.date(2025, 3, 4))
    send_reminders(dt.date(2025, 3, 1))
    to = {r for m in mail.outbox if "RA-2024-009" in m.body for r in m.to}
    assert "oki@test.id" in to and "citra@test.id" not in to


def test_it_registers_the_reminder_with_the_remind_command() -> None:
    from kotacerdas.evaluations import notify

    assert send_reminders in notify.REMINDERS


def test_it_keeps_items_forever(actors) -> None:
    item = _item("RA-2024-012")
    with pytest.raises(PermissionError):
        item.delete()
    archived = actions.do_archive_item(actors.citra, item, "digabung ke RA-2024-011")
    assert archived.archived_at is not None
    assert ActionItem.objects.filter(pk=item.pk).exists()


def test_it_records_comments(actors) -> None:
    from tests.base import assign_to_banyuasin

    assign_to_banyuasin(actors.andi)
    item = _item("RA-2024-005")
    comment = actions.do_comment(actors.andi, item, "Mohon lampirkan peta jaringan.")
    assert comment.author == actors.andi
    with pytest.raises(NotAllowed):
        actions.do_comment(actors.mira, item, "bukan wilayah saya")


def test_the_history_writes_numbers_the_readers_way(actors) -> None:  # type: ignore[no-untyped-def]
    """A realised value saved as 60.00 read "6E+1" in the history (and "60.00" in older trails): the
    trail stores plain fixed-point text and the page writes it in the reader's notation."""
    item = _item("RA-2024-005")
    item = actions.do_update_item(actors.citra, item, item.version, {"realised_value": Decimal("60.00")})
    actions.do_update_item(actors.citra, item, item.version, {"realised_value": Decimal("60.50")})
    trail = [e.data["changes"]["realised_value"] for e in queries.history(item)
             if e.action == "actionplans.update_item"]
    assert trail[0] == ["60", "60.5"] and trail[1][1] == "60"  # newest first; never "6E+1"
    page = actors.client(actors.citra).get(f"/wilayah/16.07/rencana-aksi/{item.pk}/").content.decode()
    assert "Realisasi: 60 → 60,5" in page
    assert "6E+1" not in page and "→ 60.5" not in page
    from django.utils import translation

    with translation.override("en"):
        lines = [d for e in queries.history(item) for d in queries.describe(e)["details"]]
    assert "60 → 60.5" in " | ".join(lines)

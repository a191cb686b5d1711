"""The national administration actions on their own: bulk participants (all-or-nothing, default kelas),
suggested assignments (balance, kelas, conflicts of interest), the coordinator's limited invitations,
reopen, the Tahap II invitation's .ics, and the bulk user import's row errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from kotacerdas.accounts import actions as people
from kotacerdas.accounts.imports import UserImportFailed, import_users
from kotacerdas.accounts.models import AuditEvent, Membership
from kotacerdas.core.errors import InvalidInput, InvalidTransition, NotAllowed
from kotacerdas.evaluations import actions, queries
from kotacerdas.evaluations.choices import Stage
from kotacerdas.evaluations.models import Assignment, Participation, Submission
from tests.base import _user, _with_totp

pytestmark = pytest.mark.django_db


def _cycle(actors, **extra):
    return actions.do_open_cycle(actors.alice, year=2033, pack_code="kominfo-2021", pack_version="2021.1", **extra)


def _assessors(n: int, region: str | None = None) -> list:
    return [_with_totp(_user(f"as{i}{region or ''}@test.id", "assessor", region=region)) for i in range(n)]


def test_it_adds_participants_all_or_nothing_with_a_default_kelas(actors) -> None:
    cycle = _cycle(actors, class_a_min_index=Decimal("2.50"))
    with pytest.raises(InvalidInput) as refused:
        actions.do_add_participants(actors.alice, cycle, {"16.07": "", "99.99": "B"})
    assert "99.99" in refused.value.message and not Participation.objects.filter(cycle=cycle).exists()
    with pytest.raises(NotAllowed):
        actions.do_add_participants(actors.citra, cycle, {"16.07": ""})
    assert actions.do_add_participants(actors.alice, cycle, {"16.07": "", "16.06": "", "16.10": "A"}) == 3
    assert actions.do_add_participants(actors.alice, cycle, {"16.07": ""}) == 0  # already in: unchanged
    classes = dict(Participation.objects.filter(cycle=cycle).values_list("region_id", "region_class"))
    previous = queries.previous_indices(cycle, ["16.07", "16.06"])
    for code in ("16.07", "16.06"):
        assert classes[code] == ("A" if previous.get(code, Decimal(0)) >= Decimal("2.50") else "B")
    assert classes["16.10"] == "A"
    assert Submission.objects.filter(cycle=cycle, stage=Stage.SELF_ASSESSMENT).count() == 3
    assert AuditEvent.objects.filter(action="evaluations.add_participant", data__bulk=True).count() == 3


def test_it_suggests_balanced_assignments_by_kelas_without_conflicts(actors) -> None:
    cycle = _cycle(actors, coi_same_province=True)
    codes = ["16.01", "16.02", "16.03", "16.04", "16.05", "16.06", "16.07", "16.08", "32.01", "32.02"]
    actions.do_add_participants(actors.alice, cycle, dict.fromkeys(codes, "B") | {"32.03": "A"})
    plain = _assessors(3)
    south_sumatra = _assessors(3, region="16.07")  # members of Banyuasin: the whole province is out when asked
    p1 = actions.do_form_panel(actors.alice, cycle, name="P1", region_class="B", lead=plain[0], members=plain[1:])
    p2 = actions.do_form_panel(actors.alice, cycle, name="P2", region_class="B", lead=south_sumatra[0],
                               members=south_sumatra[1:])
    s = actions.suggest_assignments(cycle)
    placed = dict((code, p.name) for code, p in s.assignments)
    assert all(placed[c] == "P1" for c in codes if c.startswith("16."))
    assert placed["32.01"] == "P2" and placed["32.02"] == "P2"
    assert "Kelas A" in s.unplaced["32.03"]
    with pytest.raises(InvalidInput):
        actions.do_assign(actors.alice, p2, "16.01")  # same province as a member
    with pytest.raises(NotAllowed):
        actions.do_apply_suggestion(actors.citra, cycle)
    assert not Assignment.objects.filter(cycle=cycle).exists()
    actions.do_apply_suggestion(actors.alice, cycle)
    assert Assignment.objects.filter(cycle=cycle, panel=p1).count() == 8
    # without the province rule the load is balanced: 5 and 5
    cycle2 = actions.do_open_cycle(actors.alice, year=2034, pack_code="kominfo-2021", pack_version="2021.1")
    actions.do_add_participants(actors.alice, cycle2, dict.fromkeys(codes, "B"))
    actions.do_form_panel(actors.alice, cycle2, name="P1", region_class="B", lead=plain[0], members=plain[1:])
    actions.do_form_panel(actors.alice, cycle2, name="P2", region_class="B", lead=south_sumatra[0],
                          members=south_sumatra[1:])
    s2 = actions.suggest_assignments(cycle2)
    assert s2.load() == {"P1": 5, "P2": 5} and dict((c, p.name) for c, p in s2.assignments)["16.07"] == "P1"


def test_it_lets_a_coordinator_invite_only_operators_and_the_executive_of_their_region(actors) -> None:
    from kotacerdas.catalogue.models import Unit

    unit = Unit.objects.get(region_id="16.07", short_name="Disdukcapil")
    op = people.do_invite(actors.citra, "op.baru@banyuasin.test", role="operator", unit=unit.pk)
    assert Membership.objects.get(user=op).region_id == "16.07"
    assert not op.has_usable_password() and "/akun/password/reset/key/" in mail.outbox[-1].body
    people.do_invite(actors.citra, "bupati.baru@banyuasin.test", role="executive", region="16.07")
    for role, region in (("assessor", None), ("coordinator", "16.07"), ("executive", "16.06"),
                         ("national_admin", None)):
        with pytest.raises(NotAllowed):
            people.do_invite(actors.citra, f"x-{role}@test.id", role=role, region=region)
    for who in (actors.oki, actors.eka, actors.andi, actors.mira):
        with pytest.raises(NotAllowed):
            people.do_invite(who, "y@test.id", role="executive", region="16.07")
    with pytest.raises(InvalidInput):
        people.do_invite(actors.alice, "citra@test.id", role="assessor")  # already has an account
    m = people.do_grant_role(actors.alice, op, "assessor", experience="B")
    people.do_revoke_role(actors.alice, m, "salah peran")
    assert not Membership.objects.get(pk=m.pk).active
    people.do_set_active(actors.alice, op, False, "pindah tugas")
    op.refresh_from_db()
    assert not op.is_active and op.pk  # deactivated, never deleted
    with pytest.raises(NotAllowed):
        people.do_set_active(actors.citra, actors.oki, False)


def test_it_imports_people_all_or_nothing_with_row_errors(actors) -> None:
    sheet = (b"email,nama,peran,wilayah,unit,kelas\n"
             b"a1@test.id,A Satu,asesor,,,A\n"
             b"a1@test.id,Ganda,asesor,,,\n"
             b"k1@test.id,K,koordinator,,,\n"
             b"k2@test.id,K,koordinator,99.99,,\n"
             b"o1@test.id,O,operator,16.07,Tidak Ada,\n")
    with pytest.raises(UserImportFailed) as failed:
        import_users(actors.alice, sheet, "orang.csv")
    assert [(e.row, e.column) for e in failed.value.report.errors] == [(3, "A"), (4, "D"), (5, "D"), (6, "E")]
    assert not Membership.objects.filter(user__email="a1@test.id").exists()
    good = b"email,nama,peran,kelas\na1@test.id,A Satu,asesor,A\na2@test.id,A Dua,assessor,AB\n"
    assert import_users(actors.alice, good, "orang.csv").created == 2
    assert Membership.objects.get(user__email="a2@test.id").experience == "AB"


def test_it_reopens_one_submission_with_a_reason(world, actors) -> None:
    from tests.evaluations.conftest import fill

    fill(actors.citra, world.sub, world.indicators)
    actions.do_submit(actors.citra, world.sub)
    with pytest.raises(InvalidInput):
        actions.do_reopen(actors.alice, world.sub, "  ")
    with pytest.raises(NotAllowed):
        actions.do_reopen(actors.andi, world.sub, "x")
    sub = actions.do_reopen(actors.alice, world.sub, "Bukti terunggah rusak")
    assert sub.status == "returned"
    assert AuditEvent.objects.filter(action="evaluations.reopen", reason="Bukti terunggah rusak").exists()
    actions.do_save_answer(actors.citra, sub, world.indicators[0], 4)  # the region can edit again


def test_it_mails_the_tahap_2_slot_with_a_calendar_file(world, actors) -> None:
    mail.outbox.clear()
    m = actions.do_schedule_meeting(actors.alice, world.cycle, "16.07", date=dt.date(2030, 9, 3),
                                    time=dt.time(10, 30), tz="WITA", place="Ruang Rapat Bupati, lantai 2")
    assert m.starts_at == dt.datetime(2030, 9, 3, 2, 30, tzinfo=dt.UTC)
    to = {t for msg in mail.outbox for t in msg.to}
    assert {"citra@test.id", "andi@test.id", "ayu@test.id"} <= to and "mira@test.id" not in to
    name, ics, mime = mail.outbox[0].attachments[0]
    assert mime == "text/calendar" and "DTSTART:20300903T023000Z" in ics
    assert "LOCATION:Ruang Rapat Bupati\\, lantai 2" in ics and ics.endswith("END:VCALENDAR\r\n")
    with pytest.raises(InvalidInput):
        actions.do_schedule_meeting(actors.alice, world.cycle, "16.07", date=dt.date(2030, 9, 3),
                                    time=dt.time(10), tz="WIB")  # neither link nor place
    with pytest.raises(NotAllowed):
        actions.do_schedule_meeting(actors.andi, world.cycle, "16.07", date=dt.date(2030, 9, 3),
                                    time=dt.time(10), place="x")
    moved = actions.do_schedule_meeting(actors.alice, world.cycle, "16.07", date=dt.date(2030, 9, 4),
                                        time=dt.time(9), tz="WIB", meeting_url="https://zoom.us/j/1")
    assert moved.version == 2 and moved.pk == m.pk
    # the region's coordinator and the panel see it on their pages
    from django.test import Client

    for who, url in ((actors.citra, f"/pengajuan/{world.sub.pk}/"), (actors.andi, f"/pengajuan/{world.sub.pk}/nilai/")):
        c = Client()
        c.force_login(who)
        assert "04-09-2030 09:00 WIB" in c.get(url).content.decode()


def test_it_refuses_to_reopen_or_correct_at_the_wrong_status(world, actors) -> None:
    with pytest.raises(InvalidTransition):
        actions.do_reopen(actors.alice, world.sub, "x")  # a draft is already open
    with pytest.raises(InvalidTransition):
        actions.do_correct_result(actors.alice, world.sub, {world.indicators[0]: 3}, "x")


def test_the_daily_remind_command_reminds_through_do_remind_on_the_named_days(actors) -> None:  # type: ignore[no-untyped-def]
    import io

    from django.core.management import call_command
    from django.utils import timezone

    cycle = _cycle(actors)
    actions.do_add_participants(actors.alice, cycle, {"16.07": "", "16.06": ""})
    now = timezone.now()
    Submission.objects.filter(cycle=cycle, region_id="16.07").update(deadline=now + dt.timedelta(days=3))
    Submission.objects.filter(cycle=cycle, region_id="16.06").update(deadline=now + dt.timedelta(days=5))
    mail.outbox.clear()

    out = io.StringIO()
    call_command("remind", stdout=out)  # default days 7 3 1: Banyuasin (H-3) only
    ours = [m for m in mail.outbox if cycle.name in m.body]
    coordinators = sorted(Membership.objects.filter(role="coordinator", region_id="16.07", active=True)
                          .values_list("user__email", flat=True))
    assert "citra@test.id" in coordinators and sorted(r for m in ours for r in m.to) == coordinators
    assert all("(16.07)" in m.body and "tinggal 3 hari" in m.body for m in ours)
    assert out.getvalue().strip() == f"Pengingat terkirim: {len(mail.outbox)}"
    event = AuditEvent.objects.get(action="evaluations.remind", object_id=str(cycle.pk))
    assert event.actor is None and event.data == {"regions": ["16.07"], "emails": len(ours)}

    mail.outbox.clear()
    call_command("remind", "--days", "2", stdout=io.StringIO())  # nobody is due in 2 days: no email, no event
    assert not [m for m in mail.outbox if cycle.name in m.body]
    assert AuditEvent.objects.filter(action="evaluations.remind", object_id=str(cycle.pk)).count() == 1

    call_command("remind", "--days", "5", stdout=io.StringIO())
    muba = [r for m in mail.outbox if cycle.name in m.body and "(16.06)" in m.body for r in m.to]
    assert "mira@test.id" in muba and "citra@test.id" not in muba
    assert not [m for m in mail.outbox if cycle.name in m.body and "(16.07)" in m.body]

    # Only the scheduled run may act without a person; a reminder now needs a national admin.
    with pytest.raises(NotAllowed):
        actions.do_remind(None, cycle)
    with pytest.raises(NotAllowed):
        actions.do_remind(actors.citra, cycle, days=[3])

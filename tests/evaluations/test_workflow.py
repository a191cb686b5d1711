from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from kotacerdas.accounts.models import AuditEvent
from kotacerdas.core.errors import (
    DeadlinePassed,
    InvalidInput,
    InvalidTransition,
    NotAllowed,
    StaleEdit,
)
from kotacerdas.evaluations import actions, queries, ranking
from kotacerdas.evaluations.choices import SubmissionStatus as S
from kotacerdas.evaluations.models import Answer, Evidence, Result, Submission
from kotacerdas.scoring import engine

from .conftest import fill

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def test_it_runs_a_full_cycle_to_a_published_rank(world, actors) -> None:
    sub = world.sub
    fill(actors.citra, sub, world.indicators, level=3)
    ev = actions.do_add_evidence_file(actors.citra, sub, world.indicators[0], PDF, "perbup.pdf")
    assert ev.content_type == "application/pdf" and ev.sha256
    assert queries.completeness(sub).answered == len(world.indicators)

    actions.do_submit(actors.citra, sub)
    sub.refresh_from_db()
    assert sub.status == S.SUBMITTED and sub.submitted_at is not None
    with pytest.raises(InvalidTransition, match="terkunci"):
        actions.do_save_answer(actors.citra, sub, world.indicators[1], 4)

    actions.do_return(actors.andi, sub, {world.indicators[1]: "Lampirkan SK yang ditandatangani"})
    sub.refresh_from_db()
    assert sub.status == S.RETURNED
    assert sub.notes.filter(kind="return").count() == 1
    actions.do_save_answer(actors.citra, sub, world.indicators[1], 4, "SK terlampir")
    actions.do_submit(actors.citra, sub)
    sub.refresh_from_db()
    assert sub.status == S.RESUBMITTED
    assert sub.notes.get(kind="return").resolved_at is not None

    actions.do_start_assessment(actors.alice, sub)
    sub.refresh_from_db()
    members = list(world.panel.members.all())
    assert len(members) == 3
    for i, assessor in enumerate(members):
        for code in world.indicators:
            actions.do_score(assessor, sub, code, 2 + (i == 0))  # one assessor a level higher
        actions.do_complete_assessment(assessor, sub)
    programme = sub.region.programmes.get(code="jam-kunci")
    actions.do_feedback(actors.andi, sub, programme, strengths="Jemput bola", weaknesses="Belum terintegrasi",
                        recommendation="Integrasikan dengan OSS")
    first = world.indicators[0]
    actions.do_set_consensus(actors.andi, sub, {first: 4})

    actions.do_conclude(actors.andi, sub)
    sub.refresh_from_db()
    assert sub.status == S.ASSESSED
    result = Result.objects.get(cycle=world.cycle, region_id="16.07")
    # recompute by hand: consensus wins for the first indicator, mean of (3, 2, 2) elsewhere
    pack = queries.cycle_pack(world.cycle)
    levels = {c: Decimal(7) / 3 for c in world.indicators}
    levels[first] = Decimal(4)
    expected = engine.score(pack, answers=levels, previous=Decimal("2.87"))
    assert Decimal(result.index) == expected.index
    assert result.previous_index == Decimal("2.87")
    assert result.improvement == expected.improvement
    assert result.pack_digest == pack.digest
    assert set(result.dimensions) == {"baseline", "output", "outcome", "impact", "quick_win"}
    assert len(result.pillars) == 6 and result.trace

    actions.do_finalise(actors.alice, sub)
    assert actions.do_publish(actors.alice, world.cycle) == 1
    result.refresh_from_db()
    assert result.is_published and result.frozen_at and result.rank == 1
    sub.refresh_from_db()
    assert sub.status == S.PUBLISHED
    with pytest.raises(InvalidTransition, match="dibekukan"):
        actions.compute_result(actors.alice, sub)

    chain = [e.to_state for e in AuditEvent.objects.filter(object_type="evaluations.submission",
                                                            object_id=str(sub.pk)).order_by("at", "id")]
    assert chain == ["draft", "submitted", "returned", "resubmitted", "under_assessment", "assessed", "final",
                     "published"]
    subjects = [m.subject for m in mail.outbox]
    assert any("diterima" in s for s in subjects) and any("dikembalikan" in s for s in subjects)
    assert any("diterbitkan" in s for s in subjects)


def test_it_refuses_submission_with_missing_answers(world, actors) -> None:
    fill(actors.citra, world.sub, world.indicators[:5])
    with pytest.raises(InvalidInput, match="belum dijawab"):
        actions.do_submit(actors.citra, world.sub)
    world.sub.refresh_from_db()
    assert world.sub.status == S.DRAFT


def test_it_refuses_after_the_deadline(world, actors) -> None:
    Submission.objects.filter(pk=world.sub.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    world.sub.refresh_from_db()
    with pytest.raises(DeadlinePassed):
        actions.do_save_answer(actors.citra, world.sub, world.indicators[0], 2)
    assert not Answer.objects.filter(submission=world.sub).exists()


def test_it_keeps_regions_to_their_own_submission(world, actors) -> None:
    with pytest.raises(NotAllowed):
        actions.do_save_answer(actors.mira, world.sub, world.indicators[0], 2)
    with pytest.raises(NotAllowed):
        actions.do_save_answer(actors.eka, world.sub, world.indicators[0], 2)  # executive reads only
    with pytest.raises(NotAllowed):
        actions.do_submit(actors.oki, world.sub)


def test_it_refuses_an_unassigned_or_conflicted_assessor(world, actors) -> None:
    fill(actors.citra, world.sub, world.indicators)
    actions.do_submit(actors.citra, world.sub)
    actions.do_start_assessment(actors.alice, world.sub)
    world.sub.refresh_from_db()
    with pytest.raises(NotAllowed, match="Konflik kepentingan"):
        actions.do_score(actors.arif, world.sub, world.indicators[0], 3)
    outsider = get_user_model().objects.create_user("luar@test.id", password="x-long-password-2")
    from kotacerdas.accounts.models import Membership

    Membership.objects.create(user=outsider, role="assessor")
    with pytest.raises(NotAllowed, match="tidak ditugaskan"):
        actions.do_score(outsider, world.sub, world.indicators[0], 3)


def test_it_refuses_a_panel_with_a_member_from_the_region(world, actors) -> None:
    panel = actions.do_form_panel(actors.alice, world.cycle, name="Panel dua", region_class="A", lead=actors.arif,
                                  members=[actors.ayu, actors.andi])
    with pytest.raises(InvalidInput, match="Konflik kepentingan"):
        actions.do_assign(actors.alice, panel, "16.07")


def test_it_refuses_scoring_outside_the_window(world, actors) -> None:
    fill(actors.citra, world.sub, world.indicators)
    actions.do_submit(actors.citra, world.sub)
    actions.do_start_assessment(actors.alice, world.sub)
    type(world.cycle).objects.filter(pk=world.cycle.pk).update(assessment_ends=timezone.now() - dt.timedelta(hours=1))
    sub = Submission.objects.get(pk=world.sub.pk)
    with pytest.raises(NotAllowed, match="jendela"):
        actions.do_score(actors.andi, sub, world.indicators[0], 3)


def test_it_refuses_a_stale_answer_and_keeps_the_first(world, actors) -> None:
    code = world.indicators[0]
    first = actions.do_save_answer(actors.citra, world.sub, code, 2, "versi pertama")
    seen = first.version
    actions.do_save_answer(actors.citra, world.sub, code, 3, "perubahan tab lain", expected_version=seen)
    with pytest.raises(StaleEdit, match="diubah orang lain"):
        actions.do_save_answer(actors.citra, world.sub, code, 4, "dari form lama", expected_version=seen)
    answer = Answer.objects.get(submission=world.sub, indicator=code)
    assert (answer.level, answer.justification) == (3, "perubahan tab lain")


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"MZ\x90\x00" + b"\x00" * 100, "laporan.pdf", "tidak diterima"),
    (b"%PDF-1.4 fake", "foto.png", "tidak sesuai"),
    (b"", "kosong.pdf", "kosong"),
    (b"%PDF-1.4" + b"0" * (10 * 1024 * 1024), "besar.pdf", "terlalu besar"),
])
def test_it_refuses_evidence_that_is_not_what_it_claims(world, actors, data, name, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        actions.do_add_evidence_file(actors.citra, world.sub, world.indicators[0], data, name)
    assert not Evidence.objects.filter(submission=world.sub).exists()


def test_it_refuses_a_zip_bomb(world, actors) -> None:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "0" * 50_000_000)
    with pytest.raises(InvalidInput, match="zip bomb"):
        actions.do_add_evidence_file(actors.citra, world.sub, world.indicators[0], buf.getvalue(), "a.docx")


def test_it_lets_an_operator_add_evidence_only_for_own_unit(world, actors) -> None:
    jam = world.sub.region.programmes.get(code="jam-kunci")  # Disdukcapil
    oss = world.sub.region.programmes.get(code="oss")  # DPMPTSP
    actions.do_add_evidence_file(actors.oki, world.sub, world.indicators[0], PDF, "jam.pdf", programme=jam)
    with pytest.raises(NotAllowed):
        actions.do_add_evidence_file(actors.oki, world.sub, world.indicators[0], PDF, "oss.pdf", programme=oss)
    with pytest.raises(NotAllowed):
        actions.do_save_answer(actors.oki, world.sub, world.indicators[0], 2)


def test_it_never_hard_deletes(world, actors) -> None:
    ev = actions.do_add_evidence_link(actors.citra, world.sub, world.indicators[0], "https://contoh.go.id/a")
    with pytest.raises(PermissionError):
        ev.delete()
    with pytest.raises(PermissionError):
        Submission.objects.filter(pk=world.sub.pk).delete()
    actions.do_archive_evidence(actors.citra, ev, "salah unggah")
    assert Evidence.objects.get(pk=ev.pk).archived_at is not None


def test_it_ranks_with_ties() -> None:
    ranks = ranking.competition_ranks({"a": Decimal("3.1"), "b": Decimal("2.9"), "c": Decimal("3.1"),
                                       "d": Decimal("2.5")})
    assert ranks == {"a": 1, "c": 1, "b": 3, "d": 4}


def test_it_forecasts_readiness_from_own_answers(world, actors) -> None:
    fill(actors.citra, world.sub, world.indicators, level=4)
    assert queries.readiness_forecast(world.sub).index == Decimal("4.00")
    checks = {c.code for c in queries.pre_submit_checks(world.sub)}
    assert "missing_answers" not in checks and "missing_evidence" in checks


def test_it_shows_the_demo_history_and_2024_in_progress() -> None:
    from kotacerdas.evaluations.models import Cycle

    r21 = Result.objects.get(cycle__year=2021, region_id="16.07")
    r23 = Result.objects.get(cycle__year=2023, region_id="16.07")
    assert (r21.index, r23.index) == (Decimal("2.79"), Decimal("2.87"))
    assert r23.dimensions["quick_win"] == 2.7 and r23.is_published and r23.rank
    c24 = Cycle.objects.get(year=2024)
    assert c24.stage == "tahap_2"
    sub = Submission.objects.get(cycle=c24, region_id="16.07", stage="tahap_2")
    assert sub.status == "draft"
    comp = queries.completeness(sub)
    assert 0 < comp.answered < comp.total and comp.with_evidence > 0


def test_it_runs_the_optional_virus_scanner(world, actors, tmp_path, monkeypatch) -> None:
    scanner = tmp_path / "fake-clamdscan"
    scanner.write_text("#!/bin/sh\nif grep -q EICAR; then exit 1; fi\nexit 0\n")
    scanner.chmod(0o755)
    monkeypatch.setenv("KOTACERDAS_VIRUS_SCAN", f"{scanner} --no-summary -")
    clean = actions.do_add_evidence_file(actors.citra, world.sub, world.indicators[0], PDF, "bersih.pdf")
    assert clean.pk
    with pytest.raises(InvalidInput, match="pemindai virus"):
        actions.do_add_evidence_file(actors.citra, world.sub, world.indicators[0], PDF + b"EICAR-TEST", "v.pdf")
    assert Evidence.objects.filter(submission=world.sub).count() == 1

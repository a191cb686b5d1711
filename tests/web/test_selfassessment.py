"""The coordinator's self-assessment screen: autosave, stale edits, evidence, checks, submit."""

from __future__ import annotations

from typing import Any

import pytest

from kotacerdas.evaluations import actions, queries
from kotacerdas.evaluations.demo import _pdf
from kotacerdas.evaluations.models import Answer, Evidence

from .conftest import client_for, demo_user

pytestmark = pytest.mark.django_db
COORDINATOR = "koordinator@banyuasin.test"
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def test_it_shows_every_indicator_with_its_level_descriptors_and_the_status_chain(banyuasin_2024) -> None:
    body = client_for(COORDINATOR).get(f"/pengajuan/{banyuasin_2024.pk}/").content.decode()
    assert body.count('class="indicator') == 50  # kominfo-2021 2021.2: 50 indicators (register_risiko removed)
    assert "Indeks naik 0,25 atau lebih" in body  # a level descriptor from the pack
    assert 'aria-current="step"' in body and "31/50 indikator terjawab" in body
    assert "19 indikator belum dijawab" in body  # the blocking pre-submit check


def test_it_autosaves_an_answer_and_updates_the_completeness_bar(banyuasin_2024) -> None:
    code = queries.completeness(banyuasin_2024).missing[0]
    response = client_for(COORDINATOR).post(
        f"/pengajuan/{banyuasin_2024.pk}/jawaban/{code}/",
        {"level": "2", "justification": "Ada SK.", "expected_version": "0"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and "Tersimpan" in body
    assert 'id="kelengkapan" hx-swap-oob="true"' in body and "32/50" in body
    assert Answer.objects.get(submission=banyuasin_2024, indicator=code).level == 2


def test_it_keeps_the_users_input_and_shows_the_current_value_on_a_stale_edit(banyuasin_2024) -> None:
    answer = Answer.objects.get(submission=banyuasin_2024, indicator="output.kelembagaan.forum")
    actions.do_save_answer(demo_user(COORDINATOR), banyuasin_2024, answer.indicator, 3, "Forum rutin (rekan).",
                           expected_version=answer.version)
    response = client_for(COORDINATOR).post(
        f"/pengajuan/{banyuasin_2024.pk}/jawaban/{answer.indicator}/",
        {"level": "4", "justification": "Teks saya yang panjang.", "expected_version": str(answer.version)}, **HTMX)
    body = response.content.decode()
    assert "baru saja diubah orang lain" in body
    assert "Forum rutin (rekan)." in body  # what is stored now
    assert "Teks saya yang panjang." in body and 'value="4" checked' in body  # the user's input, kept
    assert f'name="expected_version" value="{answer.version + 1}"' in body  # next save overrides knowingly
    assert Answer.objects.get(pk=answer.pk).level == 3


def test_it_refuses_an_answer_from_someone_who_may_only_read(banyuasin_2024) -> None:
    response = client_for("bupati@banyuasin.test").post(
        f"/pengajuan/{banyuasin_2024.pk}/jawaban/output.kelembagaan.forum/", {"level": "4"}, **HTMX)
    assert "Hanya koordinator daerah" in response.content.decode()
    assert client_for("koordinator@muba.test").get(f"/pengajuan/{banyuasin_2024.pk}/").status_code == 403


def test_it_uploads_evidence_and_rejects_a_file_that_lies_about_its_type(banyuasin_2024) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = client_for(COORDINATOR)
    url = f"/pengajuan/{banyuasin_2024.pk}/bukti/output.kelembagaan.forum/berkas/"
    ok = c.post(url, {"file": SimpleUploadedFile("sk-forum.pdf", _pdf("SK Forum")), "description": "SK"},
                HTTP_X_REQUESTED_WITH="fetch")
    assert ok.status_code == 200 and "sk-forum.pdf" in ok.content.decode()
    bad = c.post(url, {"file": SimpleUploadedFile("foto.png", _pdf("bukan gambar"))}, HTTP_X_REQUESTED_WITH="fetch")
    assert bad.status_code == 422 and "tidak sesuai dengan namanya" in bad.content.decode()
    assert Evidence.objects.filter(submission=banyuasin_2024, indicator="output.kelembagaan.forum",
                                   original_name="sk-forum.pdf").count() == 1


def test_it_adds_a_link_and_archives_evidence(banyuasin_2024) -> None:
    c = client_for(COORDINATOR)
    code = "output.kelembagaan.forum"
    c.post(f"/pengajuan/{banyuasin_2024.pk}/bukti/{code}/tautan/", {"url": "https://contoh.go.id/forum"}, **HTMX)
    ev = Evidence.objects.get(submission=banyuasin_2024, url="https://contoh.go.id/forum")
    c.post(f"/pengajuan/{banyuasin_2024.pk}/bukti/{ev.pk}/arsip/", **HTMX)
    ev.refresh_from_db()
    assert ev.archived_at is not None


def test_it_blocks_submit_while_answers_are_missing_then_submits(banyuasin_2024) -> None:
    c = client_for(COORDINATOR)
    response = c.post(f"/pengajuan/{banyuasin_2024.pk}/kirim/", follow=True)
    assert "indikator belum dijawab" in response.content.decode()
    for code in queries.completeness(banyuasin_2024).missing:
        c.post(f"/pengajuan/{banyuasin_2024.pk}/jawaban/{code}/", {"level": "2", "expected_version": "0"}, **HTMX)
    response = c.post(f"/pengajuan/{banyuasin_2024.pk}/kirim/", follow=True)
    banyuasin_2024.refresh_from_db()
    assert banyuasin_2024.status == "submitted"
    assert "Pengajuan terkirim" in response.content.decode()


def test_it_shows_return_notes_on_the_indicator(banyuasin_2024) -> None:
    from kotacerdas.evaluations.models import Submission

    admin = demo_user("admin@kotacerdas.test")
    coordinator = demo_user(COORDINATOR)
    for code in queries.completeness(banyuasin_2024).missing:
        actions.do_save_answer(coordinator, banyuasin_2024, code, 1)
    actions.do_submit(coordinator, banyuasin_2024)
    sub = Submission.objects.get(pk=banyuasin_2024.pk)
    actions.do_return(admin, sub, {"output.kelembagaan.forum": "Lampirkan SK forum yang ditandatangani."})
    body = client_for(COORDINATOR).get(f"/pengajuan/{sub.pk}/").content.decode()
    assert "Lampirkan SK forum yang ditandatangani." in body and "Dikembalikan" in body
    assert "Kirim ulang ke panel" in body


def test_it_refreshes_the_sidebar_counts_and_the_blocking_list_after_an_inline_save(banyuasin_2024) -> None:
    pack = queries.cycle_pack(banyuasin_2024.cycle)
    code = queries.completeness(banyuasin_2024).missing[0]
    name = pack.node(code).name
    dim = next(d for d in pack.dimensions if any(n.code == code for n in d.indicators()))
    page = client_for(COORDINATOR).get(f"/pengajuan/{banyuasin_2024.pk}/").content.decode()
    assert "19 indikator belum dijawab" in page and f'>{name}</a> <small class="code">{code}</small>' in page  # 50 indicators (2021.2)
    response = client_for(COORDINATOR).post(f"/pengajuan/{banyuasin_2024.pk}/jawaban/{code}/",
                                            {"level": "2", "expected_version": "0"}, **HTMX)
    body = response.content.decode()
    assert '<ol id="toc-dims" hx-swap-oob="true">' in body
    answered = sum(1 for n in dim.indicators() if Answer.objects.filter(
        submission=banyuasin_2024, indicator=n.code, level__isnull=False).exists())
    total = sum(1 for _ in dim.indicators())
    anchor = "i-" + dim.code.replace(".", "-").replace("_", "-")
    assert f'<span id="count-{anchor}" hx-swap-oob="true">{answered}/{total}</span>' in body
    checks = body.split('<div id="kirim-checks" hx-swap-oob="true">', 1)[1].split("⚠", 1)[0]  # the blocking part
    assert "18 indikator belum dijawab" in checks and f'<small class="code">{code}</small>' not in checks


def test_it_asks_before_sending_to_the_panel(banyuasin_2024) -> None:
    body = client_for(COORDINATOR).get(f"/pengajuan/{banyuasin_2024.pk}/").content.decode()
    form = body[body.index(f'action="/pengajuan/{banyuasin_2024.pk}/kirim/"'):]
    assert form.split(">", 1)[0].count("data-confirm=") == 1
    assert "tidak bisa diubah lagi" in form.split(">", 1)[0]


def test_it_ticks_dikirim_ulang_only_for_a_submission_that_was_returned(banyuasin_2024) -> None:
    from kotacerdas.evaluations.models import Submission

    coordinator, admin = demo_user(COORDINATOR), demo_user("admin@kotacerdas.test")
    for code in queries.completeness(banyuasin_2024).missing:
        actions.do_save_answer(coordinator, banyuasin_2024, code, 1)
    actions.do_submit(coordinator, banyuasin_2024)
    sub = Submission.objects.get(pk=banyuasin_2024.pk)
    actions.do_start_assessment(admin, sub)
    sub.refresh_from_db()
    labels = [s["label"] for s in queries.status_chain(sub)]
    assert "Dikirim ulang" not in labels and "Sedang dinilai" in labels
    chain = client_for(COORDINATOR).get(f"/pengajuan/{sub.pk}/").content.decode()
    assert "Dikirim ulang" not in chain.split('class="chain"', 1)[1].split("</ol>", 1)[0]


def test_it_offers_to_continue_only_an_editable_submission_on_the_dashboard(banyuasin_2024) -> None:
    from kotacerdas.evaluations.models import Submission

    coordinator = demo_user(COORDINATOR)
    assert "Lanjutkan penilaian mandiri" in client_for(COORDINATOR).get("/wilayah/16.07/dasbor/").content.decode()
    for code in queries.completeness(banyuasin_2024).missing:
        actions.do_save_answer(coordinator, banyuasin_2024, code, 1)
    actions.do_submit(coordinator, Submission.objects.get(pk=banyuasin_2024.pk))
    body = client_for(COORDINATOR).get("/wilayah/16.07/dasbor/").content.decode()
    assert "Lanjutkan penilaian mandiri" not in body and "Lihat pengajuan" in body

"""The region's own work in a real Chromium, in Indonesian and English: catalogue editing, a refusal that
explains itself, the web import with its dry-run preview, the self-assessment's live counts and the
survey's suggested level."""

from __future__ import annotations

import re

import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.e2e
TIMEOUT = 60_000


def test_it_lets_the_coordinator_add_edit_and_archive_a_programme(page) -> None:
    login(page, "koordinator@banyuasin.test")
    page.goto("/wilayah/16.07/program/")
    page.get_by_role("link", name="Tambah program").click()
    page.fill("#id_code", "lapor-banjir-e2e")
    page.fill("#id_title", "Lapor Banjir")
    page.select_option("#id_owner", label="BPBD")
    page.select_option("#id_subdimension", "society.sistem_keamanan")
    page.fill("#id_start_year", "2024")
    screenshot(page, "catalogue-new")
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_url(re.compile(r"/program/lapor-banjir-e2e/$"))
    assert "Program Lapor Banjir ditambahkan" in page.content()
    page.get_by_role("link", name="Ubah program").click()
    page.fill("#id_title", "Lapor Banjir Cepat")
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_url(re.compile(r"/program/lapor-banjir-e2e/$"))
    assert page.locator("h1").inner_text() == "Lapor Banjir Cepat"
    page.get_by_role("link", name="Ubah program").click()
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Arsipkan").click()
    page.wait_for_url(re.compile(r"/wilayah/16\.07/program/$"))
    assert "Lapor Banjir Cepat" not in page.locator("#programme-rows").inner_text()
    page.goto("/wilayah/16.07/unit/")
    assert "Lapor Banjir Cepat" in page.content()  # in the archive, with a restore button
    screenshot(page, "catalogue-units")


def test_it_explains_a_refusal_in_english(page, e2e_server) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": e2e_server}])
    login(page, "bupati@banyuasin.test")
    response = page.goto("/wilayah/16.07/rencana-aksi/baru/")
    assert response is not None and response.status == 403
    assert page.locator("h1").inner_text() == "Not allowed"
    assert "Only the regional coordinator can add action plan activities" in page.content()
    screenshot(page, "refusal-en")
    page.context.clear_cookies()
    page.goto("/wilayah/16.07/dasbor/")
    assert "/akun/login/" in page.url  # the public is asked to log in, not refused


def test_it_previews_a_programme_import_and_applies_it_in_english(page, e2e_server, tmp_path) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": e2e_server}])
    login(page, "koordinator@banyuasin.test")
    csv = tmp_path / "programmes.csv"
    csv.write_text("Kode,Nama program,Unit pemilik,Sub-dimensi (kode),Sektor,Tahun mulai,Status,Quick Win,Aplikasi\n"
                   "siaga-e2e,Siaga Banjir,BPBD,society.sistem_keamanan,sosial,2024,running,tidak,ya\n", encoding="utf-8")
    page.goto("/wilayah/16.07/laporan/")
    page.select_option("select[name=kind]", "programmes")
    page.set_input_files("input[name=file]", str(csv))
    page.get_by_role("button", name="Check file").click()
    page.get_by_text("What will change, row by row").wait_for(timeout=TIMEOUT)
    assert "Siaga Banjir" in page.content() and "Nothing has been saved yet" in page.content()
    screenshot(page, "import-preview-en")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Apply").click()
    page.get_by_text(re.compile(r"Import applied: \d+ rows read")).wait_for(timeout=TIMEOUT)
    page.goto("/wilayah/16.07/program/siaga-e2e/")
    assert page.locator("h1").inner_text() == "Siaga Banjir"


def test_it_updates_the_counts_and_offers_the_surveys_level_while_answering(own_page) -> None:
    # Its own server: the shared one's 2024 self-assessment may already be sent by another journey.
    page = own_page
    login(page, "koordinator@banyuasin.test")
    page.goto("/wilayah/16.07/dasbor/")
    page.get_by_role("link", name="Lanjutkan penilaian mandiri").click()
    page.wait_for_load_state("networkidle")
    blocking = page.locator("#kirim-checks li.error").first.inner_text()
    missing = int(re.search(r"(\d+) indikator belum dijawab", blocking).group(1))  # type: ignore[union-attr]
    card = page.locator("article.indicator:not(.answered):has(.suggestion)").first
    card_id = card.get_attribute("id")
    card.get_by_role("button", name=re.compile(r"Terapkan tingkat \d")).click()
    page.locator(f"#{card_id} .suggestion .saved").wait_for(timeout=TIMEOUT)
    assert f"{missing - 1} indikator belum dijawab" in page.locator("#kirim-checks").inner_text()
    screenshot(page, "selfassessment-survey-level")

"""The main journeys, one role at a time, in a real Chromium against `kotacerdas serve` with the demo.

The evaluation journey is one test because its steps hand over to each other (the coordinator submits,
the panel lead starts the assessment, an assessor scores and writes feedback)."""

from __future__ import annotations

import re

import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.e2e


def _pdf() -> bytes:
    from kotacerdas.evaluations.demo import _pdf as make

    return make("SK Forum Smart City Banyuasin")


def _logout(page) -> None:
    page.context.clear_cookies()


def test_it_walks_the_evaluation_from_self_assessment_to_feedback(page) -> None:
    # Coordinator: from the landing page to the self-assessment.
    login(page, "koordinator@banyuasin.test")
    assert "Pekerjaan Anda" in page.content()
    screenshot(page, "coordinator-home")
    page.get_by_role("link", name="Penilaian mandiri").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".chain li.current").inner_text().strip() == "Draf"
    screenshot(page, "coordinator-self-assessment")
    # Evidence with a real multipart upload (XHR with a progress bar).
    card = page.locator("#i-output-kelembagaan-forum")
    card.locator("input[type=file]").set_input_files(
        {"name": "sk-forum.pdf", "mimeType": "application/pdf", "buffer": _pdf()})
    card.get_by_role("button", name="Unggah", exact=True).click()
    page.locator("#i-output-kelembagaan-forum").get_by_text("sk-forum.pdf").wait_for()
    page.locator("#i-output-kelembagaan-forum").scroll_into_view_if_needed()
    screenshot(page, "coordinator-evidence-uploaded")
    # Complete every open indicator through the UI: each radio click autosaves (htmx) and re-renders the card.
    open_cards = page.locator("article.indicator:not(.answered)")
    remaining = open_cards.count()
    assert remaining == 19  # kominfo-2021 2021.2 has 50 indicators
    for _ in range(remaining):
        first = open_cards.first
        anchor = first.get_attribute("id")
        first.locator("input[name=level][value='2']").check()
        page.locator(f"#{anchor}.answered").wait_for()
    assert page.locator("#kelengkapan").inner_text().find("50/50") >= 0
    page.reload()
    asked: list[str] = []

    def _accept(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", _accept)  # sending cannot be undone: the page asks first
    page.get_by_role("button", name="Kirim ke panel asesor").click()
    page.wait_for_load_state("networkidle")
    assert "Pengajuan terkirim" in page.content()
    assert asked and "tidak bisa diubah lagi" in asked[0]
    assert page.locator(".chain li.current").inner_text().strip() == "Dikirim"
    screenshot(page, "coordinator-submitted")
    submission_url = page.url
    _logout(page)

    # Panel lead: the region appears under assigned regions; start the assessment.
    login(page, "asesor1@kotacerdas.test")
    page.get_by_role("link", name="Kabupaten Banyuasin", exact=True).click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Mulai penilaian").click()
    page.wait_for_load_state("networkidle")
    assert "Penilaian dimulai" in page.content()
    _logout(page)

    # Assessor: scores beside the region's self-scores, autosaved; then feedback on a programme.
    login(page, "asesor4@kotacerdas.test")
    page.goto(submission_url.rstrip("/") + "/nilai/")
    row = page.locator("#s-i-output-kebijakan-masterplan")
    assert "Perbup Masterplan" in row.inner_text()  # the region's justification beside the score
    row.locator("label", has_text=re.compile(r"^3$")).click()
    page.locator("#s-i-output-kebijakan-masterplan").get_by_text("Tersimpan").wait_for()
    row2 = page.locator("#s-i-output-anggaran-apbd")
    row2.locator("label", has_text=re.compile(r"^2$")).click()
    page.locator("#s-i-output-anggaran-apbd").get_by_text("Tersimpan").wait_for()
    screenshot(page, "assessor-scoring")
    options = page.locator("#fb-p option").all_inner_texts()
    jam = next(i for i, t in enumerate(options) if "JAM KUNCI" in t)
    page.locator("#fb-p").select_option(index=jam)
    page.fill("#fb-s", "Layanan jemput bola menjangkau 21 kecamatan.")
    page.fill("#fb-w", "Belum terintegrasi dengan antrean daring.")
    page.fill("#fb-r", "Integrasikan dengan aplikasi antrean dan ukur waktu layanan.")
    page.get_by_role("button", name="Simpan umpan balik").click()
    page.wait_for_load_state("networkidle")
    assert "Umpan balik untuk" in page.content() and "Belum terintegrasi" in page.content()
    screenshot(page, "assessor-feedback")


def test_it_shows_the_executive_the_dashboard(page) -> None:
    login(page, "bupati@banyuasin.test")
    page.get_by_role("link", name="Dasbor wilayah").click()
    page.wait_for_load_state("networkidle")
    assert "Indeks terkini" in page.content()
    page.locator("#bagian-dimensions [data-chart] svg").first.wait_for()
    page.locator("#bagian-summary details.formula summary").first.click()
    assert "0,10×" in page.locator("#bagian-summary details.formula").first.inner_text()  # Indonesian notation
    screenshot(page, "executive-dashboard")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "executive-dashboard-phone")


def test_it_shows_the_admin_the_national_view(page) -> None:
    login(page, "admin@kotacerdas.test")
    page.get_by_role("link", name="Buka tampilan nasional").click()
    page.wait_for_load_state("networkidle")
    assert "Panel B-1" in page.content()
    page.select_option("#f-prov", "16")
    page.get_by_role("button", name="Terapkan").click()
    page.wait_for_load_state("networkidle")
    assert "Kabupaten Banyuasin" in page.content()
    screenshot(page, "admin-national")


def test_it_lets_a_citizen_use_the_public_portal(page) -> None:
    page.goto("/")
    page.get_by_role("link", name="Buka portal").click()
    page.wait_for_load_state("networkidle")
    assert "Hasil evaluasi terbit" in page.content()
    screenshot(page, "public-portal")
    survey = page.locator("#judul-survei + ul a")
    if survey.count():
        survey.first.click()
        page.wait_for_load_state("networkidle")
        assert page.locator("form").count() >= 1
        screenshot(page, "public-survey")
        page.go_back()
    page.goto("/nasional/peta/?provinsi=16")
    page.locator("#peta path.leaflet-interactive").first.wait_for()
    assert page.locator("#peta path.leaflet-interactive").count() == 17
    screenshot(page, "public-national-map")
    page.goto("/wilayah/16.07/peta/")
    page.locator("#peta path.leaflet-interactive").first.wait_for()
    assert page.locator("#peta path.leaflet-interactive").count() == 21
    screenshot(page, "public-region-map")


def test_it_switches_to_english(page) -> None:
    page.goto("/publik/")
    page.select_option("#lang-select", "en")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Public portal" in page.content()
    screenshot(page, "public-portal-en")
    # The language choice survives the login; the coordinator's work pages speak English too.
    login(page, "koordinator@banyuasin.test")
    page.goto("/wilayah/16.07/rencana-aksi/?tahun=2024")
    assert page.locator("h1").inner_text().startswith("Action plan — ")
    assert page.get_by_role("heading", name="Achievement by category").count() == 1
    screenshot(page, "action-plan-en")
    page.get_by_role("link", name="Impact survey").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith("Impact survey — ")
    assert page.get_by_role("heading", name="Progress by pillar").count() == 1
    screenshot(page, "survey-manage-en")
    page.get_by_role("link", name="Reports", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith("Evaluation Results Report — ")

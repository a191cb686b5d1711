"""The public impact-survey form in a real Chromium at phone size: choose a service, answer, see thanks.
Also the action-plan page's Excel round trip with the htmx progress bar (background import thread)."""

from __future__ import annotations

import json
import urllib.request

import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}


def _survey_link(base: str) -> str:
    with urllib.request.urlopen(base + "/api/v1/surveys?region=16.07&year=2024", timeout=10) as r:
        surveys = json.loads(r.read())
    assert surveys and surveys[0]["accepting_responses"]
    return str(surveys[0]["link"])


@pytest.fixture
def phone(browser, e2e_server):
    context = browser.new_context(base_url=e2e_server, locale="id-ID", viewport=PHONE, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    pg = context.new_page()
    yield pg
    context.close()


def test_it_takes_a_citizens_answer_on_a_phone(phone, e2e_server) -> None:
    page = phone
    page.goto(_survey_link(e2e_server))
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_text("Layanan mana yang pernah Anda manfaatkan?").is_visible()
    screenshot(page, "survey-1-choose-phone")
    page.get_by_label("JAM KUNCI", exact=False).first.check()
    page.get_by_role("button", name="Lanjut").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Tentang Anda").is_visible()
    # Nothing wider than the phone: no sideways scrolling on the form.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.select_option("#kecamatan", label="Betung")
    page.get_by_label("25–34 tahun").check()
    page.get_by_label("Perempuan").check()
    statements = page.locator("fieldset .likert")
    assert statements.count() == 3
    for i in range(statements.count()):
        statements.nth(i).locator("label").nth(3).click()  # "Setuju" (4), a tap on the whole label
    screenshot(page, "survey-2-form-phone")
    page.get_by_role("button", name="Kirim jawaban").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Terima kasih!").is_visible()
    assert page.url.endswith("/terima-kasih/")
    screenshot(page, "survey-3-thanks-phone")


def test_it_points_out_missing_answers_on_a_phone(phone, e2e_server) -> None:
    page = phone
    page.goto(_survey_link(e2e_server))
    page.get_by_label("SIMPADA", exact=False).first.check()
    page.get_by_role("button", name="Lanjut").click()
    page.get_by_role("button", name="Kirim jawaban").click()
    page.wait_for_load_state("networkidle")
    alert = page.get_by_role("alert")
    assert alert.is_visible() and "Pilih kecamatan" in alert.inner_text()
    screenshot(page, "survey-4-errors-phone")


def test_it_round_trips_the_action_plan_through_excel_with_a_progress_bar(page, tmp_path) -> None:
    login(page, "koordinator@banyuasin.test")
    page.goto("/wilayah/16.07/rencana-aksi/?tahun=2024")
    assert page.get_by_role("heading", name="Capaian per kategori").is_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Ekspor ke Excel (.xlsx)").click()
    path = tmp_path / "plan.xlsx"
    info.value.save_as(path)
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="Impor", exact=True).click()
    page.locator("#job").get_by_text("Selesai:").wait_for(timeout=20000)
    text = page.locator("#job").inner_text()
    assert "0 baru, 0 diubah, 16 tetap" in text
    assert page.locator("#job progress").get_attribute("value") == "100"
    screenshot(page, "actionplan-import-done")
    page.get_by_role("link", name="Survei dampak").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Kemajuan per pilar").is_visible()
    assert page.locator(".qr svg").count() == 1
    screenshot(page, "survey-manage")

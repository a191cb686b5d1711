"""The region's report page in a real browser: press "Unduh PDF", read that the PDF is being made in the
background, watch the htmx progress bar, then download the file it offers."""

from __future__ import annotations

import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.e2e


def test_it_builds_and_offers_a_report_for_download(page) -> None:  # type: ignore[no-untyped-def]
    login(page, "koordinator@banyuasin.test")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/wilayah/16.07/laporan/")
    assert page.locator("h1").inner_text().startswith("Laporan Hasil Evaluasi")
    page.select_option("select[name=cycle]", label=page.locator("select[name=cycle] option").first.inner_text())
    page.click("button[value=pdf]")
    job = page.locator(".report-job").first
    # The answer to the click is the queued job (a fresh request is never done yet): it says so and shows
    # a progress bar that htmx keeps polling.
    note = job.locator(".job-note")
    note.wait_for(timeout=30_000)
    assert "PDF sedang dibuat di latar belakang" in note.inner_text()
    assert job.locator("progress").count() == 1
    screenshot(page, "reports-page-progress-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "reports-page-progress-390")
    # The background worker (started by `kotacerdas serve`) finishes; htmx polling swaps in the link.
    link = page.locator(".report-job a[download]").first
    link.wait_for(timeout=180_000)
    assert "Siap diunduh" in page.locator(".report-job").first.inner_text()
    screenshot(page, "reports-page-done-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    screenshot(page, "reports-page-done-1366")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith("laporan-hasil-evaluasi-16.07-")
    with open(download.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"

"""The region's report page in a real browser: press "Unduh Excel", watch the htmx progress bar, download."""

from __future__ import annotations

import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.e2e


def test_it_builds_and_offers_a_report_for_download(page) -> None:
    login(page, "koordinator@banyuasin.test")
    page.goto("/wilayah/16.07/laporan/")
    assert page.locator("h1").inner_text().startswith("Laporan Hasil Evaluasi")
    page.select_option("select[name=cycle]", label=page.locator("select[name=cycle] option").first.inner_text())
    page.click("button[value=pdf]")
    job = page.locator(".report-job").first
    job.locator("progress, a[download]").first.wait_for(timeout=15_000)
    # The background worker (started by `kotacerdas serve`) finishes; htmx polling swaps in the link.
    link = page.locator(".report-job a[download]").first
    link.wait_for(timeout=120_000)
    screenshot(page, "reports-page")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith("laporan-hasil-evaluasi-16.07-")
    with open(download.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"

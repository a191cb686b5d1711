"""KPI values imported in a real Chromium by the Banyuasin operator (Indonesian) and coordinator (English):
upload an Indonesian CSV whose value column has a title the importer does not know, map it in the form,
choose the number format the file cannot tell by itself ("3.650"), preview, apply, and see the values on
the programme page; the pages checked and photographed at 1366 and 390 px."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.e2e
TIMEOUT = 60_000

JOURNEYS = [  # who, language, the two values of the file (Indonesian notation), the latest as shown after
    ("operator.dukcapil@banyuasin.test", "id", ("3.650", "12.500"), "12.500"),
    ("koordinator@banyuasin.test", "en", ("3.650", "12.600"), "12,600"),
]


def _months() -> tuple[str, str]:
    today = dt.date.today().replace(day=1)
    previous = (today - dt.timedelta(days=1)).replace(day=1)
    return previous.strftime("%Y-%m"), today.strftime("%Y-%m")


def _fits_a_phone(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def _both_widths(page: Any, name: str) -> None:
    """Screenshots at 1366 and 390 px; at 390 px the page must not scroll sideways."""
    page.set_viewport_size({"width": 1366, "height": 900})
    screenshot(page, f"{name}-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    assert _fits_a_phone(page), f"{name} scrolls sideways at 390 px"
    screenshot(page, f"{name}-390")
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.mark.parametrize(("who", "lang", "values", "shown"), JOURNEYS, ids=["operator-id", "coordinator-en"])
def test_it_maps_the_columns_chooses_the_format_previews_and_applies(
        own_page: Any, own_server: str, tmp_path: Path, who: str, lang: str, values: tuple[str, str],
        shown: str) -> None:
    page = own_page
    en = lang == "en"
    if en:
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": own_server}])
    login(page, who)
    first, last = _months()
    data = tmp_path / "nilai-kpi.csv"
    data.write_text("Indikator;Bulan;Wilayah;Capaian Bulan Ini;Keterangan\n"
                    f"dokumen-terbit;{first};16.07;{values[0]};laporan dinas\n"
                    f"dokumen-terbit;{last};16.07;{values[1]};laporan dinas\n", encoding="utf-8")

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/wilayah/16.07/kpi/impor/")
    assert page.get_by_role("link", name="Download Excel template" if en else "Unduh templat Excel").is_visible()
    _both_widths(page, f"kpi-import-upload-{lang}")
    page.set_input_files("#f-file", str(data))
    page.select_option("#f-programme", "jam-kunci")
    page.get_by_role("button", name="Upload and choose columns" if en else "Unggah dan pilih kolom").click()
    page.wait_for_url(re.compile(r"/kpi/impor/\d+/kolom/$"), timeout=TIMEOUT)

    # detected headers pre-selected; the unknown value title is not guessed; the format is not guessed either
    assert page.locator("#col-kpi").input_value() == "Indikator"
    assert page.locator("#col-period").input_value() == "Bulan"
    assert page.locator("#col-region").input_value() == "Wilayah"
    assert page.locator("#col-value").input_value() == ""
    assert page.locator("input[name=decimal]:checked").count() == 0
    assert "3.650" in page.locator("#decimal-detected").inner_text()
    _both_widths(page, f"kpi-import-columns-{lang}")

    # without a format the form refuses and says why
    page.select_option("#col-value", "Capaian Bulan Ini")
    page.get_by_role("button", name="Check and preview" if en else "Periksa dan lihat pratinjau").click()
    page.wait_for_load_state("networkidle")
    errors = page.locator("#form-errors").inner_text()
    assert ("choose the file's number format" if en else "pilih format angka berkas") in errors
    assert page.locator("#col-value").input_value() == "Capaian Bulan Ini"  # the choice is kept

    page.get_by_label("Indonesian: 1.234.567,5" if en else "Indonesia: 1.234.567,5").check()
    page.get_by_role("button", name="Check and preview" if en else "Periksa dan lihat pratinjau").click()
    page.wait_for_url(re.compile(r"/kpi/impor/\d+/$"), timeout=TIMEOUT)
    page.wait_for_selector("#preview-counts", timeout=TIMEOUT)
    counts = page.locator("#preview-counts").inner_text()
    assert ("2 rows passed the checks" if en else "2 baris lolos pemeriksaan") in counts
    rows = page.locator("#preview-rows tbody tr")
    assert rows.count() == 2
    # 3.650 in an Indonesian file is three thousand six hundred and fifty, shown in the reader's notation
    assert ("3,650" if en else "3.650") in rows.nth(0).inner_text()
    _both_widths(page, f"kpi-import-preview-{lang}")

    page.get_by_role("button", name="Apply: save all rows" if en else "Terapkan: simpan semua baris").click()
    page.wait_for_selector("text=" + ("Done:" if en else "Selesai:"), timeout=TIMEOUT)
    _both_widths(page, f"kpi-import-done-{lang}")

    page.get_by_role("link", name="See this programme's KPIs" if en else "Lihat KPI program ini").click()
    page.wait_for_url(re.compile(r"/wilayah/16\.07/program/jam-kunci/$"), timeout=TIMEOUT)
    row = page.locator("tr", has_text="Dokumen kependudukan terbit").first
    assert shown in row.inner_text()

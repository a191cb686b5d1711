"""A coordinator self-assesses two innovations against IID 2023 in a real Chromium, and sees the three
national indices side by side on the dashboard (the demo opens IID 2023 for Banyuasin and flags JAM KUNCI
and Antrean Online Puskesmas as innovations)."""

from __future__ import annotations

import re

import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.e2e


def _choose_all(page, prefix: str, level: str) -> int:
    selects = page.locator(f"select[name^='{prefix}']")
    for i in range(selects.count()):
        selects.nth(i).select_option(level)
    return int(selects.count())


def test_it_self_assesses_two_innovations_and_shows_the_three_indices(page) -> None:
    login(page, "koordinator@banyuasin.test")
    page.goto("/wilayah/16.07/dasbor/")
    iid_card = page.locator("[data-testid=index-iid]")
    assert "skala 0–100" in iid_card.inner_text()
    iid_card.get_by_role("link", name="buka").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith("Penilaian mandiri Indeks Inovasi Daerah")
    assert page.locator("[data-testid=iid-n]").inner_text() == "2"
    # Indicators 1-15 (20 rows with the split ones) at parameter 2.
    assert _choose_all(page, "a:", "2") == 20
    # JAM KUNCI: every indicator 16-35 at parameter 3; Antrean Online Puskesmas at parameter 1. Only the
    # first innovation is unfolded: open the other one as a person would, by its summary.
    for code in ("jam-kunci", "antrean-puskesmas"):
        block = page.locator(f"[data-testid=innovation-{code}]")
        if block.get_attribute("open") is None:
            block.locator("summary").click()
    assert _choose_all(page, "i:jam-kunci:", "3") == 20
    assert _choose_all(page, "i:antrean-puskesmas:", "1") == 20
    page.get_by_role("button", name="Simpan penilaian mandiri").click()
    page.wait_for_load_state("networkidle")
    assert "Penilaian mandiri IID disimpan (60 perubahan)" in page.content()
    # SPD 42; SID (111 + 37) / MAX(10, 2) + 2 x 0.38 = 15.56; IID 23.024 -> 23,02.
    assert page.locator("[data-testid=iid-index]").inner_text() == "23,02"
    assert page.locator("[data-testid=iid-predicate]").inner_text() == "Kurang Inovatif"
    assert page.locator("[data-testid=innovation-score-jam-kunci]").inner_text() == "111,00"
    assert page.locator("[data-testid=innovation-score-antrean-puskesmas]").inner_text() == "37,00"
    assert page.locator("select[name='i:jam-kunci:sid.16']").input_value() == "3"
    screenshot(page, "iid-self-assessment")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "iid-self-assessment-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/wilayah/16.07/dasbor/")
    indices = page.locator("[data-testid=three-indices]")
    smart = indices.locator("[data-testid=index-smart_city]").inner_text()
    assert "skala 0–4" in smart and "tanpa predikat" in smart
    assert "Belum dinilai" in indices.locator("[data-testid=index-spbe]").inner_text()
    iid = indices.locator("[data-testid=index-iid]").inner_text()
    assert re.search(r"23,02\s+skala 0–100", iid) and "Kurang Inovatif" in iid
    screenshot(page, "dashboard-three-indices")

"""Browser journey: the coordinator reads and fills in the self-assessment rubric in English (indicator
names and level descriptors from the kominfo-2021 pack's translations), the autosaved card stays in
English, and the page fits a 390 px phone (Indonesian: tests/web/test_rubric_english.py). Screenshots at
1366 and 390 px."""

from __future__ import annotations

import re

import pytest

from .conftest import SHOTS, login

pytestmark = pytest.mark.e2e
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
NO_SIDEWAYS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """The viewport with the forum card's heading at the top, not the whole 50-indicator page."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("article.indicator h4", has=page.locator("small.code", has_text="output.kelembagaan.forum")) \
        .evaluate("h => { h.scrollIntoView({block: 'start'}); window.scrollBy(0, -80); }")
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _open_self_assessment(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/wilayah/16.07/dasbor/")
    page.get_by_role("link", name=re.compile("Continue the self-assessment|Lanjutkan penilaian mandiri")).click()
    page.wait_for_load_state("networkidle")
    assert re.search(r"/pengajuan/\d+/$", page.url), page.url


def test_the_self_assessment_rubric_reads_in_english(own_page) -> None:  # type: ignore[no-untyped-def]
    page = own_page
    page.set_viewport_size(DESKTOP)
    login(page, "koordinator@banyuasin.test")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": page.url}])
    _open_self_assessment(page)
    card = page.locator("article.indicator", has=page.locator("small.code", has_text="output.kelembagaan.forum"))
    assert card.count() == 1
    card.scroll_into_view_if_needed()
    assert "Smart City Forum" in card.locator("h4").inner_text()
    labels = card.locator("label.level")
    assert labels.count() == 5
    assert "No Smart City Forum has been formed." in labels.nth(0).inner_text()
    assert "Forum Smart City belum dibentuk" not in card.inner_text()
    body = page.locator("main").inner_text()
    assert "Improvement over the previous evaluation" in body
    assert "The index rose by 0.25 or more" in body and "Indeks naik 0,25" not in body
    _shot(page, "rubric-en-self-assessment-1366")

    # Choosing a level autosaves; the card that comes back is still in English.
    labels.nth(3).click()
    card = page.locator("article.indicator", has=page.locator("small.code", has_text="output.kelembagaan.forum"))
    card.locator(".saved").first.wait_for(timeout=20_000)
    assert "The Forum is active and involves citizens" in card.inner_text()
    assert card.locator("input[name=level][value='3']").is_checked()
    assert "Forum aktif dan melibatkan" not in card.inner_text()

    page.set_viewport_size(PHONE)
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.evaluate(NO_SIDEWAYS), page.evaluate("document.documentElement.scrollWidth")
    _shot(page, "rubric-en-self-assessment-390")


"""Browser journeys of the what-if page and the equity on the reach map, as the coordinator and the bupati,
in Indonesian and in English, at 1366 px and on a 390 px phone (no sideways scroll). Read-only pages:
one server of the module's own, the demo as loaded."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from .conftest import SHOTS, login, screenshot

pytestmark = pytest.mark.e2e
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
PEOPLE = {"koordinator@banyuasin.test": "koordinator", "bupati@banyuasin.test": "bupati"}
NO_SIDEWAYS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def _number(text: str, lang: str) -> Decimal:
    text = text.strip().lstrip("+")
    if lang == "id":
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    return Decimal(text)


def _start(page, who: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(DESKTOP)
    login(page, who)
    if lang == "en":
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": page.url}])


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("who", list(PEOPLE))
def test_the_what_if_moves_the_index_live_and_applies_the_cheapest_path(own_page, who, lang) -> None:  # type: ignore[no-untyped-def]
    page = own_page
    _start(page, who, lang)
    page.goto("/wilayah/16.07/dasbor/")
    page.get_by_role("link", name=re.compile("Coba simulasi sendiri" if lang == "id" else "Try your own simulation")).click()
    page.wait_for_load_state("networkidle")
    assert "/wilayah/16.07/simulasi/" in page.url
    assert ("Simulasi tidak menyimpan apa pun." if lang == "id" else "The simulation saves nothing.") in page.content()
    index = page.get_by_test_id("whatif-index")
    before = index.inner_text()
    assert ("," if lang == "id" else ".") in before
    # Raise the first indicator that is not at the top to 4: the result is swapped in without a reload.
    select = page.locator("#whatif-form select").filter(has_not=page.locator("option[value='4'][selected]")).first
    select.select_option("4")
    page.wait_for_function("(b) => document.querySelector('[data-testid=whatif-index]').textContent.trim() !== b",
                           arg=before, timeout=20_000)
    after = page.get_by_test_id("whatif-index").inner_text()
    assert _number(after, lang) > _number(before, lang)
    assert page.get_by_test_id("whatif-delta").inner_text().startswith("+")
    assert page.locator(".whatif-row.changed").count() == 1
    # The address names only the change (shareable), and reloading it shows the same scenario.
    assert page.url.count("=") == 1, page.url
    predicate = page.get_by_test_id("whatif-predicate").inner_text()
    assert ("tanpa predikat" if lang == "id" else "no predicate") in predicate  # provisional bands: none shown
    steps = page.get_by_test_id("path-steps").inner_text()
    assert re.match(r"\d+ (langkah|steps?)$", steps)
    path_index = _number(page.get_by_test_id("path-index").inner_text(), lang)
    page.get_by_test_id("apply-path").click()
    page.wait_for_load_state("networkidle")
    applied = _number(page.get_by_test_id("whatif-index").inner_text(), lang)
    assert applied == path_index and applied - _number(after, lang) >= Decimal("0.10")
    name = f"whatif-{PEOPLE[who]}-{lang}"
    screenshot(page, name)
    page.set_viewport_size(PHONE)
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.evaluate(NO_SIDEWAYS), page.evaluate("document.documentElement.scrollWidth")
    screenshot(page, name + "-phone")
    # On the phone the levels are under the result: a bar at the bottom keeps the index in view.
    bar = page.locator("#whatif-bar")
    assert bar.is_visible() and page.get_by_test_id("whatif-index").inner_text() in bar.inner_text()
    row = page.locator("#whatif-form select").filter(has=page.locator("option[value='4'][selected]")).last
    row.scroll_into_view_if_needed()
    row.select_option("0")  # 4 -> 0 on any indicator moves the reported index
    page.wait_for_function("(b) => !document.querySelector('#whatif-bar').textContent.includes(b)",
                           arg=page.get_by_test_id("whatif-index").inner_text(), timeout=20_000)
    assert page.get_by_test_id("whatif-index").inner_text() in bar.inner_text()
    page.screenshot(path=str(SHOTS / f"{name}-phone-bar.png"))  # the screen as seen, bar included


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("who", list(PEOPLE))
def test_the_reach_map_shows_equity_and_a_kecamatans_monthly_series(own_page, who, lang) -> None:  # type: ignore[no-untyped-def]
    page = own_page
    _start(page, who, lang)
    page.goto("/wilayah/16.07/peta/")
    page.locator("#peta path.leaflet-interactive").first.wait_for()
    gini = page.get_by_test_id("gini").inner_text()
    assert re.fullmatch(r"0[,.]\d{3}", gini) and (("," in gini) == (lang == "id"))
    lagging = page.get_by_test_id("lagging").locator("a")
    assert lagging.count() >= 1
    assert page.locator("tr.lagging").count() == lagging.count()
    assert page.locator('script[src*="echarts"]').count() == 0  # fetched on the first click only
    # A click on a kecamatan on the map opens its monthly series under the map.
    page.locator("#peta path.leaflet-interactive").nth(3).click(force=True)
    page.locator("#seri [data-chart] svg").first.wait_for(timeout=30_000)
    heading = page.locator("#judul-seri").inner_text()
    assert heading.startswith("Deret bulanan — Kecamatan" if lang == "id" else "Monthly series —")
    # The chart formats numbers in the reader's locale (the same formatter the tables use).
    shown = page.evaluate("""() => {
        const el = document.querySelector('#seri [data-chart]');
        const opt = window.echarts.getInstanceByDom(el).getOption();
        return opt.tooltip[0].valueFormatter(12345);
    }""")
    assert shown == ("12.345" if lang == "id" else "12,345")
    # The table's name opens another kecamatan's series the same way.
    first_lagging = lagging.first
    name = first_lagging.inner_text()
    page.locator(f'table.data a[data-kecamatan="{first_lagging.get_attribute("data-kecamatan")}"]').click()
    page.wait_for_function("(n) => document.querySelector('#judul-seri').textContent.includes(n)", arg=name,
                           timeout=20_000)
    page.locator("#seri [data-chart] svg").first.wait_for()
    shot = f"reach-equity-{PEOPLE[who]}-{lang}"
    screenshot(page, shot)
    page.set_viewport_size(PHONE)
    page.goto(page.url.split("#")[0] + ("&" if "?" in page.url else "?") + "kecamatan=16.07.01")
    page.wait_for_load_state("networkidle")
    page.locator("#seri [data-chart] svg").first.wait_for()
    assert page.evaluate(NO_SIDEWAYS), page.evaluate("document.documentElement.scrollWidth")
    screenshot(page, shot + "-phone")

"""No page scrolls sideways on a 390 px phone, for any role: every page the role may open (the routes of
the authorization matrix, with real ids found by following the demo's links) is loaded in one Chromium
and the document must not be wider than the screen. An element that is wider is named in the failure."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from .conftest import login

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}
PUBLIC = ["/", "/wilayah/16.07/program/", "/wilayah/16.07/program/jam-kunci/", "/wilayah/16.07/peta/",
          "/nasional/peta/", "/publik/", "/publik/16.07/", "/akun/login/"]
REGION = ["/wilayah/16.07/dasbor/", "{submission}", "/wilayah/16.07/laporan/", "/wilayah/16.07/rencana-aksi/?tahun=2024",
          "{item}", "/wilayah/16.07/survei/?tahun=2024"]
ROLES: dict[str, list[str]] = {
    "anon": PUBLIC + ["{survey}"],
    "koordinator@banyuasin.test": PUBLIC + REGION + [
        "/wilayah/16.07/rencana-aksi/baru/", "/wilayah/16.07/kpi/impor/", "/wilayah/16.07/program/baru/",
        "/wilayah/16.07/program/jam-kunci/ubah/", "/wilayah/16.07/unit/", "/wilayah/16.07/pengguna/",
        "/wilayah/16.07/simulasi/", "/wilayah/16.07/peta/?kecamatan=16.07.01"],
    "operator.dukcapil@banyuasin.test": REGION + ["/wilayah/16.07/program/jam-kunci/ubah/", "/wilayah/16.07/unit/"],
    "bupati@banyuasin.test": REGION + ["/wilayah/16.07/simulasi/", "/wilayah/16.07/peta/?kecamatan=16.07.01"],
    "admin@kotacerdas.test": ["/nasional/", "/wilayah/16.07/dasbor/", "/nasional/kelola/", "/nasional/kelola/orang/",
                              "/nasional/peringkat/", "{cycle}", "{cycle}panel/", "{cycle}jadwal/", "{cycle}kemajuan/",
                              "{cycle}terbit/", "/wilayah/16.07/pengguna/"],
    "asesor1@kotacerdas.test": ["/nasional/", "{assess}"],
}
# Report of what is too wide: the widest elements that stick out of the viewport.
OVERFLOW_JS = """() => {
  const w = document.documentElement.clientWidth, out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > w + 0.5 && r.width > 0 && getComputedStyle(el).position !== 'fixed') {
      let p = el.parentElement, clipped = false;
      while (p && p !== document.body) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden') { clipped = true; break; }
        p = p.parentElement;
      }
      if (!clipped) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                             (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') +
                             ' right=' + Math.round(r.right));
    }
  }
  return {scroll: document.documentElement.scrollWidth, width: w, wide: out.slice(0, 5)};
}"""


def _survey_link(base: str) -> str:
    with urllib.request.urlopen(base + "/api/v1/surveys?region=16.07&year=2024", timeout=10) as r:
        return str(json.loads(r.read())[0]["link"])


def _found(page, url: str, pattern: str) -> str:
    page.goto(url)
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        if re.fullmatch(pattern, href or ""):
            return str(href)
    raise AssertionError(f"no link like {pattern} on {url}")


def test_it_never_scrolls_sideways_on_a_phone(browser, e2e_server) -> None:
    wide = []
    for role, urls in ROLES.items():
        context = browser.new_context(base_url=e2e_server, locale="id-ID", viewport=PHONE, is_mobile=True,
                                      has_touch=True)
        page = context.new_page()
        if role != "anon":
            login(page, role)
        ids = {}
        for url in urls:
            if url == "{submission}" and url not in ids:
                ids[url] = _found(page, "/wilayah/16.07/dasbor/", r"/pengajuan/\d+/")
            elif url == "{item}":
                ids[url] = _found(page, "/wilayah/16.07/rencana-aksi/?tahun=2024", r"/wilayah/16\.07/rencana-aksi/\d+/")
            elif url == "{survey}":
                ids[url] = _survey_link(e2e_server)
            elif url == "{assess}":
                ids[url] = _found(page, "/", r"/pengajuan/\d+/nilai/")
            elif url.startswith("{cycle}"):  # the national administration pages of the demo's first cycle
                if "{cycle}" not in ids:
                    ids["{cycle}"] = _found(page, "/nasional/kelola/", r"/nasional/kelola/siklus/\d+/")
                ids[url] = ids["{cycle}"] + url.removeprefix("{cycle}")
            target = ids.get(url, url)
            response = page.goto(target)
            page.wait_for_load_state("networkidle")
            assert response is not None and response.status < 400, f"{role} {target}: {response and response.status}"
            found = page.evaluate(OVERFLOW_JS)
            if found["scroll"] > found["width"]:
                wide.append(f"{role} {target}: {found['scroll']} px > {found['width']} px; {found['wide']}")
        context.close()
    assert not wide, "pages that scroll sideways at 390 px:\n" + "\n".join(wide)

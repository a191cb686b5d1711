"""Pages read on phones stay light (issue #19, bench/b7_phone.py): the public pages load no charting library,
and the vendored libraries travel compressed."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

import kotacerdas

VENDOR = Path(kotacerdas.__file__).parent / "web" / "static" / "vendor"
BIG = 8 * 1024  # a vendored script or style sheet larger than this travels compressed


def _vendored() -> list[Path]:
    return sorted(p for p in VENDOR.rglob("*") if p.suffix in {".js", ".css"} and p.stat().st_size > BIG)


def test_every_large_vendored_file_has_an_identical_gzip_beside_it() -> None:
    files = _vendored()
    assert any(p.name == "echarts.min.js" for p in files)
    for path in files:
        packed = path.with_name(path.name + ".gz")
        assert packed.exists(), f"{path.relative_to(VENDOR)} has no .gz (gzip -9 -n -k {path.name})"
        assert gzip.decompress(packed.read_bytes()) == path.read_bytes(), f"{packed.name} is stale"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["echarts/echarts.min.js", "htmx/htmx.min.js", "leaflet/leaflet.js"])
def test_vendored_scripts_are_served_compressed_to_a_browser_that_accepts_it(name: str) -> None:
    raw = (VENDOR / name).read_bytes()
    response = Client().get(f"/static/vendor/{name}", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == "gzip"
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert len(body) < len(raw) / 2
    assert gzip.decompress(body) == raw
    plain = Client().get(f"/static/vendor/{name}")
    assert "Content-Encoding" not in plain.headers
    assert b"".join(plain.streaming_content) == raw  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_the_public_region_page_draws_its_trend_on_the_server_without_a_charting_library() -> None:
    body = Client().get("/publik/16.07/").content.decode()
    assert "echarts" not in body
    figure = body[body.index('class="chart-svg"'):]
    svg = figure[figure.index("<svg"): figure.index("</svg>")]
    assert "2021" in svg and "2023" in svg  # the published years of the demo are the categories
    assert "2,87" in svg  # the 2023 index labelled the Indonesian way
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = english.get("/publik/16.07/").content.decode()
    svg = text[text.index("<svg"): text.index("</svg>")]
    assert "2.87" in svg and "2,87" not in svg  # the reader's locale, in the chart as in the tables

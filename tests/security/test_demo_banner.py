"""With the demo loaded, every page every role can open says DATA DEMO; after `kotacerdas demo --remove`
none does, and no ranking lists a synthetic peer. The page list is the authorization matrix's (every
route of the site has an entry there), plus the login and the public survey pages."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from kotacerdas.core.provenance import demo_state
from tests.security.test_authorization_matrix import EXPECT, ROLES, _routes, _url

pytestmark = pytest.mark.django_db

BANNER = "DATA DEMO — angka sintetis, bukan hasil resmi"
EXTRA = ["/akun/login/", "/akun/password/reset/", "/publik/32.73/", "/nasional/?tahun=2021"]


def _pages(matrix):
    """(url, role, client) for every page × every role allowed to open it."""
    for path, name in _routes():
        allowed = EXPECT.get(name)
        if not allowed:
            continue
        url = _url(path, name, matrix)
        for role in ROLES:
            if role in allowed:
                yield url, role
    for url in EXTRA:
        yield url, "anon"


def _client(matrix, role: str) -> Client:
    client = Client()
    if matrix.users[role] is not None:
        client.force_login(matrix.users[role])
    return client


def _walk(matrix) -> tuple[list[str], list[str], int]:
    """(pages with the banner, HTML pages without it, HTML pages seen)."""
    clients = {role: _client(matrix, role) for role in ROLES}
    with_banner: list[Any] = []
    without: list[Any] = []
    seen = 0
    for url, role in _pages(matrix):
        response = clients[role].get(url, follow=True)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        if response.headers.get("HX-Request") or not response.content.lstrip().lower().startswith(b"<!doctype"):
            continue  # an htmx fragment, never a whole page
        seen += 1
        (with_banner if BANNER in response.content.decode() else without).append(f"{role} {url}")
    return with_banner, without, seen


def test_it_shows_the_demo_banner_on_every_page_for_every_role(matrix) -> None:
    assert demo_state().loaded
    with_banner, without, seen = _walk(matrix)
    assert seen >= 80, f"only {seen} pages walked"
    assert not without, "pages without the DEMO banner:\n" + "\n".join(without)


def test_it_shows_the_banner_in_english_too(matrix) -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    html = client.get("/publik/").content.decode()
    assert "DEMO DATA — synthetic figures, not official results" in html and BANNER not in html


def test_it_shows_no_banner_and_no_synthetic_peer_after_remove(matrix) -> None:
    alice = _client(matrix, "alice")
    before = alice.get("/nasional/?tahun=2023").content.decode()
    assert "(sintetis)" in before
    call_command("demo", remove=True, stdout=io.StringIO())
    with_banner, _without, seen = _walk(matrix)
    assert seen >= 60
    assert not with_banner, "pages still showing the DEMO banner:\n" + "\n".join(with_banner)
    for url in ("/nasional/", "/nasional/?tahun=2023", "/nasional/peta/?tahun=2023", "/publik/"):
        html = alice.get(url).content.decode()
        assert "(sintetis)" not in html and "Kota Bandung" not in html, url
    assert Client().get("/nasional/peta/data.json?tahun=2023").json()["results"] == {}

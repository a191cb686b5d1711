"""Refusals people can act on: the public goes to the login page (and comes back after), a signed-in person
gets a styled page in their language with the refusing check's own reason, never a bare "403 Forbidden"."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/wilayah/16.07/dasbor/", "/wilayah/16.07/rencana-aksi/baru/",
                                 "/wilayah/16.07/program/baru/", "/wilayah/16.07/unit/"])
def test_it_sends_the_public_to_the_login_page_and_back(url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/login/") and "next=" in response["Location"]


def test_it_asks_htmx_requests_of_the_public_to_log_in() -> None:
    response = Client().get("/wilayah/16.07/dasbor/", HTTP_HX_REQUEST="true")
    assert response.status_code == 401 and response["HX-Redirect"].startswith("/akun/login/")


def test_it_tells_a_signed_in_person_why_in_indonesian(actors) -> None:
    response = actors.client(actors.eka).get("/wilayah/16.07/rencana-aksi/baru/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Hanya koordinator daerah yang menambah rencana aksi" in html
    assert "Tidak diizinkan" in html and "web/site.css" in html  # the site's own page, not Django's bare one
    assert "/wilayah/16.07/dasbor/" in html  # a way back to their own region


def test_it_tells_a_signed_in_person_why_in_english(actors) -> None:
    client = actors.client(actors.mira)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/wilayah/16.07/dasbor/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Not allowed" in html and "Dasbor wilayah ini" not in html
    assert "assigned assessor panels and the national admin" in html
    response = client.get("/wilayah/16.07/program/jam-kunci/ubah/")
    assert response.status_code == 403 and "You may only change programmes owned by your unit" in response.content.decode()

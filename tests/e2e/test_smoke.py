from __future__ import annotations

import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.e2e


def test_it_serves_the_home_page_in_indonesian(page) -> None:
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "id"
    assert "Evaluasi Implementasi Smart City" in page.content()
    screenshot(page, "home")


def test_it_logs_in_a_coordinator(page) -> None:
    login(page, "koordinator@banyuasin.test")
    assert "Koordinator" in page.content()


def test_it_logs_an_assessor_in_with_totp(page) -> None:
    login(page, "asesor1@kotacerdas.test")
    assert "/akun/" not in page.url
    screenshot(page, "assessor-after-login")

"""Browser tests: Playwright drives Debian's Chromium against a real `kotacerdas serve` process that
has its own home (SQLite) with the demo loaded. Never downloads a browser."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("KOTACERDAS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DEMO_PASSWORD = "demo-kotacerdas-2024"
SHOTS = Path(os.environ.get("KOTACERDAS_SCREENSHOTS", Path(__file__).resolve().parents[2] / "var" / "screenshots"))


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def e2e_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e-home")


@pytest.fixture(scope="session")
def outbox(e2e_home: Path) -> Path:
    """Where the server's mail lands (file-based EMAIL_BACKEND): tests read invitations from here."""
    return e2e_home / "mail"


@contextmanager
def _served(home: Path) -> Iterator[str]:
    """A real `kotacerdas serve` on a free port over its own home, migrated and loaded with the demo."""
    if not Path(CHROMIUM).exists():
        if _in_ci():
            pytest.fail(f"Chromium not found at {CHROMIUM}; CI must install Debian's chromium")
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(KOTACERDAS_HOME=str(home), DJANGO_SETTINGS_MODULE="kotacerdas.settings")
    exe = str(Path(sys.executable).parent / "kotacerdas")
    for cmd in (["migrate", "--no-input", "-v0"], ["demo"]):
        subprocess.run([exe, *cmd], env=env, check=True, capture_output=True, timeout=900)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    # Mail goes to files the tests can read (invitations); links in it point at this server.
    env.update(EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
               EMAIL_FILE_PATH=str(home / "mail"), SITE_ROOT=url)
    log = open(home / "server.log", "w")
    proc = subprocess.Popen([exe, "serve", "--port", str(port), "--workers", "2"], env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.terminate()
        raise RuntimeError("kotacerdas serve did not start: " + (home / "server.log").read_text()[-2000:])
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=60)  # serve stops its worker first; on a loaded machine that can take a while
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=20)


@pytest.fixture(scope="session")
def e2e_server(e2e_home: Path) -> Iterator[str]:
    with _served(e2e_home) as url:
        yield url


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of the module's own, for a test that needs the demo as loaded (an editable 2024
    self-assessment) whatever the tests sharing `e2e_server` did before it."""
    with _served(tmp_path_factory.mktemp("e2e-own-home")) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def _page(browser, url: str) -> Iterator[object]:
    context = browser.new_context(base_url=url, locale="id-ID", viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def page(browser, e2e_server):
    yield from _page(browser, e2e_server)


@pytest.fixture
def own_page(browser, own_server):
    """A page on `own_server`."""
    yield from _page(browser, own_server)


DEMO_TOTP_SECRET = "KOTACERDASDEMOTOTPSECRETAAAAAAAA"


def totp_now(secret: str = DEMO_TOTP_SECRET) -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def login(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through allauth; admins and assessors also pass the TOTP step with the demo secret."""
    page.goto("/akun/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")
    if "/akun/2fa/authenticate" in page.url:
        page.fill("#id_code", fresh_totp(username))
        page.click("form button[type=submit]")
        page.wait_for_load_state("networkidle")


_last_code: dict[tuple[str, str], str] = {}


def fresh_totp(username: str, secret: str = DEMO_TOTP_SECRET) -> str:
    """A code this account has not used yet: allauth accepts each code once per account, so a second
    login of the same person within one 30-second step (another journey just before) waits for the next
    code, bounded by one step."""
    deadline = time.monotonic() + 35
    code = totp_now(secret)
    while code == _last_code.get((username, secret)) and time.monotonic() < deadline:
        time.sleep(0.2)
        code = totp_now(secret)
    _last_code[(username, secret)] = code
    return code


def screenshot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


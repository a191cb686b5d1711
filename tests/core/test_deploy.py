from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client


def _check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "KOTACERDAS_HOME": str(tmp_path), **env}
    full.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "kotacerdas.cli", "check", "--deploy", "--fail-level", "WARNING"],
                          env=full, capture_output=True, text=True, timeout=120)


def test_it_passes_the_deploy_check_with_production_settings(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text(secrets.token_urlsafe(60))
    r = _check(tmp_path, PRODUCTION="1", SECRET_KEY_FILE=str(secret), ALLOWED_HOSTS="smartcity.banyuasinkab.go.id")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues (0 silenced)" in r.stdout


def test_it_warns_when_production_settings_are_missing(tmp_path: Path) -> None:
    r = _check(tmp_path)
    assert r.returncode != 0
    assert "security.W004" in r.stdout + r.stderr  # no HSTS without PRODUCTION=1


@pytest.mark.django_db
def test_it_sends_a_content_security_policy_without_inline_script() -> None:
    r = Client().get("/")
    policy = r["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy
    assert r["X-Content-Type-Options"] == "nosniff"
    assert b" onchange=" not in r.content


@pytest.mark.django_db
def test_it_speaks_indonesian_to_an_english_browser_until_switched() -> None:
    c = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert c.get("/").headers["Content-Language"] == "id"
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert c.get("/").headers["Content-Language"] == "en"

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kotacerdas.cli import main


def test_it_reaches_django_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["help"]) == 0
    out = capsys.readouterr().out
    for name in ("demo", "serve", "loadregions", "createadmin", "migrate"):
        assert name in out


def test_it_returns_nonzero_on_unknown_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["no-such-command"]) != 0


def test_it_runs_as_a_console_script(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "kotacerdas"
    env = {**os.environ, "KOTACERDAS_HOME": str(tmp_path), "DATABASE_URL": ""}
    r = subprocess.run([str(exe), "check"], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "no issues" in r.stdout

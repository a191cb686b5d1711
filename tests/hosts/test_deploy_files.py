"""The deployment samples in deploy/ stay consistent with the application: the compose file has the
multi-host shape (PostgreSQL, Redis, web nodes without a worker, one worker) with settings the
application reads, and the systemd unit runs `kotacerdas serve` with options it has. No image is pulled."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SETTINGS = (ROOT / "src" / "kotacerdas" / "settings.py").read_text()


def _compose() -> dict[str, Any]:
    data = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert isinstance(data, dict)
    return data


def _read_by_settings(name: str) -> bool:
    return bool(re.search(rf"""["']{re.escape(name)}["']""", SETTINGS))


def _command(service: dict[str, Any]) -> str:
    command = service["command"]
    return " ".join(command) if isinstance(command, list) else str(command)


def test_compose_has_postgres_redis_web_and_one_worker() -> None:
    services = _compose()["services"]
    assert set(services) == {"postgres", "redis", "web", "worker"}
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    web, worker = services["web"], services["worker"]
    assert "kotacerdas serve" in _command(web) and "--no-worker" in _command(web)  # web nodes scale freely
    assert _command(worker).split()[:2] == ["kotacerdas", "worker"]
    for service in (web, worker):
        for dependency in ("postgres", "redis"):
            assert service["depends_on"][dependency]["condition"] == "service_healthy"
        assert "healthcheck" in services[dependency]


def test_compose_points_both_at_the_shared_database_cache_and_files() -> None:
    services = _compose()["services"]
    web, worker = services["web"], services["worker"]
    assert web["environment"] == worker["environment"]  # one configuration, through the YAML anchor
    env = web["environment"]
    assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in env["DATABASE_URL"]
    assert env["CACHE_URL"].startswith("redis://redis:6379/")
    for name in env:
        assert _read_by_settings(name), f"{name} is not a setting the application reads"
    # Evidence and reports: one volume mounted by web and worker alike (or STORAGE_URL for object storage).
    assert web["volumes"] == worker["volumes"] and any(v.startswith("media:") for v in web["volumes"])
    assert _read_by_settings("STORAGE_URL") and "STORAGE_URL" in (DEPLOY / "compose.yaml").read_text()
    assert (DEPLOY / web["build"]["dockerfile"].removeprefix("deploy/")).is_file()


def test_the_systemd_unit_runs_serve_with_options_it_has() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.read_string((DEPLOY / "kotacerdas.service").read_text())
    start = shlex.split(unit["Service"]["ExecStart"])
    assert start[0].endswith("/kotacerdas") and start[1] == "serve"
    from django.core.management import get_commands, load_command_class

    parser = load_command_class(get_commands()["serve"], "serve").create_parser("kotacerdas", "serve")
    options = parser.parse_args(start[2:])
    assert options.workers >= 2 and not options.no_worker  # N web workers + the supervised job worker
    assert unit["Service"]["Restart"] == "on-failure" and unit["Install"]["WantedBy"] == "multi-user.target"
    assert "EnvironmentFile" in unit["Service"]


def test_the_readme_explains_both_shapes_and_every_variable() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Satu host atau beberapa host", 1)[1].split("\n## ", 1)[0]
    for name in ("DATABASE_URL", "CACHE_URL", "STORAGE_URL", "deploy/kotacerdas.service", "deploy/compose.yaml",
                 "--no-worker", "--workers"):
        assert name in section, name

"""The demo can never be mistaken for real results: provenance on every figure people read, a refusal on
production installs, and `kotacerdas demo --remove` archiving it so a pilot starts clean."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from kotacerdas.accounts.models import AuditEvent, Membership
from kotacerdas.catalogue.models import Programme
from kotacerdas.core.provenance import Provenance, demo_state
from kotacerdas.evaluations.models import Cycle, Participation, Result
from kotacerdas.surveys.models import Survey

pytestmark = pytest.mark.django_db


def test_it_marks_where_every_demo_figure_comes_from() -> None:
    bya = {r.cycle.year: r for r in Result.objects.filter(region_id="16.07").select_related("cycle")}
    assert {y: (str(r.index), r.provenance) for y, r in bya.items()} == {
        2021: ("2.79", Provenance.PUBLISHED_SOURCE), 2023: ("2.87", Provenance.PUBLISHED_SOURCE)}
    peers = Result.objects.exclude(region_id="16.07")
    assert peers.count() > 400 and set(peers.values_list("provenance", flat=True)) == {Provenance.SYNTHETIC}
    assert set(Participation.objects.filter(cycle__year=2024).exclude(region_id="16.07")
               .values_list("provenance", flat=True)) == {Provenance.SYNTHETIC}
    assert Participation.objects.get(cycle__year=2024, region_id="16.07").provenance == Provenance.DEMO
    assert all(Cycle.objects.values_list("is_demo", flat=True))
    state = demo_state()
    assert state.loaded
    assert "16.07" not in state.synthetic_regions and len(state.synthetic_regions) > 300


def test_it_names_synthetic_peers_as_such_and_keeps_official_names() -> None:
    peer = Result.objects.filter(provenance=Provenance.SYNTHETIC).select_related("region").first()
    assert peer is not None
    assert peer.display_name == f"{peer.region.name} (sintetis)"
    assert not peer.region.name.endswith("(sintetis)")  # the regions table keeps Kemendagri's names
    bya = Result.objects.select_related("region").get(region_id="16.07", cycle__year=2023)
    assert bya.display_name == "Kabupaten Banyuasin"


def test_it_returns_provenance_in_the_api_results_and_ranking() -> None:
    rows = Client().get("/api/v1/ranking", {"year": 2023}).json()
    bya = next(r for r in rows if r["region"] == "16.07")
    assert (bya["provenance"], bya["region_name"], bya["index"]) == ("published_source", "Kabupaten Banyuasin", 2.87)
    peers = [r for r in rows if r["region"] != "16.07"]
    assert peers and all(r["provenance"] == "synthetic" and r["region_name"].endswith(" (sintetis)") for r in peers)
    page = Client().get("/api/v1/results", {"year": "2021", "region": "16.07"}).json()
    assert page["items"][0]["provenance"] == "published_source"
    detail = Client().get(f"/api/v1/results/{peers[0]['region']}/2023").json()
    assert detail["provenance"] == "synthetic" and detail["region_name"].endswith(" (sintetis)")
    schema = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name in ("ResultOut", "RankingRow", "ResultDetail"):
        assert "synthetic" in schema[name]["properties"]["provenance"]["description"]


def test_it_refuses_to_load_the_demo_on_a_production_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRODUCTION", "1")
    events = AuditEvent.objects.count()
    with pytest.raises(CommandError) as refused:
        call_command("demo", skip_regions=True, stdout=io.StringIO())
    assert refused.value.returncode == 2
    assert "PRODUCTION=1" in str(refused.value) and "--i-know-this-is-production" in str(refused.value)
    assert AuditEvent.objects.count() == events
    out = io.StringIO()
    call_command("demo", "--i-know-this-is-production", skip_regions=True, stdout=out)
    assert "DATA DEMO" in out.getvalue()


def test_it_refuses_production_through_the_console_script(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "kotacerdas"
    env = {**os.environ, "KOTACERDAS_HOME": str(tmp_path), "DATABASE_URL": "", "PRODUCTION": "1"}
    r = subprocess.run([str(exe), "demo"], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 2
    assert "--i-know-this-is-production" in r.stderr
    # Refused before anything is written: no table was created (the guard comes before the migration).
    db = tmp_path / "kotacerdas.sqlite3"
    if db.exists():
        with sqlite3.connect(db) as con:
            assert con.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] == 0


def test_it_archives_every_demo_row_and_deletes_none() -> None:
    before = {m: m.all_objects.count() for m in (Cycle, Participation, Result, Survey)}
    programmes = Programme.objects.count()
    demo_cycles = set(Cycle.objects.filter(is_demo=True).values_list("pk", flat=True))
    assert {2021, 2023, 2024} <= set(Cycle.objects.filter(pk__in=demo_cycles).values_list("year", flat=True))
    out = io.StringIO()
    call_command("demo", remove=True, stdout=out)
    assert "diarsipkan" in out.getvalue()
    assert {m: m.all_objects.count() for m in before} == before  # nothing deleted
    assert Programme.objects.count() == programmes
    assert not Cycle.objects.exists() and not Result.objects.exists() and not Survey.objects.exists()
    assert set(Cycle.all_objects.filter(is_demo=True, archived_at__isnull=False).values_list("pk", flat=True)) \
        == demo_cycles
    assert not Programme.objects.active().filter(is_demo=True).exists()
    demo_users = get_user_model().objects.filter(username__endswith=".test")
    assert demo_users.exists() and not demo_users.filter(is_active=True).exists()
    assert not Membership.objects.filter(user__in=demo_users, active=True).exists()
    event = AuditEvent.objects.get(action="demo.remove")
    assert event.data["cycles"] == len(demo_cycles) and event.data["programmes"] >= 30
    assert not demo_state().loaded and not demo_state().synthetic_regions
    # A pilot can open its own 2024 cycle with the same rubric pack.
    assert not Cycle.objects.filter(year=2024).exists()
    # `make run` runs `kotacerdas demo` again: it does not bring the demo back.
    again = io.StringIO()
    call_command("demo", skip_regions=True, stdout=again)
    assert "sudah diarsipkan" in again.getvalue() and not Cycle.objects.exists()


def test_it_leaves_no_synthetic_rows_in_rankings_and_api_after_remove() -> None:
    call_command("demo", remove=True, stdout=io.StringIO())
    for year in (2021, 2023, 2024):
        assert Client().get("/api/v1/ranking", {"year": year}).json() == []
    assert Client().get("/api/v1/results").json()["count"] == 0
    assert Client().get("/api/v1/cycles").json() == []
    assert Client().get("/api/v1/results/32.73/2023").status_code == 404
    assert Client().get("/nasional/peta/data.json").json()["results"] == {}


def test_it_migrates_an_empty_database_before_loading_the_demo(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "kotacerdas"
    env = {**os.environ, "KOTACERDAS_HOME": str(tmp_path), "DATABASE_URL": "", "KOTACERDAS_DEMO_EVENTS": "0"}
    env.pop("PRODUCTION", None)
    r = subprocess.run([str(exe), "demo"], capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "no such table" not in r.stderr
    first = r.stdout.splitlines()[0]
    assert first.startswith("Basis data belum dimigrasi") and "kotacerdas migrate" in first
    assert "Demo 2023" in r.stdout and "DATA DEMO" in r.stdout

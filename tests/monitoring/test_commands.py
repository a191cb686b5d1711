"""`kotacerdas generate-events` and `kotacerdas analytics` — the command-line faces of the monitoring."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kotacerdas.cli import main
from kotacerdas.monitoring.models import IngestJob

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_it_lists_the_hyphenated_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["help"]) == 0
    out = capsys.readouterr().out
    assert "generate-events" in out and "analytics" in out


def test_it_generates_events(settings: Any, tmp_path: Path) -> None:
    # call_command finds "generate-events" through the same discovery as `kotacerdas generate-events`
    # (which would also close the test's database connection on the way out).
    settings.EVENTS_ROOT = tmp_path / "events"
    rep = json.loads(_run("generate-events", "--region", "16.07", "--events", "3_000", "--seed", "9",
                          "--year", "2023", "--json"))
    assert rep["written_rows"] == 3000 and rep["quarantined_rows"] == 0
    assert sorted(rep["programmes"]) == ["jam-kunci", "oss", "simpada"]
    assert len(list((tmp_path / "events" / "region=16.07" / "year=2023").glob("month=*/*.parquet"))) == 12
    assert IngestJob.objects.get(pk=rep["job"]).created_count == 3000


def test_it_refuses_programmes_that_are_not_in_the_catalogue(settings: Any, tmp_path: Path) -> None:
    settings.EVENTS_ROOT = tmp_path
    with pytest.raises(CommandError, match="ojek"):
        _run("generate-events", "--events", "10", "--programmes", "jam-kunci,ojek")
    with pytest.raises(CommandError, match="99.99"):
        _run("generate-events", "--region", "99.99")


def test_it_answers_reach_by_programme_title_as_json(with_events: Any) -> None:
    data = json.loads(_run("analytics", "reach", "--region", "16.07", "--programme", "JAM KUNCI", "--year", "2024",
                           "--format", "json"))
    assert data["programme_code"] == "jam-kunci" and len(data["kecamatan"]) == 21 and data["gini"] > 0


def test_it_prints_reach_as_a_table_and_csv(with_events: Any) -> None:
    table = _run("analytics", "reach", "--programme", "oss", "--year", "2024")
    assert "Gini" in table and "Banyuasin III" in table and len(table.splitlines()) == 1 + 2 + 21
    csv_text = _run("analytics", "reach", "--programme", "oss", "--year", "2024", "--format", "csv")
    assert csv_text.splitlines()[0].startswith("code,name,transactions,users")
    assert len(csv_text.splitlines()) == 22


def test_it_answers_the_other_questions(with_events: Any) -> None:
    trend = json.loads(_run("analytics", "trend", "--programme", "simpada", "--format", "json"))
    assert [t["period"] for t in trend][:2] == ["2023-01", "2023-02"]
    assert trend[12]["yoy_transactions"] is not None
    evidence = json.loads(_run("analytics", "evidence", "--year", "2024", "--format", "json"))
    assert {e["kpi"] for e in evidence} >= {"dokumen-terbit", "pendapatan"}
    series = _run("analytics", "kpi-series", "--programme", "simpada")
    assert "pendapatan" in series


def test_it_says_what_is_missing() -> None:
    with pytest.raises(CommandError, match="--year"):
        _run("analytics", "reach", "--programme", "oss")
    with pytest.raises(CommandError, match="tidak ada"):
        _run("analytics", "reach", "--programme", "tidak-ada", "--year", "2024")

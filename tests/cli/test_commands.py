"""The `kotacerdas` commands: help in both languages, exit codes scripts can rely on, real output files."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from kotacerdas.cli import main
from kotacerdas.evaluations.models import Answer, Cycle, Result
from kotacerdas.reports import xlsx

pytestmark = pytest.mark.django_db
COMMANDS = ["report", "export", "import", "backup", "restore", "recompute", "packs", "score", "simulate"]


@pytest.mark.parametrize("name", COMMANDS)
def test_it_explains_every_command_in_indonesian_and_english(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([name, "--help"]) == 0
    out = capsys.readouterr().out
    assert "usage" in out.lower()
    if name not in ("packs", "score", "simulate"):
        assert "/" in out and ("Kode keluar" in out or "exit" in out.lower())


def test_it_returns_1_for_data_errors_and_2_for_usage_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Django's run_from_argv closes every connection when a command ends; inside the test's
    # transaction on PostgreSQL that would close the test's own connection.
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)
    assert main(["report", "99.99", "2024", "-o", str(tmp_path / "x.pdf")]) == 1
    assert main(["report", "16.07", "1999", "-o", str(tmp_path / "x.pdf")]) == 1
    assert main(["report", "16.07"]) == 2
    assert main(["report", "16.07", "2024", "--format", "doc"]) == 2
    assert main(["export", "ranking"]) == 2
    assert main(["import", "worksheet", str(tmp_path / "none.xlsx"), "--region", "16.07"]) == 2
    assert main(["score", "--pack", "no-such-pack", "-"]) == 2
    assert main(["packs"]) == 0


def test_it_writes_the_worksheet_and_ranking_files(tmp_path: Path) -> None:
    out = tmp_path / "lembar.xlsx"
    call_command("report", "16.07", "2024", "--format", "xlsx", "-o", str(out), stdout=io.StringIO())
    assert "Output" in load_workbook(out).sheetnames
    ranking = tmp_path / "peringkat.xlsx"
    call_command("export", "ranking", "2023", "-o", str(ranking), stdout=io.StringIO())
    rows = load_workbook(ranking)["Peringkat"].max_row - 1  # the demo's cycle: a DATA DEMO notice comes first
    assert rows == Result.objects.filter(cycle__year=2023, is_published=True).count()
    programmes = tmp_path / "program.xlsx"
    call_command("export", "programmes", "16.07", "-o", str(programmes), stdout=io.StringIO())
    assert load_workbook(programmes)["Program"]["A1"].value == "Kode"


def test_it_imports_a_worksheet_as_a_named_person(actors, tmp_path: Path) -> None:
    from kotacerdas.evaluations import queries

    sub = queries.stage_submission(Cycle.objects.get(year=2024), "16.07")
    assert sub is not None
    wb = load_workbook(io.BytesIO(xlsx.export_worksheet(sub)))
    ws = wb["Output"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value == "output.kelembagaan.forum")
    ws.cell(row=row, column=xlsx.COL["level"]).value = 4
    path = tmp_path / "lembar.xlsx"
    wb.save(path)
    args = ["worksheet", str(path), "--region", "16.07", "--year", "2024"]
    with pytest.raises(CommandError) as refused:
        call_command("import", *args, stdout=io.StringIO())  # nobody named: usage error
    assert refused.value.returncode == 2
    dry = io.StringIO()
    call_command("import", *args, "--as", actors.citra.username, "--dry-run", "--json", stdout=dry)
    assert json.loads(dry.getvalue())["changed"] == 1
    assert Answer.objects.get(submission=sub, indicator="output.kelembagaan.forum").level == 2
    call_command("import", *args, "--as", actors.citra.username, stdout=io.StringIO())
    assert Answer.objects.get(submission=sub, indicator="output.kelembagaan.forum").level == 4
    ws.cell(row=row, column=xlsx.COL["level"]).value = "tinggi"
    wb.save(path)
    err = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import", *args, "--as", actors.citra.username, stdout=io.StringIO(), stderr=err)
    assert failed.value.returncode == 1
    assert f"Output!{get_column_letter(xlsx.COL['level'])}{row}" in err.getvalue()


def test_it_imports_the_programme_catalogue_all_or_nothing(actors, tmp_path: Path) -> None:
    from kotacerdas.catalogue.models import Programme

    path = tmp_path / "program.csv"
    path.write_text(
        "Kode,Nama program,Unit pemilik,Sub-dimensi (kode),Sektor,Tahun mulai,Status,Quick Win,Aplikasi\n"
        "lapor-banjir,Lapor Banjir,BPBD,society.sistem_keamanan,sosial,2024,running,tidak,ya\n"
        "salah,Program Salah,Dinas Antah,society.sistem_keamanan,sosial,2024,running,tidak,ya\n",
        encoding="utf-8")
    with pytest.raises(CommandError) as failed:
        call_command("import", "programmes", str(path), "--region", "16.07", "--as", actors.citra.username,
                     stdout=io.StringIO(), stderr=io.StringIO())
    assert failed.value.returncode == 1
    assert not Programme.objects.filter(region_id="16.07", code="lapor-banjir").exists()
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n"
                    + path.read_text(encoding="utf-8").splitlines()[1] + "\n", encoding="utf-8")
    call_command("import", "programmes", str(path), "--region", "16.07", "--as", actors.citra.username,
                 stdout=io.StringIO())
    assert Programme.objects.get(region_id="16.07", code="lapor-banjir").owner.short_name == "BPBD"
    with pytest.raises(CommandError):  # mira coordinates another region
        call_command("import", "programmes", str(path), "--region", "16.07", "--as", actors.mira.username,
                     stdout=io.StringIO())


def test_it_recomputes_a_cycle_as_the_national_admin(actors) -> None:
    out = io.StringIO()
    call_command("recompute", "2024", "--as", actors.alice.username, stdout=out)
    assert "dihitung ulang" in out.getvalue()
    with pytest.raises(CommandError) as refused:
        call_command("recompute", "2024", "--as", actors.citra.username, stdout=io.StringIO())
    assert refused.value.returncode == 1


def test_it_wraps_the_scoring_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({"scores": {"baseline": 3, "output": 3, "outcome": 3, "impact": 3,
                                              "quick_win": 3}}))
    assert main(["score", "--pack", "kominfo-2021", str(answers)]) == 0
    assert json.loads(capsys.readouterr().out)["index"] == 3.0
    answers.write_text(json.dumps({"scores": {"baseline": 9}}))
    assert main(["score", "--pack", "kominfo-2021", str(answers)]) == 1

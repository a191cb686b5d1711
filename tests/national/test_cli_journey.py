"""The same cycle driven only through the `kotacerdas` commands (each one acting --as a person, with
that person's permissions and audit trail): users import, cycle open/add-participants/advance/finalise/
publish, panel form/suggest, and the region's and panel's steps with `kotacerdas submission`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core import mail

from kotacerdas.cli import main
from kotacerdas.evaluations.models import Result

from .journey import REGIONS, YEAR, accept_invitation

pytestmark = pytest.mark.django_db
ADMIN = "admin@kotacerdas.test"


@pytest.fixture(autouse=True)
def _keep_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    # Django's run_from_argv closes every connection when a command ends; inside the test's transaction
    # on PostgreSQL that would close the test's own connection.
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)


def kc(*args: object) -> int:
    return main([str(a) for a in args])


def test_it_runs_a_whole_cycle_from_the_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    people = tmp_path / "orang.csv"
    people.write_text("email;nama;peran;wilayah;unit;kelas\n"
                      "asesor.cli@kotacerdas.test;Asesor CLI;asesor;;;AB\n"
                      "koor.cli@banyuasin.test;Koor CLI;koordinator;16.07;;\n"
                      "salah;X;asesor;;;\n", encoding="utf-8")
    assert kc("users", "import", people, "--as", ADMIN) == 1  # row 4 is wrong: nobody is invited
    assert "baris 4" in capsys.readouterr().err and not mail.outbox
    people.write_text("\n".join(people.read_text(encoding="utf-8").splitlines()[:3]) + "\n", encoding="utf-8")
    assert kc("users", "import", people, "--as", ADMIN) == 0
    accept_invitation("koor.cli@banyuasin.test")
    accept_invitation("asesor.cli@kotacerdas.test", totp=True)
    assert kc("users", "import", people, "--as", "koor.cli@banyuasin.test") == 1  # coordinators invite no assessors

    assert kc("cycle", "open", "--year", YEAR, "--pack", "kominfo-2021", "--version", "2021.1",
              "--deadline", "2099-01-01", "--assessment-starts", "2020-01-01", "--assessment-ends", "2099-01-01",
              "--as", ADMIN) == 0
    assert "reconstructed" in capsys.readouterr().out
    listing = tmp_path / "peserta.csv"
    listing.write_text("kode,kelas\n" + "\n".join(f"{c},B" for c in REGIONS) + "\n", encoding="utf-8")
    assert kc("cycle", "add-participants", listing, "--year", YEAR, "--as", "koor.cli@banyuasin.test") == 1
    assert kc("cycle", "add-participants", listing, "--year", YEAR, "--as", ADMIN) == 0
    assert "3 peserta ditambahkan" in capsys.readouterr().out
    assert kc("panel", "form", "--year", YEAR, "--name", "Panel CLI", "--kelas", "B", "--lead",
              "asesor.cli@kotacerdas.test", "--members", "asesor3@kotacerdas.test,asesor4@kotacerdas.test",
              "--as", ADMIN) == 0
    assert kc("panel", "suggest", "--year", YEAR, "--apply", "--as", ADMIN) == 0
    assert "3 wilayah" in capsys.readouterr().out
    assert kc("cycle", "advance", "--year", YEAR, "--as", ADMIN) == 0
    assert "Tahap I" in capsys.readouterr().out

    levels = tmp_path / "tingkat.json"
    from kotacerdas.evaluations.queries import indicator_codes
    from kotacerdas.scoring.packs import get_pack

    codes = indicator_codes(get_pack("kominfo-2021", "2021.1"))
    levels.write_text(json.dumps(dict.fromkeys(codes, 3)), encoding="utf-8")
    # the coordinator fills the worksheet with the existing import command, then submits
    worksheet = tmp_path / "lembar.xlsx"
    assert kc("export", "worksheet", "16.07", YEAR, "-o", worksheet) == 0
    from openpyxl import load_workbook

    wb = load_workbook(worksheet)
    for ws in wb.worksheets:
        head = [c.value for c in ws[1]]
        if "Kode indikator" in head and "Tingkat" in head:
            k, t = head.index("Kode indikator") + 1, head.index("Tingkat") + 1
            for row in range(2, ws.max_row + 1):
                if ws.cell(row, k).value in codes:
                    ws.cell(row, t).value = 3
    wb.save(worksheet)
    assert kc("import", "worksheet", worksheet, "--region", "16.07", "--year", YEAR,
              "--as", "koor.cli@banyuasin.test") == 0
    steps = [("submit", "koor.cli@banyuasin.test"), ("start-assessment", "asesor.cli@kotacerdas.test")]
    for step, who in steps:
        assert kc("submission", step, "16.07", "--year", YEAR, "--as", who) == 0, step
    for who in ("asesor.cli@kotacerdas.test", "asesor3@kotacerdas.test", "asesor4@kotacerdas.test"):
        assert kc("submission", "score", "16.07", "--year", YEAR, "--levels", levels, "--as", who) == 0
        assert kc("submission", "complete", "16.07", "--year", YEAR, "--as", who) == 0
    assert kc("submission", "feedback", "16.07", "--year", YEAR, "--programme", "jam-kunci",
              "--strengths", "Cepat", "--as", "asesor.cli@kotacerdas.test") == 0
    assert kc("submission", "consensus", "16.07", "--year", YEAR, "--all-level", 3,
              "--as", "koor.cli@banyuasin.test") == 1  # only the panel lead
    assert kc("submission", "consensus", "16.07", "--year", YEAR, "--all-level", 3,
              "--as", "asesor.cli@kotacerdas.test") == 0
    assert kc("submission", "conclude", "16.07", "--year", YEAR, "--as", "asesor.cli@kotacerdas.test") == 0
    assert kc("cycle", "finalise", "--year", YEAR, "--as", ADMIN) == 0
    assert kc("cycle", "publish", "--year", YEAR, "--confirm", "ya", "--as", ADMIN) == 2
    assert kc("cycle", "publish", "--year", YEAR, "--confirm", f"TERBITKAN {YEAR}", "--as", ADMIN) == 0
    result = Result.objects.get(cycle__year=YEAR, region_id="16.07")
    assert result.is_published and result.rank == 1
    assert kc("export", "ranking", YEAR, "-o", tmp_path / "peringkat.xlsx") == 0
    assert load_workbook(tmp_path / "peringkat.xlsx").active.cell(2, 2).value == "16.07"

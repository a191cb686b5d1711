"""The evaluation worksheet as a Pemda officer fills it in: its formulas compute what the scoring engine
computes (evaluated by pycel, and by LibreOffice where installed), the rubric sits beside the level,
read-only columns are protected, programme codes come from a drop-down, and the file still imports —
untouched, refilled, recalculated by a spreadsheet program, or in the layout of older exports."""

from __future__ import annotations

import dataclasses
import io
import os
import random
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from kotacerdas.catalogue.models import Programme
from kotacerdas.evaluations import queries
from kotacerdas.evaluations.models import Answer, Cycle
from kotacerdas.reports import worksheet
from kotacerdas.reports.importreport import ImportFailed
from kotacerdas.reports.worksheet import formulas as fx
from kotacerdas.scoring.engine import ScoringError, score
from kotacerdas.scoring.packs import Node, Pack
from kotacerdas.scoring.packs import get_pack as pack_for

pytestmark = pytest.mark.django_db
L = {key: chr(ord("A") + i - 1) for key, i in worksheet.COL.items()}


@pytest.fixture
def submission():  # type: ignore[no-untyped-def]
    return queries.stage_submission(Cycle.objects.get(year=2024), "16.07")


def _save(wb: Any) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rows(ws: Any) -> dict[str, int]:
    return {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value}


def _fill(data: bytes, pack: Pack, levels: dict[str, int | None]) -> bytes:
    """The export with every indicator's level set as in ``levels`` (missing = empty)."""
    wb = load_workbook(io.BytesIO(data))
    for title, dim in worksheet.dimension_titles(pack).items():
        ws = wb[title]
        rows = _rows(ws)
        for ind in dim.indicators():
            ws.cell(row=rows[ind.code], column=worksheet.COL["level"]).value = levels.get(ind.code)
    return _save(wb)


def _evaluate(data: bytes, pack: Pack, tmp_path: Path) -> dict[str, Any]:
    from pycel import ExcelCompiler

    path = tmp_path / "lembar.xlsx"
    path.write_bytes(data)
    xl = ExcelCompiler(filename=str(path))
    n = len(pack.dimensions)
    out: dict[str, Any] = {"dims": {}, "dims_raw": {}, "summary": {}}
    for i, (title, dim) in enumerate(worksheet.dimension_titles(pack).items(), start=2):
        out["dims"][dim.code] = xl.evaluate(f"{title}!D2")
        out["dims_raw"][dim.code] = xl.evaluate(f"{title}!J2")
        out["summary"][dim.code] = xl.evaluate(f"Ringkasan!G{i}")
        out.setdefault("index_on_sheet", set()).add(xl.evaluate(f"{title}!F2"))
    out["index_raw"] = xl.evaluate(f"Ringkasan!F{n + 2}")
    out["index"] = xl.evaluate(f"Ringkasan!G{n + 2}")
    out["mean"] = xl.evaluate(f"Ringkasan!G{n + 3}")
    out["pillars"] = {code: xl.evaluate(f"Ringkasan!G{r}") for code, r in worksheet.pillar_rows(pack).items()}
    return out


def _expected(pack: Pack, levels: dict[str, int | None]) -> dict[str, Any]:
    """What the engine says: rounded dimensions, index and mean ("" where it gives none). Under
    ``refuse`` the engine gives nothing while anything is missing; a complete dimension's score does not
    depend on the others, so it is taken from a run with the other gaps filled."""
    answers = {k: v for k, v in levels.items() if v is not None}
    try:
        result = score(pack, answers)
    except ScoringError:
        result = None
    if result is not None:
        return {"dims": {d: "" if v is None else v for d, v in result.dimensions.items()},
                "dims_raw": {d: "" if v is None else v for d, v in result.dimensions_raw.items()},
                "index": result.index, "index_raw": result.index_raw, "mean": result.mean,
                "pillars": {p: "" if v is None else v for p, v in result.pillars.items()}}
    dims: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    filled = {n.code: answers.get(n.code, pack.scale_min) for n in pack.indicators()}
    full = score(pack, filled) if pack.missing_policy == "refuse" else None
    for dim in pack.dimensions:
        complete = all(n.code in answers for n in dim.indicators())
        dims[dim.code] = full.dimensions[dim.code] if full is not None and complete else ""
        raw[dim.code] = full.dimensions_raw[dim.code] if full is not None and complete else ""
    return {"dims": dims, "dims_raw": raw, "index": "", "index_raw": "", "mean": "",
            "pillars": {p.code: "" for p in pack.pillars}}


def _same(got: Any, want: Any, *, exact: bool) -> bool:
    if want == "" or want is None:
        return got in ("", None)
    if not isinstance(got, int | float):
        return False
    if exact:  # a reported number: the very same decimal
        return Decimal(repr(float(got))) == Decimal(want)
    return abs(Decimal(repr(float(got))) - Decimal(want)) < Decimal("1e-9")


def _check(pack: Pack, data: bytes, levels: dict[str, int | None], tmp_path: Path) -> None:
    _compare(pack, _evaluate(_fill(data, pack, levels), pack, tmp_path), levels)


def _cached(data: bytes, pack: Pack) -> dict[str, Any]:
    """The values a spreadsheet program stored with the formulas, in the shape of :func:`_evaluate`."""
    wb = load_workbook(io.BytesIO(data), data_only=True)
    summary = wb["Ringkasan"]
    n = len(pack.dimensions)
    out: dict[str, Any] = {"dims": {}, "dims_raw": {}, "summary": {}, "index_on_sheet": set()}
    for i, (title, dim) in enumerate(worksheet.dimension_titles(pack).items(), start=2):
        out["dims"][dim.code] = wb[title]["D2"].value
        out["dims_raw"][dim.code] = wb[title]["J2"].value
        out["summary"][dim.code] = summary[f"G{i}"].value
        out["index_on_sheet"].add(wb[title]["F2"].value)
    out["index_raw"] = summary[f"F{n + 2}"].value
    out["index"] = summary[f"G{n + 2}"].value
    out["mean"] = summary[f"G{n + 3}"].value
    out["pillars"] = {code: summary[f"G{r}"].value for code, r in worksheet.pillar_rows(pack).items()}
    return out


def _compare(pack: Pack, got: dict[str, Any], levels: dict[str, int | None]) -> None:
    want = _expected(pack, levels)
    for code in want["dims"]:
        assert _same(got["dims"][code], want["dims"][code], exact=True), (code, got["dims"][code], want["dims"][code])
        assert _same(got["summary"][code], want["dims"][code], exact=True), (code, got["summary"][code])
        assert _same(got["dims_raw"][code], want["dims_raw"][code], exact=False), (code, got["dims_raw"][code])
    assert _same(got["index"], want["index"], exact=True), (got["index"], want["index"])
    assert _same(got["index_raw"], want["index_raw"], exact=False), (got["index_raw"], want["index_raw"])
    assert _same(got["mean"], want["mean"], exact=True), (got["mean"], want["mean"])
    assert all(_same(v, want["index"], exact=True) for v in got["index_on_sheet"]), got["index_on_sheet"]
    assert got["pillars"].keys() == want["pillars"].keys()
    for code, value in want["pillars"].items():
        assert _same(got["pillars"][code], value, exact=True), (code, got["pillars"][code], value)


def _answer_sets(pack: Pack, seed: int, n: int, *, need_tie: bool = True) -> list[dict[str, int | None]]:
    """Empty, full at both ends, and random partial/full sets; plus sets whose exact dimension or index
    value lies on a rounding tie (…5 at the next decimal), where binary floats are most likely to go
    wrong."""
    rnd = random.Random(seed)
    codes = [i.code for i in pack.indicators()]
    sets: list[dict[str, int | None]] = [{}, {c: pack.scale_max for c in codes}, {c: pack.scale_min for c in codes}]
    for k in range(n):
        share = (0.3, 0.7, 1.0)[k % 3]
        sets.append({c: rnd.randint(pack.scale_min, pack.scale_max) if rnd.random() < share else None for c in codes})
    ties = 0
    for _ in range(3000):
        if ties >= 3:
            break
        answered = 1.0 if pack.missing_policy == "refuse" else 0.8  # a refusing pack scores only full sets
        candidate = {c: rnd.randint(pack.scale_min, pack.scale_max) if rnd.random() < answered else None for c in codes}
        try:
            result = score(pack, {k: v for k, v in candidate.items() if v is not None})
        except ScoringError:
            continue
        values = [result.index_raw, *[v for v in result.dimensions_raw.values() if v is not None]]
        step = Decimal(1).scaleb(-pack.decimals - 1)
        if any((v / step) % 10 == 5 and (v / step) == (v / step).to_integral_value() for v in values):
            sets.append(candidate)
            ties += 1
    assert ties >= 1 or not need_tie, "no rounding tie found: the test would not cover the hardest case"
    return sets


def _with_pack(monkeypatch: pytest.MonkeyPatch, pack: Pack) -> None:
    monkeypatch.setattr(queries, "cycle_pack", lambda cycle: pack)


def _replace(node: Node, changes: dict[str, dict[str, Any]]) -> Node:
    children = tuple(_replace(c, changes) for c in node.children)
    return dataclasses.replace(node, children=children, **changes.get(node.code, {}))


def _variant(base: Pack) -> Pack:
    """The shipped pack with missing answers left out (renormalised), every node rounded, banker's
    rounding, a max group and a min group."""
    dims = tuple(_replace(d, {"output.kelembagaan": {"rule": "max"}, "impact.data": {"rule": "min"}})
                 for d in base.dimensions)
    return dataclasses.replace(base, dimensions=dims, missing_policy="renormalise", round_nodes=True,
                               rounding_mode="half_even")


# --- the formulas compute what the engine computes ---------------------------------------------------

def test_its_formulas_equal_the_engine_for_the_shipped_pack(submission, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pack = queries.cycle_pack(submission.cycle)
    assert pack.missing_policy == "zero"
    data = worksheet.export_worksheet(submission)
    # As exported: the submission's own answers.
    current = {a.indicator: a.level for a in Answer.objects.active().filter(submission=submission)}
    _check(pack, data, current, tmp_path)
    for levels in _answer_sets(pack, seed=19, n=6):
        _check(pack, data, levels, tmp_path)


def test_its_formulas_follow_other_policies_rules_and_rounding(submission, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Missing answers left out (renormalised), every node rounded, banker's rounding, max/min groups."""
    pack = _variant(queries.cycle_pack(submission.cycle))
    assert fx.supported(pack)
    _with_pack(monkeypatch, pack)
    data = worksheet.export_worksheet(submission)
    for levels in _answer_sets(pack, seed=20, n=5):
        _check(pack, data, levels, tmp_path)


@pytest.mark.parametrize("code", ["spbe-2020", "pemdi-2025"])
def test_its_formulas_wait_for_every_answer_when_the_pack_refuses_gaps(submission, monkeypatch, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                       code: str) -> None:
    pack = pack_for(code)
    assert pack.missing_policy == "refuse"
    _with_pack(monkeypatch, pack)
    data = worksheet.export_worksheet(submission)
    rnd = random.Random(code)
    codes = [i.code for i in pack.indicators()]
    full: dict[str, int | None] = {c: rnd.randint(pack.scale_min, pack.scale_max) for c in codes}
    first_dim = {n.code for n in pack.dimensions[0].indicators()}
    partial: dict[str, int | None] = {c: v if c in first_dim or rnd.random() < 0.5 else None for c, v in full.items()}
    top: dict[str, int | None] = {c: pack.scale_max for c in codes}
    ties = _answer_sets(pack, seed=23, n=0, need_tie=False)[3:]  # full sets on a rounding tie, if any
    sets: list[dict[str, int | None]] = [{}, partial, full, top, *ties]
    for levels in sets:
        _check(pack, data, levels, tmp_path)


def test_it_keeps_the_score_in_the_application_for_packs_scored_per_innovation(submission, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    pack = pack_for("iid-2023")
    _with_pack(monkeypatch, pack)
    wb = load_workbook(io.BytesIO(worksheet.export_worksheet(submission)))
    assert not any(c.data_type == "f" for ws in wb.worksheets for line in ws.iter_rows() for c in line)
    assert "dihitung di aplikasi" in " ".join(str(c.value) for c in wb["Petunjuk"]["B"])


@pytest.fixture
def soffice() -> str:
    """LibreOffice Calc, the real spreadsheet program: skipped on a laptop without it, a failure in CI (which
    installs libreoffice-calc-nogui)."""
    found = shutil.which("soffice")
    if found is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("LibreOffice (soffice) is missing: CI must install libreoffice-calc-nogui")
        pytest.skip("LibreOffice not installed (apt-get install libreoffice-calc-nogui)")
    return found


def _libreoffice(files: dict[str, bytes], tmp_path: Path) -> dict[str, bytes]:
    """The files opened, recalculated and saved again by LibreOffice (as Excel does when the officer
    opens and saves one)."""
    sources = []
    for name, data in files.items():
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(data)
        sources.append(str(path))
    out = tmp_path / "lo"
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "xlsx", "--outdir", str(out), *sources],
                   check=True, capture_output=True, timeout=300)
    return {name: (out / f"{name}.xlsx").read_bytes() for name in files}


@pytest.mark.parametrize("variant", ["shipped", "renormalise-half-even-max-min", "spbe-2020"])
def test_libreoffice_computes_what_the_engine_computes(soffice, submission, monkeypatch, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                       variant: str) -> None:
    """A real spreadsheet program, not only pycel: its text handling in N/COUNT/MAX and its ROUND give the
    engine's numbers for every policy, rule and rounding mode."""
    shipped = queries.cycle_pack(submission.cycle)
    pack = {"shipped": shipped, "spbe-2020": pack_for("spbe-2020")}.get(variant) or _variant(shipped)
    _with_pack(monkeypatch, pack)
    data = worksheet.export_worksheet(submission)
    sets = _answer_sets(pack, seed=22, n=3)
    chosen = {"empty": sets[0], "partial": sets[3], "full": sets[5], "tie": sets[-1]}
    saved = _libreoffice({name: _fill(data, pack, levels) for name, levels in chosen.items()}, tmp_path)
    for name, levels in chosen.items():
        _compare(pack, _cached(saved[name], pack), levels)


def test_a_file_saved_by_a_spreadsheet_program_imports(soffice, actors, submission, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pack = queries.cycle_pack(submission.cycle)
    levels = _answer_sets(pack, seed=21, n=1)[-1]
    saved = _libreoffice({"lembar": _fill(worksheet.export_worksheet(submission), pack, levels)}, tmp_path)["lembar"]
    assert load_workbook(io.BytesIO(saved))[pack.dimensions[1].name].protection.sheet  # still protected
    report = worksheet.import_worksheet(actors.citra, submission, saved)
    assert report.ok, report.to_dict()["errors"][:3]
    saved_levels = {a.indicator: a.level for a in Answer.objects.active().filter(submission=submission)}
    assert {c: saved_levels.get(c) for c in levels} == levels


# --- what the officer sees -----------------------------------------------------------------------------

def test_it_shows_weights_rubric_beside_the_level_and_protects_read_only_columns(submission) -> None:  # type: ignore[no-untyped-def]
    pack = queries.cycle_pack(submission.cycle)
    wb = load_workbook(io.BytesIO(worksheet.export_worksheet(submission)))
    assert wb.sheetnames[1:3] == ["Petunjuk", "Ringkasan"] and wb.sheetnames[-1] == "Program"
    assert worksheet.COL["levels"] == worksheet.COL["level"] + 1  # the rubric right beside "Tingkat"
    shares = fx.shares(pack)
    total = sum((shares[i.code] or Decimal(0) for i in pack.indicators()), Decimal(0))
    assert abs(total - 1) < Decimal("1e-20")  # the weights add up to the whole index
    for title, dim in worksheet.dimension_titles(pack).items():
        ws = wb[title]
        assert ws.protection.sheet and not ws.protection.password  # no password: nobody is locked out
        assert ws.freeze_panes == "C3"
        rows = _rows(ws)
        level_ranges = [dv for dv in ws.data_validations.dataValidation if dv.type == "whole"]
        lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
        assert len(level_ranges) == 1 and len(lists) == 1
        assert (level_ranges[0].formula1, level_ranges[0].formula2) == (str(pack.scale_min), str(pack.scale_max))
        assert lists[0].formula1.startswith("'Program'!$A$2:$A$")
        for ind in dim.indicators():
            r = rows[ind.code]
            assert ws.cell(row=r, column=worksheet.COL["weight"]).value == pytest.approx(float(shares[ind.code] or 0))
            assert ws.cell(row=r, column=worksheet.COL["levels"]).value.startswith(f"{ind.levels[0][0]}: ")
            for key, column in worksheet.COL.items():
                assert ws.cell(row=r, column=column).protection.locked == (key not in worksheet.EDITABLE), (key, r)
            assert f"{L['level']}{r}" in level_ranges[0].sqref and f"{L['programme']}{r}" in lists[0].sqref
            assert ws.cell(row=r, column=worksheet.COL["value"]).value == f"=IF(ISNUMBER(D{r}),D{r},0)"
        # Structure rows (the dimension, its groups) are locked whole.
        for code in {n.code for n in dim.walk() if not n.is_indicator}:
            assert all(ws.cell(row=rows[code], column=c).protection.locked for c in worksheet.COL.values())
    programmes = wb["Program"]
    listed = [programmes.cell(row=r, column=1).value for r in range(2, programmes.max_row + 1)]
    assert set(listed) == set(Programme.objects.filter(region_id="16.07", archived_at__isnull=True)
                              .values_list("code", flat=True))
    last = lists[0].formula1.rsplit("$", 1)[1]
    assert int(last) == len(listed) + 1
    assert programmes.protection.sheet and wb["Ringkasan"].protection.sheet


def test_it_writes_no_formula_but_its_own(actors, submission) -> None:  # type: ignore[no-untyped-def]
    from kotacerdas.evaluations.actions import do_save_answer

    do_save_answer(actors.citra, submission, "output.anggaran.non_apbd", 1, '=HYPERLINK("http://jahat.example","x")',
                   expected_version=0)
    wb = load_workbook(io.BytesIO(worksheet.export_worksheet(submission)))
    formulas = {(ws.title, c.coordinate) for ws in wb.worksheets for line in ws.iter_rows() for c in line
                if c.data_type == "f"}
    allowed_columns = {"Ringkasan": {"D", "F", "G"}}
    for title, coordinate in formulas:
        column = coordinate.rstrip("0123456789")
        assert column in allowed_columns.get(title, {"J"}) or coordinate in ("D2", "F2"), (title, coordinate)
        fx.check_formula(wb[title][coordinate].value, wb.sheetnames)
    ws = wb["Output"]
    r = _rows(ws)["output.anggaran.non_apbd"]
    assert ws.cell(row=r, column=worksheet.COL["justification"]).data_type != "f"
    with pytest.raises(ValueError):
        fx.check_formula('=HYPERLINK("http://x","y")', wb.sheetnames)
    with pytest.raises(ValueError):
        fx.check_formula("='Lain'!A1", wb.sheetnames)


# --- import ------------------------------------------------------------------------------------------

def test_it_round_trips_levels_justifications_and_programmes(actors, submission) -> None:  # type: ignore[no-untyped-def]
    pack = queries.cycle_pack(submission.cycle)
    data = worksheet.export_worksheet(submission)
    assert worksheet.import_worksheet(actors.citra, submission, data).changed == 0  # untouched: nothing changes
    wb = load_workbook(io.BytesIO(data))
    programme = Programme.objects.filter(region_id="16.07", archived_at__isnull=True).order_by("code").first()
    assert programme is not None
    wanted = {
        "output.anggaran.non_apbd": (2, "CSR Bank Sumsel Babel 2024\nbaris kedua", programme.code),
        "quick_win.keunikan_inovasi": (4, "=bukan rumus", ""),
        "baseline.peningkatan_indeks": (None, "", ""),
    }
    for title in worksheet.dimension_titles(pack):
        ws = wb[title]
        rows = _rows(ws)
        for code, (level, text, prog) in wanted.items():
            if code in rows:
                r = rows[code]
                ws.cell(row=r, column=worksheet.COL["level"]).value = level
                ws.cell(row=r, column=worksheet.COL["justification"]).value = "'" + text if text.startswith("=") else text
                ws.cell(row=r, column=worksheet.COL["programme"]).value = prog
    report = worksheet.import_worksheet(actors.citra, submission, _save(wb))
    assert report.ok and report.changed == 3, report.to_dict()
    for code, (level, text, prog) in wanted.items():
        a = Answer.objects.active().get(submission=submission, indicator=code)
        assert (a.level, a.justification, a.programme.code if a.programme else "") == (level, text, prog)
    again = worksheet.import_worksheet(actors.citra, submission, worksheet.export_worksheet(submission))
    assert again.ok and again.changed == 0


def test_it_names_row_and_column_of_a_tampered_read_only_cell(actors, submission) -> None:  # type: ignore[no-untyped-def]
    data = worksheet.export_worksheet(submission)
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Output"]
    rows = _rows(ws)
    col = worksheet.COL
    ws.cell(row=rows["output.kebijakan.masterplan"], column=col["weight"]).value = 0.5
    ws.cell(row=rows["output.kelembagaan.dewan"], column=col["levels"]).value = "4: selalu sempurna"
    ws.cell(row=rows["output.kelembagaan.forum"], column=col["name"]).value = "Forum lain"
    ws.cell(row=rows["output.anggaran.apbd"], column=col["version"]).value = "dua"
    ws.cell(row=rows["output.anggaran.non_apbd"], column=col["code"]).value = "output.anggaran.lain"
    ws.cell(row=rows["output.kelembagaan.tim_pelaksana"], column=col["level"]).value = 4  # a good row
    with pytest.raises(ImportFailed) as caught:
        worksheet.import_worksheet(actors.citra, submission, _save(wb))
    errors = {(e.row, e.column): e.message for e in caught.value.report.errors if e.sheet == "Output"}
    assert set(errors) == {(rows["output.kebijakan.masterplan"], L["weight"]),
                           (rows["output.kelembagaan.dewan"], L["levels"]),
                           (rows["output.kelembagaan.forum"], L["name"]),
                           (rows["output.anggaran.apbd"], L["version"]),
                           (rows["output.anggaran.non_apbd"], L["code"])}, errors
    assert "Bobot" in errors[(rows["output.kebijakan.masterplan"], L["weight"])]
    assert "paket 4,8 %" in errors[(rows["output.kebijakan.masterplan"], L["weight"])]  # Indonesian notation
    assert "Deskripsi tingkat" in errors[(rows["output.kelembagaan.dewan"], L["levels"])]
    assert Answer.objects.get(submission=submission, indicator="output.kelembagaan.tim_pelaksana").level == 3


def test_it_ignores_edited_formulas_and_reads_only_the_answers(actors, submission) -> None:  # type: ignore[no-untyped-def]
    wb = load_workbook(io.BytesIO(worksheet.export_worksheet(submission)))
    ws = wb["Output"]
    r = _rows(ws)["output.kelembagaan.forum"]
    ws["J2"] = 4  # someone overwrote the dimension's formula with a number
    ws.cell(row=r, column=worksheet.COL["value"]).value = 4
    ws.cell(row=r, column=worksheet.COL["level"]).value = 3
    report = worksheet.import_worksheet(actors.citra, submission, _save(wb))
    assert report.ok and report.changed == 1
    assert Answer.objects.get(submission=submission, indicator="output.kelembagaan.forum").level == 3


def test_it_still_imports_a_worksheet_in_the_layout_of_older_exports(actors, submission) -> None:  # type: ignore[no-untyped-def]
    pack = queries.cycle_pack(submission.cycle)
    answers = {a.indicator: a for a in Answer.objects.active().filter(submission=submission)}
    wb = Workbook()
    wb.active.title = "Petunjuk"
    wb.active["B7"] = submission.pk
    for title, dim in worksheet.dimension_titles(pack).items():
        ws = wb.create_sheet(title)
        ws.append(["Kode indikator", "Indikator", "Tingkat", "Penjelasan / catatan", "Program terkait (kode)",
                   "Bukti dukung (satu tautan per baris)", "Versi", "Deskripsi tingkat (rujukan)"])
        for ind in dim.indicators():
            a = answers.get(ind.code)
            level = 1 if ind.code == "output.kelembagaan.forum" else (a.level if a else None)
            ws.append([ind.code, ind.name, level, a.justification if a else "",
                       a.programme.code if a and a.programme else "", "", a.version if a else 0,
                       worksheet.levels_text(ind)])
    report = worksheet.import_worksheet(actors.citra, submission, _save(wb))
    assert report.ok and report.changed == 1, report.to_dict()
    assert Answer.objects.get(submission=submission, indicator="output.kelembagaan.forum").level == 1

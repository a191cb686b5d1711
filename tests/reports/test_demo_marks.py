"""Reports and exports built from demo data say so: a DEMO watermark on every PDF page, a notice on the
first sheet of every Excel export, synthetic peers named "(sintetis)"; real data carries neither."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from kotacerdas.actionplans import excel as plan_excel
from kotacerdas.actionplans.models import ActionItem
from kotacerdas.core.provenance import DEMO_SHEET
from kotacerdas.evaluations import actions, queries
from kotacerdas.evaluations.models import Cycle
from kotacerdas.regions.models import Region
from kotacerdas.reports import importers, pdf, xlsx
from kotacerdas.surveys import actions as survey_actions
from kotacerdas.surveys.models import Survey

pytestmark = pytest.mark.django_db

NOTICE = "DATA DEMO — angka sintetis, bukan hasil resmi"


@pytest.fixture(scope="module")
def demo_pdf(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        data, _pages = pdf.render_pdf(Region.objects.get(code="32.73"), Cycle.objects.get(year=2023, pack_code="kominfo-2021"), "id")
    return data


def _real_cycle(actor):
    """A cycle of this installation (not the demo's) with Kota Palembang, which has no demo catalogue."""
    cycle = actions.do_open_cycle(actor, year=2031, pack_code="kominfo-2021", pack_version="2021.1")
    actions.do_add_participant(actor, cycle, "16.71", "A")
    return cycle


def test_it_puts_a_demo_watermark_on_every_pdf_page(demo_pdf) -> None:
    reader = PdfReader(io.BytesIO(demo_pdf))
    assert len(reader.pages) > 3
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text() or ""
        assert "DEMO" in text.replace(" ", "").replace("\n", ""), f"page {number} has no DEMO watermark"
        assert NOTICE in text, f"page {number} has no demo notice"
    cover = reader.pages[0].extract_text() or ""
    assert "Kota Bandung (sintetis)" in cover


def test_it_leaves_a_report_of_real_data_unmarked(actors) -> None:
    cycle = _real_cycle(actors.alice)
    data, _pages = pdf.render_pdf(Region.objects.get(code="16.71"), cycle, "id")
    text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    assert "DEMO" not in text and "sintetis" not in text
    ranking = load_workbook(io.BytesIO(xlsx.export_ranking(cycle, published_only=False)))
    assert DEMO_SHEET not in ranking.sheetnames


def _notice_first(data: bytes) -> Any:
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames[0] == DEMO_SHEET
    first = wb.worksheets[0]
    assert first["A1"].value == NOTICE
    assert "synthetic" in str(first["A2"].value) and "(sintetis)" in str(first["A3"].value)
    assert wb.active.title == DEMO_SHEET
    return wb


def test_it_puts_a_notice_on_the_first_sheet_of_the_ranking_and_raw_exports() -> None:
    cycle = Cycle.objects.get(year=2023, pack_code="kominfo-2021")
    wb = _notice_first(xlsx.export_ranking(cycle))
    ws = wb["Peringkat"]
    names = {ws.cell(row=r, column=2).value: ws.cell(row=r, column=3).value for r in range(2, ws.max_row + 1)}
    assert names["16.07"] == "Kabupaten Banyuasin"
    peers = [v for k, v in names.items() if k != "16.07"]
    assert len(peers) == 240 and all(v.endswith(" (sintetis)") for v in peers)
    raw = _notice_first(xlsx.export_raw(cycle))["Hasil"]
    raw_names = {raw.cell(row=r, column=1).value: raw.cell(row=r, column=2).value for r in range(2, raw.max_row + 1)}
    assert raw_names["16.07"] == "Kabupaten Banyuasin"
    assert all(v.endswith(" (sintetis)") for k, v in raw_names.items() if k != "16.07")


def test_it_marks_the_worksheet_and_catalogue_exports_and_they_still_import(actors, tmp_path: Path) -> None:
    sub = queries.stage_submission(Cycle.objects.get(year=2024), "16.07")
    assert sub is not None
    data = xlsx.export_worksheet(sub)
    _notice_first(data)
    report = xlsx.import_worksheet(actors.citra, sub, data)
    assert report.ok and not report.errors
    region = Region.objects.get(code="16.07")
    catalogue = importers.export_programmes(region)
    _notice_first(catalogue)
    path = tmp_path / "program.xlsx"
    path.write_bytes(catalogue)
    imported = importers._import_programmes(actors.citra, path, region, None, dry_run=True)
    assert imported.ok, imported.errors[:3]


def test_it_marks_the_action_plan_and_survey_exports() -> None:
    cycle = Cycle.objects.get(year=2024)
    region = Region.objects.get(code="16.07")
    _notice_first(plan_excel.export_plan(region, cycle, ActionItem.objects.active().filter(region=region,
                                                                                          cycle=cycle)))
    survey = Survey.objects.get(region=region, cycle=cycle)
    _notice_first(survey_actions.export_responses(survey.created_by, survey, fmt="xlsx"))

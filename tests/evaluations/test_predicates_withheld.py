"""No provisional predicate reaches a reader: web pages, public portal, API, PDF, Excel, CLI.

kominfo-2021's bands are provisional (3.0 and above "Sangat Baik"), so a published 3.32 must show its
index and rank and no predicate; spbe-2020's official bands keep theirs.
"""

from __future__ import annotations

import importlib
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from kotacerdas.accounts.models import AuditEvent
from kotacerdas.cli import main
from kotacerdas.core.provenance import first_data_sheet
from kotacerdas.evaluations.models import Cycle, Result
from kotacerdas.regions.models import Region
from kotacerdas.reports import pdf, xlsx
from kotacerdas.scoring.packs import get_pack

pytestmark = pytest.mark.django_db

LABELS = ("Sangat Baik", "Very good", "Memuaskan")
WITHHELD_NOTE = "bukan resmi"


@pytest.fixture
def high() -> Result:
    """A published kominfo-2021 result of 3.32, ranked first, still carrying the label an older
    version stored ("Sangat Baik")."""
    cycle = Cycle.objects.get(year=2023, pack_code="kominfo-2021")
    r = Result.objects.filter(cycle=cycle, is_published=True).exclude(region_id="16.07").order_by("region_id")[0]
    Result.objects.filter(pk=r.pk).update(index=Decimal("3.32"), index_raw="3.32", predicate="Sangat Baik", rank=1)
    r.refresh_from_db()
    return r


def _admin() -> Client:
    from tests.web.conftest import client_for

    return client_for("admin@kotacerdas.test")


def _no_label(text: str) -> None:
    for label in LABELS:
        assert label not in text, label
    assert 'class="chip predicate"' not in text


def test_it_shows_no_provisional_predicate_on_web_pages(high: Result) -> None:
    code = high.region_id
    public, admin = Client(), _admin()
    pages = {
        "portal": public.get(f"/publik/?q={code}"),
        "public region": public.get(f"/publik/{code}/"),
        "national": admin.get("/nasional/?tahun=2023"),
        "national map": admin.get("/nasional/peta/?tahun=2023"),
        "dashboard": admin.get(f"/wilayah/{code}/dasbor/"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        body = response.content.decode()
        assert "3,32" in body, name  # the index itself is shown
        _no_label(body)
        assert WITHHELD_NOTE in body, name  # and the reader is told why there is no predicate
    data = public.get(f"/nasional/peta/data.json?tahun=2023&provinsi={code[:2]}").json()
    row = data["results"][code]
    assert (row["index"], row["predicate"], row["predicate_status"], row["rank"]) == (3.32, None, "provisional", 1)
    # The histogram still counts the index; its legend has no predicate chips.
    national = pages["national"].content.decode()
    spread = national.split('id="judul-sebaran"')[1].split("</section>")[0]
    assert "3,25–3,50" in spread and 'class="chip' not in spread  # bins labelled in the reader's locale


def test_it_returns_null_predicates_with_their_status_from_the_api(high: Result) -> None:
    c = Client()
    rows = c.get(f"/api/v1/results?year=2023&region={high.region_id}").json()["items"]
    assert [(r["index"], r["predicate"], r["predicate_status"]) for r in rows] == [(3.32, None, "provisional")]
    ranking = c.get("/api/v1/ranking?year=2023").json()
    assert ranking and {(r["predicate"], r["predicate_status"]) for r in ranking} == {(None, "provisional")}
    assert ranking[0]["region"] == high.region_id and ranking[0]["index"] == 3.32
    detail = c.get(f"/api/v1/results/{high.region_id}/2023").json()
    assert (detail["predicate"], detail["predicate_status"]) == (None, "provisional")
    assert "predicate" not in {s["node"] for s in detail["trace"]}
    _no_label(json.dumps([rows, ranking, detail], ensure_ascii=False))


def test_it_keeps_official_spbe_predicates(actors) -> None:
    pack = get_pack("spbe-2020")
    cycle = Cycle.objects.create(year=2023, name="SPBE 2023", pack_code=pack.code, pack_version=pack.version,
                                 pack_digest=pack.digest)
    Result.objects.create(cycle=cycle, region_id="16.07", pack_code=pack.code, pack_version=pack.version,
                          pack_digest=pack.digest, index=Decimal("3.60"), index_raw="3.6",
                          predicate="Sangat Baik", rank=1, is_published=True)
    rows = Client().get("/api/v1/results?year=2023&region=16.07").json()["items"]
    by_pack = {r["pack"]: (r["predicate"], r["predicate_status"]) for r in rows}
    assert by_pack == {"spbe-2020": ("Sangat Baik", "official"), "kominfo-2021": (None, "provisional")}
    body = Client().get("/publik/16.07/").content.decode()
    assert 'class="chip predicate">Sangat Baik<' in body or ">Sangat Baik<" in body


def test_it_prints_no_provisional_predicate_in_the_pdf_report(high: Result) -> None:
    data, _pages = pdf.render_pdf(Region.objects.get(code=high.region_id), high.cycle, "id")
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    assert "3,32" in text or "3.32" in text
    for label in LABELS:
        assert label not in text
    assert WITHHELD_NOTE in " ".join(text.split())


def test_it_writes_no_provisional_predicate_in_excel_exports(high: Result) -> None:
    for data in (xlsx.export_ranking(high.cycle), xlsx.export_raw(high.cycle)):
        ws = first_data_sheet(load_workbook(io.BytesIO(data)))  # after the demo's DATA DEMO notice
        header = [c.value for c in ws[1]]
        column = header.index("Predikat") + 1
        cells = [ws.cell(row=r, column=column).value for r in range(2, ws.max_row + 1)]
        assert cells and all(v in (None, "") for v in cells)
        values = {str(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
        assert not values & {"Sangat Baik", "Baik", "Cukup", "Kurang"}
        assert 3.32 in {c.value for row in ws.iter_rows(min_row=2) for c in row}


def test_kotacerdas_score_prints_no_sangat_baik_for_332(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "332.json"
    path.write_text(json.dumps({"scores": {"baseline": 3.2, "output": 3.3, "outcome": 3.4, "impact": 3.3,
                                           "quick_win": 3.3}}), encoding="utf-8")
    for fmt in ("table", "json"):
        assert main(["score", "--pack", "kominfo-2021", "--format", fmt, str(path)]) == 0
        out = capsys.readouterr().out
        assert "3.32" in out and "Sangat Baik" not in out and "Very good" not in out


def test_the_migration_clears_stored_provisional_labels_and_audits_them(high: Result) -> None:
    migration = importlib.import_module("kotacerdas.evaluations.migrations.0002_withhold_provisional_predicates")
    pack = get_pack("spbe-2020")
    spbe_cycle = Cycle.objects.create(year=2022, name="SPBE 2022", pack_code=pack.code, pack_version=pack.version)
    spbe = Result.objects.create(cycle=spbe_cycle, region_id="16.07", pack_code=pack.code,
                                 pack_version=pack.version, index=Decimal("3.60"), index_raw="3.6",
                                 predicate="Sangat Baik", is_published=True)
    before = Result.objects.values_list("index", "index_raw", "dimensions", "pack_digest").get(pk=high.pk)
    migration.withhold(apps, None)
    high.refresh_from_db()
    spbe.refresh_from_db()
    assert (high.predicate, spbe.predicate) == ("", "Sangat Baik")
    assert Result.objects.values_list("index", "index_raw", "dimensions", "pack_digest").get(pk=high.pk) == before
    event = AuditEvent.objects.get(action="evaluations.withhold_predicates", object_id="kominfo-2021@2021.1")
    assert event.data["cleared"][str(high.pk)] == "Sangat Baik" and event.from_state == "provisional"

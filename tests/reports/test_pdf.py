"""The PDF Laporan Hasil Evaluasi: opened with pypdf, as a reader would."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from kotacerdas.core.errors import NotAllowed
from kotacerdas.evaluations.models import Cycle
from kotacerdas.regions.models import Region
from kotacerdas.reports import pdf, sections
from kotacerdas.reports.charts import ChartSpec, Series, svg_text_count, svg_texts, to_echarts, to_svg

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def report_2024(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        data, pages = pdf.render_pdf(Region.objects.get(code="16.07"), Cycle.objects.get(year=2024), "id")
    return data, pages


def _text(data: bytes) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages]


def test_it_renders_every_section_with_page_numbers(report_2024) -> None:
    data, pages = report_2024
    text = _text(data)
    assert len(text) == pages >= 8
    assert len(data) < pdf.MAX_BYTES
    assert "Laporan Hasil Evaluasi" in text[0] and "Kabupaten Banyuasin" in text[0]
    everything = "\n".join(text)
    for title in ("Ringkasan hasil", "Lima dimensi", "Enam pilar", "Umpan balik per program", "Profil Quick Win",
                  "Peta jangkauan program unggulan", "Lampiran: daftar bukti dukung"):
        assert title in everything, title
    assert f"Halaman 2 / {pages}" in text[1]
    # Banyuasin 2024 is not concluded yet: the report says its numbers are a forecast.
    assert "perkiraan" in text[0]


def test_the_contents_give_each_sections_page_and_link_to_it(report_2024) -> None:
    data, pages = report_2024
    reader = PdfReader(io.BytesIO(data))
    text = _text(data)
    entries = re.findall(r"^(\d+)\. (.+?) (\d+)$", text[0], flags=re.M)
    assert len(entries) >= 7, text[0]
    for number, title, page in entries:
        assert f"{number}. {title}" in text[int(page) - 1], (title, page)  # the heading is on that page
        assert f"{number}. {title}" not in text[int(page) - 2] or int(page) == 2
    # The title and the page number of every entry link to its section, a place inside the document.
    links = [a.get_object() for a in reader.pages[0].get("/Annots") or []]
    dests = [str(a["/Dest"]) for a in links if a.get("/Subtype") == "/Link" and "/Dest" in a]
    named = reader.named_destinations
    assert len(set(dests)) == len(entries) and set(dests) <= set(named)
    for dest, (_number, _title, page) in zip(sorted(set(dests), key=dests.index), entries, strict=True):
        assert reader.get_destination_page_number(named[dest]) == int(page) - 1, dest
        rects = [a["/Rect"] for a in links if str(a.get("/Dest")) == dest]
        assert min(float(r[0]) for r in rects) < 100 < 500 < max(float(r[2]) for r in rects)  # title and number


def test_it_draws_charts_as_vector_text_not_pictures(report_2024) -> None:
    data, _pages = report_2024
    everything = "\n".join(_text(data))
    # Chart titles exist only inside the SVG charts: extractable text means vector charts.
    for chart_title in ("Skor lima dimensi", "Indeks enam pilar", "Riwayat indeks",
                        "Jangkauan program unggulan per kecamatan"):
        assert chart_title in everything, chart_title
    reader = PdfReader(io.BytesIO(data))
    kinds = set()
    for page in reader.pages:
        for obj in (page["/Resources"].get("/XObject") or {}).values():  # type: ignore[attr-defined]
            kinds.add(str(obj.get_object().get("/Subtype")))
    assert kinds == {"/Form"}  # the SVG charts are vector forms; no raster image, no screenshot


def test_it_says_when_no_risk_register_exists(report_2024) -> None:
    everything = "\n".join(_text(report_2024[0]))
    assert "Register risiko Quick Win belum tercatat" in everything
    assert "JAM KUNCI" in everything


def test_the_map_is_keyed_to_the_table_of_kecamatan() -> None:
    data = sections.collect(Region.objects.get(code="16.07"), Cycle.objects.get(year=2024))
    ctx = sections.reach_map(data)
    assert ctx is not None
    rows = ctx["rows"]
    assert [n for n, _name, _value in rows] == list(range(1, len(rows) + 1))
    assert len(rows) == Region.objects.filter(parent__code="16.07", level="kecamatan").count()
    values = [value or 0 for _n, _name, value in rows]
    assert values == sorted(values, reverse=True)  # number 1 is the widest reach
    labels = svg_texts(ctx["map"])
    assert {str(n) for n, _name, _value in rows} <= set(labels)
    assert not {name for _n, name, _value in rows} & set(labels)


def test_it_writes_the_report_in_english() -> None:
    html = pdf.render_html(Region.objects.get(code="16.07"), Cycle.objects.get(year=2023, pack_code="kominfo-2021"), "en")
    assert "Evaluation Results Report" in html
    assert "Summary of results" in html
    assert "Ringkasan hasil" not in html


def test_it_plugs_in_sections_and_leaves_out_missing_ones() -> None:
    region, cycle = Region.objects.get(code="16.07"), Cycle.objects.get(year=2023, pack_code="kominfo-2021")
    saved = dict(sections.PROVIDERS)
    try:
        sections.PROVIDERS.pop("survey", None)
        keys = [s["key"] for s in sections.build_sections(sections.collect(region, cycle))]
        assert "survey" not in keys and "summary" in keys
        sections.register_provider("survey", lambda data: {
            "intro": "Rata-rata per sub-dimensi", "tables": [{"caption": "Survei", "headers": ["Item", "Rata-rata"],
                                                             "rows": [["Layanan publik", "3,9"]]}],
            "charts": [ChartSpec("bar", "Survei dampak", ["Layanan"], [Series("2023", [3.9])], value_max=5)]})
        built = {s["key"]: s for s in sections.build_sections(sections.collect(region, cycle))}
        assert "survey" in built
        assert built["survey"]["ctx"]["charts"][0].startswith("<svg")
    finally:
        sections.PROVIDERS.clear()
        sections.PROVIDERS.update(saved)


def test_it_gives_the_same_chart_to_web_and_pdf() -> None:
    spec = ChartSpec("bar", "Dimensi", ["Baseline", "Output"], [Series("2024", [2.8, None])], value_max=4)
    svg = to_svg(spec)
    assert svg.startswith("<svg") and svg_text_count(svg) >= 3
    option = to_echarts(spec)
    assert option["xAxis"]["data"] == ["Baseline", "Output"]
    assert option["series"][0]["data"] == [2.8, None]
    with pytest.raises(ValueError):
        ChartSpec("bar", "x", ["a"], [Series("s", [1.0, 2.0])])


def test_it_builds_a_report_job_in_the_background(actors) -> None:
    from kotacerdas.core.jobs import run_job
    from kotacerdas.reports.actions import do_request_report

    region, cycle = Region.objects.get(code="16.07"), Cycle.objects.get(year=2024)
    job = do_request_report(actors.citra, region, cycle, "xlsx")
    assert job.state()["status"] == "queued"
    assert job.job_id is not None
    run_job(job.job_id)
    job.refresh_from_db()
    assert job.status == "done" and job.size > 1000 and len(job.sha256) == 64
    assert job.state()["percent"] == 100
    with job.file.open("rb") as fh:
        assert fh.read(2) == b"PK"  # an xlsx is a zip
    with pytest.raises(NotAllowed):
        do_request_report(actors.mira, region, cycle)  # coordinator of another region

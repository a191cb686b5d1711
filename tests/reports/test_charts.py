"""The report's SVG charts, drawn without a plotting library: real shapes and text, valid XML, and
nothing WeasyPrint would have to parse twice (style attributes, references, clip paths)."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from kotacerdas.reports.charts import (
    ChartSpec,
    Series,
    choropleth_svg,
    nice_ticks,
    simplify_ring,
    svg_texts,
    text_width,
    to_svg,
)

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("kind", ["bar", "hbar", "line", "radar"])
def test_every_kind_draws_its_title_categories_and_values_as_text(kind: str) -> None:
    spec = ChartSpec(kind, "Skor lima dimensi", ["Baseline", "Output <& hasil>", "Impact"],
                     [Series("Banyuasin", [2.5, None, 3.25]), Series("Nasional", [2.0, 2.25, 1.5])], value_max=4)
    svg = to_svg(spec)
    root = ET.fromstring(svg)  # valid XML: labels are escaped
    texts = svg_texts(svg)
    assert "Skor lima dimensi" in texts
    assert {"Baseline", "Output <& hasil>", "Impact"} <= set(texts)
    assert {"Banyuasin", "Nasional"} <= set(texts)  # legend of two series
    if kind != "radar":  # the radar has no value labels (as before)
        assert "2.50" in texts or "2,50" in texts
    shapes = [e for e in root.iter() if e.tag.removeprefix(SVG) in {"rect", "polyline", "polygon", "circle"}]
    assert shapes, "the data are drawn as vector shapes"
    assert "style=" not in svg and "<use" not in svg and "clipPath" not in svg


def test_one_series_has_no_legend_and_a_missing_value_shows_a_dash() -> None:
    svg = to_svg(ChartSpec("bar", "Survei", ["A", "B"], [Series("2024", [3.0, None])], value_max=4))
    texts = svg_texts(svg)
    assert "2024" not in texts
    assert "–" in texts


def test_many_categories_are_written_at_an_angle() -> None:
    cats = [f"Kategori {i}" for i in range(8)]
    svg = to_svg(ChartSpec("bar", "Delapan", cats, [Series("s", [float(i) for i in range(8)])], value_max=8))
    rotated = [t for t in ET.fromstring(svg).iter(f"{SVG}text") if (t.text or "").startswith("Kategori")]
    assert len(rotated) == 8 and all("rotate(-30" in (t.get("transform") or "") for t in rotated)


@pytest.mark.parametrize("top", [0.9, 4.48, 7.0, 13.0, 120.0, 4321.0])
def test_axis_ticks_are_round_and_cover_the_range(top: float) -> None:
    ticks = nice_ticks(top)
    step = ticks[1] - ticks[0]
    assert ticks[0] == 0 and ticks[-1] <= top < ticks[-1] + step + 1e-9
    assert 2 <= len(ticks) <= 7
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(mantissa == pytest.approx(m) for m in (1, 2, 2.5, 5)), step


def test_text_is_measured_with_the_report_font() -> None:
    assert text_width("WWWW", 10) > text_width("iiii", 10) > 0
    assert text_width("Banyuasin", 20) == pytest.approx(2 * text_width("Banyuasin", 10), rel=0.02)


def test_the_choropleth_fills_each_area_by_value_and_names_it() -> None:
    def square(x: float) -> dict[str, object]:
        return {"type": "Polygon", "coordinates": [[[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]]}

    svg = choropleth_svg([("1", "Satu", square(0), 0.0), ("2", "Dua", square(1), 10.0),
                          ("3", "Tiga", square(2), None)], title="Jangkauan", legend="Program per kecamatan")
    root = ET.fromstring(svg)
    paths = list(root.iter(f"{SVG}path"))
    assert len(paths) == 3
    fills = [p.get("fill") for p in paths]
    assert fills[2] == "#eeeeee"  # no value: grey
    assert fills[0] != fills[1]  # a sequential scale: 0 and the maximum differ
    texts = svg_texts(svg)
    assert {"Jangkauan", "Satu", "Dua", "Tiga", "–"} <= set(texts)
    assert any(t.startswith("Program") for t in texts)


def test_a_keyed_choropleth_labels_each_area_with_its_key_only() -> None:
    def square(x: float) -> dict[str, object]:
        return {"type": "Polygon", "coordinates": [[[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]]}

    svg = choropleth_svg([("1", "Satu", square(0), 4.0), ("2", "Dua", square(1), 10.0),
                          ("3", "Tiga", square(2), None)], title="Jangkauan", legend="Program per kecamatan",
                         keys={"2": "1", "1": "2", "3": "3"})
    texts = svg_texts(svg)
    assert not {"Satu", "Dua", "Tiga"} & set(texts)  # the names are in the table printed with the map
    assert {"1", "2", "3"} <= set(texts)
    # Each key sits inside its own square: "1" (code 2) in the middle one.
    root = ET.fromstring(svg)
    xs = {t.text: float(t.get("x") or 0) for t in root.iter(f"{SVG}text") if t.text in {"1", "2", "3"}}
    assert xs["2"] < xs["1"] < xs["3"]


def test_boundaries_are_simplified_to_what_a_printer_can_show() -> None:
    # A straight edge digitised with many vertices, wobbling by less than the tolerance, and one corner.
    edge = [(x / 10, 0.05 * (-1) ** x) for x in range(101)]
    ring = [*edge, (10.0, 10.0), (0.0, 10.0), (0.0, 0.05)]
    simple = simplify_ring(ring, tolerance=0.35)
    assert simple[0] == ring[0] and simple[-1] == ring[-1]
    assert (10.0, 10.0) in simple and (0.0, 10.0) in simple  # real corners stay
    assert len(simple) <= 6
    # Nothing is dropped where every vertex matters.
    square = [(0.0, 0.0), (5.0, 0.0), (5.0, 5.0), (0.0, 5.0), (0.0, 0.0)]
    assert simplify_ring(square) == square

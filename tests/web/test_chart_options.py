"""Charts agree with the tables beside them: the same colour for the same year in the bar chart and the
radar, numbers in the reader's locale (the script formats what `kcDecimals` asks for), radar labels with
room, histogram labels that do not overlap."""

from __future__ import annotations

import json
import re

import pytest
from django.utils import translation

from kotacerdas.web import charts

from .conftest import client_for

pytestmark = pytest.mark.django_db


def _options(html: str) -> list[dict]:
    blocks = re.findall(r'<script[^>]*type="application/json"[^>]*>(.*?)</script>', html, re.S)
    return [json.loads(b) for b in blocks if b.strip().startswith("{")]


def test_it_gives_each_year_the_same_colour_in_the_bars_and_the_radar() -> None:
    html = client_for("koordinator@banyuasin.test").get("/wilayah/16.07/dasbor/").content.decode()
    options = _options(html)
    radar = next(o for o in options if "radar" in o)
    bars = next(o for o in options if o.get("series") and o["series"][0].get("type") == "bar"
                and len(o["series"]) == len(radar["series"][0]["data"]) and "stack" not in o["series"][0])
    assert [s["name"] for s in bars["series"]] == [d["name"] for d in radar["series"][0]["data"]]
    assert [d["name"] for d in radar["series"][0]["data"]] == sorted(d["name"] for d in radar["series"][0]["data"])
    assert radar["kcDecimals"] == 2 and bars["kcDecimals"] == 2
    assert float(radar["radar"]["radius"].rstrip("%")) <= 52


def test_it_asks_for_locale_formatting_of_score_charts_only() -> None:
    assert charts.line([2023, 2024], {"Indeks": [2.8, 2.9]})["kcDecimals"] == 2
    assert charts.bars(["a"], {"n": [3]}, max_value=None, stacked=True)["kcDecimals"] == 0


def test_it_labels_histogram_bins_in_the_readers_locale_without_overlap() -> None:
    with translation.override("id"):
        opts, rows = charts.histogram([2.5, 2.6, 3.1])
    assert ("2,50–2,75", 2) in rows
    assert "2,50" in opts["xAxis"]["data"] and opts["xAxis"]["axisLabel"]["hideOverlap"] is True
    assert "rotate" not in opts["xAxis"]["axisLabel"]
    with translation.override("en"):
        _opts, rows = charts.histogram([2.5])
    assert ("2.50–2.75", 1) in rows

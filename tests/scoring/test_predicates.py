"""Predicate bands: every boundary of every shipped pack, and only official bands publish a predicate."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal as D

import pytest

from kotacerdas.scoring import batch
from kotacerdas.scoring.cli import score_main
from kotacerdas.scoring.engine import score
from kotacerdas.scoring.packs import Pack, available_packs, get_pack
from kotacerdas.scoring.predicates import published_predicate

from .test_cli import run

PACKS = available_packs()


def _boundaries(pack: Pack) -> list[tuple[Pack, D, str | None]]:
    """(pack, value, expected band label) just below, at and just above every band limit, read from
    the pack's band list: [min, max) and the last band [min, max]; outside the scale, no band."""
    step = D(1).scaleb(-pack.decimals)
    out: list[tuple[Pack, D, str | None]] = []
    for i, band in enumerate(pack.bands):
        below = pack.bands[i - 1].label if i else None
        last = i == len(pack.bands) - 1
        # A band one step wide (IID's "Tidak Dapat Dinilai", [0, 0.01)) hands min + step to the next one.
        above = band.label if band.min + step < band.max or last else pack.bands[i + 1].label
        out += [(pack, band.min - step, below), (pack, band.min, band.label), (pack, band.min + step, above)]
    top = pack.bands[-1]
    out += [(pack, top.max - step, top.label), (pack, top.max, top.label), (pack, top.max + step, None)]
    return out


@pytest.mark.parametrize(
    ("pack", "value", "expected"),
    [case for p in PACKS for case in _boundaries(p)],
    ids=lambda v: f"{v.code}@{v.version}" if isinstance(v, Pack) else str(v),
)
def test_it_puts_every_band_boundary_of_every_pack_in_the_expected_band(pack, value, expected):
    band = pack.band_for(value)
    assert (band.label if band else None) == expected
    published = published_predicate(pack, value)
    if pack.bands_status == "official":
        assert (published.label, published.status) == (expected, "official" if expected else "none")
    else:
        assert (published.label, published.label_en, published.status) == (None, None, pack.bands_status)


# The same limits written out by hand, as the packs' sources state them.
SPBE = [("0.99", None), ("1.00", "Kurang"), ("1.79", "Kurang"), ("1.80", "Cukup"), ("1.81", "Cukup"),
        ("2.59", "Cukup"), ("2.60", "Baik"), ("2.61", "Baik"), ("3.49", "Baik"), ("3.50", "Sangat Baik"),
        ("3.51", "Sangat Baik"), ("4.19", "Sangat Baik"), ("4.20", "Memuaskan"), ("4.21", "Memuaskan"),
        ("4.99", "Memuaskan"), ("5.00", "Memuaskan"), ("5.01", None)]
KOMINFO = [("-0.01", None), ("0.00", "Kurang"), ("0.01", "Kurang"), ("0.99", "Kurang"), ("1.00", "Cukup"),
           ("1.01", "Cukup"), ("1.99", "Cukup"), ("2.00", "Baik"), ("2.01", "Baik"), ("2.99", "Baik"),
           ("3.00", "Sangat Baik"), ("3.01", "Sangat Baik"), ("3.32", "Sangat Baik"), ("3.99", "Sangat Baik"),
           ("4.00", "Sangat Baik"), ("4.01", None)]


@pytest.mark.parametrize(("value", "label"), SPBE)
def test_it_publishes_the_official_spbe_predicates(value, label):
    pack = get_pack("spbe-2020")
    assert pack.bands_status == "official"
    published = published_predicate(pack, D(value))
    assert published.label == label
    assert published.status == ("official" if label else "none")


@pytest.mark.parametrize("version", sorted({p.version for p in PACKS if p.code == "kominfo-2021"}))
@pytest.mark.parametrize(("value", "label"), KOMINFO)
def test_it_publishes_no_kominfo_predicate_whatever_the_provisional_band(version, value, label):
    pack = get_pack("kominfo-2021", version)
    band = pack.band_for(D(value))
    assert (band.label if band else None) == label  # the provisional band exists in the pack ...
    published = published_predicate(pack, D(value))
    assert (published.label, published.status, published.withheld) == (None, "provisional", True)  # ... unshown
    if D(0) <= D(value) <= D(4):
        result = score(pack, given={d.code: D(value) for d in pack.dimensions})
        assert result.index == D(value)
        assert (result.predicate, result.predicate_status) == (None, "provisional")
        text = json.dumps(result.to_dict(), ensure_ascii=False)
        assert '"predicate": null' in text and "Sangat Baik" not in text and "Very good" not in text


def test_it_names_no_predicate_without_an_index_or_a_pack():
    assert published_predicate(None, D("3.5")).status == "none"
    assert published_predicate(get_pack("spbe-2020"), None).label is None


def test_batch_publishes_the_same_predicate_as_the_engine_under_official_and_provisional_bands():
    kominfo = get_pack("kominfo-2021", "2021.1")
    for pack in (kominfo, dataclasses.replace(kominfo, bands_status="official")):
        sheets = [{i.code: (n + k) % 5 for n, i in enumerate(pack.indicators())} for k in range(5)]
        for sheet, got in zip(sheets, batch.score_answers(pack, sheets), strict=True):
            want = score(pack, answers=sheet)
            assert (got.predicate, got.predicate_status) == (want.predicate, want.predicate_status)
            exact = batch.exact_score(pack, {k: D(v) for k, v in sheet.items()})
            assert (exact.predicate, exact.predicate_status) == (want.predicate, want.predicate_status)
        assert {s.predicate_status for s in batch.score_answers(pack, sheets)} == {pack.bands_status}


# A kota with 3.31 in 2022 ranked 22nd nationally and was not "sangat baik"; 3.32 is the example.
EXAMPLE_332 = {"scores": {"baseline": "3.20", "output": "3.30", "outcome": "3.40", "impact": "3.30",
                          "quick_win": "3.30"}}


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_it_prints_no_sangat_baik_for_332(tmp_path, fmt):
    path = tmp_path / "332.json"
    path.write_text(json.dumps(EXAMPLE_332), encoding="utf-8")
    code, out, err = run(score_main, "--pack", "kominfo-2021", "--format", fmt, str(path))
    assert (code, err) == (0, "")
    assert "3.32" in out
    for label in ("Sangat Baik", "Very good", "Baik", "Good"):
        assert label not in out
    if fmt == "json":
        data = json.loads(out)
        assert data["index"] == 3.32 and data["predicate"] is None and data["predicate_status"] == "provisional"
    else:
        assert "provisional, not official" in out and "differ by 0.01" in out

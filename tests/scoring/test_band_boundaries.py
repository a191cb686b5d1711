"""Predicate bands at every limit: just below, at, and just above, for the SPBE-family packs.

The expected labels are written out here from the published bands (PermenPANRB 59/2020, Lampiran Tabel 13:
< 1.8 Kurang, 1.8-< 2.6 Cukup, 2.6-< 3.5 Baik, 3.5-< 4.2 Sangat Baik, 4.2-5.0 Memuaskan; the Indeks
Pemerintah Digital keeps them, as transcribed), not derived from the packs, so a wrong limit in a pack fails
here.  A band is [min, max) and the top one is closed at the scale maximum.  The engine's predicate is
checked for the packs whose bands are official; pemdi-2025's are a reconstruction, and whether a
reconstructed band is shown as a predicate is decided where results are displayed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kotacerdas.scoring.engine import score
from kotacerdas.scoring.packs import get_pack

SPBE_FAMILY = [("spbe-2020", "2020.1"), ("spbe-2020", "2020.2"), ("pemdi-2025", "2025.1")]
OFFICIAL_BANDS = [("spbe-2020", "2020.1"), ("spbe-2020", "2020.2")]

SPBE_BANDS = [
    ("1", "Kurang"),
    ("1.01", "Kurang"),
    ("1.79", "Kurang"),
    ("1.7999", "Kurang"),
    ("1.8", "Cukup"),
    ("1.81", "Cukup"),
    ("2.59", "Cukup"),
    ("2.5999", "Cukup"),
    ("2.6", "Baik"),
    ("2.61", "Baik"),
    ("3.49", "Baik"),
    ("3.4999", "Baik"),
    ("3.5", "Sangat Baik"),
    ("3.51", "Sangat Baik"),
    ("4.19", "Sangat Baik"),
    ("4.1999", "Sangat Baik"),
    ("4.2", "Memuaskan"),
    ("4.21", "Memuaskan"),
    ("4.99", "Memuaskan"),
    ("5", "Memuaskan"),
]
# Two-decimal values the engine publishes as an index (unrounded values are checked on the bands alone).
TWO_DECIMALS = [(v, label) for v, label in SPBE_BANDS if len(v.partition(".")[2]) <= 2]


@pytest.mark.parametrize(("code", "version"), SPBE_FAMILY)
@pytest.mark.parametrize(("value", "label"), SPBE_BANDS)
def test_it_puts_each_spbe_value_in_the_published_band(code, version, value, label):
    band = get_pack(code, version).band_for(Decimal(value))
    assert band is not None and band.label == label


@pytest.mark.parametrize(("code", "version"), OFFICIAL_BANDS)
@pytest.mark.parametrize(("value", "label"), TWO_DECIMALS)
def test_it_gives_the_spbe_index_its_published_predicate(code, version, value, label):
    pack = get_pack(code, version)
    result = score(pack, {}, {d.code: Decimal(value) for d in pack.dimensions})
    assert result.index == Decimal(value)
    assert result.predicate is not None and result.predicate.label == label


@pytest.mark.parametrize(("code", "version"), OFFICIAL_BANDS)
@pytest.mark.parametrize(
    ("value", "label"), [("1.794", "Kurang"), ("1.795", "Cukup"), ("4.195", "Memuaskan")]
)
def test_it_applies_the_predicate_to_the_published_two_decimal_index(code, version, value, label):
    """1.795 is published as 1.80, and a reader checks 1.80 against the bands."""
    pack = get_pack(code, version)
    result = score(pack, {}, {d.code: Decimal(value) for d in pack.dimensions})
    assert result.predicate is not None and result.predicate.label == label


@pytest.mark.parametrize(("code", "version"), SPBE_FAMILY)
@pytest.mark.parametrize("value", ["0.99", "5.01"])
def test_it_has_no_band_outside_the_scale(code, version, value):
    assert get_pack(code, version).band_for(Decimal(value)) is None


@pytest.mark.parametrize(("value", "label"), TWO_DECIMALS)
def test_it_puts_the_pemdi_index_in_the_transcribed_band(value, label):
    pack = get_pack("pemdi-2025")
    result = score(pack, {}, {d.code: Decimal(value) for d in pack.dimensions})
    assert result.index == Decimal(value)
    band = pack.band_for(result.index)
    assert band is not None and band.label == label

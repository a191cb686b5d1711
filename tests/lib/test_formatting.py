from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kotacerdas.lib.formatting import (
    format_date,
    format_datetime,
    format_number,
    format_percent,
    format_rupiah,
)


def test_it_writes_dates_as_dd_mmm_yyyy_with_indonesian_months() -> None:
    assert format_date(dt.date(2024, 11, 5)) == "05 Nov 2024"
    assert format_date(dt.date(2024, 8, 5)) == "05 Agu 2024"
    assert format_date(dt.date(2024, 5, 1)) == "01 Mei 2024"
    assert format_date(dt.date(2024, 10, 28)) == "28 Okt 2024"
    assert format_date(dt.date(2024, 12, 31)) == "31 Des 2024"


def test_it_writes_english_months_when_asked() -> None:
    assert format_date(dt.date(2024, 8, 5), "en") == "05 Aug 2024"
    assert format_date(dt.date(2024, 5, 1), "en-gb") == "01 May 2024"


def test_it_writes_a_placeholder_for_a_missing_date() -> None:
    assert format_date(None) == "–"


def test_it_writes_datetimes_with_the_indonesian_time_separator() -> None:
    moment = dt.datetime(2024, 8, 5, 14, 3)
    assert format_datetime(moment) == "05 Agu 2024 14.03"
    assert format_datetime(moment, "en") == "05 Aug 2024 14:03"


def test_it_groups_thousands_and_uses_a_decimal_comma() -> None:
    assert format_number(1234567.891, 2) == "1.234.567,89"
    assert format_number(1234567.891, 2, "en") == "1,234,567.89"
    assert format_number(Decimal("2.865"), 2) == "2,87"  # half-up, not banker's rounding
    assert format_number(-0.001, 2) == "0,00"
    assert format_number(None) == "–"
    assert format_number("bukan angka") == "–"


def test_it_writes_percentages() -> None:
    assert format_percent(89.13, 2) == "89,13%"
    assert format_percent(Decimal("86.105"), 2, "en") == "86.11%"


@pytest.mark.parametrize(("value", "expected"), [
    (1500000, "Rp 1.500.000"),
    (Decimal("2500000000.4"), "Rp 2.500.000.000"),
    (0, "Rp 0"),
    (-75000, "-Rp 75.000"),
])
def test_it_writes_rupiah_without_sen(value: object, expected: str) -> None:
    assert format_rupiah(value) == expected


def test_it_writes_compact_rupiah_with_indonesian_scale_words() -> None:
    assert format_rupiah(1_500_000, compact=True) == "Rp 1,5 juta"
    assert format_rupiah(2_000_000_000, compact=True) == "Rp 2 miliar"
    assert format_rupiah(3_250_000_000_000, compact=True) == "Rp 3,3 triliun"
    assert format_rupiah(2_000_000_000, "en", compact=True) == "Rp 2 billion"
    assert format_rupiah(950_000, compact=True) == "Rp 950.000"


def test_it_writes_a_stored_number_with_its_own_digits_the_readers_way() -> None:
    from kotacerdas.lib.formatting import format_plain

    assert format_plain(Decimal("60.00")) == "60"
    assert format_plain("6E+1") == "60"  # what the action-plan trail stored before (Decimal.normalize)
    assert format_plain(Decimal("2.50")) == "2,5" and format_plain(Decimal("2.50"), "en") == "2.5"
    assert format_plain("1234.5") == "1.234,5"
    assert format_plain(None) == "–" and format_plain("", empty="—") == "—"
    assert format_plain("berjalan") == "berjalan"


def test_it_writes_the_numbers_inside_an_engine_formula_the_readers_way() -> None:
    from kotacerdas.lib.formatting import localize_numbers

    assert localize_numbers("(0 + 0.76) / 250 × 100 = 0.304 → 0.30") == "(0 + 0,76) / 250 × 100 = 0,304 → 0,30"
    assert localize_numbers("(0 + 0.76) / 250", "en") == "(0 + 0.76) / 250"
    # a list separator becomes ';' beside decimal commas; codes with dots and words stay as they are
    assert localize_numbers("mean(3, 3, 2.9) = 2.97") == "mean(3; 3; 2,9) = 2,97"
    assert localize_numbers("gov.1.2 = 3.5; v1.5b") == "gov.1.2 = 3,5; v1.5b"
    assert localize_numbers("level 3 dari 4") == "level 3 dari 4"

"""The notation rules every importer shares (lib/numbers.py): "3.650" reads two ways and is never guessed;
numbers only one notation reads are read in it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kotacerdas.lib import numbers


@pytest.mark.parametrize(("text", "expected"), [
    ("3,65", Decimal("3.65")), ("3.650,5", Decimal("3650.5")), ("1.234.567", Decimal(1234567)),
    ("12.5", Decimal("12.5")), ("1,234,567.25", Decimal("1234567.25")), ("1234", Decimal(1234)),
    ("0.500", Decimal("0.500")),  # no thousands group starts with 0
    ("1234.567", Decimal("1234.567")),  # a thousands group has at most three digits
    ("-87,5", Decimal("-87.5")), ("12,5000", Decimal("12.5000")),
])
def test_a_number_only_one_notation_reads_or_both_read_alike_is_read(text: str, expected: Decimal) -> None:
    assert numbers.read_either(text) == expected


@pytest.mark.parametrize(("text", "thousands", "fraction", "separator"), [
    ("3.650", Decimal(3650), Decimal("3.650"), "."), ("12,500", Decimal(12500), Decimal("12.500"), ","),
    ("-1.001", Decimal(-1001), Decimal("-1.001"), "."),
])
def test_a_number_both_notations_read_differently_is_refused(text: str, thousands: Decimal, fraction: Decimal,
                                                             separator: str) -> None:
    assert numbers.is_ambiguous(text)
    with pytest.raises(numbers.Ambiguous) as refused:
        numbers.read_either(text)
    assert (refused.value.thousands, refused.value.fraction, refused.value.separator) == (thousands, fraction,
                                                                                          separator)


@pytest.mark.parametrize("text", ["", "abc", "1.23.456", "1,2,3", "1e5", "NaN", "3.650.5", ".5"])
def test_text_no_notation_reads_is_no_number(text: str) -> None:
    assert numbers.read_either(text) is None


def test_a_told_notation_reads_only_its_own_numbers() -> None:
    assert numbers.read_in("3.650", numbers.DECIMAL_COMMA) == Decimal(3650)
    assert numbers.read_in("3.650", numbers.DECIMAL_POINT) == Decimal("3.650")
    assert numbers.read_in("87.5", numbers.DECIMAL_COMMA) is None
    assert numbers.read_in("87,5", numbers.DECIMAL_POINT) is None


@pytest.mark.parametrize(("text", "hint"), [
    ("1234", ""), ("3.650", "ambiguous"), ("87,5", ","), ("1.234.567", ","), ("87.5", "."), ("1,234,567", "."),
    ("n/a", ""),
])
def test_the_hint_says_which_notation_a_text_shows(text: str, hint: str) -> None:
    assert numbers.notation_hint(text) == hint

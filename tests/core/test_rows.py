"""Declarative row schemas (core/rows.py): converters, every field checked, messages as written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy
from pydantic import field_validator

from kotacerdas.core.rows import (
    OptionalDate,
    OptionalDecimal,
    Problem,
    RowSchema,
    Text,
    check_row,
    choice,
    fail,
)


class Row(RowSchema):
    name: Text = ""
    day: OptionalDate = None
    amount: OptionalDecimal = None
    count: int = 0
    tags: dict[str, int] = {}

    @field_validator("name", mode="after")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value:
            raise fail("Nama wajib diisi")
        return value

    def row_checks(self, context: Mapping[str, Any]) -> Iterable[Problem]:
        if self.amount is not None and self.amount > context.get("limit", 100):
            yield Problem("amount", f"Lebih dari {context.get('limit', 100)}")


def test_a_clean_row_converts_cells() -> None:
    row, problems = check_row(Row, {"name": "'=Budi ", "day": "01/03/2024", "amount": "1.234,5", "count": 3.0},
                              {"limit": 10_000})
    assert problems == [] and row is not None
    assert (row.name, row.day, row.amount, row.count) == ("=Budi", dt.date(2024, 3, 1), Decimal("1234.5"), 3)
    row, _ = check_row(Row, {"name": "x", "day": dt.datetime(2024, 3, 1, 9), "amount": 2.5})
    assert row is not None and row.day == dt.date(2024, 3, 1) and row.amount == Decimal("2.5")


def test_every_field_is_checked_and_reported_in_field_order() -> None:
    row, problems = check_row(Row, {"name": "", "day": "kemarin", "amount": "sepuluh", "count": "x",
                                    "tags": {"a": 1, "b": "dua"}})
    assert row is None
    assert [p.field for p in problems] == ["name", "day", "amount", "count", "b"]
    assert problems[0].message == "Nama wajib diisi"
    assert problems[1].message == "Tanggal tidak valid: 'kemarin' (pakai format dd/mm/yyyy)"
    assert problems[2].message == "Bukan angka: 'sepuluh'"
    assert problems[3].message == "Nilai tidak valid"  # pydantic's own English never reaches the user


def test_a_missing_column_goes_through_the_same_converter_as_a_blank_cell() -> None:
    _row, problems = check_row(Row, {})
    assert problems == [Problem("name", "Nama wajib diisi")]


def test_row_checks_run_only_on_a_clean_row_and_see_the_context() -> None:
    assert check_row(Row, {"name": "x", "amount": "150"})[1] == [Problem("amount", "Lebih dari 100")]
    assert check_row(Row, {"name": "x", "amount": "150"}, {"limit": 200})[1] == []
    assert [p.field for p in check_row(Row, {"name": "", "amount": "150"})[1]] == ["name"]


@pytest.mark.parametrize("text", ["NaN", "Infinity", "1e999999"])
def test_numbers_that_are_not_finite_are_refused(text: str) -> None:
    assert [p.field for p in check_row(Row, {"name": "x", "amount": text})[1]] == ["amount"]


def test_messages_follow_the_users_language() -> None:
    with translation.override("en"):
        _row, problems = check_row(Row, {"name": "x", "day": "kemarin", "count": "x"})
    assert [p.message for p in problems] == ["Invalid date: 'kemarin' (use the format dd/mm/yyyy)", "Invalid value"]


@pytest.mark.parametrize(("text", "expected"), [
    ("3,65", Decimal("3.65")), ("3.650,5", Decimal("3650.5")), ("1.234.567", Decimal(1234567)),
    ("12.5", Decimal("12.5")), ("1,234,567.5", Decimal("1234567.5")), ("1 234,5", Decimal("1234.5")),
    (3650, Decimal(3650)), (3.65, Decimal("3.65")),  # a number typed as a number carries no notation
])
def test_a_number_that_reads_one_way_is_read_without_being_told_the_notation(text: Any, expected: Decimal) -> None:
    row, problems = check_row(Row, {"name": "x", "amount": text}, {"limit": 10**9})
    assert problems == [] and row is not None and row.amount == expected


@pytest.mark.parametrize("text", ["3.650", "12,500", "-1.001"])
def test_a_number_that_reads_two_ways_is_refused_not_guessed(text: str) -> None:
    row, problems = check_row(Row, {"name": "x", "amount": text})
    assert row is None and [p.field for p in problems] == ["amount"]
    assert f"Angka {text!r} ambigu" in problems[0].message


def test_the_ambiguity_is_explained_in_the_users_language_with_both_readings() -> None:
    _row, problems = check_row(Row, {"name": "x", "amount": "3.650"})
    assert problems[0].message == ("Angka '3.650' ambigu: “.” di depan tiga angka bisa pemisah ribuan atau tanda "
                                   "desimal. Tulis 3650 bila maksudnya ribuan, atau 3.65 bila desimal")
    with translation.override("en"):
        _row, problems = check_row(Row, {"name": "x", "amount": "3,651"})
    assert problems[0].message == ("Ambiguous number '3,651': a “,” before three digits can separate thousands or "
                                   "mark decimals. Write 3651 if you mean thousands, or 3,6510 if you mean a decimal "
                                   "fraction")


def test_a_told_notation_reads_an_ambiguous_number_and_refuses_the_other_notation() -> None:
    row, _ = check_row(Row, {"name": "x", "amount": "3.650"}, {"decimal": ",", "limit": 10**6})
    assert row is not None and row.amount == Decimal(3650)
    row, _ = check_row(Row, {"name": "x", "amount": "3.650"}, {"decimal": "."})
    assert row is not None and row.amount == Decimal("3.65")
    _row, problems = check_row(Row, {"name": "x", "amount": "87.5"}, {"decimal": ","})
    assert problems == [Problem("amount", "Bukan angka dalam format Indonesia (contoh 1.234.567 atau 87,5): '87.5'")]


class Choosing(RowSchema):
    colour: str = ""
    size: str = ""

    _colour = choice("colour", codes=["merah", "biru"], blank="merah",
                     refusal=gettext_lazy("Warna %(value)r tidak dikenal (%(choices)s)"))
    _size = choice("size", lookup="sizes", casefold=True, refusal=gettext_lazy("Ukuran tidak dikenal"))


class Sizes:
    sizes = {"s": "S", "kecil": "S", "l": "L", "besar": "L"}


def test_a_choice_takes_a_code_or_a_looked_up_name_and_names_the_choices_when_refusing() -> None:
    row, problems = check_row(Choosing, {"colour": "", "size": "Besar"}, {"lookups": Sizes()})
    assert problems == [] and row is not None and (row.colour, row.size) == ("merah", "L")
    _row, problems = check_row(Choosing, {"colour": "Biru", "size": "xl"}, {"lookups": Sizes()})
    assert problems == [Problem("colour", "Warna 'Biru' tidak dikenal (merah, biru)"),
                        Problem("size", "Ukuran tidak dikenal")]

"""Declarative row schemas (core/rows.py): converters, every field checked, messages as written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation
from pydantic import field_validator

from kotacerdas.core.rows import OptionalDate, OptionalDecimal, Problem, RowSchema, Text, check_row, fail


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

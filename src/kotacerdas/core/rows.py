"""Declarative row schemas for spreadsheet imports (pydantic v2), and the converters they share.

The pattern every importer follows (action plans, paper survey questionnaires, the programme catalogue;
the KPI and worksheet importers can do the same):

1. Read the file with :func:`kotacerdas.core.sheets.read_table`; locate the columns by their header
   titles (:meth:`Table.locate`) and report a missing required column as a row-1 error.
2. Describe one row as a :class:`RowSchema` subclass: one field per column key, annotated with the
   converter that turns a raw cell into the field's value (:data:`Text`, :data:`OptionalDate`,
   :data:`OptionalDecimal`, or a ``field_validator`` of the schema). A converter refuses a cell with
   :func:`fail` and a message in Indonesian wrapped in gettext (so an English user reads English).
   Lookups a converter needs (the region's units, the cycle's categories …) come in ``context``,
   read in a validator through ``info.context``: one query per import, not per row.
3. Rules that need several fields go in :meth:`RowSchema.row_checks`, which runs only when every
   field converted and yields ``(field, message)`` pairs.
4. :func:`check_row` validates one record and returns the row (or None) with every problem as
   :class:`Problem` ``(field, message)``: *every* field is checked, so one pass over a file lists every
   problem of every row; the importer maps each field to its column header for the report and writes
   nothing unless the whole file is clean (all or nothing).

``check_row`` never lets pydantic's own English wording through: a field whose value has the wrong
type without a converter saying why is reported as "Nilai tidak valid".

No other kotacerdas app is imported here (``core`` is the ground floor).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, NamedTuple, TypeVar

from django.utils.translation import gettext as _
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from .sheets import cell_text

__all__ = ["DATE_FORMATS", "OptionalDate", "OptionalDecimal", "Problem", "RowSchema", "Text", "check_row",
           "fail", "to_date", "to_decimal"]

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


class Problem(NamedTuple):
    """One refused field of one row: the schema's field name, or the key for an entry of a dict field
    (the importer names its column), and why."""

    field: str
    message: str


def fail(message: str) -> PydanticCustomError:
    """The error a converter raises (``raise fail(_("…"))``): its message is shown exactly as given."""
    return PydanticCustomError("row", "{message}", {"message": message})


def to_date(value: Any, formats: Iterable[str] = DATE_FORMATS) -> dt.date | None:
    """A date cell (a real date, or text in one of ``formats``); None when blank."""
    if value is None or cell_text(value) == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    for fmt in formats:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise fail(_("Tanggal tidak valid: %(value)r (pakai format dd/mm/yyyy)") % {"value": text})


def to_decimal(value: Any) -> Decimal | None:
    """A number cell (a number, or text in Indonesian ``1.234,5`` or plain ``1234.5`` notation); None when
    blank."""
    if value is None or cell_text(value) == "":
        return None
    if isinstance(value, bool):
        raise fail(_("Bukan angka: %(value)r") % {"value": cell_text(value)})
    if isinstance(value, int | float):
        number = Decimal(str(value))
    else:
        text = cell_text(value).replace(" ", "")
        if "," in text:  # Indonesian: 1.234,5
            text = text.replace(".", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise fail(_("Bukan angka: %(value)r") % {"value": cell_text(value)}) from None
    if not number.is_finite():
        raise fail(_("Bukan angka: %(value)r") % {"value": cell_text(value)})
    return number


Text = Annotated[str, BeforeValidator(cell_text)]
"""A text cell as :func:`~kotacerdas.core.sheets.cell_text` reads it ('' when blank)."""
OptionalDate = Annotated[dt.date | None, BeforeValidator(to_date)]
OptionalDecimal = Annotated[Decimal | None, BeforeValidator(to_decimal)]


class RowSchema(BaseModel):
    """Base of every row schema: unknown keys are ignored, values are whatever the converters return."""

    # validate_default: a column the file does not have goes through the same converter as a blank cell.
    model_config = ConfigDict(extra="ignore", arbitrary_types_allowed=True, hide_input_in_errors=True,
                              validate_default=True)

    def row_checks(self, context: Mapping[str, Any]) -> Iterable[Problem]:
        """Rules across fields, run only when every field converted; yields the problems found."""
        return ()


S = TypeVar("S", bound=RowSchema)


def check_row(schema: type[S], record: Mapping[str, Any], context: Mapping[str, Any] | None = None
              ) -> tuple[S | None, list[Problem]]:
    """``(row, [])`` for a clean record, ``(None, problems)`` otherwise; problems in field order."""
    ctx = dict(context or {})
    try:
        row = schema.model_validate(dict(record), context=ctx)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False, include_input=False):
            # A field's own error is located by its name; an entry of a dict field (``answers``) by its key.
            name = str(error["loc"][-1]) if error["loc"] else ""
            if error["type"] == "row":
                problems.append(Problem(name, str((error.get("ctx") or {})["message"])))
            else:
                problems.append(Problem(name, _("Nilai tidak valid")))
        return None, problems
    problems = list(row.row_checks(ctx))
    return (None if problems else row), problems

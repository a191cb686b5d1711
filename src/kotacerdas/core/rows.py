"""Declarative row schemas for spreadsheet imports (pydantic v2), and the converters they share.

The pattern every importer follows (action plans, paper survey questionnaires, the programme catalogue;
the KPI and worksheet importers can do the same):

1. Read the file with :func:`kotacerdas.core.sheets.read_table`; locate the columns by their header
   titles (:meth:`Table.locate`) and report a missing required column as a row-1 error.
2. Describe one row as a :class:`RowSchema` subclass: one field per column key, annotated with the
   converter that turns a raw cell into the field's value (:data:`Text`, :data:`OptionalDate`,
   :data:`OptionalDecimal`, :func:`choice` for a cell naming one of a set of options, or a
   ``field_validator`` of the schema). A converter refuses a cell with
   :func:`fail` and a message in Indonesian wrapped in gettext (so an English user reads English).
   Lookups a converter needs (the region's units, the cycle's categories …) come in ``context``,
   read in a validator through ``info.context``: one query per import, not per row. Numbers typed as
   text are read in the notation the importer was told (``context["decimal"]``: ``","`` or ``"."``);
   without it a number that reads two ways ("3.650") is refused, never guessed.
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
from decimal import Decimal
from typing import Annotated, Any, NamedTuple, TypeVar

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from kotacerdas.lib import numbers

from .sheets import cell_text

__all__ = ["DATE_FORMATS", "OptionalDate", "OptionalDecimal", "Problem", "RowSchema", "Text", "check_row",
           "choice", "fail", "to_date", "to_decimal"]

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
StrOrPromise = str | Promise  # a message, or one translated when shown (gettext_lazy)


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


def to_decimal(value: Any, decimal: str = "") -> Decimal | None:
    """A number cell; None when blank. A number typed as a number carries no notation. Text is read in
    the file's notation when the importer was told it (``decimal``: ``","`` Indonesian ``1.234,5``,
    ``"."`` English ``1,234.5``); otherwise in whichever notation reads it ("3,65", "3.650,5",
    "1.234.567", "12.5"), and text that both read differently ("3.650": 3650 or 3.65?) is refused,
    never guessed (rules: :mod:`kotacerdas.lib.numbers`)."""
    if decimal not in ("", *numbers.DECIMALS):
        raise TypeError(f"unknown number format {decimal!r}")  # the importer's mistake, not the file's
    if value is None or cell_text(value) == "":
        return None
    if isinstance(value, bool):
        raise fail(_("Bukan angka: %(value)r") % {"value": cell_text(value)})
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = cell_text(value).replace(" ", "")
        if decimal:
            number_or_none = numbers.read_in(text, decimal)
            if number_or_none is None:
                notation = (_("Bukan angka dalam format Indonesia (contoh 1.234.567 atau 87,5)")
                            if decimal == numbers.DECIMAL_COMMA
                            else _("Bukan angka dalam format Inggris (contoh 1,234,567 atau 87.5)"))
                raise fail(f"{notation}: {cell_text(value)!r}")
        else:
            try:
                number_or_none = numbers.read_either(text)
            except numbers.Ambiguous as exc:
                raise fail(_ambiguous(exc)) from None
            if number_or_none is None:
                raise fail(_("Bukan angka: %(value)r") % {"value": cell_text(value)})
        number = number_or_none
    if not number.is_finite():
        raise fail(_("Bukan angka: %(value)r") % {"value": cell_text(value)})
    return number


def _ambiguous(exc: numbers.Ambiguous) -> str:
    """Why "3.650" is refused, and the two ways to write what was meant without doubt."""
    fraction = format(exc.fraction.normalize(), "f")
    if len(fraction.partition(".")[2]) == 3:  # "3.651" as a fraction is as ambiguous as before: "3.6510"
        fraction += "0"
    return _("Angka %(value)r ambigu: “%(separator)s” di depan tiga angka bisa pemisah ribuan atau tanda "
             "desimal. Tulis %(thousands)s bila maksudnya ribuan, atau %(fraction)s bila desimal") % {
        "value": exc.text, "separator": exc.separator, "thousands": format(exc.thousands, "f"),
        "fraction": fraction.replace(".", exc.separator)}


def _decimal_cell(value: Any, info: ValidationInfo) -> Decimal | None:
    """:func:`to_decimal` in the notation the importer was told (``context["decimal"]``), if any."""
    return to_decimal(value, (info.context or {}).get("decimal", ""))


def choice(*fields: str, refusal: StrOrPromise, codes: Iterable[str] = (), lookup: str = "",
           blank: str | None = None, casefold: bool = False) -> Any:
    """A ``field_validator`` (mode "before") for columns whose cell names one of a set of options.

    The options are fixed ``codes`` (each stands for itself), or the mapping ``context["lookups"].<lookup>``
    (what a cell may say -> the value it stands for: codes and labels, loaded once per import). The cell's
    text is looked up as written, or case-folded with ``casefold``; a blank cell stands for ``blank`` when
    given. Anything else is refused with ``refusal`` (lazily translated), a %-format that may name the
    cell as ``%(value)r`` and the codes as ``%(choices)s``. Use it as a class attribute of a schema::

        _sector = choice("sector", codes=Sector.values, blank=Sector.PEMERINTAHAN,
                         refusal=gettext_lazy("Sektor %(value)r tidak dikenal (%(choices)s)"))
    """
    fixed = {code: code for code in codes}

    def check(cls: type, value: Any, info: ValidationInfo) -> Any:
        text = cell_text(value)
        if not text and blank is not None:
            text = blank
        options: Mapping[str, Any] = getattr((info.context or {})["lookups"], lookup) if lookup else fixed
        found = options.get(text.casefold() if casefold else text)
        if found is None:
            raise fail(str(refusal) % {"value": text, "choices": ", ".join(options)})
        return found

    return field_validator(*fields, mode="before")(check)


Text = Annotated[str, BeforeValidator(cell_text)]
"""A text cell as :func:`~kotacerdas.core.sheets.cell_text` reads it ('' when blank)."""
OptionalDate = Annotated[dt.date | None, BeforeValidator(to_date)]
OptionalDecimal = Annotated[Decimal | None, BeforeValidator(_decimal_cell)]
"""A number cell (:func:`to_decimal`), in the notation the importer was told (``context["decimal"]``) if any."""


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

"""Reading a number typed as text in Indonesian (``1.234.567,5``) or English (``1,234,567.5``) notation.
Pure functions (no Django import): the one place the notation rules live, for every importer.

"3.650" is 3650 in Indonesian and 3.65 in English: a single separator followed by exactly three digits,
after a leading group of one to three digits, reads two ways (:func:`is_ambiguous`). "0.500" does not
(no thousands group starts with 0), nor does "1234.567" (a group has at most three digits), nor does
"3.650,5" or "1.234.567" (only Indonesian reads them). :func:`read_in` reads text in one notation,
:func:`read_either` in whichever notation reads it, refusing to choose when the two disagree.
"""

from __future__ import annotations

import re
from decimal import Decimal

__all__ = ["DECIMALS", "DECIMAL_COMMA", "DECIMAL_POINT", "Ambiguous", "is_ambiguous", "is_grouped",
           "notation_hint", "read_either", "read_in", "read_one_separator"]

DECIMAL_COMMA = ","  # Indonesian: 1.234.567,5 -- "." groups thousands
DECIMAL_POINT = "."  # English: 1,234,567.5 -- "," groups thousands
DECIMALS = (DECIMAL_COMMA, DECIMAL_POINT)

_ONE_SEPARATOR = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_AMBIGUOUS = re.compile(r"^[+-]?[1-9]\d{0,2}[.,]\d{3}$")
_PLAIN = {DECIMAL_COMMA: re.compile(r"^[+-]?\d+(?:,\d+)?$"), DECIMAL_POINT: re.compile(r"^[+-]?\d+(?:\.\d+)?$")}
_GROUPED = {DECIMAL_COMMA: re.compile(r"^[+-]?[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?$"),
            DECIMAL_POINT: re.compile(r"^[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?$")}
_THOUSANDS = {DECIMAL_COMMA: ".", DECIMAL_POINT: ","}


class Ambiguous(ValueError):
    """Text that reads as two different numbers ("3.650"): ``thousands`` is its reading with the
    separator grouping thousands (3650), ``fraction`` its reading as a decimal fraction (3.65)."""

    def __init__(self, text: str, thousands: Decimal, fraction: Decimal) -> None:
        super().__init__(text)
        self.text, self.thousands, self.fraction = text, thousands, fraction
        self.separator = "." if "." in text else ","


def is_ambiguous(text: str) -> bool:
    """True for text that reads as a different number in each notation ("3.650", "-12,500")."""
    return bool(_AMBIGUOUS.match(text))


def is_grouped(text: str) -> bool:
    """True for text with thousands groups in either notation ("1.234.567", "1,234.5")."""
    return any(pattern.match(text) for pattern in _GROUPED.values())


def read_in(text: str, decimal: str) -> Decimal | None:
    """``text`` read in one notation (``DECIMAL_COMMA`` or ``DECIMAL_POINT``), thousands groups included;
    None when that notation does not read it ("87.5" with a decimal comma, "1.23.456")."""
    if _PLAIN[decimal].match(text) or _GROUPED[decimal].match(text):
        return Decimal(text.replace(_THOUSANDS[decimal], "").replace(decimal, "."))
    return None


def read_one_separator(text: str) -> Decimal | None:
    """Digits with at most one separator, read as the decimal one ("87,5", "87.5", "1234"); None for
    anything else. The caller rules out :func:`is_ambiguous` text first."""
    return Decimal(text.replace(",", ".")) if _ONE_SEPARATOR.match(text) else None


def read_either(text: str) -> Decimal | None:
    """``text`` in whichever notation reads it ("3,65", "3.650,5", "1.234.567", "12.5", "1,234,567.5");
    None when neither does. Raises :class:`Ambiguous` when both read it, differently ("3.650")."""
    readings = {d: value for d in DECIMALS if (value := read_in(text, d)) is not None}
    if len(set(readings.values())) > 1:
        separator = "." if "." in text else ","
        thousands = readings[DECIMAL_COMMA if separator == "." else DECIMAL_POINT]
        raise Ambiguous(text, thousands, readings[separator])
    return next(iter(readings.values()), None)


def notation_hint(text: str) -> str:
    """What one piece of text says about its notation: ``DECIMAL_COMMA`` or ``DECIMAL_POINT`` when only
    that notation reads it, ``"ambiguous"`` when both read it differently ("3.650"), ``""`` when it does
    not matter ("1234") or it is no number at all."""
    if text.isdigit():
        return ""
    if is_ambiguous(text):
        return "ambiguous"
    readable = [d for d in DECIMALS if read_in(text, d) is not None]
    return readable[0] if len(readable) == 1 else ""

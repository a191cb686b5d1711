"""Reading one cell of a KPI file: numbers, periods, header titles and region codes. Pure functions.

Numbers: "1.234" means 1234 in Indonesian and 1.234 in English spreadsheets, so the file's notation
decides (``parse_number(raw, decimal)``): the uploader chooses it, pre-set by ``detect_decimal`` when
the cells show it. Without a choice only numbers that read the same in both notations are accepted
(``1234567``, ``87,5``, ``87.5``); "3.650" or "1.234.567" is refused with the request to choose.

Periods: a month (``2024-03``, ``03/2024``, ``Maret 2024``, a full date stands for its month), a quarter
(``2024-Q1``, ``Q1 2024``, ``TW1 2024``) or a year (``2024``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from kotacerdas.core.sheets import cell_text
from kotacerdas.lib import numbers

from .choices import AreaLevel, Frequency

MAX_DIGITS_BEFORE_POINT = 16  # DecimalField(max_digits=20, decimal_places=4)

# How a file writes its numbers, chosen by the uploader (pre-set on the form by ``detect_decimal``). The
# notation rules themselves live in kotacerdas.lib.numbers, shared with the other importers.
DECIMAL_COMMA = numbers.DECIMAL_COMMA  # Indonesian: 1.234.567,5 — "." groups thousands
DECIMAL_POINT = numbers.DECIMAL_POINT  # English: 1,234,567.5 — "," groups thousands
DECIMALS = numbers.DECIMALS

# The error code for text that is no number in the chosen notation.
BAD_NUMBER = {"": "bad_number", DECIMAL_COMMA: "bad_number_comma", DECIMAL_POINT: "bad_number_point"}


def _number_text(raw: str) -> str:
    s = raw.strip()
    if s[:2].lower() == "rp":  # "Rp 15000" in a Rupiah column: the unit is already known
        s = s[2:].lstrip(". ").strip()
    return s


def parse_number(raw: Any, decimal: str = "") -> Decimal | str:
    """A non-empty cell as a Decimal, or an error code (see ``BAD_NUMBER``, ``ambiguous_number``,
    ``too_large``).

    ``decimal`` is the file's decimal separator (``DECIMAL_COMMA`` or ``DECIMAL_POINT``); text is then
    read in that notation only, thousands groups included ("3.650" is 3650 with a decimal comma,
    3.65 with a decimal point; "87.5" is no number with a decimal comma). Without it (``""``) a
    number has at most one separator, and one that would be read differently in the two notations
    ("3.650") is refused as ``ambiguous_number`` rather than guessed. Numbers typed as numbers in a
    spreadsheet (int, float, Decimal) carry no notation."""
    if isinstance(raw, bool):
        return BAD_NUMBER[decimal]
    if isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        if not math.isfinite(raw):
            return BAD_NUMBER[decimal]
        value = Decimal(repr(raw))
    elif isinstance(raw, Decimal):
        if not raw.is_finite():
            return BAD_NUMBER[decimal]
        value = raw
    elif isinstance(raw, str):
        s = _number_text(raw)
        if len(s) > 64:
            return BAD_NUMBER[decimal]
        if not decimal:
            if numbers.is_ambiguous(s):
                return "ambiguous_number"
            read = numbers.read_one_separator(s)
            if read is None:
                return "ambiguous_number" if numbers.is_grouped(s) else "bad_number"
        else:
            read = numbers.read_in(s, decimal)
            if read is None:
                return BAD_NUMBER[decimal]
        value = read
    else:
        return BAD_NUMBER[decimal]
    if value.adjusted() >= MAX_DIGITS_BEFORE_POINT:
        return "too_large"
    try:
        return value.quantize(Decimal("0.0001"))
    except InvalidOperation:
        return "too_large"


def decimal_hint(raw: Any) -> str:
    """What one text cell says about the file's notation: ``DECIMAL_COMMA`` or ``DECIMAL_POINT`` when
    only that notation reads it, ``"ambiguous"`` when both read it differently ("3.650"), ``""`` when
    it does not matter ("1234", a number cell) or it is no number at all."""
    if not isinstance(raw, str):
        return ""
    s = _number_text(raw)
    return "" if len(s) > 64 else numbers.notation_hint(s)


@dataclass
class DecimalGuess:
    """What ``detect_decimal`` found: the notation the cells show (``decimal``, ``""`` when they show
    none or both), how many cells said which, and an ambiguous cell as an example."""

    decimal: str = ""
    comma: int = 0
    point: int = 0
    ambiguous: int = 0
    example: str = ""
    cells: int = 0

    @property
    def conflict(self) -> bool:
        return bool(self.comma and self.point)

    @property
    def must_choose(self) -> bool:
        """True when some cell is read differently in the two notations and the others do not tell."""
        return (self.ambiguous > 0 or self.conflict) and not self.decimal


def detect_decimal(cells: Iterable[Any]) -> DecimalGuess:
    """The notation of a file's number cells (value and target columns). It decides only when the
    cells point one way: "87,5" or "1.234.567" say decimal comma, "87.5" or "1,234,567" decimal point;
    cells like "3.650" alone decide nothing, and cells pointing both ways decide nothing either."""
    guess = DecimalGuess()
    for raw in cells:
        hint = decimal_hint(raw)
        guess.cells += 1
        if hint == DECIMAL_COMMA:
            guess.comma += 1
        elif hint == DECIMAL_POINT:
            guess.point += 1
        elif hint == "ambiguous":
            guess.ambiguous += 1
            if not guess.example:
                guess.example = _number_text(raw)
    if bool(guess.comma) != bool(guess.point):
        guess.decimal = DECIMAL_COMMA if guess.comma else DECIMAL_POINT
    return guess


_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("januari", "january", "jan"), ("februari", "february", "feb", "pebruari"), ("maret", "march", "mar"),
            ("april", "apr"), ("mei", "may"), ("juni", "june", "jun"), ("juli", "july", "jul"),
            ("agustus", "august", "agu", "agt", "aug"), ("september", "sep", "sept"),
            ("oktober", "october", "okt", "oct"), ("november", "nopember", "nov"),
            ("desember", "december", "des", "dec"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
_P_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_P_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]+)?$")
_P_MONTH_DMY = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_P_DAY_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_P_QUARTER = re.compile(r"^(\d{4})\s*[-/ ]?\s*(?:q|tw)([1-4])$")
_P_QUARTER_FIRST = re.compile(r"^(?:q|tw)([1-4])\s*[-/ ]?\s*(\d{4})$")
_P_YEAR = re.compile(r"^(\d{4})$")
_P_NAMED = re.compile(r"^([a-z]+)[\s\-/.]+(\d{4})$")

Period = tuple[str, dt.date]  # ("month" | "quarter" | "year", first day)


def _month(y: int, m: int) -> Period | str:
    if not (1 <= m <= 12) or not (1900 <= y <= 2999):
        return "bad_period"
    return "month", dt.date(y, m, 1)


def parse_period(raw: Any) -> Period | str:
    """A period cell as (granularity, first day), or ``bad_period``. A full date stands for its month."""
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        return _month(raw.year, raw.month)
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return "bad_period"
    if isinstance(raw, float):
        if not raw.is_integer():
            return "bad_period"
        raw = int(raw)
    if isinstance(raw, int):
        return ("year", dt.date(raw, 1, 1)) if 1900 <= raw <= 2999 else "bad_period"
    s = raw.strip().lower()
    if len(s) > 40:
        return "bad_period"
    if m := _P_MONTH.match(s):
        return _month(int(m[1]), int(m[2]))
    if m := _P_DAY.match(s):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    elif m := _P_DAY_DMY.match(s):
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
    else:
        y = 0
    if y:
        if not (1 <= mo <= 12) or not (1 <= d <= calendar.monthrange(max(y, 1), mo)[1]):
            return "bad_period"
        return _month(y, mo)
    if m := _P_MONTH_DMY.match(s):
        return _month(int(m[2]), int(m[1]))
    if m := _P_QUARTER.match(s):
        y, q = int(m[1]), int(m[2])
    elif m := _P_QUARTER_FIRST.match(s):
        q, y = int(m[1]), int(m[2])
    else:
        q = 0
    if q:
        return ("quarter", dt.date(y, 3 * q - 2, 1)) if 1900 <= y <= 2999 else "bad_period"
    if m := _P_YEAR.match(s):
        y = int(m[1])
        return ("year", dt.date(y, 1, 1)) if 1900 <= y <= 2999 else "bad_period"
    if (m := _P_NAMED.match(s)) and m[1] in _MONTHS:
        return _month(int(m[2]), _MONTHS[m[1]])
    return "bad_period"


def fits_frequency(period: Period, frequency: str) -> bool:
    kind, start = period
    if frequency == Frequency.MONTHLY:
        return kind == "month"
    if frequency == Frequency.QUARTERLY:
        return kind == "quarter" or (kind == "month" and start.month in (1, 4, 7, 10))
    return kind == "year" or (kind == "month" and start.month == 1)


def norm_header(raw: Any) -> str:
    return " ".join(cell_text(raw).lstrip("\ufeff").lower().replace("_", " ").replace("-", " ").split())


REGION_CODE = re.compile(r"^\d{2}(?:\.\d{2}){0,2}(?:\.\d{4})?$")
LEVEL_RANK = {AreaLevel.REGION: 0, AreaLevel.KECAMATAN: 1, AreaLevel.DESA: 2}
AREA_RANK = {"kabkota": 0, "region": 0, "kecamatan": 1, "desa": 2}

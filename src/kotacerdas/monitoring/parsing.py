"""Reading one cell of a KPI file: numbers, periods, header titles and region codes. Pure functions.

Numbers: digits with at most one decimal separator, "." or "," (``1234567``, ``87,5``). Thousands
separators are refused because "1.234" means 1234 in Indonesian and 1.234 in English spreadsheets.

Periods: a month (``2024-03``, ``03/2024``, ``Maret 2024``, a full date stands for its month), a quarter
(``2024-Q1``, ``Q1 2024``, ``TW1 2024``) or a year (``2024``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from kotacerdas.core.sheets import cell_text

from .choices import AreaLevel, Frequency

MAX_DIGITS_BEFORE_POINT = 16  # DecimalField(max_digits=20, decimal_places=4)

_NUM_RE = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def parse_number(raw: Any) -> Decimal | str:
    """A non-empty cell as a Decimal, or an error code (``bad_number``/``too_large``)."""
    if isinstance(raw, bool):
        return "bad_number"
    if isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        if not math.isfinite(raw):
            return "bad_number"
        value = Decimal(repr(raw))
    elif isinstance(raw, Decimal):
        if not raw.is_finite():
            return "bad_number"
        value = raw
    elif isinstance(raw, str):
        s = raw.strip()
        if s[:2].lower() == "rp":  # "Rp 15000" in a Rupiah column: the unit is already known
            s = s[2:].lstrip(". ").strip()
        if len(s) > 64 or not _NUM_RE.match(s):
            return "bad_number"
        value = Decimal(s.replace(",", "."))
    else:
        return "bad_number"
    if value.adjusted() >= MAX_DIGITS_BEFORE_POINT:
        return "too_large"
    try:
        return value.quantize(Decimal("0.0001"))
    except InvalidOperation:
        return "too_large"


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

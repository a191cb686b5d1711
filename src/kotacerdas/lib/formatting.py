"""How numbers, money and dates are written for people: Indonesian by default, English on request.

Pure functions (no Django import), so templates, PDF reports and Excel exports agree to the character.
Indonesian writes 1.234.567,89 (dot for thousands, comma for decimals), dates as ``05 Agu 2024`` and
money as ``Rp 1.234.567``; English swaps the separators and the month abbreviations.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = ["MONTHS", "format_date", "format_datetime", "format_number", "format_percent", "format_plain",
           "format_rupiah", "localize_numbers"]

MONTHS: dict[str, tuple[str, ...]] = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
# (threshold, Indonesian word, English word) for compact money; "miliar" is 10^9 in Indonesian usage.
_SCALES = (
    (Decimal(10) ** 12, "triliun", "trillion"),
    (Decimal(10) ** 9, "miliar", "billion"),
    (Decimal(10) ** 6, "juta", "million"),
)


def _lang(lang: str | None) -> str:
    return "en" if (lang or "id").lower().startswith("en") else "id"


def _to_decimal(value: object) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, float):
        d = Decimal(repr(value))
    else:
        try:
            d = Decimal(str(value).strip())
        except InvalidOperation:
            return None
    return d if d.is_finite() else None


def format_number(value: object, decimals: int = 0, lang: str | None = "id", empty: str = "–") -> str:
    """Group thousands and round half-up: 1234567.891 -> "1.234.567,89" (id) / "1,234,567.89" (en)."""
    d = _to_decimal(value)
    if d is None:
        return empty
    q = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if q == 0:
        q = abs(q)  # never show "-0,00"
    text = f"{q:,.{decimals}f}"  # English separators first
    if _lang(lang) == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_plain(value: object, lang: str | None = "id", empty: str = "–") -> str:
    """A stored number written with the digits it has, the reader's way: "60.00", 60, "6E+1" -> "60";
    "2.50" -> "2,5" (id) / "2.5" (en); "1234.5" -> "1.234,5". Anything that is not a number is returned as
    text (a status, a name); None/"" give `empty`."""
    if value is None or value == "":
        return empty
    d = _to_decimal(value)
    if d is None or isinstance(value, bool):
        return str(value)
    d = d.normalize()
    exponent = d.as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    return format_number(d, decimals, lang, empty)


# A decimal number standing on its own in a machine-made text: not part of a dotted code (1.2.3, gov.1.2),
# a word (v1.5b) or an already grouped number (1,234.5).
_NUMBER_IN_TEXT = re.compile(r"(?<![\w.,])(-?\d+)\.(\d+)(?![\w.]|,\d)")


def localize_numbers(text: str, lang: str | None = "id") -> str:
    """The decimal numbers inside a text the machine wrote (an engine formula, an audit value), written
    the reader's way: "(0 + 0.76) / 250 × 100 = 0.304" -> "(0 + 0,76) / 250 × 100 = 0,304" (id); English
    keeps the decimal point. With the decimal comma, a list's separator becomes a semicolon, as Indonesian
    spreadsheets write it: "mean(3, 2.9)" -> "mean(3; 2,9)"."""
    if not text or _lang(lang) == "en" or not _NUMBER_IN_TEXT.search(text):
        return text
    return _NUMBER_IN_TEXT.sub(lambda m: f"{m.group(1)},{m.group(2)}", text.replace(", ", "; "))


def format_percent(value: object, decimals: int = 0, lang: str | None = "id", empty: str = "–") -> str:
    """A value already in percent: 89.13 -> "89,13%"."""
    text = format_number(value, decimals, lang, empty)
    return text if text == empty else f"{text}%"


def format_rupiah(value: object, lang: str | None = "id", compact: bool = False, empty: str = "–") -> str:
    """Money in Rupiah without sen: 1500000 -> "Rp 1.500.000"; compact -> "Rp 1,5 juta"."""
    d = _to_decimal(value)
    if d is None:
        return empty
    sign = "-" if d < 0 else ""
    d = abs(d)
    if compact:
        for threshold, word_id, word_en in _SCALES:
            if d >= threshold:
                scaled = format_number(d / threshold, 1, lang).removesuffix(",0").removesuffix(".0")
                return f"{sign}Rp {scaled} {word_en if _lang(lang) == 'en' else word_id}"
    return f"{sign}Rp {format_number(d, 0, lang)}"


def format_date(value: dt.date | dt.datetime | None, lang: str | None = "id", empty: str = "–") -> str:
    """dd MMM yyyy: date(2024, 8, 5) -> "05 Agu 2024" (id) / "05 Aug 2024" (en)."""
    if value is None:
        return empty
    return f"{value.day:02d} {MONTHS[_lang(lang)][value.month - 1]} {value.year:04d}"


def format_datetime(value: dt.datetime | None, lang: str | None = "id", empty: str = "–") -> str:
    """"05 Agu 2024 14.30" (Indonesian writes a dot between hours and minutes) / "05 Aug 2024 14:30"."""
    if value is None:
        return empty
    sep = ":" if _lang(lang) == "en" else "."
    return f"{format_date(value, lang)} {value.hour:02d}{sep}{value.minute:02d}"

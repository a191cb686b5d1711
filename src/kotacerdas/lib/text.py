"""What free text may contain and how long it may be — checked once at each boundary.

``problem(text)`` names what is wrong with a string nobody should store: a NUL character (PostgreSQL
cannot store it in text) or a lone UTF-16 surrogate (``"\\ud800"`` from JSON: it cannot be encoded as
UTF-8 at all). Other control characters (a vertical tab pasted from a word processor) are kept; the
spreadsheet writers drop the ones a workbook cannot hold (lib/cells). ``find_problem(value)`` walks a decoded JSON
body. The length limits every text field uses are here too, so models, forms, API schemas, importers
and the PDF report agree.

Pure functions, no Django import.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["COMMENT", "LONG_TEXT", "NAME", "SHORT_TEXT", "TEXT", "clip", "find_problem", "problem"]

NAME = 255  # names, titles, codes typed by people
SHORT_TEXT = 2_000  # a reason, a comment, a short description
TEXT = 5_000  # descriptions, notes
COMMENT = 4_000  # a comment on an action item
LONG_TEXT = 10_000  # justifications, feedback, minutes: the longest free text anyone writes here
# Any single string in a JSON body: nothing we store is longer than LONG_TEXT.
JSON_STRING_MAX = LONG_TEXT

_BAD = re.compile(r"[\x00\ud800-\udfff]")


def problem(text: str) -> str | None:
    """None when the text may be stored; otherwise a short reason (Indonesian / English)."""
    found = _BAD.search(text)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "karakter NUL (\\u0000) tidak diizinkan / NUL character not allowed"
    return "surrogat UTF-16 tunggal tidak diizinkan / lone UTF-16 surrogate not allowed"


def find_problem(value: Any, path: str = "", max_length: int | None = JSON_STRING_MAX) -> tuple[str, str] | None:
    """(where, why) of the first string (key or value) in a decoded JSON value that may not be stored,
    or that is longer than ``max_length``; None when everything is fine."""
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            why = problem(item)
            if why is None and max_length is not None and len(item) > max_length:
                why = f"teks terlalu panjang: {len(item)} karakter, paling banyak {max_length} / text too long"
            if why is not None:
                return where, why
        elif isinstance(item, dict):
            for key, sub in item.items():
                name = f"{where}.{key}" if where else str(key)
                if isinstance(key, str) and (why := problem(key)) is not None:
                    return name, why
                stack.append((name, sub))
        elif isinstance(item, list):
            stack.extend((f"{where}.{i}" if where else str(i), sub) for i, sub in enumerate(item))
    return None


def clip(text: str, limit: int, note: str = "… [{more} karakter lagi dipotong]") -> str:
    """At most ``limit`` characters of ``text`` followed by a visible note of how much was cut."""
    if len(text) <= limit:
        return text
    return text[:limit].rstrip() + " " + note.format(more=len(text) - limit)

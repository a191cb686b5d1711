"""Rubric-pack text in the reader's language: the one place screens, reports and exports ask for an
indicator's (or dimension's, pillar's, category's …) name and a level descriptor.

A pack is Indonesian; it may carry English beside it (``name_en``, ``label_en``, ``levels_en``).  A
reader who chose English sees the English text where the pack has it and the Indonesian text where it
does not -- never a blank.  ``language`` defaults to the active Django language; pass it explicitly
where the output's language is not the request's (a PDF rendered by a worker).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

__all__ = ["is_english", "level_rows", "level_text", "name", "names"]


def is_english(language: str | None = None) -> bool:
    return (language or get_language() or "id").lower().startswith("en")


def name(obj: Any, language: str | None = None) -> str:
    """``obj``'s name in the reader's language: a node, pillar, sub-dimension, category or band."""
    if obj is None:
        return ""
    indonesian = getattr(obj, "name", None) or getattr(obj, "label", None) or getattr(obj, "code", "")
    if is_english(language):
        english = getattr(obj, "name_en", None) or getattr(obj, "label_en", None)
        if english:
            return str(english)
    return str(indonesian)


def names(pack: Any, language: str | None = None) -> dict[str, str]:
    """Every node of ``pack`` (dimensions, groups, indicators) -> its name in the reader's language."""
    return {n.code: name(n, language) for n in pack.walk()}


def level_text(node: Any, level: int, language: str | None = None) -> str | None:
    """The descriptor of ``level`` in the reader's language (Indonesian when no translation)."""
    return node.level_text(level, english=is_english(language))


def level_rows(node: Any, language: str | None = None) -> list[tuple[int, str]]:
    """``(level, descriptor)`` for every level of ``node``, each in the reader's language."""
    return list(node.level_rows(english=is_english(language)))

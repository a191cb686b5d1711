"""Predicates on pages: only what scoring.predicates publishes (never a provisional band's label)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from kotacerdas.scoring.predicates import NONE, PublishedPredicate

register = template.Library()


def _published(obj: Any) -> PublishedPredicate:
    if isinstance(obj, PublishedPredicate):
        return obj
    found = getattr(obj, "published_predicate", None)  # a stored Result
    if isinstance(found, PublishedPredicate):
        return found
    status = getattr(obj, "predicate_status", NONE)  # a ScoreResult (already published-only)
    pred = getattr(obj, "predicate", None)
    if pred is not None and hasattr(pred, "label"):
        return PublishedPredicate(pred.label, pred.label_en, status)
    return PublishedPredicate(None, None, status)


@register.inclusion_tag("web/_predicate.html")
def predikat(obj: Any, chip: bool = True, note: bool = True) -> dict[str, Any]:
    """The published predicate of a result (or score), a dash when none, and why when it is withheld."""
    return {"p": _published(obj), "chip": chip, "note": note}


@register.filter
def predikat_ditahan(results: Iterable[Any]) -> bool:
    """True when any of the results has its predicate withheld (its pack's bands are not official)."""
    return any(_published(r).withheld for r in results or ())

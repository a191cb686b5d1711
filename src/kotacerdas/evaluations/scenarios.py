"""What-if on a region's own answers: levels changed on screen, scored by the engine, never saved.

Read-only by construction: this module reads the saved answers and calls the pure scoring core
(``scoring.whatif``); it writes nothing, so the executive (read-only role) may use it as freely as the
coordinator.  The web page and the API both build their answer from ``scenario``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kotacerdas.core import packtext
from kotacerdas.scoring.engine import ScoreResult, ScoringError, score
from kotacerdas.scoring.packs import Pack
from kotacerdas.scoring.predicates import PublishedPredicate, published_predicate
from kotacerdas.scoring.whatif import TARGET_GAIN, CheapestPath, cheapest_path

from . import queries
from .models import Submission

UNANSWERED = ""  # the form value of "no answer" (counts as the scale minimum under the zero policy)


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    name: str
    saved: int | None  # the region's saved answer
    level: int | None  # the level in the scenario
    levels: tuple[int, ...]

    @property
    def changed(self) -> bool:
        return self.saved != self.level


@dataclass(frozen=True)
class DimensionRow:
    code: str
    name: str
    weight: Decimal | None
    saved: Decimal | None
    now: Decimal | None

    @property
    def delta(self) -> Decimal | None:
        return None if self.saved is None or self.now is None else self.now - self.saved


@dataclass
class Scenario:
    """The saved answers (``base``) and the scenario on screen (``result``), both scored by the engine,
    and the cheapest path to +0.10 from the scenario."""

    submission: Submission
    pack: Pack
    base: ScoreResult
    result: ScoreResult
    levels: dict[str, int | None]  # the scenario's level per indicator code (None: unanswered)
    changes: dict[str, int | None]  # only the indicators whose level differs from the saved answer
    groups: list[tuple[str, list[IndicatorRow]]]
    dimensions: list[DimensionRow]
    path: CheapestPath
    ignored: list[str] = field(default_factory=list)  # request keys that are no level of an indicator
    names: dict[str, str] = field(default_factory=dict)  # indicator code -> name in the reader's language

    @property
    def delta(self) -> Decimal:
        """Change of the reported (rounded) index."""
        return self.result.index - self.base.index

    @property
    def predicate(self) -> PublishedPredicate:
        return published_predicate(self.pack, self.result.index)

    @property
    def base_predicate(self) -> PublishedPredicate:
        return published_predicate(self.pack, self.base.index)

    def path_levels(self) -> dict[str, int | None]:
        """The scenario's changes with the cheapest path applied on top (what "apply the path" shows)."""
        out = dict(self.changes)
        for move in self.path.moves:
            out[move.code] = move.to_level
        return out

    def to_dict(self) -> dict[str, Any]:
        def dims(result: ScoreResult) -> dict[str, float | None]:
            return {k: None if v is None else float(v) for k, v in result.dimensions.items()}

        def pred(p: PublishedPredicate) -> dict[str, Any]:
            return {"label": p.label, "label_en": p.label_en, "status": p.status}

        return {
            "submission": self.submission.pk, "region": self.submission.region_id,
            "pack": {"code": self.pack.code, "version": self.pack.version},
            "changes": self.changes,
            "saved": {"index": float(self.base.index), "index_raw": str(self.base.index_raw),
                      "dimensions": dims(self.base), "predicate": pred(self.base_predicate)},
            "scenario": {"index": float(self.result.index), "index_raw": str(self.result.index_raw),
                         "dimensions": dims(self.result), "predicate": pred(self.predicate),
                         "improvement": None if self.result.improvement is None else float(self.result.improvement)},
            "delta": float(self.delta),
            "cheapest_path": self.path.to_dict(),
            "ignored": self.ignored,
        }


def parse_levels(pack: Pack, saved: Mapping[str, int], requested: Mapping[str, Any],
                 strict: bool = False) -> tuple[dict[str, int | None], list[str]]:
    """The scenario's level per indicator: the saved answer unless ``requested`` names another level of
    the pack's scale ("" = unanswered).  Values off the scale are ignored and listed (a hand-edited address
    must not break the page); keys that are no indicator too when ``strict`` (the API), else skipped (a
    web request carries other parameters)."""
    order = [n.code for n in pack.indicators()]
    codes = set(order)
    levels: dict[str, int | None] = {c: saved.get(c) for c in order}
    ignored: list[str] = []
    for key, raw in requested.items():
        if key not in codes:
            if strict:
                ignored.append(key)
            continue
        text = str(raw).strip()
        if text == UNANSWERED:
            levels[key] = None
            continue
        try:
            value = int(text)
        except ValueError:
            ignored.append(key)
            continue
        if pack.scale_min <= value <= pack.scale_max:
            levels[key] = value
        else:
            ignored.append(key)
    return levels, ignored


def scenario(submission: Submission, requested: Mapping[str, Any], *, english: bool = False,
             target: Decimal = TARGET_GAIN, strict: bool = False) -> Scenario:
    """Score the region's saved answers and the scenario ``requested`` (indicator code -> level).

    Raises ScoringError when the pack cannot score the sheet (a pack that refuses missing answers)."""
    pack = queries.cycle_pack(submission.cycle)
    saved = queries.self_answers(submission)
    previous = queries.previous_index(submission)
    levels, ignored = parse_levels(pack, saved, requested, strict)
    sheet = {c: v for c, v in levels.items() if v is not None}
    base = score(pack, saved, previous=previous)
    result = score(pack, sheet, previous=previous)
    path = cheapest_path(pack, sheet, target, previous=previous)

    language = "en" if english else "id"

    def name(node: Any) -> str:
        return packtext.name(node, language)

    scale = tuple(range(pack.scale_min, pack.scale_max + 1))
    groups = [(name(dim), [IndicatorRow(ind.code, name(ind), saved.get(ind.code), levels[ind.code], scale)
                           for ind in dim.indicators()])
              for dim in pack.dimensions]
    dimensions = [DimensionRow(d.code, name(d), d.weight, base.dimensions.get(d.code), result.dimensions.get(d.code))
                  for d in pack.dimensions]
    changes = {c: v for c, v in levels.items() if v != saved.get(c)}
    names = {row.code: row.name for _dim, rows in groups for row in rows}
    return Scenario(submission=submission, pack=pack, base=base, result=result, levels=levels, changes=changes,
                    groups=groups, dimensions=dimensions, path=path, ignored=ignored, names=names)


__all__ = ["DimensionRow", "IndicatorRow", "Scenario", "ScoringError", "parse_levels", "scenario"]

"""What-if: which single-level raise helps the index most, and re-scoring with changes applied."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from .engine import Number, ScoreResult, check_values, score
from .packs import Pack


@dataclass(frozen=True)
class Improvement:
    code: str
    name: str
    from_level: Decimal | None  # None: unanswered (counted per the pack's missing policy)
    to_level: int
    gain: Decimal  # exact change of the unrounded index
    new_index: Decimal  # rounded as reported
    new_index_raw: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "from": None if self.from_level is None else float(self.from_level),
            "to": self.to_level,
            "gain": str(self.gain),
            "new_index": float(self.new_index),
            "new_index_raw": str(self.new_index_raw),
        }


def best_improvements(
    pack: Pack,
    answers: Mapping[str, Number],
    top: int | None = 10,
    given: Mapping[str, Number] | None = None,
    previous: Number | None = None,
) -> list[Improvement]:
    """Every one-level raise of one indicator, best gain first (ties by code); gains <= 0 dropped.

    Unanswered indicators are candidates only under the ``zero`` policy, where they count as the
    scale minimum; under ``renormalise`` answering one may lower the index, so it is not a "raise".
    """
    base = score(pack, answers, given, previous)
    checked = check_values(pack, answers, "answer")
    fixed = set(_overridden_codes(pack, answers, given))
    covered = {
        ind.code
        for node in pack.walk()
        if node.code in fixed and not node.is_indicator
        for ind in node.indicators()
    }
    out: list[Improvement] = []
    for ind in pack.indicators():
        if ind.code in covered:
            continue  # a given parent score hides this indicator: raising it changes nothing
        current = checked.get(ind.code)
        target = _next_level(pack, current)
        if target is None:
            continue
        new = score(pack, {**answers, ind.code: target}, given, previous)
        gain = new.index_raw - base.index_raw
        if gain > 0:
            out.append(Improvement(ind.code, ind.name, current, target, gain, new.index, new.index_raw))
    out.sort(key=lambda i: (-i.gain, i.code))
    return out if top is None else out[:top]


def _next_level(pack: Pack, current: Decimal | None) -> int | None:
    """The one-level raise of an indicator: the next whole level (aggregated panel means may be
    fractional); from unanswered, the first level above the minimum when missing answers count as zero;
    None when there is nothing to raise to."""
    if current is None:
        target = pack.scale_min + 1 if pack.missing_policy == "zero" else None
    else:
        target = int(current.to_integral_value(rounding=ROUND_FLOOR)) + 1
    return target if target is not None and target <= pack.scale_max else None


def _overridden_codes(
    pack: Pack, answers: Mapping[str, Number], given: Mapping[str, Number] | None
) -> list[str]:
    """Non-indicator codes whose score is supplied directly (in answers or given)."""
    nodes = pack.nodes_by_code()
    codes = [c for c in answers if c in nodes and not nodes[c].is_indicator]
    return codes + [c for c in (given or {}) if c in nodes]


def simulate(
    pack: Pack,
    answers: Mapping[str, Number],
    changes: Mapping[str, Number],
    given: Mapping[str, Number] | None = None,
    previous: Number | None = None,
) -> ScoreResult:
    """Score ``answers`` with ``changes`` applied on top (changes win)."""
    return score(pack, {**answers, **changes}, given, previous)



BATCH_TOLERANCE = Decimal("1e-9")  # the batch scorer's index_raw is within this of the engine's (tests/scoring)


def best_improvements_batch(
    pack: Pack,
    answers: Mapping[str, Number],
    top: int | None = 10,
    previous: Number | None = None,
) -> list[Improvement]:
    """``best_improvements`` (no given scores), same list, cheaper for a short ``top``: the base sheet and
    every one-level variation are scored in one ``batch.score_answers`` call; only the variations that
    can be in the top (within the batch scorer's tolerance of the top-th gain, ties included) are then
    re-scored by the engine, so gains, order and ties are exactly the engine's.  Falls back to
    ``best_improvements`` for sheets the batch scorer does not take."""
    from . import batch

    if _overridden_codes(pack, answers, None):
        return best_improvements(pack, answers, top, previous=previous)
    if top is not None and top <= 0:
        return []
    checked = check_values(pack, answers, "answer")
    candidates: list[tuple[Any, Decimal | None, int]] = []
    for ind in pack.indicators():
        current = checked.get(ind.code)
        target = _next_level(pack, current)
        if target is None:
            continue
        candidates.append((ind, current, target))
    try:
        approx = _batch_variations(pack, checked, candidates, previous)
    except batch.NotBatchable:
        return best_improvements(pack, answers, top, previous=previous)
    gains = [new.index_raw - approx[0].index_raw for new in approx[1:]]
    floor = -BATCH_TOLERANCE
    if top is not None and top < len(gains):
        floor = max(floor, sorted(gains, reverse=True)[top - 1] - 2 * BATCH_TOLERANCE)
    base = score(pack, answers, None, previous)
    out: list[Improvement] = []
    for (ind, current, target), rough in zip(candidates, gains, strict=True):
        if rough < floor:
            continue
        new = score(pack, {**answers, ind.code: target}, None, previous)
        gain = new.index_raw - base.index_raw
        if gain > 0:
            out.append(Improvement(ind.code, ind.name, current, target, gain, new.index, new.index_raw))
    out.sort(key=lambda i: (-i.gain, i.code))
    return out if top is None else out[:top]


def _batch_variations(pack: Pack, checked: Mapping[str, Decimal], candidates: list[tuple[Any, Decimal | None, int]],
                      previous: Number | None) -> list[Any]:
    """The base sheet (row 0) and one row per candidate raise, in one batch call: whole levels go
    straight into the level matrix, anything else through ``score_answers``."""
    import numpy as np

    from . import batch
    from .engine import to_decimal

    prev = None if previous is None or isinstance(previous, Decimal) else to_decimal(previous, "previous")
    comp = batch.compiled(pack)
    if not all(code in comp.position and value == value.to_integral_value() for code, value in checked.items()):
        base: dict[str, Number] = dict(checked)
        sheets: list[Mapping[str, Number]] = [base, *({**base, ind.code: target} for ind, _c, target in candidates)]
        return batch.score_answers(pack, sheets, [prev] * len(sheets))
    rows = len(candidates) + 1
    sums = np.zeros((rows, len(comp.codes)), dtype=np.int64)
    counts = np.zeros((rows, len(comp.codes)), dtype=np.int64)
    for code, value in checked.items():
        sums[:, comp.position[code]] = int(value)
        counts[:, comp.position[code]] = 1
    for r, (ind, _current, target) in enumerate(candidates, start=1):
        sums[r, comp.position[ind.code]] = target
        counts[r, comp.position[ind.code]] = 1
    return batch.score_levels(pack, sums, counts, [prev] * rows)

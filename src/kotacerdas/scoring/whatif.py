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


# --------------------------------------------------------------------------- the cheapest path to a target

TARGET_GAIN = Decimal("0.10")
LINEAR_RULES = frozenset({"mean", "weighted_mean"})
SETTLE = Decimal("1e-20")


@dataclass(frozen=True)
class Move:
    """Raise one indicator from ``from_level`` to ``to_level``: ``steps`` level steps (the cost)."""

    code: str
    name: str
    from_level: Decimal | None  # None: unanswered (counted as the scale minimum)
    to_level: int
    steps: int
    gain: Decimal  # the engine's gain of this move alone, from the sheet the path starts at

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name,
                "from": None if self.from_level is None else float(self.from_level), "to": self.to_level,
                "steps": self.steps, "gain": str(self.gain)}


@dataclass(frozen=True)
class CheapestPath:
    """The fewest level steps that raise the unrounded index by at least ``target``.

    Cost: one level of one indicator is one step (0 → 2 on one indicator costs 2, as does 2 → 3 on two
    indicators).  Among the paths with the fewest steps the one with the largest gain is given.
    ``gain`` and ``result`` are the engine's own score of the sheet with every move applied.
    ``exact`` says the step count is proven minimal: the pack's index is linear in the levels (means and
    weighted means only, no rounding of nodes), so no path with one step fewer can gain more than the
    ``bound`` (the sum of the best single-step gains, one step fewer), and that bound is below the target.
    Otherwise the path is found step by step (the best next step each time) and may not be the shortest.
    ``reached`` is False when even raising everything that can be raised does not gain ``target``."""

    target: Decimal
    moves: tuple[Move, ...]
    steps: int
    gain: Decimal
    result: ScoreResult
    exact: bool
    reached: bool
    bound: Decimal | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"target": str(self.target), "steps": self.steps, "gain": str(self.gain),
                "index": float(self.result.index), "index_raw": str(self.result.index_raw),
                "exact": self.exact, "reached": self.reached,
                "moves": [m.to_dict() for m in self.moves]}


def is_linear(pack: Pack) -> bool:
    """Whether the index is a linear function of the indicator levels (for answered indicators, or all
    of them when an unanswered one counts as the scale minimum): a classic tree of means without
    rounding of intermediate nodes."""
    return (pack.is_classic and not pack.round_nodes
            and all(n.rule in LINEAR_RULES for n in pack.walk() if not n.is_indicator))


def _raisable(pack: Pack, answers: Mapping[str, Number], given: Mapping[str, Number] | None,
              codes: set[str] | None) -> list[tuple[Any, Decimal | None, Decimal]]:
    """(indicator, current answer or None, level it counts as) for every indicator a raise can change."""
    checked = check_values(pack, answers, "answer")
    fixed = set(_overridden_codes(pack, answers, given))
    covered = {ind.code for node in pack.walk() if node.code in fixed and not node.is_indicator
               for ind in node.indicators()}
    out = []
    for ind in pack.indicators():
        if ind.code in covered or (codes is not None and ind.code not in codes):
            continue
        current = checked.get(ind.code)
        if current is None:
            if pack.missing_policy != "zero":
                continue  # excluded or refused: answering it is not a raise (see best_improvements)
            counted = Decimal(pack.scale_min)
        else:
            counted = current
        if counted < pack.scale_max:
            out.append((ind, current, counted))
    return out


def cheapest_path(
    pack: Pack,
    answers: Mapping[str, Number],
    target: Number = TARGET_GAIN,
    given: Mapping[str, Number] | None = None,
    previous: Number | None = None,
    codes: set[str] | None = None,
) -> CheapestPath:
    """The fewest level steps from ``answers`` that raise the unrounded index by at least ``target``
    (see CheapestPath).  ``codes`` limits the indicators that may move (None: all of them).

    The target is on the unrounded index: a raw gain of 0.10 is always a gain of 0.10 in the reported
    (rounded to 0.01) index too, whereas a reported gain of 0.10 may be a raw gain of 0.095."""
    goal = target if isinstance(target, Decimal) else Decimal(target)
    base = score(pack, answers, given, previous)
    candidates = _raisable(pack, answers, given, codes)
    whole = all(counted == counted.to_integral_value() for _, _, counted in candidates)
    if is_linear(pack) and whole:
        path = _linear_path(pack, answers, given, previous, base, candidates, goal)
        if path is not None:
            return path
    return _greedy_path(pack, answers, given, previous, base, candidates, goal)


def settled(gain: Decimal) -> Decimal:
    """A gain as compared with a target: at 20 decimals.  The engine divides with 28 significant digits,
    so a gain that is exactly 2.5 may come out as 2.4999…9 for one sheet and 2.5 for another."""
    return gain.quantize(SETTLE)


def _linear_path(pack: Pack, answers: Mapping[str, Number], given: Mapping[str, Number] | None,
                 previous: Number | None, base: ScoreResult,
                 candidates: list[tuple[Any, Decimal | None, Decimal]], goal: Decimal) -> CheapestPath | None:
    """Linear index: every level step of an indicator gains the same (its effective weight), so the best
    k-step path is the k steps of the largest gains; the fewest steps are the shortest such prefix whose
    engine score reaches the goal."""
    per_step: list[tuple[Decimal, str, Any, Decimal | None, int, int]] = []
    for ind, current, counted in candidates:
        start = int(counted)
        one = score(pack, {**answers, ind.code: start + 1}, given, previous).index_raw - base.index_raw
        if one > 0:
            per_step.append((one, ind.code, ind, current, start, pack.scale_max - start))
    per_step.sort(key=lambda s: (-settled(s[0]), s[1]))

    def prefix(k: int) -> dict[str, Number]:
        changes: dict[str, Number] = {}
        for _one, code, _ind, _current, start, room in per_step:
            if k <= 0:
                break
            take = min(room, k)
            k -= take
            changes[code] = start + take
        return changes

    def gain_of(k: int) -> tuple[Decimal, ScoreResult]:
        result = score(pack, {**answers, **prefix(k)}, given, previous)
        return result.index_raw - base.index_raw, result

    room = sum(s[5] for s in per_step)
    # First guess from the single-step gains, then settled on the engine's own score of the prefix.
    needed, total = 0, Decimal(0)
    for one, *_rest, n in per_step:
        for _ in range(n):
            if settled(total) >= goal:
                break
            total += one
            needed += 1
    gain, result = gain_of(needed)
    while settled(gain) < goal and needed < room:
        needed += 1
        gain, result = gain_of(needed)
    if settled(gain) < goal:
        return None  # even everything raised does not reach it: the step-by-step search says so
    bound = Decimal(0)
    while needed > 0:
        bound, _r = gain_of(needed - 1)
        if settled(bound) < goal:
            break
        needed -= 1
        gain, result = bound, _r
    changes = prefix(needed)
    moves = []
    for _one, code, ind, current, start, _room in per_step:
        if code in changes:
            alone = score(pack, {**answers, code: changes[code]}, given, previous).index_raw - base.index_raw
            moves.append(Move(code, ind.name, current, int(changes[code]), int(changes[code]) - start, alone))
    # Linear: the best (needed - 1)-step path is the prefix of needed - 1 steps, and it falls short.
    return CheapestPath(goal, tuple(moves), needed, gain, result, exact=True, reached=True, bound=bound)


def _greedy_path(pack: Pack, answers: Mapping[str, Number], given: Mapping[str, Number] | None,
                 previous: Number | None, base: ScoreResult,
                 candidates: list[tuple[Any, Decimal | None, Decimal]], goal: Decimal) -> CheapestPath:
    """Any pack: take the one-level raise with the largest gain (ties by code) until the target is
    reached or nothing raises the index any more; the engine scores every step."""
    sheet: dict[str, Number] = dict(answers)
    level = {ind.code: counted for ind, _c, counted in candidates}
    first = {ind.code: (ind, current) for ind, current, _counted in candidates}
    steps: dict[str, int] = {}
    current = base
    while settled(current.index_raw - base.index_raw) < goal:
        best: tuple[Decimal, str, int, ScoreResult] | None = None
        for code, counted in sorted(level.items()):
            nxt = int(counted.to_integral_value(rounding=ROUND_FLOOR)) + 1
            if nxt > pack.scale_max:
                continue
            trial = score(pack, {**sheet, code: nxt}, given, previous)
            gain = trial.index_raw - current.index_raw
            if gain > 0 and (best is None or gain > best[0]):
                best = (gain, code, nxt, trial)
        if best is None:
            break
        _gain, code, nxt, current = best
        sheet[code] = nxt
        level[code] = Decimal(nxt)
        steps[code] = steps.get(code, 0) + 1
    moves = []
    for code, n in steps.items():
        ind, was = first[code]
        alone = score(pack, {**answers, code: sheet[code]}, given, previous).index_raw - base.index_raw
        moves.append(Move(code, ind.name, was, int(sheet[code]), n, alone))
    moves.sort(key=lambda m: (-m.gain, m.code))
    gain = current.index_raw - base.index_raw
    return CheapestPath(goal, tuple(moves), sum(steps.values()), gain, current, exact=False,
                        reached=settled(gain) >= goal)

"""Score many regions at once: the same numbers as ``engine.score``, without a trace, with numpy.

The engine is exact (Decimal) and writes a trace step for every node, which is what a person
opening one region's formula needs, but a national recompute of 514 regions does not.  When every
rule in a pack is ``weighted_mean``/``mean``, the missing policy is ``zero`` and intermediate nodes
are not rounded, the index, each dimension, the plain mean of the dimensions and each pillar are
*linear* in the indicator levels.  ``compile_pack`` turns the pack into one coefficient vector per
output (exact fractions over a common denominator), so scoring every region is an integer matrix
product.

Exactness, not float: panel levels are means of integer levels, so they are fractions ``s / c``;
with ``L = lcm(counts)`` every level is an integer over ``L`` and every output an integer over
``L * D``.  Rounding (half-up to the pack's decimals) is then done on integers, which is exact --
ties (2.865 -> 2.87) are frequent with integer levels, so a float would round some of them wrong.

The one place where exact rationals and the engine can disagree is a tie reached through a
non-terminating intermediate (e.g. a mean of 6 items: the engine stores 7/3 as 28 digits, so its
2.865 may come out as 2.86499...): such a region is scored by ``exact_score``, which repeats the
engine's Decimal operations in the engine's order (without the trace), so the result always equals
the engine's.  ``BatchScore.by_engine`` says when that happened.

Traces are not built here; ``inputs_step`` stores what the engine needs to rebuild the trace later
(``expand_trace``), exactly, when somebody opens it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from . import engine
from .engine import Number, Predicate, ScoringError
from .linear import CompiledPack, LinearForm, NotBatchable, _only_2_and_5, compile_pack, compiled
from .packs import Node, Pack
from .predicates import PublishedPredicate, published_predicate

__all__ = [
    "BatchScore",
    "CompiledPack",
    "LinearForm",
    "NotBatchable",
    "compile_pack",
    "expand_trace",
    "inputs_step",
    "compiled",
    "exact_score",
    "is_inputs_step",
    "levels_from_rows",
    "score_answers",
    "score_levels",
]

INPUTS_NODE = "inputs"
_INT64_LIMIT = 2**62  # leave a bit of head-room below 2**63 for the rounding arithmetic


@dataclass
class BatchScore:
    """A region's numbers, equal to ``engine.score``'s (``index_raw`` to the 28 digits Decimal keeps)."""

    index: Decimal
    index_raw: Decimal
    mean: Decimal
    dimensions: dict[str, Decimal | None]
    pillars: dict[str, Decimal | None]
    predicate: Predicate | None
    previous: Decimal | None
    improvement: Decimal | None
    by_engine: bool = False
    predicate_status: str = "none"
    # The unrounded dimension scores the index is computed from (engine: ``dimensions_raw``).
    dimensions_raw: dict[str, Decimal | None] = field(default_factory=dict)


# --------------------------------------------------------------------------- exact numbers


def _exact(num: int, den: int) -> Decimal:
    """num/den as the engine keeps it: exact when it terminates, else 28 digits; no trailing zeros."""
    return engine._clean(Decimal(num) / den)


def _predicate(published: PublishedPredicate) -> Predicate | None:
    return None if published.label is None else Predicate(published.label, published.label_en)


# --------------------------------------------------------------------------- scoring


def _apply(form: LinearForm, num: np.ndarray, big: bool) -> np.ndarray:
    coeffs = np.array(form.coeffs, dtype=object if big else np.int64)
    return num @ coeffs


def _round(num: np.ndarray, den: int, decimals: int, half_up: bool) -> tuple[np.ndarray, np.ndarray]:
    """Exact rounding of num/den to ``decimals``; returns (rounded numerators over 10**decimals, tie)."""
    scaled = np.abs(num) * (10**decimals)
    q, r = np.divmod(scaled, den)
    twice = 2 * r
    tie = twice == den
    up = (twice > den) | (tie & (True if half_up else (q % 2 == 1)))
    q = q + up.astype(np.int64)
    return np.where(num < 0, -q, q), tie


def score_levels(
    pack: Pack,
    sums: np.ndarray,
    counts: np.ndarray,
    previous: Sequence[Decimal | None] | None = None,
) -> list[BatchScore]:
    """Score regions given, per (region, indicator), the sum and number of panel levels.

    ``sums`` and ``counts`` are integer arrays of shape (regions, indicators) in ``compiled(pack).codes``
    order; a count of 0 means no answer (the pack's ``zero`` policy counts it as the scale minimum).
    A consensus level is a sum with count 1.  The panel level is ``sums / counts`` -- the assessors'
    mean, exactly as ``engine.aggregate_assessors`` gives it.
    """
    comp = compiled(pack)
    sums = np.asarray(sums, dtype=np.int64)
    counts = np.asarray(counts, dtype=np.int64)
    n_regions, n_codes = sums.shape
    if n_codes != len(comp.codes) or counts.shape != sums.shape:
        raise ValueError(f"expected levels of shape (regions, {len(comp.codes)})")
    lo, hi = pack.scale_min, pack.scale_max
    low_ok = None
    if comp.count_columns:
        # A count column holds n: the score reads min(n, cap), one "level" per region.
        sums, counts = sums.copy(), counts.copy()
        for col, rule in comp.count_columns:
            sums[:, col] = np.minimum(sums[:, col], rule.cap)
            counts[:, col] = 1
    answered = counts > 0
    safe_counts = np.where(answered, counts, 1)
    if comp.repeat_columns or comp.count_columns:
        # Fewer instances than the divisor's floor leave a column's sum below lo * divisor.
        low_ok = np.zeros(n_codes, dtype=bool)
        low_ok[[c for c, _ in comp.repeat_columns]] = True
        free = np.zeros(n_codes, dtype=bool)
        free[[c for c, _ in comp.count_columns]] = True
        bad = answered & ~free & (((sums < lo * safe_counts) & ~low_ok) | (sums > hi * safe_counts))
    else:
        bad = answered & ((sums < lo * safe_counts) | (sums > hi * safe_counts))
    if bad.any():
        r, i = (int(x) for x in np.argwhere(bad)[0])
        raise ScoringError(f"answer for {comp.codes[i]!r} in region {r} is outside the scale {lo}..{hi}",
                           comp.codes[i])

    used = np.flatnonzero(np.bincount(safe_counts.ravel()))
    lcm = int(np.lcm.reduce(used)) if used.size else 1
    # Every level as an integer over `lcm`; unanswered indicators count as the scale minimum.
    level_num = np.where(answered, sums * (lcm // safe_counts), lo * lcm)
    # Cells whose level is no terminating decimal (three assessors: 7/3): the engine holds them as 28
    # digits, so a rounding tie of an output that reads one is left to the engine's arithmetic.
    odd = np.array([not _only_2_and_5(int(c)) for c in used], dtype=bool)
    odd_cells = answered & np.isin(safe_counts, used[odd]) if odd.any() else None

    outputs: list[tuple[str, LinearForm]] = [("index", comp.index), ("mean", comp.mean)]
    outputs += [(f"dim:{c}", f) for c, f in comp.dimensions if f is not None]
    outputs += [(f"pillar:{c}", f) for c, f in comp.pillars if f is not None]
    max_level = max(abs(lo), abs(hi), *(r.cap for _, r in comp.count_columns)) * lcm
    big = any(max_level * sum(abs(c) for c in f.coeffs) * 10 ** (pack.decimals + 1) * 2 >= _INT64_LIMIT
              or f.den * lcm * 2 >= _INT64_LIMIT for _, f in outputs)
    num = level_num.astype(object) if big else level_num

    half_up = pack.rounding == ROUND_HALF_UP
    rounded: dict[str, np.ndarray] = {}
    raw_num: dict[str, np.ndarray] = {}
    # region -> the outputs whose rounding tie must be decided by the engine's Decimal arithmetic
    pending: dict[int, list[str]] = {}
    for name, form in outputs:
        values = _apply(form, num, big)
        raw_num[name] = values
        q, tie = _round(values, form.den * lcm, pack.decimals, half_up)
        rounded[name] = q
        tie = np.asarray(tie, dtype=bool)
        if tie.any():
            for r in np.flatnonzero(_tie_needs_engine(form, tie, odd_cells, level_num, lcm)).tolist():
                pending.setdefault(r, []).append(name)

    prevs = list(previous) if previous is not None else [None] * n_regions
    if len(prevs) != n_regions:
        raise ValueError("one previous index per region expected")
    prev_dec = [p if p is None or isinstance(p, Decimal) else engine.to_decimal(p, "previous") for p in prevs]

    # Rounded outputs are integers q in [min, max] * 10**decimals: one Decimal object per q, looked up.
    out_lo, out_hi = comp.output_range or (lo, hi)
    qmin, qmax = out_lo * 10**pack.decimals, out_hi * 10**pack.decimals
    table = np.array([Decimal(q).scaleb(-pack.decimals) for q in range(qmin, qmax + 1)], dtype=object)
    bands: list[Predicate | None] = []
    statuses: list[str] = []
    for d in table:
        published = published_predicate(pack, d)
        bands.append(_predicate(published))
        statuses.append(published.status)

    def column(name: str | None) -> list[Any]:
        if name is None:
            return [None] * n_regions
        return table[np.asarray(rounded[name] - qmin, dtype=np.int64)].tolist()

    index_q = np.asarray(rounded["index"] - qmin, dtype=np.int64).tolist()
    index_col = column("index")
    mean_col = column("mean")
    dim_codes = [c for c, _ in comp.dimensions]
    dim_rows = zip(*[column(None if f is None else f"dim:{c}") for c, f in comp.dimensions], strict=True)
    pillar_codes = [c for c, _ in comp.pillars]
    pillar_cols = [column(None if f is None else f"pillar:{c}") for c, f in comp.pillars]
    # A pack without pillars (IID) still has one (empty) row of pillars per region.
    pillar_rows = zip(*pillar_cols, strict=True) if pillar_cols else itertools.repeat(())
    index_den = comp.index.den * lcm
    index_num = raw_num["index"].tolist()
    dim_raw = [(c, raw_num[f"dim:{c}"].tolist() if f is not None else None, 0 if f is None else f.den * lcm)
               for c, f in comp.dimensions]
    scale = Decimal(1).scaleb(-pack.decimals)
    rounding = pack.rounding

    out: list[BatchScore] = []
    for r, dim_row, pillar_row in zip(range(n_regions), dim_rows, pillar_rows, strict=False):
        prev = prev_dec[r]
        index = index_col[r]
        out.append(BatchScore(
            index=index,
            # An exact quotient keeps the ideal exponent (2865/1000 -> 2.865): no _clean needed.
            index_raw=Decimal(index_num[r]) / index_den,
            mean=mean_col[r],
            dimensions=dict(zip(dim_codes, dim_row, strict=True)),
            dimensions_raw={c: None if nums is None else _exact(nums[r], den) for c, nums, den in dim_raw},
            pillars=dict(zip(pillar_codes, pillar_row, strict=True)),
            predicate=bands[index_q[r]],
            predicate_status=statuses[index_q[r]],
            previous=prev,
            improvement=None if prev is None else (index - prev).quantize(scale, rounding=rounding),
        ))
    if pending:
        sums_l, counts_l = sums.tolist(), counts.tolist()
        for r, names in pending.items():
            _ExactRegion(pack, comp, _answers(comp, sums_l[r], counts_l[r]),
                         raw=(sums_l[r], counts_l[r])).patch(out[r], names)
    return out


def _short_decimal(num: int, den: int) -> bool:
    """num/den is a terminating decimal of at most 20 places: Decimal's 28 digits hold it exactly."""
    d = den // math.gcd(num, den)
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    return d == 1 and max(twos, fives) <= 20


def _tie_needs_engine(form: LinearForm, tie: np.ndarray, odd_cells: np.ndarray | None, level_num: np.ndarray,
                      lcm: int) -> np.ndarray:
    """Of the regions where ``form`` is exactly on a rounding tie, those where the engine's Decimal
    arithmetic may not be exact: it reads a non-terminating level, or a guard node does not terminate."""
    out = np.zeros(tie.shape, dtype=bool)
    rows = np.flatnonzero(tie)
    if odd_cells is not None:
        support = np.array(form.coeffs) != 0
        out[rows] |= odd_cells[rows][:, support].any(axis=1)
    for guard in form.guards:
        coeffs = [int(c) for c in guard.coeffs]
        den = guard.den * lcm
        for r in rows.tolist():
            if not out[r]:
                num = sum(c * int(v) for c, v in zip(coeffs, level_num[r].tolist(), strict=True) if c)
                out[r] = not _short_decimal(num, den)
    return out


def _answers(comp: CompiledPack, sums: Sequence[int], counts: Sequence[int]) -> dict[str, Decimal]:
    # Decimal(sum) / count is what aggregate_assessors computes (the sum of integer levels is exact).
    return {code: Decimal(s) / c for code, s, c in zip(comp.codes, sums, counts, strict=True) if c}


class _ExactRegion:
    """``engine.score``'s arithmetic for one region, operation for operation in Decimal (the engine's
    additions in the engine's order, so even the 28th digit is the same), without the trace, and only
    for the outputs asked: used where a rounding tie depends on that arithmetic."""

    def __init__(self, pack: Pack, comp: CompiledPack, answers: Mapping[str, Decimal],
                 raw: tuple[Sequence[int], Sequence[int]] | None = None) -> None:
        for code in answers:
            if code not in comp.position:
                raise NotBatchable(f"{code!r} is not an indicator")
        self.pack, self.comp, self.answers = pack, comp, answers
        self.zero, self.floor = Decimal(0), Decimal(pack.scale_min)
        self._dims: dict[str, Decimal | None] = {}
        # Repeated groups are scored from the column sums (Σ over the instances) and divided once, as the
        # engine divides the sum of the instances' values once; counts read their column's n.
        self.raw = raw
        self.in_repeat = False

    def _column(self, code: str) -> tuple[int, int]:
        assert self.raw is not None
        i = self.comp.position[code]
        return int(self.raw[0][i]), int(self.raw[1][i])

    def evaluate(self, node: Node) -> Decimal | None:
        if node.is_indicator:
            if self.in_repeat:
                return Decimal(self._column(node.code)[0])
            return self.answers.get(node.code, self.floor)
        if node.is_count and node.count is not None:
            n = self._column(node.code)[0]
            return engine._clean(Decimal(node.count.capped(n)) * node.count.points_each)
        if node.repeat is not None and self.raw is not None:
            self.in_repeat = True
            try:
                parts = [(c, v) for c in node.children if (v := self.evaluate(c)) is not None]
                total = self.combine(node.rule or "mean", parts) or self.zero
            finally:
                self.in_repeat = False
            first = next(i for i in node.indicators())
            divisor = self._column(first.code)[1]
            return engine._clean(total / divisor)
        parts = [(c, v) for c in node.children if (v := self.evaluate(c)) is not None]
        return self.combine(node.rule or "mean", parts)

    def combine(self, rule: str, parts: list[tuple[Node, Decimal]]) -> Decimal | None:
        if not parts:
            return None
        zero = self.zero
        if rule == "sum":
            return engine._clean(sum((v if c.weight is None else c.weight * v for c, v in parts), zero))
        if rule == "weighted_mean":
            total_w = sum((c.weight or zero for c, _ in parts), zero)
            return engine._clean(sum(((c.weight or zero) * v for c, v in parts), zero) / total_w)
        return engine._clean(sum((v for _, v in parts), zero) / len(parts))

    def dim(self, node: Node) -> Decimal | None:
        if node.code not in self._dims:
            self._dims[node.code] = self.evaluate(node)
        return self._dims[node.code]

    def pillar(self, code: str) -> Decimal | None:
        members = dict(self.comp.pillar_members)[code]
        if not members:
            return None
        items = [self.answers.get(m, self.floor) for m in members]
        return engine._clean(sum(items, self.zero) / len(items))

    def index_and_mean(self) -> tuple[Decimal, Decimal]:
        dims = [(d, v) for d in self.pack.dimensions if (v := self.dim(d)) is not None]
        index_raw: Decimal | None
        if self.pack.index_aggregation == "sum":
            total = self.combine("sum", dims)
            assert total is not None and self.pack.index_maximum is not None
            index_raw = engine._clean(total * self.pack.index_scale[1] / self.pack.index_maximum)
        else:
            index_raw = self.combine("weighted_mean", dims)
        assert index_raw is not None
        return index_raw, engine._clean(sum((v for _, v in dims), self.zero) / len(dims))

    def patch(self, score: BatchScore, names: Sequence[str]) -> None:
        """Replace the named outputs (``index``, ``mean``, ``dim:<code>``, ``pillar:<code>``) of ``score``."""
        q = self.pack.quantize
        for name in names:
            if name in ("index", "mean"):
                index_raw, mean_raw = self.index_and_mean()
                if name == "index":
                    score.index, score.index_raw = q(index_raw), index_raw
                    published = published_predicate(self.pack, score.index)
                    score.predicate, score.predicate_status = _predicate(published), published.status
                    score.improvement = None if score.previous is None else q(score.index - score.previous)
                else:
                    score.mean = q(mean_raw)
            elif name.startswith("dim:"):
                v = self.dim(next(d for d in self.pack.dimensions if d.code == name[4:]))
                score.dimensions[name[4:]] = None if v is None else q(v)
                score.dimensions_raw[name[4:]] = v
            else:
                v = self.pillar(name[7:])
                score.pillars[name[7:]] = None if v is None else q(v)
        score.by_engine = True


def exact_score(pack: Pack, answers: Mapping[str, Decimal], previous: Decimal | None = None) -> BatchScore:
    """``engine.score`` for indicator answers, in the engine's own Decimal arithmetic, without the trace."""
    comp = compiled(pack)
    ex = _ExactRegion(pack, comp, answers)
    index_raw, mean_raw = ex.index_and_mean()
    index = pack.quantize(index_raw)
    published = published_predicate(pack, index)
    return BatchScore(
        index=index, index_raw=index_raw, mean=pack.quantize(mean_raw),
        dimensions={d.code: None if (v := ex.dim(d)) is None else pack.quantize(v) for d in pack.dimensions},
        dimensions_raw={d.code: ex.dim(d) for d in pack.dimensions},
        pillars={p: None if (v := ex.pillar(p)) is None else pack.quantize(v) for p, _ in comp.pillar_members},
        predicate=_predicate(published),
        previous=previous, improvement=None if previous is None else pack.quantize(index - previous),
        by_engine=True, predicate_status=published.status,
    )


def levels_from_rows(
    pack: Pack,
    region_idx: np.ndarray,
    indicator_idx: np.ndarray,
    levels: np.ndarray,
    n_regions: int,
    consensus: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    counts: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(sums, counts) matrices from long rows, one per assessor x indicator -- or, with ``counts``, one
    per region x indicator holding the sum of its ``counts`` levels (a database did the GROUP BY).
    A consensus level replaces the assessors' levels of its cell, like ``aggregate_assessors``."""
    if pack.assessor_aggregation != "mean":
        raise NotBatchable(f"assessor aggregation {pack.assessor_aggregation!r} is not a sum of levels")
    n = len(compiled(pack).codes)
    cell = np.asarray(region_idx, dtype=np.int64) * n + np.asarray(indicator_idx, dtype=np.int64)
    lv = np.asarray(levels, dtype=np.int64)
    cnt = np.ones_like(lv) if counts is None else np.asarray(counts, dtype=np.int64)
    lo, hi = pack.scale_min, pack.scale_max
    if lv.size and (np.any(lv < lo * cnt) or np.any(lv > hi * cnt) or np.any(cnt < 1)):
        raise ScoringError(f"an assessor level is outside the scale {lo}..{hi}", None)
    size = n_regions * n
    if counts is None:
        sums = np.bincount(cell, weights=lv, minlength=size).astype(np.int64)
        total = np.bincount(cell, minlength=size).astype(np.int64)
    else:
        sums = np.zeros(size, dtype=np.int64)
        total = np.zeros(size, dtype=np.int64)
        np.add.at(sums, cell, lv)
        np.add.at(total, cell, cnt)
    if consensus is not None:
        c_cell = np.asarray(consensus[0], dtype=np.int64) * n + np.asarray(consensus[1], dtype=np.int64)
        sums[c_cell] = np.asarray(consensus[2], dtype=np.int64)
        total[c_cell] = 1
    return sums.reshape(n_regions, n), total.reshape(n_regions, n)


def instance_levels(pack: Pack, answers: Mapping[str, Number], instances: engine.Instances | None
                    ) -> tuple[list[int], list[int]] | None:
    """One region's row of (sums, counts) for a pack with repeated groups: a plain indicator (level, 1)
    or (0, 0) unanswered; an indicator answered per instance (Σ of its instances' levels, max(at_least,
    n)), unanswered instances counted at the scale minimum; a count node (n, 1).  None when a level is
    not an integer or a code is not an indicator (the engine scores such a sheet)."""
    comp = compiled(pack)
    checked = engine.check_values(pack, answers)
    per = engine.check_instances(pack, instances)
    sums = [0] * len(comp.codes)
    counts = [0] * len(comp.codes)
    for code, value in checked.items():
        if code not in comp.position or value != value.to_integral_value():
            return None
        sums[comp.position[code]], counts[comp.position[code]] = int(value), 1
    for col, rep in comp.repeat_columns:
        code = comp.codes[col]
        if code in checked:
            raise ScoringError(f"{code!r} is answered per {rep.over}, under \"instances\"", code)
        items = per.get(rep.over, {})
        total = 0
        for sheet in items.values():
            v = sheet.get(code, Decimal(pack.scale_min))
            if v != v.to_integral_value():
                return None
            total += int(v)
        sums[col], counts[col] = total, rep.divisor(len(items))
    for col, rule in comp.count_columns:
        sums[col], counts[col] = len(per.get(rule.of, {})), 1
    return sums, counts


def score_answers(
    pack: Pack,
    answers: Sequence[Mapping[str, Number]],
    previous: Sequence[Number | None] | None = None,
    instances: Sequence[engine.Instances | None] | None = None,
) -> list[BatchScore]:
    """Score answer sheets (indicator -> level) like ``engine.score(pack, answers=a, previous=p)``.

    Convenience for tests and small callers; levels are integers or any exact number (Decimal, or a
    float by its shortest repr).  A sheet answering a group or dimension code is scored by the engine.
    A pack with repeated groups takes one ``instances`` mapping per sheet (``engine.score``'s argument).
    """
    if not pack.is_classic:
        return _score_instance_sheets(pack, answers, previous, instances)
    comp = compiled(pack)
    pos = comp.position
    n = len(comp.codes)
    fractions: list[dict[int, Fraction]] = []
    by_engine: set[int] = set()
    for r, sheet in enumerate(answers):
        row: dict[int, Fraction] = {}
        for code, value in engine.check_values(pack, sheet).items():
            if code not in pos:
                by_engine.add(r)
                break
            row[pos[code]] = Fraction(value)
        fractions.append(row)
    # One common denominator per call keeps the integer arithmetic of score_levels.
    den = 1
    for row in fractions:
        for f in row.values():
            den = den * f.denominator // math.gcd(den, f.denominator)
    sums = np.zeros((len(answers), n), dtype=object if den > 10**9 else np.int64)
    counts = np.zeros((len(answers), n), dtype=np.int64)
    for r, row in enumerate(fractions):
        for i, f in row.items():
            sums[r, i] = int(f * den)
            counts[r, i] = den
    if den > 10**9:
        # Long decimals: not worth an object-dtype path, the engine is exact for them.
        by_engine = set(range(len(answers)))
        sums = np.zeros((len(answers), n), dtype=np.int64)
        counts = np.zeros((len(answers), n), dtype=np.int64)
    prevs = list(previous) if previous is not None else [None] * len(answers)
    prev_dec = [p if p is None or isinstance(p, Decimal) else engine.to_decimal(p, "previous") for p in prevs]
    out = score_levels(pack, sums, counts, prev_dec)
    for r in by_engine:
        res = engine.score(pack, answers=answers[r], previous=prevs[r])
        out[r] = BatchScore(
            index=res.index, index_raw=res.index_raw, mean=res.mean, dimensions=dict(res.dimensions),
            dimensions_raw=dict(res.dimensions_raw),
            pillars=dict(res.pillars), predicate=res.predicate, previous=res.previous,
            improvement=res.improvement, by_engine=True, predicate_status=res.predicate_status,
        )
    return out


def _score_instance_sheets(
    pack: Pack,
    answers: Sequence[Mapping[str, Number]],
    previous: Sequence[Number | None] | None,
    instances: Sequence[engine.Instances | None] | None,
) -> list[BatchScore]:
    comp = compiled(pack)
    insts = list(instances) if instances is not None else [None] * len(answers)
    if len(insts) != len(answers):
        raise ValueError("one instances mapping per answer sheet expected")
    prevs = list(previous) if previous is not None else [None] * len(answers)
    prev_dec = [p if p is None or isinstance(p, Decimal) else engine.to_decimal(p, "previous") for p in prevs]
    rows = [instance_levels(pack, a, i) for a, i in zip(answers, insts, strict=True)]
    n = len(comp.codes)
    sums = np.array([r[0] if r else [0] * n for r in rows], dtype=np.int64).reshape(len(rows), n)
    counts = np.array([r[1] if r else [0] * n for r in rows], dtype=np.int64).reshape(len(rows), n)
    out = score_levels(pack, sums, counts, prev_dec)
    for r, row in enumerate(rows):
        if row is None:
            res = engine.score(pack, answers=answers[r], previous=prevs[r], instances=insts[r])
            out[r] = BatchScore(
                index=res.index, index_raw=res.index_raw, mean=res.mean, dimensions=dict(res.dimensions),
                dimensions_raw=dict(res.dimensions_raw),
                pillars=dict(res.pillars), predicate=res.predicate, previous=res.previous,
                improvement=res.improvement, by_engine=True, predicate_status=res.predicate_status,
            )
    return out


# --------------------------------------------------------------------------- lazy traces


def inputs_step(pack: Pack, sums: list[int], counts: list[int], previous: Decimal | None) -> dict[str, Any]:
    """A stored stand-in for the trace: the exact panel levels (``sums[i] / counts[i]`` for the pack's
    i-th indicator; count 0 = no answer) from which ``expand_trace`` rebuilds the engine's full trace.
    ``sums``/``counts`` are plain int lists (``ndarray.tolist()`` rows): kept as they are, no copy."""
    return {
        "node": INPUTS_NODE,
        "formula": "jejak lengkap dihitung saat dibuka / full trace computed when opened",
        "pack_digest": pack.digest,
        "sums": sums,
        "counts": counts,
        "previous": None if previous is None else str(previous),
        "value": None,
        "inputs": [],
    }


def is_inputs_step(trace: Any) -> bool:
    return bool(trace) and isinstance(trace, list) and isinstance(trace[0], dict) \
        and trace[0].get("node") == INPUTS_NODE and "sums" in trace[0]


def expand_trace(pack: Pack, trace: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The engine's full trace for a stored inputs step (any other trace is returned as it is)."""
    if not is_inputs_step(trace):
        return trace
    step = trace[0]
    if step.get("pack_digest") and step["pack_digest"] != pack.digest:
        raise ScoringError("stored inputs were scored with another version of the pack", "pack_digest")
    prev = None if step.get("previous") is None else Decimal(step["previous"])
    result = engine.score(pack, answers=_answers(compiled(pack), step["sums"], step["counts"]), previous=prev)
    return [s.to_dict() for s in result.trace]


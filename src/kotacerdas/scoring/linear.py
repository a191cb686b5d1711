"""A pack compiled to linear forms: when every rule is ``weighted_mean``/``mean``, the missing policy
is ``zero`` and intermediate nodes are not rounded, the index, each dimension, the plain mean of the
dimensions and each pillar are linear in the indicator levels; :func:`compile_pack` gives each output
as integer coefficients over a common denominator (exact fractions), which ``batch`` applies to a
whole matrix of levels.  See :mod:`kotacerdas.scoring.batch` for why this is exact."""


from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .packs import CountRule, Node, Pack, Repeat


class NotBatchable(ValueError):
    """The pack is not linear in the levels (max/min rule, renormalise/refuse policy, rounded nodes)."""


@dataclass(frozen=True)
class LinearForm:
    """One output as ``sum(coeffs[i] * level[i]) / den``.

    ``guards`` are the nodes on the way whose division may not terminate (a mean of 6, of 3...): when
    one of them does not terminate for a region, the engine holds it as 28 digits, and an exact tie
    of this output must be left to the engine's arithmetic."""

    coeffs: tuple[int, ...]
    den: int
    guards: tuple[LinearForm, ...] = ()

    @property
    def tie_safe(self) -> bool:
        return not self.guards


@dataclass(frozen=True)
class CompiledPack:
    pack: Pack
    codes: tuple[str, ...]  # indicator codes, pack order: the columns of the level matrix
    index: LinearForm
    mean: LinearForm
    dimensions: tuple[tuple[str, LinearForm | None], ...]
    pillars: tuple[tuple[str, LinearForm | None], ...]
    position: dict[str, int]  # indicator code -> column
    pillar_members: tuple[tuple[str, tuple[str, ...]], ...]  # pillar code -> tagged indicators
    # Packs with repeated groups and counts (IID).  A column of an indicator answered per instance holds
    # (Σ over the instances of its level, divisor); a count node's column holds (n, 1).
    repeat_columns: tuple[tuple[int, Repeat], ...] = ()
    count_columns: tuple[tuple[int, CountRule], ...] = ()
    output_range: tuple[int, int] | None = None  # lowest/highest value of any output (default: the scale)



def _only_2_and_5(n: int) -> bool:
    n = abs(n)
    if n == 0:
        return False
    for p in (2, 5):
        while n % p == 0:
            n //= p
    return n == 1


def _form(vec: Sequence[Fraction], guards: tuple[LinearForm, ...] = ()) -> LinearForm:
    den = 1
    for f in vec:
        den = den * f.denominator // math.gcd(den, f.denominator)
    coeffs = tuple(int(f * den) for f in vec)
    return LinearForm(coeffs, den, guards)



_Vec = list[Fraction]


def compile_pack(pack: Pack) -> CompiledPack:
    """Effective weights of every indicator in the index, each dimension, the mean and each pillar."""
    if pack.missing_policy != "zero":
        raise NotBatchable(f"missing policy {pack.missing_policy!r}: which answers count depends on the data")
    if pack.round_nodes:
        raise NotBatchable("round_nodes: intermediate rounding is not linear")
    classic = pack.is_classic
    codes = tuple(n.code for n in pack.walk() if n.is_indicator or n.is_count)
    pos = {c: i for i, c in enumerate(codes)}
    n = len(codes)
    repeated = {} if classic else pack.repeated_codes()
    for group in {id(g): g for g in repeated.values()}.values():
        if any(not x.is_indicator and x.rule != "sum" for x in group.walk()):
            # Per-instance means would be divided before the instances are added up: the engine's Decimal
            # then rounds where the exact column sums do not.
            raise NotBatchable(f"repeated group {group.code!r} is not a sum all the way down")

    # (vector, guards): the node's coefficients, and the nodes of its subtree (itself included) whose
    # division can leave a remainder -- the places where the engine's Decimal may stop being exact.
    def visit(node: Node) -> tuple[_Vec | None, tuple[LinearForm, ...]]:
        if node.is_indicator:
            vec = [Fraction(0)] * n
            vec[pos[node.code]] = Fraction(1)
            return vec, ()
        if node.is_count and node.count is not None:
            vec = [Fraction(0)] * n
            vec[pos[node.code]] = Fraction(node.count.points_each)
            return vec, ()
        parts = [(c, *visit(c)) for c in node.children]
        present = [(c, v, g) for c, v, g in parts if v is not None]
        if not present:
            return None, ()
        rule = node.rule or "mean"
        if rule == "sum":
            # Weights multiply; no division.  A repeated group's own division by max(at_least, n) is in its
            # columns (sums over divisor), where a non-terminating divisor marks the cells "odd".
            weights = [Fraction(1) if c.weight is None else Fraction(c.weight) for c, _, _ in present]
            total = Fraction(1)
            divisor_ok = True
        elif rule == "weighted_mean":
            weights = [Fraction(c.weight or 0) for c, _, _ in present]
            total = sum(weights, Fraction(0))
            if total == 0:
                raise NotBatchable(f"weights of {node.code!r} sum to zero")
            divisor_ok = _only_2_and_5(total.numerator)
        elif rule == "mean":
            weights = [Fraction(1)] * len(present)
            total = Fraction(len(present))
            divisor_ok = _only_2_and_5(len(present))
        else:
            raise NotBatchable(f"rule {rule!r} on {node.code!r} is not linear")
        out = [Fraction(0)] * n
        for w, (_, v, _) in zip(weights, present, strict=True):
            assert v is not None
            for i in range(n):
                if v[i]:
                    out[i] += w * v[i] / total
        inner = tuple(g for _, _, gs in present for g in gs)
        return out, inner if divisor_ok else (*inner, _form(out))

    dims: list[tuple[str, LinearForm | None]] = []
    dim_vecs: list[tuple[Node, _Vec, tuple[LinearForm, ...]]] = []
    for dim in pack.dimensions:
        if dim.is_indicator:
            raise NotBatchable(f"dimension {dim.code!r} is an indicator")
        vec, guards = visit(dim)
        if vec is None:
            dims.append((dim.code, None))
            continue
        # A tie terminates, so the node's own last division is exact at a tie; only what is under it matters.
        below = tuple(g for c in dim.children for g in visit(c)[1])
        dims.append((dim.code, _form(vec, below)))
        dim_vecs.append((dim, vec, guards))
    if not dim_vecs:
        raise NotBatchable("no dimension has an indicator")

    index = [Fraction(0)] * n
    mean = [Fraction(0)] * n
    if pack.index_aggregation == "sum":
        assert pack.index_maximum is not None
        factor = Fraction(pack.index_scale[1]) / Fraction(pack.index_maximum)
        weights = {d.code: (Fraction(1) if d.weight is None else Fraction(d.weight)) * factor
                   for d, _, _ in dim_vecs}
    else:
        total = sum((Fraction(d.weight or 0) for d, _, _ in dim_vecs), Fraction(0))
        if total == 0:
            raise NotBatchable("dimension weights sum to zero")
        weights = {d.code: Fraction(d.weight or 0) / total for d, _, _ in dim_vecs}
    for d, vec, _ in dim_vecs:
        w = weights[d.code]
        for i in range(n):
            index[i] += w * vec[i]
            mean[i] += vec[i] / len(dim_vecs)
    dims_guards = tuple(g for _, _, gs in dim_vecs for g in gs)

    pillars: list[tuple[str, LinearForm | None]] = []
    for pillar in pack.pillars:
        tagged = [pos[i.code] for i in pack.indicators() if i.pillar == pillar.code and i.code not in repeated]
        if not tagged:
            pillars.append((pillar.code, None))
            continue
        vec = [Fraction(0)] * n
        for i in tagged:
            vec[i] = Fraction(1, len(tagged))
        pillars.append((pillar.code, _form(vec)))

    output_range = None
    if not classic:
        bounds = pack.bounds()
        lows = [bounds[d.code][0] for d in pack.dimensions] + [Decimal(pack.scale_min), Decimal(0)]
        highs = [bounds[d.code][1] for d in pack.dimensions] + [Decimal(pack.scale_max),
                                                                 Decimal(pack.index_scale[1])]
        output_range = (math.floor(min(lows)), math.ceil(max(highs)))
    return CompiledPack(
        pack=pack, codes=codes, index=_form(index, dims_guards), mean=_form(mean, dims_guards),
        dimensions=tuple(dims), pillars=tuple(pillars), position=pos,
        pillar_members=tuple((p.code, tuple(i.code for i in pack.indicators()
                                            if i.pillar == p.code and i.code not in repeated))
                             for p in pack.pillars),
        repeat_columns=tuple((pos[c], g.repeat) for c, g in repeated.items()
                             if c in pos and g.repeat is not None and c in _indicator_codes(pack)),
        count_columns=tuple((pos[x.code], x.count) for x in pack.walk() if x.is_count and x.count is not None),
        output_range=output_range,
    )


def _indicator_codes(pack: Pack) -> set[str]:
    return {i.code for i in pack.indicators()}


_COMPILED: dict[tuple[str, str, str], CompiledPack] = {}


def compiled(pack: Pack) -> CompiledPack:
    key = (pack.code, pack.version, pack.digest)
    if key not in _COMPILED:
        _COMPILED[key] = compile_pack(pack)
    return _COMPILED[key]


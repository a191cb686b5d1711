"""The scoring engine: rubric pack + answers -> index, with a trace for every number.

All arithmetic is Decimal.  Published indices are reported to two decimals with half-up rounding
(2.865 -> 2.87); binary floats would turn that into 2.86, so no float ever enters a computation.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from .packs import Node, Pack
from .predicates import published_predicate

Number = int | Decimal
# kind of instance (e.g. "innovation") -> instance id (e.g. a programme code) -> indicator code -> level
Instances = Mapping[str, Mapping[str, Mapping[str, Any]]]


class ScoringError(ValueError):
    """Bad input for a pack: unknown code, out-of-scale value, refused missing answers."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class TraceStep:
    node_code: str
    formula_text: str
    # (code, value, declared weight or None); the formula text shows the normalised weights.
    inputs: tuple[tuple[str, Decimal, Decimal | None], ...]
    value: Decimal | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node_code,
            "formula": self.formula_text,
            "inputs": [
                {"code": c, "value": str(v), "weight": None if w is None else str(w)}
                for c, v, w in self.inputs
            ],
            "value": None if self.value is None else str(self.value),
        }


@dataclass(frozen=True)
class MissingAnswer:
    code: str
    treatment: str  # "zero" | "excluded"
    detail: str


@dataclass(frozen=True)
class Predicate:
    label: str
    label_en: str | None


@dataclass
class ScoreResult:
    pack_code: str
    pack_version: str
    pack_digest: str
    index: Decimal
    index_raw: Decimal
    mean: Decimal
    mean_raw: Decimal
    dimensions: dict[str, Decimal | None]
    dimensions_raw: dict[str, Decimal | None]
    nodes: dict[str, Decimal | None]
    pillars: dict[str, Decimal | None]
    predicate: Predicate | None
    improvement: Decimal | None
    previous: Decimal | None
    missing: list[MissingAnswer] = field(default_factory=list)
    trace: list[TraceStep] = field(default_factory=list)
    decimals: int = 2
    # Packs with repeated groups: kind -> instance id -> node code -> value, and kind -> n.
    instances: dict[str, dict[str, dict[str, Decimal | None]]] = field(default_factory=dict)
    instance_counts: dict[str, int] = field(default_factory=dict)
    index_scale: tuple[int, int] | None = None
    # Why ``predicate`` is set or None: "official", "provisional"/"reconstructed" (bands not official,
    # so no predicate is published) or "none" (scoring.predicates).
    predicate_status: str = "none"

    def step(self, code: str) -> TraceStep:
        for s in self.trace:
            if s.node_code == code:
                return s
        raise KeyError(code)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly: numbers as floats rounded like the pack; ``index_raw`` exact as a string."""

        def num(v: Decimal | None) -> float | None:
            return None if v is None else float(v)

        def rounded(v: Decimal | None) -> float | None:
            return None if v is None else float(_quantize(v, self.decimals))

        out: dict[str, Any] = {
            "pack": {"code": self.pack_code, "version": self.pack_version, "digest": self.pack_digest},
            "index": num(self.index),
            "index_raw": str(self.index_raw),
            "mean": num(self.mean),
            "predicate": None
            if self.predicate is None
            else {"label": self.predicate.label, "label_en": self.predicate.label_en},
            "predicate_status": self.predicate_status,
            "previous": num(self.previous),
            "improvement": num(self.improvement),
            "dimensions": {k: num(v) for k, v in self.dimensions.items()},
            "dimensions_raw": {k: None if v is None else str(v) for k, v in self.dimensions_raw.items()},
            "pillars": {k: num(v) for k, v in self.pillars.items()},
            "nodes": {k: rounded(v) for k, v in self.nodes.items()},
            "missing": [{"code": m.code, "treatment": m.treatment, "detail": m.detail} for m in self.missing],
            "trace": [s.to_dict() for s in self.trace],
        }
        if self.index_scale is not None:
            out["index_scale"] = {"min": self.index_scale[0], "max": self.index_scale[1]}
        if self.instance_counts:
            out["instances"] = {
                kind: {"n": self.instance_counts.get(kind, 0),
                       "items": {key: {c: rounded(v) for c, v in nodes.items()} for key, nodes in items.items()}}
                for kind, items in self.instances.items()
            }
        return out


def _clean(value: Decimal) -> Decimal:
    """Drop the trailing zeros a Decimal division leaves (0.52100000... -> 0.521), without exponents."""
    d = value.normalize()
    return d.quantize(Decimal(1)) if d.as_tuple().exponent > 0 else d  # type: ignore[operator]


def _quantize(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------- input checks


def to_decimal(value: Any, key: str) -> Decimal:
    """Accept int/Decimal/str/float (floats via their shortest repr, so 3.1 -> Decimal('3.1'))."""
    if isinstance(value, bool):
        raise ScoringError(f"value for {key!r} must be a number, got {value!r}", key)
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, float | str):
        try:
            d = Decimal(repr(value) if isinstance(value, float) else value.strip())
        except InvalidOperation:
            raise ScoringError(f"value for {key!r} must be a number, got {value!r}", key) from None
    else:
        raise ScoringError(f"value for {key!r} must be a number, got {value!r}", key)
    if not d.is_finite():
        raise ScoringError(f"value for {key!r} must be a finite number, got {value!r}", key)
    return d


def check_values(pack: Pack, values: Mapping[str, Any], what: str = "answer") -> dict[str, Decimal]:
    """Validate codes and scale; returns Decimals.  Raises ScoringError naming the key."""
    nodes = pack.nodes_by_code()
    lo, hi = Decimal(pack.scale_min), Decimal(pack.scale_max)
    # A tree of means stays on the answer scale; a sum pack's groups have their own range.
    bounds = None if pack.is_classic else pack.bounds()
    out: dict[str, Decimal] = {}
    for key, raw in values.items():
        if key not in nodes:
            raise ScoringError(f"unknown code {key!r} in {what}s for pack {pack.code}@{pack.version}", key)
        node = nodes[key]
        if node.is_count:
            raise ScoringError(f"{key!r} is scored from the number of instances; it takes no {what}", key)
        value = to_decimal(raw, key)
        if bounds is not None and not node.is_indicator:
            nlo, nhi = bounds[key]
            if not nlo <= value <= nhi:
                raise ScoringError(f"{what} for {key!r} is {value}, outside its range {nlo}..{nhi}", key)
        elif not lo <= value <= hi:
            raise ScoringError(
                f"{what} for {key!r} is {value}, outside the scale {pack.scale_min}..{pack.scale_max}", key
            )
        out[key] = value
    return out


def check_instances(pack: Pack, instances: Instances | None) -> dict[str, dict[str, dict[str, Decimal]]]:
    """Validate per-instance answers (kind -> instance id -> code -> level) against the repeated groups."""
    if not instances:
        return {}
    repeated = pack.repeated_codes()
    kinds = pack.instance_kinds()
    out: dict[str, dict[str, dict[str, Decimal]]] = {}
    for kind, items in instances.items():
        if kind not in kinds:
            known = ", ".join(kinds) or "none"
            raise ScoringError(f"pack {pack.code}@{pack.version} repeats no {kind!r} (repeats: {known})", kind)
        if not isinstance(items, Mapping):
            raise ScoringError(f"instances of {kind!r} must map an id to its answers", kind)
        out[kind] = {}
        for key, answers in items.items():
            if not isinstance(answers, Mapping):
                raise ScoringError(f"answers of {kind} {key!r} must map a code to a level", str(key))
            for code in answers:
                group = repeated.get(code)
                if group is None or group.repeat is None or group.repeat.over != kind:
                    raise ScoringError(f"{code!r} is not answered per {kind} ({kind} {key!r})", code)
            out[kind][str(key)] = check_values(pack, answers, "answer")
    return out


# --------------------------------------------------------------------------- formatting for traces


def _fmt(value: Decimal, decimals: int) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    q = _quantize(value, decimals)
    if q == value:
        return f"{q:f}"
    # More digits than the report shows: give four so the reader sees why rounding went the way it did.
    return format(_quantize(value, 4).normalize(), "f")


def _fmt_num(d: Decimal) -> str:
    return format(d.normalize(), "f")


def _fmt_weight(w: Decimal) -> str:
    q = _quantize(w, 4).normalize()
    text = format(q, "f")
    if "." not in text:
        text += ".00"
    elif len(text.split(".")[1]) < 2:
        text += "0"
    return text


# --------------------------------------------------------------------------- the engine


class _Run:
    def __init__(self, pack: Pack, values: Mapping[str, Decimal],
                 instances: Mapping[str, Mapping[str, Mapping[str, Decimal]]] | None = None) -> None:
        self.pack = pack
        self.values = values
        self.nodes: dict[str, Decimal | None] = {}
        self.trace: list[TraceStep] = []
        self.missing: list[MissingAnswer] = []
        self.refused: list[str] = []
        self.covered: set[str] = set()  # indicators under a node whose score was given
        self.instances = instances or {}
        self.instance_nodes: dict[str, dict[str, dict[str, Decimal | None]]] = {}
        self.suffix = ""  # "[id]" while evaluating one instance of a repeated group

    def fmt(self, v: Decimal) -> str:
        return _fmt(v, self.pack.decimals)

    def key(self, code: str) -> str:
        return code + self.suffix

    def evaluate(self, node: Node) -> Decimal | None:
        if node.code in self.values:
            supplied = self.values[node.code]
            if not node.is_indicator:
                self.covered.update(n.code for n in node.indicators())
                label = f"given score {self.fmt(supplied)} (overrides its {len(node.children)} children)"
            else:
                label = f"answer = {self.fmt(supplied)}"
            self.nodes[node.code] = supplied
            self.trace.append(TraceStep(self.key(node.code), label, (), supplied))
            return supplied
        if node.is_indicator:
            return self.missing_indicator(node)
        if node.is_count:
            return self.count(node)
        if node.repeat is not None and not self.suffix:
            return self.repeated(node)
        return self.children(node)

    def children(self, node: Node) -> Decimal | None:
        pack = self.pack
        parts: list[tuple[Node, Decimal]] = []
        for child in node.children:
            v = self.evaluate(child)
            if v is not None:
                parts.append((child, v))
        value, formula = self.combine(node.rule or "mean", parts, node.code)
        if value is not None and pack.round_nodes:
            value = pack.quantize(value)
        self.nodes[node.code] = value
        inputs = tuple((self.key(c.code), v, c.weight) for c, v in parts)
        self.trace.append(TraceStep(self.key(node.code), formula, inputs, value))
        return value

    def repeated(self, node: Node) -> Decimal | None:
        """Score the group once per instance, then (sum of the instances) / divisor (e.g. max(10, n))."""
        assert node.repeat is not None
        rep = node.repeat
        items = self.instances.get(rep.over, {})
        kind_nodes = self.instance_nodes.setdefault(rep.over, {})
        saved = (self.values, self.nodes)
        values: list[tuple[str, Decimal]] = []
        for key, answers in items.items():
            self.values, self.nodes, self.suffix = answers, kind_nodes.setdefault(key, {}), f"[{key}]"
            v = self.children(node)
            if v is not None:
                values.append((key, v))
        self.values, self.nodes = saved
        self.suffix = ""
        n = len(items)
        divisor = rep.divisor(n)
        total = sum((v for _, v in values), Decimal(0))
        value = _clean(total / divisor)
        shown = " + ".join(self.fmt(v) for _, v in values) or "0"
        formula = f"({shown}) / {rep.text(n)} = {self.result_text(value)}"
        self.nodes[node.code] = value
        inputs = tuple((f"{node.code}[{k}]", v, None) for k, v in values)
        self.trace.append(TraceStep(node.code, formula, inputs, value))
        return value

    def count(self, node: Node) -> Decimal:
        assert node.count is not None
        rule = node.count
        n = len(self.instances.get(rule.of, {}))
        value = _clean(Decimal(rule.capped(n)) * rule.points_each)
        formula = f"min(n = {n}, {rule.cap}) × {_fmt_num(rule.points_each)} = {self.result_text(value)}"
        self.nodes[node.code] = value
        self.trace.append(TraceStep(node.code, formula, ((f"n:{rule.of}", Decimal(n), None),), value))
        return value

    def missing_indicator(self, node: Node) -> Decimal | None:
        policy = self.pack.missing_policy
        code = self.key(node.code)
        if policy == "zero":
            value = Decimal(self.pack.scale_min)
            self.missing.append(
                MissingAnswer(code, "zero", f"no answer: counted as {value} (scale minimum)")
            )
            self.trace.append(TraceStep(code, f"no answer -> {value} (policy: zero)", (), value))
            self.nodes[node.code] = value
            return value
        if policy == "renormalise":
            self.missing.append(
                MissingAnswer(code, "excluded", "no answer: left out, sibling weights renormalised")
            )
            self.trace.append(TraceStep(code, "no answer -> excluded (policy: renormalise)", (), None))
        else:
            self.refused.append(code)
        self.nodes[node.code] = None
        return None

    def combine(
        self, rule: str, parts: Sequence[tuple[Node, Decimal]], code: str
    ) -> tuple[Decimal | None, str]:
        if not parts:
            return None, "no answered children -> excluded"
        values = [v for _, v in parts]
        if rule == "weighted_mean":
            total_w = sum((c.weight or Decimal(0) for c, _ in parts), Decimal(0))
            value = _clean(sum(((c.weight or Decimal(0)) * v for c, v in parts), Decimal(0)) / total_w)
            terms = " + ".join(
                f"{_fmt_weight((c.weight or Decimal(0)) / total_w)}×{self.fmt(v)}" for c, v in parts
            )
        elif rule == "mean":
            value = _clean(sum(values, Decimal(0)) / len(values))
            terms = f"mean({', '.join(self.fmt(v) for v in values)})"
        elif rule == "max":
            value = max(values)
            terms = f"max({', '.join(self.fmt(v) for v in values)})"
        elif rule == "min":
            value = min(values)
            terms = f"min({', '.join(self.fmt(v) for v in values)})"
        elif rule == "sum":
            # Under a sum a weight multiplies (IID: bobot × chosen parameter); no weight counts once.
            value = _clean(sum((v if c.weight is None else c.weight * v for c, v in parts), Decimal(0)))
            terms = " + ".join(
                self.fmt(v) if c.weight is None or c.weight == 1 else f"{_fmt_num(c.weight)}×{self.fmt(v)}"
                for c, v in parts
            )
        else:  # the loader refuses unknown rules; this guards hand-built Pack objects
            raise ScoringError(f"unknown aggregation rule {rule!r} on {code!r}", code)
        return value, f"{terms} = {self.result_text(value)}"

    def result_text(self, value: Decimal) -> str:
        shown = self.fmt(value)
        rounded = self.pack.quantize(value)
        if rounded != value:
            return f"{shown} → {rounded:f}"
        return shown


def score(
    pack: Pack,
    answers: Mapping[str, Number] | None = None,
    given: Mapping[str, Number] | None = None,
    previous: Number | None = None,
    instances: Instances | None = None,
) -> ScoreResult:
    """Score ``answers`` (indicator levels, or scores for any group/dimension) with ``pack``.

    ``given`` holds scores for nodes (e.g. the five dimension scores of a result letter); a given
    score overrides computing the node from its children.  ``previous`` is last cycle's index.
    ``instances`` answers the repeated groups once per instance: ``{"innovation": {"jam-kunci":
    {"sid.16": 3, ...}, ...}}``; an instance is counted even when it answers nothing.
    """
    checked = check_values(pack, answers or {}, "answer")
    checked_given = check_values(pack, given or {}, "given score")
    per_instance = check_instances(pack, instances)
    if not pack.is_classic:
        repeated = pack.repeated_codes()
        for key in (*checked, *checked_given):
            if key in repeated:
                over = repeated[key].repeat.over  # type: ignore[union-attr]
                raise ScoringError(f"{key!r} is answered per {over}, under \"instances\"", key)
    for key in checked.keys() & checked_given.keys():
        if checked[key] != checked_given[key]:
            raise ScoringError(
                f"{key!r} is both answered ({checked[key]}) and given ({checked_given[key]})", key
            )
    values = {**checked, **checked_given}
    prev = None if previous is None else to_decimal(previous, "previous")

    run = _Run(pack, values, per_instance)
    dims: list[tuple[Node, Decimal]] = []
    for dim in pack.dimensions:
        v = run.evaluate(dim)
        if v is not None:
            dims.append((dim, v))
    if run.refused:
        shown = ", ".join(run.refused[:10]) + (
            f" and {len(run.refused) - 10} more" if len(run.refused) > 10 else ""
        )
        raise ScoringError(
            f"pack {pack.code} refuses to score with missing answers ({len(run.refused)}): {shown}",
            run.refused[0],
        )
    if not dims:
        raise ScoringError("nothing to score: no answers and no given scores")

    index_raw: Decimal | None
    if pack.index_aggregation == "sum":
        index_raw, formula = _sum_index(pack, run, dims)
    else:
        index_raw, formula = run.combine("weighted_mean", dims, "index")
    assert index_raw is not None
    index = pack.quantize(index_raw)
    run.trace.append(TraceStep("index", formula, tuple((d.code, v, d.weight) for d, v in dims), index_raw))

    mean_raw = _clean(sum((v for _, v in dims), Decimal(0)) / len(dims))
    run.trace.append(
        TraceStep(
            "mean",
            f"mean({', '.join(run.fmt(v) for _, v in dims)}) = {run.result_text(mean_raw)}",
            tuple((d.code, v, None) for d, v in dims),
            mean_raw,
        )
    )

    pillars = _pillars(pack, run)

    improvement = None
    if prev is not None:
        # Published improvements compare reported (rounded) indices: 2.87 - 2.79 = +0.08.
        improvement = pack.quantize(index - prev)
        run.trace.append(
            TraceStep(
                "improvement",
                f"{index:f} − {run.fmt(prev)} = {improvement:+f}",
                (("index", index, None), ("previous", prev, None)),
                improvement,
            )
        )

    # Only official bands name a predicate (scoring.predicates); provisional ones leave no trace step.
    published = published_predicate(pack, index)
    predicate = Predicate(published.label, published.label_en) if published.label is not None else None
    band = pack.band_for(index) if predicate is not None else None
    if band is not None:
        run.trace.append(
            TraceStep(
                "predicate",
                f"{index:f} in [{band.min}, {band.max}{']' if band is pack.bands[-1] else ')'} → {band.label}",
                (("index", index, None),),
                index,
            )
        )

    dims_raw = {d.code: run.nodes.get(d.code) for d in pack.dimensions}
    return ScoreResult(
        pack_code=pack.code,
        pack_version=pack.version,
        pack_digest=pack.digest,
        index=index,
        index_raw=index_raw,
        mean=pack.quantize(mean_raw),
        mean_raw=mean_raw,
        dimensions={k: None if v is None else pack.quantize(v) for k, v in dims_raw.items()},
        dimensions_raw=dims_raw,
        nodes=dict(run.nodes),
        pillars=pillars,
        predicate=predicate,
        improvement=improvement,
        previous=prev,
        missing=run.missing,
        trace=run.trace,
        decimals=pack.decimals,
        instances=run.instance_nodes,
        instance_counts={k: len(per_instance.get(k, {})) for k in pack.instance_kinds()},
        index_scale=None if pack.index_aggregation == "weighted_mean" else pack.index_scale,
        predicate_status=published.status,
    )


def _sum_index(pack: Pack, run: _Run, dims: Sequence[tuple[Node, Decimal]]) -> tuple[Decimal, str]:
    """(Σ dimensions) ÷ maximum × scale: IID = (SPD + SID) ÷ 250 × 100."""
    total, terms = run.combine("sum", dims, "index")
    assert total is not None and pack.index_maximum is not None
    top = pack.index_scale[1]
    value = _clean(total * top / pack.index_maximum)
    shown = terms.rsplit(" = ", 1)[0]
    return value, f"({shown}) / {_fmt_num(pack.index_maximum)} × {top} = {run.result_text(value)}"


def _pillars(pack: Pack, run: _Run) -> dict[str, Decimal | None]:
    """Pillar index = plain mean of the item levels of the indicators tagged with the pillar."""
    out: dict[str, Decimal | None] = {}
    repeated = pack.repeated_codes() if pack.pillars and not pack.is_classic else {}
    for pillar in pack.pillars:
        items: list[tuple[str, Decimal]] = []
        for ind in pack.indicators():
            if ind.pillar != pillar.code or ind.code in repeated:
                continue
            if ind.code in run.values:
                items.append((ind.code, run.values[ind.code]))
            elif ind.code in run.covered:
                continue  # scored only through a given parent score: no item level exists
            elif pack.missing_policy == "zero":
                items.append((ind.code, Decimal(pack.scale_min)))
        code = f"pillar:{pillar.code}"
        if not items:
            out[pillar.code] = None
            run.trace.append(TraceStep(code, "no tagged indicator answered", (), None))
            continue
        raw = _clean(sum((v for _, v in items), Decimal(0)) / len(items))
        out[pillar.code] = pack.quantize(raw)
        run.trace.append(
            TraceStep(
                code,
                f"mean({', '.join(run.fmt(v) for _, v in items)}) = {run.result_text(raw)}",
                tuple((c, v, None) for c, v in items),
                raw,
            )
        )
    return out


# --------------------------------------------------------------------------- several assessors


def aggregate_assessors(
    pack: Pack,
    sheets: Sequence[Mapping[str, Number]],
    method: str | None = None,
    consensus: Mapping[str, Number] | None = None,
) -> dict[str, Decimal]:
    """Combine assessors' sheets code by code (mean or median); a consensus value wins when set.

    Codes are combined over the assessors who answered them, so one assessor skipping an item
    does not drag it towards zero; the panel's missing items are handled later by the pack policy.
    """
    method = method or pack.assessor_aggregation
    if method not in ("mean", "median"):
        raise ScoringError(f"unknown aggregation method {method!r}; expected mean or median", "method")
    collected: dict[str, list[Decimal]] = {}
    for i, sheet in enumerate(sheets):
        try:
            checked = check_values(pack, sheet, "answer")
        except ScoringError as exc:
            raise ScoringError(f"assessor sheet {i + 1}: {exc}", exc.key) from None
        for code, v in checked.items():
            collected.setdefault(code, []).append(v)
    agreed = check_values(pack, consensus or {}, "consensus value")
    order = {n.code: i for i, n in enumerate(pack.walk())}
    out: dict[str, Decimal] = {}
    for code in sorted(collected.keys() | agreed.keys(), key=lambda c: order[c]):
        if code in agreed:
            out[code] = agreed[code]
            continue
        values = sorted(collected[code])  # sorted: the result must not depend on sheet order
        if method == "mean":
            out[code] = sum(values, Decimal(0)) / len(values)
        else:
            out[code] = Decimal(statistics.median(values))
    return out

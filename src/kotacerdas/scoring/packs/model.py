"""The pack's data model: vocabularies, the frozen dataclasses a pack is made of (``Pack``, ``Node``,
``Band`` …), the errors a refused pack raises, and the digest that identifies a pack's scoring method
(computed from :func:`.dump.pack_to_raw`, so it does not depend on how a file was laid out)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any

from .dump import pack_to_raw

RULES = ("weighted_mean", "mean", "max", "min", "sum")
INDEX_AGGREGATIONS = ("weighted_mean", "sum")
DIVIDE_BY = ("count",)
POLICIES = ("zero", "renormalise", "refuse")
STATUSES = ("reconstructed", "official", "provisional")
AGGREGATIONS = ("mean", "median")
ROUNDING_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}
WEIGHT_BASES = ("percent_of_parent", "percent_of_index")
BAND_STATUSES = ("provisional", "official", "reconstructed")
KINDS = ("dimension", "group", "indicator", "count")
# Keys of pack_to_raw() that say when a pack applies, not how it scores: not part of the digest.
_UNDIGESTED = ("valid_from", "valid_to")
# Keys at any depth that only translate text shown to readers (English level descriptors): not part of
# the digest either, so adding or correcting a translation never makes a pack look like another method.
_UNDIGESTED_NESTED = ("levels_en",)
YEAR_MIN, YEAR_MAX = 1990, 2100

_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_HUNDRED = Decimal(100)


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class PackIssue:
    """One validation problem.  ``line`` is a TOML line, or a row when ``sheet`` is set (Excel)."""

    line: int | None
    path: str
    message: str
    sheet: str | None = None

    def __str__(self) -> str:
        if self.sheet is not None:
            where = f"sheet {self.sheet!r} row {self.line}" if self.line else f"sheet {self.sheet!r}"
        else:
            where = f"line {self.line}" if self.line else "(no line)"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class PackError(ValueError):
    """A pack was refused; ``issues`` lists every problem found, not just the first."""

    def __init__(self, issues: Sequence[PackIssue], source: str | None = None) -> None:
        self.issues = list(issues)
        self.source = source
        head = f"invalid rubric pack{f' {source}' if source else ''}"
        super().__init__(head + ":\n" + "\n".join(f"  {i}" for i in self.issues))


class PackNotFound(LookupError):
    pass


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Repeat:
    """A group answered once per instance of ``over`` (e.g. each registered innovation).

    Its value is the sum of the instances' values divided by the divisor rule: ``divide_by = "count"``
    divides by ``max(at_least, n)`` for ``n`` instances (IID 2023: ``max(10, n)``; ``at_least = 1`` is
    the plain mean).  The rule is data: nothing in a pack is ever evaluated as code.
    """

    over: str
    divide_by: str = "count"
    at_least: int = 1

    def divisor(self, n: int) -> int:
        return max(self.at_least, n)

    def text(self, n: int | None = None) -> str:
        return f"max({self.at_least}, n)" if n is None else f"max({self.at_least}, {n})"


@dataclass(frozen=True)
class CountRule:
    """A score for the number ``n`` of instances of ``of``: ``min(n, cap) × points_each``."""

    of: str
    points_each: Decimal
    cap: int

    def capped(self, n: int) -> int:
        return min(n, self.cap)


@dataclass(frozen=True)
class Node:
    code: str
    name: str
    kind: str  # "dimension" | "group" | "indicator"
    weight: Decimal | None = None
    rule: str | None = None  # None for indicators
    name_en: str | None = None
    description: str | None = None
    pillar: str | None = None
    subdimension: str | None = None
    evidence: tuple[str, ...] = ()
    levels: tuple[tuple[int, str], ...] = ()
    levels_en: tuple[tuple[int, str], ...] = ()  # English descriptors, a subset of ``levels``' keys
    children: tuple[Node, ...] = ()
    repeat: Repeat | None = None  # a group scored once per instance (one per innovation)
    count: CountRule | None = None  # a "count" node: a score for the number of instances

    @property
    def is_indicator(self) -> bool:
        return self.kind == "indicator"

    @property
    def is_count(self) -> bool:
        return self.kind == "count"

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()

    def indicators(self) -> Iterator[Node]:
        return (n for n in self.walk() if n.is_indicator)

    def level_text(self, level: int, *, english: bool = False) -> str | None:
        """The descriptor of ``level``; with ``english`` its translation when the pack has one, else the
        Indonesian text."""
        if english:
            text = dict(self.levels_en).get(level)
            if text:
                return text
        return dict(self.levels).get(level)

    def display_name(self, *, english: bool = False) -> str:
        """``name_en`` when ``english`` and the pack has it, else the Indonesian ``name``."""
        return self.name_en if english and self.name_en else self.name

    def level_rows(self, *, english: bool = False) -> list[tuple[int, str]]:
        """``(level, descriptor)`` in the reader's language, each falling back to Indonesian."""
        en = dict(self.levels_en) if english else {}
        return [(lv, en.get(lv) or text) for lv, text in self.levels]


@dataclass(frozen=True)
class Band:
    label: str
    min: Decimal
    max: Decimal
    label_en: str | None = None

    def contains(self, value: Decimal, *, last: bool) -> bool:
        # The top band is closed so the scale maximum itself gets a predicate.
        return self.min <= value <= self.max if last else self.min <= value < self.max


@dataclass(frozen=True)
class Pillar:
    code: str
    name: str
    name_en: str | None = None


@dataclass(frozen=True)
class SubDimension:
    code: str
    pillar: str
    name: str
    name_en: str | None = None


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    name_en: str | None = None
    indicator: str | None = None  # the indicator that scores this category, if any


@dataclass(frozen=True)
class SurveyItem:
    code: str
    subdimension: str
    text: str
    text_en: str | None = None


@dataclass(frozen=True)
class LikelihoodLevel:
    value: int
    label: str
    label_en: str | None = None


@dataclass(frozen=True)
class Pack:
    code: str
    name: str
    version: str
    status: str
    source: str
    scale_min: int
    scale_max: int
    missing_policy: str
    dimensions: tuple[Node, ...]
    bands: tuple[Band, ...]
    decimals: int = 2
    rounding_mode: str = "half_up"
    round_nodes: bool = False
    assessor_aggregation: str = "mean"
    weight_basis: str = "percent_of_parent"
    bands_status: str = "provisional"
    name_en: str | None = None
    description: str | None = None
    pillars: tuple[Pillar, ...] = ()
    subdimensions: tuple[SubDimension, ...] = ()
    action_plan_categories: tuple[Category, ...] = ()
    survey_scale_min: int = 1
    survey_scale_max: int = 5
    survey_items: tuple[SurveyItem, ...] = ()
    quick_win_indicators: tuple[str, ...] = ()
    risk_likelihood: tuple[LikelihoodLevel, ...] = ()
    valid_from: int | None = None  # first evaluation year the method applies to (inclusive)
    valid_to: int | None = None  # last one (inclusive); None = no end announced
    # The index: the weighted mean of the dimensions on the answer scale (the default), or their sum
    # divided by ``index_maximum`` and scaled to ``index_min..index_max`` (IID: (SPD + SID) ÷ 250 × 100).
    index_aggregation: str = "weighted_mean"
    index_maximum: Decimal | None = None
    index_min: int | None = None
    index_max: int | None = None
    # Derived, so excluded from equality: two packs with equal content are equal.
    digest: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        raw = _strip(
            {k: v for k, v in pack_to_raw(self).items() if k not in _UNDIGESTED}, _UNDIGESTED_NESTED)
        canonical = json.dumps(_canonical(raw), sort_keys=True, ensure_ascii=False)
        object.__setattr__(self, "digest", hashlib.sha256(canonical.encode("utf-8")).hexdigest())

    def valid_for(self, year: int) -> bool:
        """Whether the method applies to evaluations of ``year`` (no bounds: every year)."""
        return (self.valid_from is None or year >= self.valid_from) and (
            self.valid_to is None or year <= self.valid_to
        )

    @property
    def validity_text(self) -> str:
        """``2021–2024``, ``2023`` (one year), ``2026–`` (no end announced), ``–2024`` or ``""`` (no bounds)."""
        if self.valid_from is None and self.valid_to is None:
            return ""
        if self.valid_from == self.valid_to:
            return str(self.valid_from)
        lo = "" if self.valid_from is None else str(self.valid_from)
        hi = "" if self.valid_to is None else str(self.valid_to)
        return f"{lo}\u2013{hi}"

    @property
    def identity(self) -> tuple[str, str]:
        return (self.code, self.version)

    @property
    def rounding(self) -> str:
        return ROUNDING_MODES[self.rounding_mode]

    def walk(self) -> Iterator[Node]:
        for dim in self.dimensions:
            yield from dim.walk()

    def indicators(self) -> Iterator[Node]:
        return (n for n in self.walk() if n.is_indicator)

    def node(self, code: str) -> Node:
        for n in self.walk():
            if n.code == code:
                return n
        raise KeyError(code)

    def nodes_by_code(self) -> dict[str, Node]:
        return {n.code: n for n in self.walk()}

    def parents(self) -> dict[str, str | None]:
        out: dict[str, str | None] = {}

        def visit(node: Node, parent: str | None) -> None:
            out[node.code] = parent
            for c in node.children:
                visit(c, node.code)

        for d in self.dimensions:
            visit(d, None)
        return out

    def quantize(self, value: Decimal) -> Decimal:
        return value.quantize(Decimal(1).scaleb(-self.decimals), rounding=self.rounding)

    @property
    def index_scale(self) -> tuple[int, int]:
        """The scale of the index and of the bands (the answer scale unless the pack sets its own)."""
        lo = self.scale_min if self.index_min is None else self.index_min
        hi = self.scale_max if self.index_max is None else self.index_max
        return lo, hi

    @property
    def is_classic(self) -> bool:
        """A tree of means on the answer scale: no sum, no repeated group, no count (every pack before IID)."""
        return self.index_aggregation == "weighted_mean" and not any(
            n.rule == "sum" or n.repeat is not None or n.is_count for n in self.walk())

    def repeats(self) -> list[Node]:
        return [n for n in self.walk() if n.repeat is not None]

    def instance_kinds(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(n.repeat.over for n in self.walk() if n.repeat is not None))

    def repeated_codes(self) -> dict[str, Node]:
        """Every node inside a repeated group (the group excluded) -> that group."""
        out: dict[str, Node] = {}
        for group in self.repeats():
            for child in group.children:
                for n in child.walk():
                    out[n.code] = group
        return out

    def bounds(self) -> dict[str, tuple[Decimal, Decimal]]:
        """The lowest and highest value every node can take (any answers, any number of instances)."""
        return node_bounds(self)

    def total_maximum(self) -> Decimal:
        """The highest total of the dimensions (what ``index_maximum`` must equal for a ``sum`` index)."""
        b = self.bounds()
        return sum(((d.weight or Decimal(1)) * b[d.code][1] for d in self.dimensions), Decimal(0))

    def band_for(self, value: Decimal) -> Band | None:
        for i, band in enumerate(self.bands):
            if band.contains(value, last=i == len(self.bands) - 1):
                return band
        return None


def _strip(obj: Any, keys: Sequence[str]) -> Any:
    """``obj`` without the dict entries named ``keys``, at any depth."""
    if isinstance(obj, dict):
        return {k: _strip(v, keys) for k, v in obj.items() if k not in keys}
    if isinstance(obj, list | tuple):
        return [_strip(v, keys) for v in obj]
    return obj


def _canonical(obj: Any) -> Any:
    # Decimal("1.30") and Decimal("1.3") are equal, so the digest must not depend on trailing zeros.
    if isinstance(obj, Decimal):
        return format(obj.normalize(), "f")
    if isinstance(obj, dict):
        return {k: _canonical(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_canonical(v) for v in obj]
    return obj


def node_bounds(pack: Pack) -> dict[str, tuple[Decimal, Decimal]]:
    lo, hi = Decimal(pack.scale_min), Decimal(pack.scale_max)
    out: dict[str, tuple[Decimal, Decimal]] = {}

    def visit(node: Node) -> tuple[Decimal, Decimal]:
        if node.is_indicator:
            b = (lo, hi)
        elif node.is_count and node.count is not None:
            b = (Decimal(0), node.count.points_each * node.count.cap)
        else:
            parts = [(c, visit(c)) for c in node.children]
            if node.rule == "sum":
                b = (sum(((c.weight or Decimal(1)) * p[0] for c, p in parts), Decimal(0)),
                     sum(((c.weight or Decimal(1)) * p[1] for c, p in parts), Decimal(0)))
            else:  # a mean of any kind, max or min stays within its children's range
                b = (min(p[0] for _, p in parts), max(p[1] for _, p in parts)) if parts else (lo, hi)
            if node.repeat is not None:
                # n instances over max(at_least, n): at most one instance's range (at n >= at_least);
                # with no instance the group is 0.
                b = (min(b[0], Decimal(0)), max(b[1], Decimal(0)))
        out[node.code] = b
        return b

    for d in pack.dimensions:
        visit(d)
    return out


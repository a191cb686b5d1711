"""Rubric packs: versioned, validated rubric data (TOML files shipped in ``scoring/packs/``).

Every rubric detail of the Smart City evaluation is reconstructed from public quotes, so it must
be data an administrator can replace without touching code.  A pack is validated as a whole and
refused as a whole: a half-loaded rubric would silently change published scores.

Weight convention
-----------------
Weights are percentages.  With ``weight_basis = "percent_of_parent"`` (the default) the weights of
the children of a ``weighted_mean`` node sum to 100.  With ``weight_basis = "percent_of_index"``
every weight is the node's share of the final index, so children sum to their parent's weight and
the dimensions sum to 100 -- this is how PermenPANRB 59/2020 publishes SPBE weights (domain 25 %,
aspects 10/10/5 %, indicators 2.5 % each), and it lets that table be copied verbatim.  The
arithmetic is the same for both: a weighted mean is ``sum(w*x) / sum(w)``.  Weights are checked
only under ``weighted_mean`` parents; ``mean``/``max``/``min`` children need none.

Missing-answer policies: ``zero`` counts an unanswered indicator as the scale minimum (0 on the
Kominfo 0-4 scale; 1 on the SPBE 1-5 scale, where 0 is not a level), ``renormalise`` leaves it out
and renormalises the weights of its answered siblings, ``refuse`` makes scoring fail.  Whatever
the policy, the engine lists every unanswered indicator in ``ScoreResult.missing``.

Predicate bands are ``[min, max)``, the last one ``[min, max]``; together they must cover the
scale without gaps or overlaps.

Validity years
--------------
``valid_from`` / ``valid_to`` (optional integers, inclusive) give the evaluation years a method
applies to: SPBE under PermenPANRB 59/2020 is not the Indeks Pemerintah Digital that replaces it.
Opening a cycle for a year outside them needs an administrator's recorded reason.  They are policy
about *when* to use a pack, not part of *how* it scores, so they are left out of the digest: adding
or correcting them does not make results already computed with the pack look as if they had been
computed with another one.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Protocol

import tomli_w

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
YEAR_MIN, YEAR_MAX = 1990, 2100

PACKS_DIR = Path(__file__).with_name("packs")

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

    def level_text(self, level: int) -> str | None:
        return dict(self.levels).get(level)


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
        raw = {k: v for k, v in pack_to_raw(self).items() if k not in _UNDIGESTED}
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


# --------------------------------------------------------------------------- to raw (dump)


def _node_to_raw(node: Node, parent_weighted: bool) -> dict[str, Any]:
    raw: dict[str, Any] = {"code": node.code, "name": node.name}
    for key in ("name_en", "description"):
        if getattr(node, key) is not None:
            raw[key] = getattr(node, key)
    if node.weight is not None:
        raw["weight"] = node.weight
    if node.rule is not None:
        raw["rule"] = node.rule
    for key in ("pillar", "subdimension"):
        if getattr(node, key) is not None:
            raw[key] = getattr(node, key)
    if node.evidence:
        raw["evidence"] = list(node.evidence)
    if node.levels:
        raw["levels"] = {str(k): v for k, v in node.levels}
    if node.repeat is not None:
        raw["repeat"] = {"over": node.repeat.over, "divide_by": node.repeat.divide_by,
                         "at_least": node.repeat.at_least}
    if node.count is not None:
        raw["count"] = {"of": node.count.of, "points_each": node.count.points_each, "cap": node.count.cap}
    groups = [c for c in node.children if c.kind in ("group", "count")]
    indicators = [c for c in node.children if c.kind == "indicator"]
    weighted = node.rule == "weighted_mean"
    if groups:
        raw["groups"] = [_node_to_raw(c, weighted) for c in groups]
    if indicators:
        raw["indicators"] = [_node_to_raw(c, weighted) for c in indicators]
    return raw


def _opt(d: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    d.update({k: v for k, v in kwargs.items() if v is not None})
    return d


def pack_to_raw(pack: Pack) -> dict[str, Any]:
    """The pack as plain TOML-shaped data (the inverse of what the loader reads)."""
    raw: dict[str, Any] = {"code": pack.code, "name": pack.name}
    _opt(raw, name_en=pack.name_en)
    raw.update(version=pack.version, status=pack.status, source=pack.source)
    _opt(raw, description=pack.description, valid_from=pack.valid_from, valid_to=pack.valid_to)
    raw.update(
        missing_policy=pack.missing_policy,
        assessor_aggregation=pack.assessor_aggregation,
        weight_basis=pack.weight_basis,
        bands_status=pack.bands_status,
        scale={"min": pack.scale_min, "max": pack.scale_max},
        rounding={"decimals": pack.decimals, "mode": pack.rounding_mode, "round_nodes": pack.round_nodes},
    )
    if pack.pillars:
        raw["pillars"] = [_opt({"code": p.code, "name": p.name}, name_en=p.name_en) for p in pack.pillars]
    if pack.subdimensions:
        raw["subdimensions"] = [
            _opt({"code": s.code, "pillar": s.pillar, "name": s.name}, name_en=s.name_en)
            for s in pack.subdimensions
        ]
    if pack.action_plan_categories:
        raw["action_plan_categories"] = [
            _opt({"code": c.code, "name": c.name}, name_en=c.name_en, indicator=c.indicator)
            for c in pack.action_plan_categories
        ]
    if pack.survey_items or (pack.survey_scale_min, pack.survey_scale_max) != (1, 5):
        survey: dict[str, Any] = {"scale_min": pack.survey_scale_min, "scale_max": pack.survey_scale_max}
        if pack.survey_items:
            survey["items"] = [
                _opt({"code": s.code, "subdimension": s.subdimension, "text": s.text}, text_en=s.text_en)
                for s in pack.survey_items
            ]
        raw["survey"] = survey
    if pack.quick_win_indicators or pack.risk_likelihood:
        qw: dict[str, Any] = {}
        if pack.quick_win_indicators:
            qw["indicators"] = list(pack.quick_win_indicators)
        if pack.risk_likelihood:
            qw["risk_likelihood"] = [
                _opt({"value": r.value, "label": r.label}, label_en=r.label_en) for r in pack.risk_likelihood
            ]
        raw["quick_win"] = qw
    if pack.index_aggregation != "weighted_mean":
        # Only written when set, so the digest of every pack without an [index] table is unchanged.
        raw["index"] = _opt({"aggregation": pack.index_aggregation}, maximum=pack.index_maximum,
                            min=pack.index_min, max=pack.index_max)
    raw["bands"] = [
        _opt({"label": b.label}, label_en=b.label_en) | {"min": b.min, "max": b.max} for b in pack.bands
    ]
    raw["dimensions"] = [_node_to_raw(d, True) for d in pack.dimensions]
    return raw


def dump_pack(pack: Pack) -> str:
    """TOML text such that ``load_pack(dump_pack(p)) == p``."""
    return tomli_w.dumps(_for_toml(pack_to_raw(pack)), multiline_strings=True)


def _for_toml(obj: Any) -> Any:
    # Integral Decimals are written as TOML integers so "weight = 10" stays "10", not "10.0".
    if isinstance(obj, Decimal):
        return int(obj) if obj == obj.to_integral_value() else obj
    if isinstance(obj, dict):
        return {k: _for_toml(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_for_toml(v) for v in obj]
    return obj


# --------------------------------------------------------------------------- locating lines

Where = tuple[str | None, int | None]  # (sheet or None for TOML, line/row)


class Locator(Protocol):
    """Maps a place in the raw pack data back to where a human wrote it."""

    def node(self, code: str, key: str | None = None, occurrence: int = 0) -> Where: ...

    def level(self, code: str, level: str, occurrence: int = 0) -> Where: ...

    def table(self, name: str, key: str | None = None, index: int | None = None) -> Where: ...


_HEADER_RE = re.compile(r"^\s*(\[\[?)\s*([^\]\[]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY_RE = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_\-]+)\s*=""")
_CODE_VALUE_RE = re.compile(r"""^\s*code\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')""")
_NODE_TABLES = ("dimensions", "groups", "indicators")


@dataclass
class _Block:
    header: str
    array: bool
    line: int
    keys: dict[str, int] = field(default_factory=dict)
    code: str | None = None


class TomlLocator:
    """tomllib reports no positions for values, so rebuild them by scanning the text.

    The scan only needs table headers, ``key =`` lines and each node's ``code = "..."`` line,
    which is enough to point at the offending node, weight or level descriptor.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.blocks: list[_Block] = [_Block("", False, 1)]
        in_multiline: str | None = None
        for n, line in enumerate(text.splitlines(), 1):
            if in_multiline:
                if in_multiline in line:
                    in_multiline = None
                continue
            header = _HEADER_RE.match(line)
            if header:
                name = re.sub(r"\s+", "", header.group(2))
                self.blocks.append(_Block(name, header.group(1) == "[[", n))
                continue
            key = _KEY_RE.match(line)
            if not key:
                continue
            block = self.blocks[-1]
            block.keys.setdefault(key.group(1).strip("\"'"), n)
            code = _CODE_VALUE_RE.match(line)
            if code and block.code is None:
                block.code = code.group(1) if code.group(1) is not None else code.group(2)
            rest = line[key.end() :]
            for quote in ('"""', "'''"):
                if rest.count(quote) == 1:
                    in_multiline = quote
        self._node_blocks: dict[str, list[int]] = {}
        for i, b in enumerate(self.blocks):
            if b.array and b.header.split(".")[-1] in _NODE_TABLES and b.code is not None:
                self._node_blocks.setdefault(b.code, []).append(i)

    def _node_block(self, code: str, occurrence: int) -> int | None:
        found = self._node_blocks.get(code, [])
        if not found:
            return None
        return found[min(occurrence, len(found) - 1)]

    def node(self, code: str, key: str | None = None, occurrence: int = 0) -> Where:
        i = self._node_block(code, occurrence)
        if i is None:
            return (None, None)
        block = self.blocks[i]
        if key is not None and key in block.keys:
            return (None, block.keys[key])
        if key is not None:
            sub = self._sub_block(i, key)
            if sub is not None:
                return (None, sub.line)
        return (None, block.keys.get("code", block.line))

    def _sub_block(self, i: int, suffix: str) -> _Block | None:
        # Sub-tables such as [dimensions.indicators.levels] follow their node until the next [[...]].
        for b in self.blocks[i + 1 :]:
            if b.array:
                return None
            if b.header.endswith("." + suffix):
                return b
        return None

    def level(self, code: str, level: str, occurrence: int = 0) -> Where:
        i = self._node_block(code, occurrence)
        if i is None:
            return (None, None)
        sub = self._sub_block(i, "levels")
        if sub is not None:
            return (None, sub.keys.get(level, sub.line))
        return self.node(code, "levels", occurrence)

    def table(self, name: str, key: str | None = None, index: int | None = None) -> Where:
        matches = [b for b in self.blocks if b.header == name]
        if not matches:
            return self._inline(name, index)
        block = matches[min(index or 0, len(matches) - 1)]
        if key is not None and key in block.keys:
            return (None, block.keys[key])
        return (None, block.line)

    def _inline(self, name: str, index: int | None) -> Where:
        # tomli_w writes short arrays of tables inline: `bands = [ { ... }, ... ]`, one per line.
        parent, _, key = name.rpartition(".")
        for block in self.blocks:
            if block.header == parent and key in block.keys:
                start = block.keys[key]
                if index is None:
                    return (None, start)
                seen = -1
                for n, line in enumerate(self.lines[start:], start + 1):
                    if line.lstrip().startswith("{"):
                        seen += 1
                        if seen == index:
                            return (None, n)
                    elif line.strip().startswith("]"):
                        break
                return (None, start)
        return (None, None)


class NullLocator:
    def node(self, code: str, key: str | None = None, occurrence: int = 0) -> Where:
        return (None, None)

    def level(self, code: str, level: str, occurrence: int = 0) -> Where:
        return (None, None)

    def table(self, name: str, key: str | None = None, index: int | None = None) -> Where:
        return (None, None)


# --------------------------------------------------------------------------- validation / build

_TOP_KEYS = {
    "code",
    "name",
    "name_en",
    "version",
    "status",
    "source",
    "description",
    "missing_policy",
    "assessor_aggregation",
    "weight_basis",
    "bands_status",
    "valid_from",
    "valid_to",
    "scale",
    "rounding",
    "pillars",
    "subdimensions",
    "action_plan_categories",
    "survey",
    "quick_win",
    "index",
    "bands",
    "dimensions",
}
_NODE_KEYS = {
    "code",
    "name",
    "name_en",
    "description",
    "weight",
    "rule",
    "pillar",
    "subdimension",
    "evidence",
    "levels",
    "groups",
    "indicators",
    "repeat",
    "count",
}


class _Builder:
    def __init__(self, raw: Mapping[str, Any], loc: Locator) -> None:
        self.raw = raw
        self.loc = loc
        self.issues: list[PackIssue] = []
        self.seen_codes: dict[str, int] = {}
        self.scale: tuple[int, int] = (0, 4)
        self.index_scale: tuple[int, int] | None = None
        self.index_aggregation = "weighted_mean"
        self.in_repeat = False
        self.repeat_kinds: set[str] = set()
        self.count_nodes: list[tuple[Node, Where]] = []
        self.weight_basis = "percent_of_parent"
        self.pillar_codes: set[str] | None = None
        self.subdimension_pillars: dict[str, str] | None = None

    def issue(self, where: Where, path: str, message: str) -> None:
        self.issues.append(PackIssue(where[1], path, message, where[0]))

    # -- scalar helpers: report and fall back, so one pass finds every problem
    def text(
        self, d: Mapping[str, Any], key: str, path: str, where: Where, *, required: bool = True
    ) -> str | None:
        value = d.get(key)
        if value is None:
            if required:
                self.issue(where, path, f"missing required key '{key}'")
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            self.issue(where, f"{path}.{key}" if path else key, "must be a non-empty string")
            return None
        return value

    def integer(
        self, d: Mapping[str, Any], key: str, path: str, where: Where, default: int | None = None
    ) -> int | None:
        value = d.get(key, default)
        if value is None:
            self.issue(where, path, f"missing required key '{key}'")
            return None
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            self.issue(where, f"{path}.{key}" if path else key, f"must be an integer, got {value!r}")
            return None
        if isinstance(value, Decimal):
            if value != value.to_integral_value():
                self.issue(where, f"{path}.{key}" if path else key, f"must be an integer, got {value}")
                return None
            return int(value)
        return int(value)

    def number(self, value: Any, path: str, where: Where) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
            self.issue(where, path, f"must be a number, got {value!r}")
            return None
        try:
            d = Decimal(str(value))
        except InvalidOperation:
            self.issue(where, path, f"must be a number, got {value!r}")
            return None
        if not d.is_finite():
            self.issue(where, path, f"must be a finite number, got {value!r}")
            return None
        return d

    def choice(
        self, d: Mapping[str, Any], key: str, allowed: Sequence[str], where: Where, default: str | None = None
    ) -> str:
        value = d.get(key, default)
        if value not in allowed:
            what = {"missing_policy": "missing-answer policy", "rule": "aggregation rule"}.get(key, key)
            self.issue(where, key, f"unknown {what} {value!r}; expected one of {', '.join(allowed)}")
            return default if default is not None else allowed[0]
        return str(value)

    def table_list(self, value: Any, name: str) -> list[Mapping[str, Any]]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            self.issue(self.loc.table(name), name, "must be an array of tables")
            return []
        return list(value)

    # -- the pack
    def build(self) -> Pack:
        raw, loc = self.raw, self.loc
        top = loc.table("")
        for key in raw:
            if key not in _TOP_KEYS:
                self.issue(loc.table("", key), key, "unknown key")
        code = self.text(raw, "code", "", loc.table("", "code")) or "?"
        if code != "?" and not _CODE_RE.match(code):
            self.issue(loc.table("", "code"), "code", f"invalid code {code!r}")
        name = self.text(raw, "name", "", loc.table("", "name")) or "?"
        version = raw.get("version")
        if isinstance(version, int | Decimal) and not isinstance(version, bool):
            version = str(version)  # "version = 2021" is an easy slip; treat it as text
        if not isinstance(version, str) or not version.strip():
            self.issue(
                loc.table("", "version") if "version" in raw else top, "version", "missing or empty version"
            )
            version = "?"
        status = self.choice(raw, "status", STATUSES, loc.table("", "status"))
        source = self.text(raw, "source", "", loc.table("", "source")) or ""
        policy = self.choice(raw, "missing_policy", POLICIES, loc.table("", "missing_policy"))
        aggregation = self.choice(
            raw, "assessor_aggregation", AGGREGATIONS, loc.table("", "assessor_aggregation"), "mean"
        )
        self.weight_basis = self.choice(
            raw, "weight_basis", WEIGHT_BASES, loc.table("", "weight_basis"), "percent_of_parent"
        )
        bands_status = self.choice(
            raw, "bands_status", BAND_STATUSES, loc.table("", "bands_status"), "provisional"
        )

        valid_from, valid_to = self.build_validity()

        scale = raw.get("scale")
        if not isinstance(scale, Mapping):
            self.issue(top, "scale", "missing [scale] table with min and max")
            scale = {"min": 0, "max": 4}
        smin = self.integer(scale, "min", "scale", loc.table("scale", "min"))
        smax = self.integer(scale, "max", "scale", loc.table("scale", "max"))
        if smin is not None and smax is not None and smin >= smax:
            self.issue(loc.table("scale", "max"), "scale", f"scale min {smin} must be below max {smax}")
        self.scale = (smin if smin is not None else 0, smax if smax is not None else 4)

        rounding = raw.get("rounding", {})
        if not isinstance(rounding, Mapping):
            self.issue(loc.table("", "rounding"), "rounding", "must be a table")
            rounding = {}
        decimals = self.integer(rounding, "decimals", "rounding", loc.table("rounding", "decimals"), 2)
        if decimals is not None and not 0 <= decimals <= 6:
            self.issue(loc.table("rounding", "decimals"), "rounding.decimals", "must be between 0 and 6")
        mode = rounding.get("mode", "half_up")
        if mode not in ROUNDING_MODES:
            self.issue(
                loc.table("rounding", "mode"),
                "rounding.mode",
                f"unknown rounding mode {mode!r}; expected one of {', '.join(ROUNDING_MODES)}",
            )
            mode = "half_up"
        round_nodes = rounding.get("round_nodes", False)
        if not isinstance(round_nodes, bool):
            self.issue(loc.table("rounding", "round_nodes"), "rounding.round_nodes", "must be true or false")
            round_nodes = False

        index_raw = self.build_index()
        pillars = self.build_pillars()
        subdimensions = self.build_subdimensions()
        dimensions = self.build_dimensions()
        for node, where in self.count_nodes:
            if node.count is not None and node.count.of not in self.repeat_kinds:
                self.issue(where, node.code, f"counts {node.count.of!r} but no group repeats over it")
        codes = {n.code: n for d in dimensions for n in d.walk()}
        self.check_index_maximum(dimensions, index_raw.get("maximum"))
        self.check_tags(dimensions)
        categories = self.build_categories(codes)
        survey_min, survey_max, items = self.build_survey()
        qw_indicators, likelihood = self.build_quick_win(codes)
        bands = self.build_bands()

        if self.issues:
            raise PackError(self.issues)
        return Pack(
            code=code,
            name=name,
            version=version,
            status=status,
            source=source,
            name_en=raw.get("name_en"),
            description=raw.get("description"),
            scale_min=self.scale[0],
            scale_max=self.scale[1],
            missing_policy=policy,
            decimals=decimals if decimals is not None else 2,
            rounding_mode=str(mode),
            round_nodes=round_nodes,
            assessor_aggregation=aggregation,
            weight_basis=self.weight_basis,
            bands_status=bands_status,
            dimensions=tuple(dimensions),
            bands=tuple(bands),
            pillars=tuple(pillars),
            subdimensions=tuple(subdimensions),
            action_plan_categories=tuple(categories),
            survey_scale_min=survey_min,
            survey_scale_max=survey_max,
            survey_items=tuple(items),
            quick_win_indicators=tuple(qw_indicators),
            risk_likelihood=tuple(likelihood),
            valid_from=valid_from,
            valid_to=valid_to,
            index_aggregation=self.index_aggregation,
            index_maximum=index_raw.get("maximum"),
            index_min=index_raw.get("min"),
            index_max=index_raw.get("max"),
        )

    def build_validity(self) -> tuple[int | None, int | None]:
        years: dict[str, int | None] = {}
        for key in ("valid_from", "valid_to"):
            where = self.loc.table("", key)
            value = self.raw.get(key)
            if value is None:
                years[key] = None
                continue
            year = self.integer(self.raw, key, "", where)
            if year is not None and not YEAR_MIN <= year <= YEAR_MAX:
                self.issue(where, key, f"year {year} is outside {YEAR_MIN}..{YEAR_MAX}")
                year = None
            years[key] = year
        lo, hi = years["valid_from"], years["valid_to"]
        if lo is not None and hi is not None and lo > hi:
            self.issue(self.loc.table("", "valid_to"), "valid_to", f"valid_to {hi} is before valid_from {lo}")
        return lo, hi

    def build_index(self) -> dict[str, Any]:
        """The optional [index] table: ``aggregation = "sum"`` with ``maximum`` and its own scale."""
        raw = self.raw.get("index")
        if raw is None:
            return {}
        loc = self.loc
        if not isinstance(raw, Mapping):
            self.issue(loc.table("", "index"), "index", "must be a table")
            return {}
        for key in raw:
            if key not in ("aggregation", "maximum", "min", "max"):
                self.issue(loc.table("index", key), f"index.{key}", "unknown key")
        self.index_aggregation = self.choice(raw, "aggregation", INDEX_AGGREGATIONS,
                                             loc.table("index", "aggregation"), "weighted_mean")
        out: dict[str, Any] = {}
        if self.index_aggregation == "weighted_mean":
            for key in ("maximum", "min", "max"):
                if key in raw:
                    self.issue(loc.table("index", key), f"index.{key}",
                               "only a sum index has a maximum and its own scale")
            return out
        maximum = self.number(raw.get("maximum"), "index.maximum", loc.table("index", "maximum"))
        if maximum is not None and maximum <= 0:
            self.issue(loc.table("index", "maximum"), "index.maximum", "must be positive")
            maximum = None
        lo = self.integer(raw, "min", "index", loc.table("index", "min"), 0)
        hi = self.integer(raw, "max", "index", loc.table("index", "max"), 100)
        if lo is not None and lo != 0:
            self.issue(loc.table("index", "min"), "index.min", "a sum index starts at 0")
        if lo is not None and hi is not None and lo >= hi:
            self.issue(loc.table("index", "max"), "index", f"index min {lo} must be below max {hi}")
        else:
            self.index_scale = (lo or 0, hi or 100)
        out.update(aggregation="sum", maximum=maximum, min=lo, max=hi)
        return out

    def check_index_maximum(self, dims: Sequence[Node], declared: Decimal | None) -> None:
        if self.index_aggregation != "sum" or declared is None or not dims:
            return
        probe = Pack(code="probe", name="probe", version="0", status="provisional", source="",
                     scale_min=self.scale[0], scale_max=self.scale[1], missing_policy="zero",
                     dimensions=tuple(dims), bands=())
        reach = probe.total_maximum()
        if reach != declared:
            self.issue(self.loc.table("index", "maximum"), "index.maximum",
                       f"maximum is {_fmt_num(declared)} but the dimensions reach at most {_fmt_num(reach)}")

    def _unique(self, seen: dict[str, int], code: str, where: Where, path: str, what: str) -> None:
        if code in seen:
            self.issue(where, path, f"duplicate {what} code {code!r}")
        seen[code] = seen.get(code, 0) + 1

    def build_pillars(self) -> list[Pillar]:
        out: list[Pillar] = []
        seen: dict[str, int] = {}
        entries = self.table_list(self.raw.get("pillars"), "pillars")
        for i, p in enumerate(entries):
            where = self.loc.table("pillars", "code", i)
            code = self.text(p, "code", f"pillars[{i}]", where)
            name = self.text(p, "name", f"pillars[{i}]", where)
            if code and name:
                self._unique(seen, code, where, f"pillars[{i}]", "pillar")
                out.append(Pillar(code, name, p.get("name_en")))
        if entries:
            self.pillar_codes = {p.code for p in out}
        return out

    def build_subdimensions(self) -> list[SubDimension]:
        out: list[SubDimension] = []
        seen: dict[str, int] = {}
        entries = self.table_list(self.raw.get("subdimensions"), "subdimensions")
        for i, s in enumerate(entries):
            where = self.loc.table("subdimensions", "code", i)
            path = f"subdimensions[{i}]"
            code = self.text(s, "code", path, where)
            pillar = self.text(s, "pillar", path, where)
            name = self.text(s, "name", path, where)
            if pillar and self.pillar_codes is not None and pillar not in self.pillar_codes:
                self.issue(self.loc.table("subdimensions", "pillar", i), path, f"unknown pillar {pillar!r}")
            if code and pillar and name:
                self._unique(seen, code, where, path, "sub-dimension")
                out.append(SubDimension(code, pillar, name, s.get("name_en")))
        if entries:
            self.subdimension_pillars = {s.code: s.pillar for s in out}
        return out

    def build_dimensions(self) -> list[Node]:
        entries = self.raw.get("dimensions")
        if not isinstance(entries, list) or not entries:
            self.issue(self.loc.table(""), "dimensions", "a pack needs at least one [[dimensions]] entry")
            return []
        weighted = self.index_aggregation == "weighted_mean"
        dims = [self.build_node(d, "dimension", f"dimensions[{i}]", weighted) for i, d in enumerate(entries)]
        nodes = [n for n in dims if n is not None]
        if weighted:
            # A weighted-mean index is "Σ weight × dimension score" with weights summing to 100; under a
            # sum index a dimension's weight is an optional multiplier.
            self.check_weights(nodes, _HUNDRED, "dimensions", "dimensions")
        return nodes

    def build_node(self, d: Any, kind: str, path: str, weighted_parent: bool) -> Node | None:
        if not isinstance(d, Mapping):
            self.issue(self.loc.table(""), path, "must be a table")
            return None
        code = d.get("code")
        if not isinstance(code, str) or not code:
            self.issue(self.loc.table(path.split("[")[0]), path, "node without a 'code'")
            return None
        occurrence = self.seen_codes.get(code, 0)
        self.seen_codes[code] = occurrence + 1
        where = self.loc.node(code, None, occurrence)
        path = code

        def at(key: str) -> Where:
            return self.loc.node(code, key, occurrence)

        if occurrence:
            first = self.loc.node(code, None, 0)[1]
            first_txt = f" (first defined at {'row' if where[0] else 'line'} {first})" if first else ""
            self.issue(where, path, f"duplicate code {code!r}{first_txt}")
        if not _CODE_RE.match(code):
            self.issue(where, path, f"invalid code {code!r} (letters, digits, '.', '_', '-')")
        for key in d:
            if key not in _NODE_KEYS:
                self.issue(at(key), path, f"unknown key {key!r}")
        name = self.text(d, "name", path, where) or code

        weight: Decimal | None = None
        if "weight" in d:
            weight = self.number(d["weight"], f"{path}.weight", at("weight"))
            if weight is not None and weight <= 0:
                self.issue(at("weight"), path, f"weight must be positive, got {weight}")
        elif weighted_parent:
            self.issue(where, path, "missing 'weight' (its parent aggregates by weighted_mean)")

        groups_raw = d.get("groups", [])
        inds_raw = d.get("indicators", [])
        if not isinstance(groups_raw, list) or not isinstance(inds_raw, list):
            self.issue(where, path, "'groups' and 'indicators' must be arrays of tables")
            groups_raw, inds_raw = [], []
        count = None
        if "count" in d:
            count = self.build_count(d["count"], path, at("count"))
            if kind != "group":
                self.issue(at("count"), path, "only an entry of 'groups' can be a count")
            else:
                kind = "count"
                for key in ("rule", "levels", "repeat"):
                    if key in d:
                        self.issue(at(key), path, f"a count has no {key!r}")
                if groups_raw or inds_raw:
                    self.issue(where, path, "a count cannot have children")
            if count is not None:
                self.count_nodes.append((Node(code=code, name=code, kind="count", count=count), where))
        repeat = None
        if "repeat" in d:
            repeat = self.build_repeat(d["repeat"], path, at("repeat"))
            if kind != "group":
                self.issue(at("repeat"), path, "only a group can repeat")
                repeat = None
            elif self.in_repeat:
                self.issue(at("repeat"), path, "a repeated group cannot be nested in another one")
                repeat = None
        is_indicator = kind == "indicator"
        if is_indicator and (groups_raw or inds_raw):
            self.issue(where, path, "an indicator cannot have children")

        rule: str | None = None
        if kind == "count":
            pass
        elif not is_indicator:
            if "rule" not in d:
                self.issue(where, path, "missing 'rule'")
                rule = "weighted_mean"
            elif d["rule"] not in RULES:
                self.issue(
                    at("rule"),
                    path,
                    f"unknown aggregation rule {d['rule']!r}; expected one of {', '.join(RULES)}",
                )
                rule = "mean"
            else:
                rule = str(d["rule"])
            if not groups_raw and not inds_raw:
                self.issue(where, path, f"a {kind} needs at least one group or indicator")
        elif "rule" in d:
            self.issue(at("rule"), path, "an indicator has no aggregation rule")

        children: list[Node] = []
        if not is_indicator and kind != "count":
            weighted = rule == "weighted_mean"
            outer_repeat = self.in_repeat
            self.in_repeat = outer_repeat or repeat is not None
            for i, g in enumerate(groups_raw):
                child = self.build_node(g, "group", f"{path}.groups[{i}]", weighted)
                if child:
                    children.append(child)
            for i, ind in enumerate(inds_raw):
                child = self.build_node(ind, "indicator", f"{path}.indicators[{i}]", weighted)
                if child:
                    children.append(child)
            self.in_repeat = outer_repeat
            if repeat is not None:
                self.repeat_kinds.add(repeat.over)
                if any(c.is_count for n in children for c in n.walk()):
                    self.issue(where, path, "a count cannot sit inside a repeated group")
            if weighted:
                if self.weight_basis == "percent_of_index":
                    expected = weight if weight is not None else _HUNDRED
                else:
                    expected = _HUNDRED
                self.check_weights(children, expected, code, path)

        evidence = d.get("evidence", [])
        if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
            self.issue(at("evidence"), path, "evidence must be a list of strings")
            evidence = []
        levels = self.build_levels(d.get("levels"), code, occurrence, is_indicator)

        pillar = d.get("pillar")
        sub = d.get("subdimension")
        for key, value in (
            ("pillar", pillar),
            ("subdimension", sub),
            ("name_en", d.get("name_en")),
            ("description", d.get("description")),
        ):
            if value is not None and not isinstance(value, str):
                self.issue(at(key), path, f"{key} must be a string")
        return Node(
            code=code,
            name=name,
            kind=kind,
            weight=weight,
            rule=rule,
            name_en=d.get("name_en"),
            description=d.get("description"),
            pillar=pillar if isinstance(pillar, str) else None,
            subdimension=sub if isinstance(sub, str) else None,
            evidence=tuple(evidence),
            levels=levels,
            children=tuple(children),
            repeat=repeat,
            count=count,
        )

    def build_repeat(self, raw: Any, path: str, where: Where) -> Repeat | None:
        if not isinstance(raw, Mapping):
            self.issue(where, path, 'repeat must be a table {over = "...", divide_by = "count", at_least = N}')
            return None
        for key in raw:
            if key not in ("over", "divide_by", "at_least"):
                self.issue(where, f"{path}.repeat", f"unknown key {key!r}")
        over = raw.get("over")
        if not isinstance(over, str) or not _CODE_RE.match(over):
            self.issue(where, f"{path}.repeat.over", "must name what repeats, e.g. \"innovation\"")
            return None
        divide_by = raw.get("divide_by", "count")
        if divide_by not in DIVIDE_BY:
            self.issue(where, f"{path}.repeat.divide_by",
                       f"unknown divisor rule {divide_by!r}; expected one of {', '.join(DIVIDE_BY)}")
            return None
        at_least = self.integer(raw, "at_least", f"{path}.repeat", where, 1)
        if at_least is None or at_least < 1:
            self.issue(where, f"{path}.repeat.at_least", "must be a whole number of at least 1")
            return None
        return Repeat(over, str(divide_by), at_least)

    def build_count(self, raw: Any, path: str, where: Where) -> CountRule | None:
        if not isinstance(raw, Mapping):
            self.issue(where, path, 'count must be a table {of = "...", points_each = N, cap = N}')
            return None
        for key in raw:
            if key not in ("of", "points_each", "cap"):
                self.issue(where, f"{path}.count", f"unknown key {key!r}")
        of = raw.get("of")
        if not isinstance(of, str) or not _CODE_RE.match(of):
            self.issue(where, f"{path}.count.of", "must name what is counted, e.g. \"innovation\"")
            return None
        points = self.number(raw.get("points_each"), f"{path}.count.points_each", where)
        cap = self.integer(raw, "cap", f"{path}.count", where)
        if points is None or cap is None:
            return None
        if points <= 0 or cap < 1:
            self.issue(where, f"{path}.count", "points_each and cap must be positive")
            return None
        return CountRule(of, points, cap)

    def build_levels(
        self, levels: Any, code: str, occurrence: int, is_indicator: bool
    ) -> tuple[tuple[int, str], ...]:
        where = self.loc.node(code, "levels", occurrence)
        if levels is None:
            if is_indicator:
                self.issue(
                    self.loc.node(code, None, occurrence),
                    code,
                    f"missing level descriptors (levels {self.scale[0]}..{self.scale[1]})",
                )
            return ()
        if not is_indicator:
            self.issue(where, code, "only indicators carry level descriptors")
            return ()
        if not isinstance(levels, Mapping):
            self.issue(where, code, 'levels must be a table {level = "descriptor"}')
            return ()
        lo, hi = self.scale
        out: dict[int, str] = {}
        for key, text in levels.items():
            lwhere = self.loc.level(code, str(key), occurrence)
            try:
                level = int(str(key))
            except ValueError:
                self.issue(lwhere, f"{code}.levels", f"level {key!r} is not an integer")
                continue
            if not lo <= level <= hi:
                self.issue(lwhere, f"{code}.levels", f"level {level} is outside the scale {lo}..{hi}")
                continue
            if not isinstance(text, str) or not text.strip():
                self.issue(
                    lwhere, f"{code}.levels", f"descriptor for level {level} must be a non-empty string"
                )
                continue
            out[level] = text
        missing = [str(v) for v in range(lo, hi + 1) if v not in out]
        if missing:
            self.issue(where, f"{code}.levels", f"missing descriptor for level(s) {', '.join(missing)}")
        return tuple(sorted(out.items()))

    def check_weights(self, children: Sequence[Node], expected: Decimal, parent: str, path: str) -> None:
        weights = [c.weight for c in children]
        if not children or any(w is None for w in weights):
            return  # a missing weight was already reported on the child itself
        total = sum((w for w in weights if w is not None), Decimal(0))
        if total != expected:
            first = children[0]
            # Point at the latest definition of that code (the one just built).
            occ = self.seen_codes.get(first.code, 1) - 1
            where = self.loc.node(first.code, "weight", occ)
            shown = " + ".join(_fmt_num(w) for w in weights if w is not None)
            what = "dimensions" if parent == "dimensions" else f"children of {parent!r}"
            self.issue(
                where,
                path,
                f"weights of {what} sum to {_fmt_num(total)} ({shown}), expected {_fmt_num(expected)}",
            )

    def check_tags(self, dims: Sequence[Node]) -> None:
        for node in (n for d in dims for n in d.walk()):
            if (
                node.pillar is not None
                and self.pillar_codes is not None
                and node.pillar not in self.pillar_codes
            ):
                self.issue(self.loc.node(node.code, "pillar"), node.code, f"unknown pillar {node.pillar!r}")
            if node.subdimension is not None and self.subdimension_pillars is not None:
                sub_pillar = self.subdimension_pillars.get(node.subdimension)
                if sub_pillar is None:
                    self.issue(
                        self.loc.node(node.code, "subdimension"),
                        node.code,
                        f"unknown sub-dimension {node.subdimension!r}",
                    )
                elif node.pillar is not None and sub_pillar != node.pillar:
                    self.issue(
                        self.loc.node(node.code, "subdimension"),
                        node.code,
                        f"sub-dimension {node.subdimension!r} belongs to pillar {sub_pillar!r}, not {node.pillar!r}",
                    )

    def build_categories(self, codes: Mapping[str, Node]) -> list[Category]:
        out: list[Category] = []
        seen: dict[str, int] = {}
        for i, c in enumerate(
            self.table_list(self.raw.get("action_plan_categories"), "action_plan_categories")
        ):
            where = self.loc.table("action_plan_categories", "code", i)
            path = f"action_plan_categories[{i}]"
            code = self.text(c, "code", path, where)
            name = self.text(c, "name", path, where)
            indicator = c.get("indicator")
            if indicator is not None and indicator not in codes:
                self.issue(
                    self.loc.table("action_plan_categories", "indicator", i),
                    path,
                    f"unknown indicator {indicator!r}",
                )
            if code and name:
                self._unique(seen, code, where, path, "action-plan category")
                out.append(Category(code, name, c.get("name_en"), indicator))
        return out

    def build_survey(self) -> tuple[int, int, list[SurveyItem]]:
        survey = self.raw.get("survey", {})
        if not isinstance(survey, Mapping):
            self.issue(self.loc.table("", "survey"), "survey", "must be a table")
            return 1, 5, []
        lo = self.integer(survey, "scale_min", "survey", self.loc.table("survey", "scale_min"), 1) or 1
        hi = self.integer(survey, "scale_max", "survey", self.loc.table("survey", "scale_max"), 5) or 5
        if lo >= hi:
            self.issue(
                self.loc.table("survey", "scale_max"), "survey", "survey scale_min must be below scale_max"
            )
        items: list[SurveyItem] = []
        seen: dict[str, int] = {}
        for i, s in enumerate(self.table_list(survey.get("items"), "survey.items")):
            where = self.loc.table("survey.items", "code", i)
            path = f"survey.items[{i}]"
            code = self.text(s, "code", path, where)
            sub = self.text(s, "subdimension", path, where)
            text = self.text(s, "text", path, where)
            if sub and self.subdimension_pillars is not None and sub not in self.subdimension_pillars:
                self.issue(
                    self.loc.table("survey.items", "subdimension", i), path, f"unknown sub-dimension {sub!r}"
                )
            if code and sub and text:
                self._unique(seen, code, where, path, "survey item")
                items.append(SurveyItem(code, sub, text, s.get("text_en")))
        return lo, hi, items

    def build_quick_win(self, codes: Mapping[str, Node]) -> tuple[list[str], list[LikelihoodLevel]]:
        qw = self.raw.get("quick_win", {})
        if not isinstance(qw, Mapping):
            self.issue(self.loc.table("", "quick_win"), "quick_win", "must be a table")
            return [], []
        indicators = qw.get("indicators", [])
        if not isinstance(indicators, list) or not all(isinstance(c, str) for c in indicators):
            self.issue(
                self.loc.table("quick_win", "indicators"), "quick_win.indicators", "must be a list of codes"
            )
            indicators = []
        for c in indicators:
            if c not in codes or not codes[c].is_indicator:
                self.issue(
                    self.loc.table("quick_win", "indicators"),
                    "quick_win.indicators",
                    f"{c!r} is not an indicator of this pack",
                )
        levels: list[LikelihoodLevel] = []
        for i, r in enumerate(self.table_list(qw.get("risk_likelihood"), "quick_win.risk_likelihood")):
            where = self.loc.table("quick_win.risk_likelihood", "value", i)
            value = self.integer(r, "value", f"quick_win.risk_likelihood[{i}]", where)
            label = self.text(r, "label", f"quick_win.risk_likelihood[{i}]", where)
            if value is not None and label:
                levels.append(LikelihoodLevel(value, label, r.get("label_en")))
        return list(indicators), levels

    def build_bands(self) -> list[Band]:
        entries = self.table_list(self.raw.get("bands"), "bands")
        if not entries:
            self.issue(self.loc.table(""), "bands", "a pack needs predicate [[bands]]")
            return []
        bands: list[tuple[int, Band]] = []
        for i, b in enumerate(entries):
            where = self.loc.table("bands", "label", i)
            label = self.text(b, "label", f"bands[{i}]", where)
            lo = self.number(b.get("min"), f"bands[{i}].min", self.loc.table("bands", "min", i))
            hi = self.number(b.get("max"), f"bands[{i}].max", self.loc.table("bands", "max", i))
            if label is None or lo is None or hi is None:
                continue
            if lo >= hi:
                self.issue(
                    self.loc.table("bands", "max", i),
                    f"bands[{i}]",
                    f"band {label!r}: min {lo} must be below max {hi}",
                )
            bands.append((i, Band(label, lo, hi, b.get("label_en"))))
        if len(bands) != len(entries):
            return [b for _, b in bands]
        scale = self.index_scale or self.scale
        smin, smax = Decimal(scale[0]), Decimal(scale[1])
        ordered = sorted(bands, key=lambda ib: (ib[1].min, ib[1].max))
        first_i, first = ordered[0]
        if first.min != smin:
            self.issue(
                self.loc.table("bands", "min", first_i),
                f"bands[{first_i}]",
                f"bands do not cover the scale: lowest band starts at {_fmt_num(first.min)}, scale starts at {smin}",
            )
        for (_, prev), (i, band) in zip(ordered, ordered[1:], strict=False):
            if band.min > prev.max:
                self.issue(
                    self.loc.table("bands", "min", i),
                    f"bands[{i}]",
                    f"gap between bands {prev.label!r} (max {_fmt_num(prev.max)}) and {band.label!r} (min {_fmt_num(band.min)})",
                )
            elif band.min < prev.max:
                self.issue(
                    self.loc.table("bands", "min", i),
                    f"bands[{i}]",
                    f"band {band.label!r} (min {_fmt_num(band.min)}) overlaps {prev.label!r} (max {_fmt_num(prev.max)})",
                )
        last_i, last = ordered[-1]
        if last.max != smax:
            self.issue(
                self.loc.table("bands", "max", last_i),
                f"bands[{last_i}]",
                f"bands do not cover the scale: highest band ends at {_fmt_num(last.max)}, scale ends at {smax}",
            )
        return [b for _, b in ordered]


def _fmt_num(d: Decimal) -> str:
    return format(d.normalize(), "f") if d == d else str(d)


def build_pack(raw: Mapping[str, Any], locator: Locator | None = None, source: str | None = None) -> Pack:
    """Validate already-parsed pack data (TOML-shaped) and build a Pack, or raise PackError."""
    try:
        return _Builder(raw, locator or NullLocator()).build()
    except PackError as exc:
        raise PackError(exc.issues, source) from None


# --------------------------------------------------------------------------- loading

_TOML_ERR_RE = re.compile(r"\(at line (\d+), column (\d+)\)")


def _read(path_or_text: str | Path) -> tuple[str, str | None]:
    if isinstance(path_or_text, Path):
        return path_or_text.read_text(encoding="utf-8"), str(path_or_text)
    if "\n" not in path_or_text and path_or_text.endswith(".toml"):
        return Path(path_or_text).read_text(encoding="utf-8"), path_or_text
    return path_or_text, None


def load_pack(path_or_text: str | Path) -> Pack:
    """Load and validate a pack from a path (``Path`` or ``*.toml`` string) or TOML text."""
    text, source = _read(path_or_text)
    try:
        raw = tomllib.loads(text, parse_float=Decimal)  # Decimal: 16.5 % must stay exactly 16.5
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_ERR_RE.search(str(exc))
        line = int(m.group(1)) if m else None
        raise PackError([PackIssue(line, "", f"TOML syntax error: {exc}")], source) from None
    return build_pack(raw, TomlLocator(text), source)


# Packs are immutable, so a parsed file can be shared until the file changes on disk.
_FILE_CACHE: dict[Path, tuple[int, int, Pack]] = {}


def _load_file(path: Path) -> Pack:
    stat = path.stat()
    key = path.resolve()
    hit = _FILE_CACHE.get(key)
    if hit is not None and hit[:2] == (stat.st_mtime_ns, stat.st_size):
        return hit[2]
    pack = load_pack(path)
    _FILE_CACHE[key] = (stat.st_mtime_ns, stat.st_size, pack)
    return pack


def available_packs(directory: Path | None = None) -> list[Pack]:
    """All packs shipped in ``scoring/packs/`` (or ``directory``), sorted by code and version."""
    folder = directory or PACKS_DIR
    packs = [_load_file(p) for p in sorted(folder.glob("*.toml"))]
    return sorted(packs, key=lambda p: (p.code, _version_key(p.version)))


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    # "2021.10" must sort after "2021.9"; mixed parts still sort deterministically.
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.\-]", version))


def get_pack(code: str, version: str | None = None, directory: Path | None = None) -> Pack:
    """The pack ``code`` at ``version`` (default: the newest shipped version)."""
    matches = [p for p in available_packs(directory) if p.code == code]
    if version is not None:
        matches = [p for p in matches if p.version == version]
    if not matches:
        known = ", ".join(sorted({f"{p.code}@{p.version}" for p in available_packs(directory)}))
        wanted = f"{code}@{version}" if version else code
        raise PackNotFound(f"no rubric pack {wanted!r} (available: {known})")
    return matches[-1]

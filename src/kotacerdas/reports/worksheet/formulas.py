"""The running score of the evaluation worksheet as spreadsheet formulas, built from the rubric pack.

A Pemda officer types levels into the "Tingkat" column and sees every group, the dimension and the index
change as they type. The formulas mirror :mod:`kotacerdas.scoring.engine` for *classic* packs (a tree of
``mean`` / ``weighted_mean`` / ``max`` / ``min`` on the answer scale, a weighted-mean index):

* an indicator's value is its level; an empty level follows the pack's missing-answer policy — ``zero``
  counts the scale minimum, ``renormalise`` leaves it out (its siblings' weights share its part) and
  ``refuse`` shows no score until every indicator under the node is answered (the engine refuses);
* a group or dimension combines the values of its children by its rule, over the children that have a
  value (``weighted_mean`` divides by the weights present, as the engine does);
* with ``round_nodes`` every group and dimension is rounded before it goes up; the index is computed from
  the unrounded dimensions and rounded once; dimensions are shown rounded (the pack's decimals and mode).

Spreadsheets compute in binary floating point, the engine in decimals: ``2.865`` may come out as
``2.8649999999999998``, which a plain ``ROUND(…, 2)`` in some programs turns into 2.86 where the engine says
2.87. Every rounding therefore first rounds to 12 decimals (far below any difference the pack can make,
far above float noise) — ``ROUND(ROUND(x, 12), 2)``. ``half_even`` packs get banker's rounding spelt out.

Only references, numbers and a handful of functions ever appear in a formula (:func:`check_formula`): no
text a person typed, no pack name, can reach one. Pure: no Django import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from kotacerdas.scoring.packs import Node, Pack

FUNCTIONS = frozenset({"IF", "ISNUMBER", "COUNT", "N", "ROUND", "MOD", "MAX", "MIN"})
# Row 1 is the header, row 2 the dimension itself; groups and indicators follow in the pack's order.
DIMENSION_ROW = 2
LEVEL_COLUMN = "D"
VALUE_COLUMN = "J"


def supported(pack: Pack) -> bool:
    """Whether the worksheet can carry the score as formulas: classic packs only (no sum, no repeated
    group answered per innovation, no count)."""
    return pack.is_classic and all(
        n.rule in (None, "mean", "weighted_mean", "max", "min") for n in pack.walk())


def quote_sheet(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def number(value: Decimal | int) -> str:
    text = format(Decimal(value).normalize(), "f")
    return text


@dataclass
class SheetLayout:
    """Where each node of one dimension sits on its sheet."""

    title: str
    dimension: Node
    nodes: list[Node] = field(default_factory=list)  # in row order, from DIMENSION_ROW on
    row: dict[str, int] = field(default_factory=dict)
    span: dict[str, tuple[int, int]] = field(default_factory=dict)  # node -> first/last row of its subtree

    @property
    def last_row(self) -> int:
        return DIMENSION_ROW + len(self.nodes) - 1

    def value(self, code: str, *, sheet: bool = False, absolute: bool = False) -> str:
        ref = f"${VALUE_COLUMN}${self.row[code]}" if absolute else f"{VALUE_COLUMN}{self.row[code]}"
        return f"{quote_sheet(self.title)}!{ref}" if sheet else ref

    def levels(self, code: str, *, sheet: bool = False) -> str:
        """The range of level cells under the group or dimension ``code`` (its own row left out; the rows
        of groups inside it have no level)."""
        first, last = self.span[code]
        first += 1
        ref = f"${LEVEL_COLUMN}${first}:${LEVEL_COLUMN}${last}" if sheet else f"{LEVEL_COLUMN}{first}:{LEVEL_COLUMN}{last}"
        return f"{quote_sheet(self.title)}!{ref}" if sheet else ref


def lay_out(title: str, dimension: Node) -> SheetLayout:
    out = SheetLayout(title, dimension)

    def visit(node: Node) -> None:
        out.row[node.code] = DIMENSION_ROW + len(out.nodes)
        out.nodes.append(node)
        for child in node.children:
            visit(child)
        out.span[node.code] = (out.row[node.code], DIMENSION_ROW + len(out.nodes) - 1)

    visit(dimension)
    return out


def shares(pack: Pack) -> dict[str, Decimal | None]:
    """Each node's share of the index when every indicator is answered (1 = the whole index); None under
    a ``max``/``min`` node, whose children have no fixed share."""
    out: dict[str, Decimal | None] = {}
    total = sum((d.weight or Decimal(0) for d in pack.dimensions), Decimal(0))

    def visit(node: Node, share: Decimal | None) -> None:
        out[node.code] = share
        if not node.children:
            return
        rule = node.rule or "mean"
        if rule == "weighted_mean":
            weights = sum((c.weight or Decimal(0) for c in node.children), Decimal(0))
        for child in node.children:
            if share is None or rule in ("max", "min"):
                visit(child, None)
            elif rule == "weighted_mean":
                visit(child, share * (child.weight or Decimal(0)) / weights if weights else None)
            else:
                visit(child, share / len(node.children))

    for dim in pack.dimensions:
        visit(dim, (dim.weight or Decimal(0)) / total if total else None)
    return out


def rounded(expr: str, pack: Pack) -> str:
    """``expr`` rounded as the pack reports numbers (float noise taken off first, see the module doc)."""
    d = pack.decimals
    if pack.rounding_mode == "half_up":
        return f"ROUND(ROUND({expr},12),{d})"
    scale = 10 ** d
    t = f"ROUND(({expr})*{scale},9)"
    return f"IF(MOD({t},1)=0.5,2*ROUND({t}/2,0),ROUND({t},0))/{scale}"


def combine(rule: str, refs: Sequence[str], weights: Sequence[Decimal | None]) -> str:
    """A node's value from its children's cells, over the children that have a value ("" when none)."""
    listed = ",".join(refs)
    if rule == "weighted_mean":
        ws = [number(w or 0) for w in weights]
        top = "+".join(f"{w}*N({r})" for w, r in zip(ws, refs, strict=True))
        bottom = "+".join(f"{w}*COUNT({r})" for w, r in zip(ws, refs, strict=True))
        value = f"({top})/({bottom})"
    elif rule == "mean":
        value = "(" + "+".join(f"N({r})" for r in refs) + f")/COUNT({listed})"
    elif rule in ("max", "min"):
        value = f"{rule.upper()}({listed})"
    else:  # supported() keeps other rules away
        raise ValueError(f"rule {rule!r} has no worksheet formula")
    return f'IF(COUNT({listed})=0,"",{value})'


def indicator_formula(pack: Pack, level: str) -> str:
    missing = number(pack.scale_min) if pack.missing_policy == "zero" else '""'
    return f"=IF(ISNUMBER({level}),{level},{missing})"


def node_formula(pack: Pack, sheet: SheetLayout, node: Node) -> str:
    refs = [sheet.value(c.code) for c in node.children]
    body = combine(node.rule or "mean", refs, [c.weight for c in node.children])
    if pack.round_nodes:
        body = f'IF(COUNT({",".join(refs)})=0,"",{rounded(body, pack)})'
    if pack.missing_policy == "refuse":
        n = sum(1 for _ in node.indicators())
        body = f'IF(COUNT({sheet.levels(node.code)})<{n},"",{body})'
    return "=" + body


def sheet_formulas(pack: Pack, sheet: SheetLayout) -> dict[str, str]:
    """``{cell: formula}`` of one dimension sheet: the value column of every row."""
    out: dict[str, str] = {}
    for node in sheet.nodes:
        cell = sheet.value(node.code)
        if node.is_indicator:
            out[cell] = indicator_formula(pack, f"{LEVEL_COLUMN}{sheet.row[node.code]}")
        else:
            out[cell] = node_formula(pack, sheet, node)
    return out


def shown(pack: Pack, ref: str) -> str:
    """A reported (rounded) number from the unrounded value in ``ref``; empty while there is none."""
    return f'=IF(ISNUMBER({ref}),{rounded(ref, pack)},"")'


def index_formula(pack: Pack, raw: Sequence[str], counts: Sequence[str], total: int) -> str:
    """The unrounded index from the unrounded dimension cells (weighted mean over the dimensions with a
    value); under ``refuse`` nothing until all ``total`` indicators are answered."""
    body = combine("weighted_mean", raw, [d.weight for d in pack.dimensions])
    if pack.missing_policy == "refuse":
        body = f'IF(({"+".join(counts)})<{total},"",{body})'
    return "=" + body


def mean_formula(pack: Pack, raw: Sequence[str], counts: Sequence[str], total: int) -> str:
    body = combine("mean", raw, [None] * len(raw))
    if pack.missing_policy == "refuse":
        body = f'IF(({"+".join(counts)})<{total},"",{body})'
    return "=" + body


_TOKEN = re.compile(r"""
    (?P<sheet>'(?:[^']|'')+'!)
  | (?P<ref>\$?[A-Z]{1,3}\$?[0-9]{1,7}(?::\$?[A-Z]{1,3}\$?[0-9]{1,7})?)
  | (?P<func>[A-Z]+)\(
  | (?P<number>[0-9]+(?:\.[0-9]+)?)
  | (?P<empty>"")
  | (?P<op>[-+*/(),=<>])
""", re.VERBOSE)


def check_formula(text: str, sheets: Iterable[str]) -> str:
    """``text`` if it is made only of cell references (to ``sheets``), numbers, ``""``, operators and
    :data:`FUNCTIONS`; otherwise ValueError. The last guard that nothing else is ever written as a
    formula."""
    titles = {quote_sheet(t) + "!" for t in sheets}
    if not text.startswith("="):
        raise ValueError(f"not a formula: {text[:40]!r}")
    pos = 1
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ValueError(f"unexpected {text[pos:pos + 20]!r} in formula")
        if m.lastgroup == "sheet" and m.group("sheet") not in titles:
            raise ValueError(f"unknown sheet {m.group('sheet')!r} in formula")
        if m.lastgroup == "func" and m.group("func") not in FUNCTIONS:
            raise ValueError(f"function {m.group('func')!r} not allowed in formula")
        pos = m.end()
    return text

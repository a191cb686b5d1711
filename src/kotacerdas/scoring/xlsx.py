"""Rubric packs as Excel workbooks, for administrators who edit rubrics in a spreadsheet.

The workbook is a flat view of the same data as the TOML file: one row per node with its parent
code, so the tree survives a round trip.  Import runs the same validation as the TOML loader;
errors name the sheet and row instead of a line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from kotacerdas.lib.cells import append as put_row
from kotacerdas.lib.cells import neutralise_workbook, uncell

from .packs import (
    NODE_SCALAR_KEYS,
    PACK_SCALAR_KEYS,
    Node,
    Pack,
    PackError,
    PackIssue,
    Where,
    build_pack,
    pack_to_raw,
)

PACK_KEYS = (
    *PACK_SCALAR_KEYS,
    "scale.min",
    "scale.max",
    "rounding.decimals",
    "rounding.mode",
    "rounding.round_nodes",
    "survey.scale_min",
    "survey.scale_max",
    "quick_win.indicators",
)
# The node's code, where it hangs and what it is, then its single values (as in the TOML).
NODE_COLUMNS = ("code", "parent", "kind", *(k for k in NODE_SCALAR_KEYS if k != "code"))
# sheet name, raw key path, columns
LIST_SHEETS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Bands", "bands", ("label", "label_en", "min", "max")),
    ("Pillars", "pillars", ("code", "name", "name_en")),
    ("Subdimensions", "subdimensions", ("code", "pillar", "name", "name_en")),
    ("ActionPlan", "action_plan_categories", ("code", "name", "name_en", "indicator")),
    ("SurveyItems", "survey.items", ("code", "subdimension", "text", "text_en")),
    ("RiskLikelihood", "quick_win.risk_likelihood", ("value", "label", "label_en")),
)
_LEVEL_COL = re.compile(r"^level_(-?\d+)$")
_LEVEL_EN_COL = re.compile(r"^level_en_(-?\d+)$")  # English descriptors (optional), beside level_N
_MULTI_SEP = "\n"  # lists (evidence, quick-win codes) live in one cell, one item per line


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _header(ws: Worksheet, columns: Iterable[str]) -> None:
    put_row(ws, list(columns))
    for c in ws[1]:
        c.font = Font(bold=True)
    ws.freeze_panes = "A2"


def pack_to_workbook(pack: Pack) -> Workbook:
    raw = pack_to_raw(pack)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Pack"
    _header(ws, ("key", "value"))
    flat = {
        **{k: v for k, v in raw.items() if not isinstance(v, dict | list)},
        "scale.min": pack.scale_min,
        "scale.max": pack.scale_max,
        "rounding.decimals": pack.decimals,
        "rounding.mode": pack.rounding_mode,
        "rounding.round_nodes": pack.round_nodes,
        "survey.scale_min": pack.survey_scale_min,
        "survey.scale_max": pack.survey_scale_max,
        "quick_win.indicators": _MULTI_SEP.join(pack.quick_win_indicators) or None,
    }
    for key in PACK_KEYS:
        if flat.get(key) is not None:
            put_row(ws, [key, _cell(flat[key])])

    nodes = wb.create_sheet("Nodes")
    levels = list(range(pack.scale_min, pack.scale_max + 1))
    english = any(n.levels_en for n in pack.walk())
    en_columns = [f"level_en_{v}" for v in levels] if english else []
    _header(nodes, (*NODE_COLUMNS, *(f"level_{v}" for v in levels), *en_columns))

    def add(node: Node, parent: str | None) -> None:
        texts = dict(node.levels)
        texts_en = dict(node.levels_en)
        put_row(
            nodes,
            [
                node.code,
                parent,
                node.kind,
                node.name,
                node.name_en,
                node.description,
                _cell(node.weight),
                node.rule,
                node.pillar,
                node.subdimension,
                _MULTI_SEP.join(node.evidence) or None,
                *(texts.get(v) for v in levels),
                *((texts_en.get(v) for v in levels) if english else ()),
            ]
        )
        for child in node.children:
            add(child, node.code)

    for dim in pack.dimensions:
        add(dim, None)

    for sheet, key, columns in LIST_SHEETS:
        rows = _get_path(raw, key) or []
        if not rows:
            continue
        ws = wb.create_sheet(sheet)
        _header(ws, columns)
        for row in rows:
            put_row(ws, [_cell(row.get(c)) for c in columns])
    return wb


def export_pack_xlsx(pack: Pack, target: str | Path | IO[bytes]) -> None:
    neutralise_workbook(pack_to_workbook(pack)).save(target)


def _get_path(raw: Mapping[str, Any], dotted: str) -> Any:
    cur: Any = raw
    for part in dotted.split("."):
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(part)
    return cur


def _set_path(raw: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    cur = raw
    for part in parts[:-1]:
        cur = cur.setdefault(part, {})
    cur[parts[-1]] = value


def _value(v: Any) -> Any:
    # openpyxl gives floats; repr keeps 16.5 as exactly "16.5" (the shortest round-tripping form).
    if isinstance(v, float):
        return Decimal(repr(v))
    if isinstance(v, str):
        v = uncell(v).strip()
        return v or None
    return v


class ExcelLocator:
    def __init__(self) -> None:
        self.pack_rows: dict[str, int] = {}
        self.node_rows: dict[str, list[int]] = {}
        self.list_sheets = {key: sheet for sheet, key, _ in LIST_SHEETS}

    def node(self, code: str, key: str | None = None, occurrence: int = 0) -> Where:
        rows = self.node_rows.get(code)
        if not rows:
            return ("Nodes", None)
        return ("Nodes", rows[min(occurrence, len(rows) - 1)])

    def level(self, code: str, level: str, occurrence: int = 0, table: str = "levels") -> Where:
        return self.node(code, None, occurrence)

    def table(self, name: str, key: str | None = None, index: int | None = None) -> Where:
        if name in self.list_sheets:
            return (self.list_sheets[name], None if index is None else index + 2)
        if name == "" and key in self.list_sheets:
            return (self.list_sheets[key], None)
        if name == "" and key == "dimensions":
            return ("Nodes", None)
        full = f"{name}.{key}" if name and key else (key or name)
        return ("Pack", self.pack_rows.get(full))


def _rows(ws: Worksheet) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    it = ws.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(it, ())]
    out = []
    for n, row in enumerate(it, 2):
        if row is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        out.append((n, {header[i]: _value(v) for i, v in enumerate(row) if i < len(header) and header[i]}))
    return header, out


def workbook_to_raw(wb: Workbook) -> tuple[dict[str, Any], ExcelLocator, list[PackIssue]]:
    """Rebuild the TOML-shaped data from a workbook; structural problems are returned as issues."""
    loc = ExcelLocator()
    issues: list[PackIssue] = []
    raw: dict[str, Any] = {}
    for required in ("Pack", "Nodes"):
        if required not in wb.sheetnames:
            issues.append(PackIssue(None, "", f"missing sheet {required!r}", required))
    if issues:
        return raw, loc, issues

    _, pack_rows = _rows(wb["Pack"])
    for n, row in pack_rows:
        key, value = row.get("key"), row.get("value")
        if not isinstance(key, str):
            issues.append(PackIssue(n, "", "the 'key' column must name a pack field", "Pack"))
            continue
        if key not in PACK_KEYS:
            issues.append(PackIssue(n, key, "unknown key", "Pack"))
            continue
        loc.pack_rows[key] = n
        if value is None:
            continue
        if key == "quick_win.indicators":
            value = [c.strip() for c in str(value).split(_MULTI_SEP) if c.strip()]
        _set_path(raw, key, value)

    header, node_rows = _rows(wb["Nodes"])
    for col in ("code", "parent", "kind"):
        if col not in header:
            issues.append(PackIssue(1, "", f"missing column {col!r}", "Nodes"))
    if issues:
        return raw, loc, issues
    built: dict[str, dict[str, Any]] = {}
    dims: list[dict[str, Any]] = []
    pending: list[tuple[int, str, dict[str, Any], str]] = []
    for n, row in node_rows:
        code = row.get("code")
        if not isinstance(code, str):
            issues.append(PackIssue(n, "", "row without a code", "Nodes"))
            continue
        loc.node_rows.setdefault(code, []).append(n)
        kind = row.get("kind")
        if kind not in ("dimension", "group", "indicator"):
            issues.append(
                PackIssue(n, code, f"unknown kind {kind!r}; expected dimension, group or indicator", "Nodes")
            )
            continue
        node: dict[str, Any] = {"code": code}
        for col in NODE_SCALAR_KEYS:
            if col in ("code", "evidence"):  # the code is read above, evidence is a list (below)
                continue
            if row.get(col) is not None:
                node[col] = row[col]
        if row.get("evidence") is not None:
            node["evidence"] = [e.strip() for e in str(row["evidence"]).split(_MULTI_SEP) if e.strip()]
        levels = {
            m.group(1): row[col] for col in row if (m := _LEVEL_COL.match(col)) and row[col] is not None
        }
        if kind == "indicator" or levels:
            node["levels"] = levels
        levels_en = {
            m.group(1): row[col] for col in row if (m := _LEVEL_EN_COL.match(col)) and row[col] is not None
        }
        if levels_en:
            node["levels_en"] = levels_en
        parent = row.get("parent")
        if code not in built:
            built[code] = node
        if kind == "dimension":
            if parent is not None:
                issues.append(PackIssue(n, code, "a dimension has no parent", "Nodes"))
            dims.append(node)
        elif parent is None:
            issues.append(PackIssue(n, code, f"a {kind} needs a parent code", "Nodes"))
        else:
            pending.append((n, str(parent), node, "groups" if kind == "group" else "indicators"))
    for n, parent, node, slot in pending:
        if parent not in built:
            issues.append(PackIssue(n, node["code"], f"unknown parent {parent!r}", "Nodes"))
            continue
        built[parent].setdefault(slot, []).append(node)
    raw["dimensions"] = dims

    for sheet, key, columns in LIST_SHEETS:
        if sheet not in wb.sheetnames:
            continue
        _, rows = _rows(wb[sheet])
        entries = []
        for _n, row in rows:
            entries.append({c: row[c] for c in columns if row.get(c) is not None})
        _set_path(raw, key, entries)
    return raw, loc, issues


def import_pack_xlsx(source: str | Path | IO[bytes]) -> Pack:
    """Load a pack from a workbook written by :func:`export_pack_xlsx` (or edited from one)."""
    name = str(source) if isinstance(source, str | Path) else None
    try:
        wb = load_workbook(source, read_only=False, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a non-workbook file
        raise PackError([PackIssue(None, "", f"not a readable .xlsx workbook: {exc}")], name) from None
    raw, loc, issues = workbook_to_raw(wb)
    if issues:
        raise PackError(issues, name)
    return build_pack(raw, loc, name)

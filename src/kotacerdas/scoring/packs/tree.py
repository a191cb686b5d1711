"""Validating and building the rubric tree: dimensions, groups, indicators, count rules, repeated groups,
levels, weights that must add up, and pillar/sub-dimension tags."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from .checks import _NODE_KEYS, _Checks, _fmt_num
from .locate import Where
from .model import _CODE_RE, _HUNDRED, DIVIDE_BY, RULES, CountRule, Node, Repeat


class _TreeBuilder(_Checks):
    """Builds the dimension tree; :class:`.validate._Builder` adds the rest of the pack."""

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
        levels_en = self.build_levels_en(d.get("levels_en"), code, occurrence, is_indicator, levels)

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
            levels_en=levels_en,
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

    def build_levels_en(
        self, raw: Any, code: str, occurrence: int, is_indicator: bool, levels: tuple[tuple[int, str], ...]
    ) -> tuple[tuple[int, str], ...]:
        """English descriptors: optional, any subset of the levels, each a non-empty string."""
        if raw is None:
            return ()
        where = self.loc.node(code, "levels_en", occurrence)
        path = f"{code}.levels_en"
        if not is_indicator:
            self.issue(where, code, "only indicators carry level descriptors (levels_en)")
            return ()
        if not isinstance(raw, Mapping):
            self.issue(where, code, 'levels_en must be a table {level = "English descriptor"}')
            return ()
        known = {lv for lv, _ in levels}
        out: dict[int, str] = {}
        for key, text in raw.items():
            lwhere = self.loc.level(code, str(key), occurrence, "levels_en")
            try:
                level = int(str(key))
            except ValueError:
                self.issue(lwhere, path, f"level {key!r} is not an integer")
                continue
            if level not in known:
                shown = ", ".join(str(v) for v in sorted(known)) or "none"
                self.issue(lwhere, path, f"level {level} has no Indonesian descriptor in 'levels' ({shown})")
                continue
            if not isinstance(text, str) or not text.strip():
                self.issue(lwhere, path, f"English descriptor for level {level} must be a non-empty string")
                continue
            out[level] = text
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


"""Validation groundwork shared by the pack builder: the keys a pack and a node may hold, and the
scalar checks (text, integer, number, choice, list of tables, unique code) that report a problem and
fall back, so one pass over a pack finds every problem instead of stopping at the first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from .locate import Locator, Where
from .model import Node, PackIssue

PACK_SCALAR_KEYS: tuple[str, ...] = (
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
)
"""The pack's top-level single values, in the order the workbook's Pack sheet lists them."""
NODE_SCALAR_KEYS: tuple[str, ...] = (
    "code",
    "name",
    "name_en",
    "description",
    "weight",
    "rule",
    "pillar",
    "subdimension",
    "evidence",
)
"""A node's single values (``evidence`` a list of names), in the order of the workbook's Nodes columns."""

_TOP_KEYS = {
    *PACK_SCALAR_KEYS,
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
    *NODE_SCALAR_KEYS,
    "levels",
    "levels_en",
    "groups",
    "indicators",
    "repeat",
    "count",
}


class _Checks:
    """State and scalar checks of one validation pass (see :class:`.validate._Builder`)."""

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


    def _unique(self, seen: dict[str, int], code: str, where: Where, path: str, what: str) -> None:
        if code in seen:
            self.issue(where, path, f"duplicate {what} code {code!r}")
        seen[code] = seen.get(code, 0) + 1



def _fmt_num(d: Decimal) -> str:
    return format(d.normalize(), "f") if d == d else str(d)


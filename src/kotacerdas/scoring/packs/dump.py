"""A pack back to data: :func:`pack_to_raw` (TOML-shaped dict; also what the digest is computed
from, so it must not change for a pack that did not change) and :func:`dump_pack` (TOML text such that
``load_pack(dump_pack(p)) == p``)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import tomli_w

if TYPE_CHECKING:
    from .model import Node, Pack

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
    if node.levels_en:
        raw["levels_en"] = {str(k): v for k, v in node.levels_en}
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


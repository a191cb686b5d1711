"""The whole-pack validator: top-level keys, scale and rounding, validity years, the index, pillars and
sub-dimensions, action-plan categories, the survey, quick wins and predicate bands; the tree itself is
built by :mod:`.tree`. :func:`build_pack` returns a :class:`Pack` or raises :class:`PackError` listing
every problem found."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from .checks import _TOP_KEYS, _fmt_num
from .locate import Locator, NullLocator
from .model import (
    _CODE_RE,
    AGGREGATIONS,
    BAND_STATUSES,
    INDEX_AGGREGATIONS,
    POLICIES,
    ROUNDING_MODES,
    STATUSES,
    WEIGHT_BASES,
    YEAR_MAX,
    YEAR_MIN,
    Band,
    Category,
    LikelihoodLevel,
    Node,
    Pack,
    PackError,
    Pillar,
    SubDimension,
    SurveyItem,
)
from .tree import _TreeBuilder


class _Builder(_TreeBuilder):
    """One validation pass over a whole pack (every problem is collected before refusing)."""

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



def build_pack(raw: Mapping[str, Any], locator: Locator | None = None, source: str | None = None) -> Pack:
    """Validate already-parsed pack data (TOML-shaped) and build a Pack, or raise PackError."""
    try:
        return _Builder(raw, locator or NullLocator()).build()
    except PackError as exc:
        raise PackError(exc.issues, source) from None


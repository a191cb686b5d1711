"""One chart description, two renderings: a matplotlib SVG for the PDF and ECharts options for the web.

Numbers are drawn from the same `ChartSpec` in both places, so what the Bupati reads on paper is what the
dashboard shows. SVG text stays text (``svg.fonttype = none``) so the PDF is searchable and the labels use
the report font, DejaVu Sans, which ships with Debian (fonts-dejavu-core) — nothing is downloaded.
"""

from __future__ import annotations

import io
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import PatchCollection  # noqa: E402
from matplotlib.patches import Polygon  # noqa: E402

FONT = "DejaVu Sans"
PALETTE = ["#1f5f8b", "#e0892b", "#3a9d5d", "#b94a48", "#7a5ea8", "#8c6d31"]
KINDS = ("bar", "hbar", "radar", "line")


@dataclass
class Series:
    name: str
    values: list[float | None]


@dataclass
class ChartSpec:
    """A small chart: categories on one axis, one or more series of numbers on the other."""

    kind: str
    title: str
    categories: list[str]
    series: list[Series]
    value_max: float | None = None
    value_label: str = ""
    width_cm: float = 16.0
    height_cm: float = 7.0
    annotations: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Jenis grafik tidak dikenal: {self.kind!r} ({', '.join(KINDS)})")
        for s in self.series:
            if len(s.values) != len(self.categories):
                raise ValueError(f"Seri {s.name!r} punya {len(s.values)} nilai untuk {len(self.categories)} kategori")


def _style() -> Any:
    return {
        "svg.fonttype": "none",
        "font.family": "sans-serif",
        "font.sans-serif": [FONT],
        "font.size": 8.5,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": "#666666",
        "axes.titleweight": "bold",
        "axes.titlesize": 10,
        "svg.hashsalt": "kotacerdas",  # stable ids: the same data gives the same SVG bytes
    }


def fmt(v: float, decimals: int = 2) -> str:
    """A number as people in the report's language write it (2,87 in Indonesian, 2.87 in English)."""
    try:
        from django.utils.formats import number_format

        return str(number_format(v, decimals))
    except Exception:  # outside Django (pure use of this module)
        return f"{v:.{decimals}f}"


def _num(v: float | None) -> float:
    return 0.0 if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": "kotacerdas"})
    plt.close(fig)
    text = buf.getvalue()
    # Drop the XML prolog and DOCTYPE so the SVG can be inlined in HTML.
    return text[text.index("<svg"):]


def to_svg(spec: ChartSpec) -> str:
    """Render a chart as an inline SVG string with real vector shapes and text."""
    with plt.rc_context(_style()):
        if spec.kind == "radar":
            return _radar(spec)
        fig, ax = plt.subplots(figsize=(spec.width_cm / 2.54, spec.height_cm / 2.54))
        n = len(spec.categories)
        width = 0.8 / max(1, len(spec.series))
        for i, s in enumerate(spec.series):
            values = [_num(v) for v in s.values]
            color = PALETTE[i % len(PALETTE)]
            positions = [k + (i - (len(spec.series) - 1) / 2) * width for k in range(n)]
            if spec.kind == "bar":
                bars = ax.bar(positions, values, width=width * 0.95, color=color, label=s.name)
            elif spec.kind == "hbar":
                bars = ax.barh(positions, values, height=width * 0.95, color=color, label=s.name)
            else:
                bars = None
                ax.plot(range(n), values, marker="o", color=color, label=s.name)
                if spec.annotations:
                    for x, v in zip(range(n), s.values, strict=True):
                        if v is not None:
                            ax.annotate(fmt(v), (x, _num(v)), textcoords="offset points", xytext=(0, 5),
                                        ha="center", fontsize=7.5)
            if bars is not None and spec.annotations:
                labels = ["–" if v is None else fmt(v) for v in s.values]
                ax.bar_label(bars, labels=labels, padding=2, fontsize=7.5)
        if spec.kind == "hbar":
            ax.set_yticks(range(n), spec.categories)
            ax.invert_yaxis()
            if spec.value_max is not None:
                ax.set_xlim(0, spec.value_max * 1.08)
            ax.set_xlabel(spec.value_label)
        else:
            ax.set_xticks(range(n), spec.categories, rotation=0 if n <= 6 else 30,
                          ha="center" if n <= 6 else "right")
            if spec.value_max is not None:
                ax.set_ylim(0, spec.value_max * 1.12)
            ax.set_ylabel(spec.value_label)
        ax.set_title(spec.title, loc="left")
        ax.grid(axis="x" if spec.kind == "hbar" else "y", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        if len(spec.series) > 1:
            ax.legend(frameon=False, fontsize=7.5, loc="upper right")
        return _svg(fig)


def _radar(spec: ChartSpec) -> str:
    n = len(spec.categories)
    angles = [2 * math.pi * k / n for k in range(n)]
    fig = plt.figure(figsize=(spec.width_cm / 2.54, spec.height_cm / 2.54))
    ax: Any = fig.add_subplot(polar=True)
    ax.set_theta_offset(math.pi / 2)
    ax.set_theta_direction(-1)
    for i, s in enumerate(spec.series):
        values = [_num(v) for v in s.values]
        color = PALETTE[i % len(PALETTE)]
        ax.plot([*angles, angles[0]], [*values, values[0]], color=color, linewidth=1.5, label=s.name)
        ax.fill([*angles, angles[0]], [*values, values[0]], color=color, alpha=0.15)
    ax.set_xticks(angles, spec.categories)
    if spec.value_max is not None:
        ax.set_ylim(0, spec.value_max)
    ax.set_title(spec.title, loc="left")
    if len(spec.series) > 1:
        ax.legend(frameon=False, fontsize=7.5, loc="upper right", bbox_to_anchor=(1.3, 1.1))
    return _svg(fig)


def to_echarts(spec: ChartSpec) -> dict[str, Any]:
    """The same chart as an ECharts option object (JSON-serialisable) for the web dashboard."""
    series: list[dict[str, Any]]
    if spec.kind == "radar":
        return {
            "title": {"text": spec.title},
            "tooltip": {},
            "legend": {"data": [s.name for s in spec.series]},
            "radar": {"indicator": [{"name": c, "max": spec.value_max} for c in spec.categories]},
            "series": [{"type": "radar", "data": [{"name": s.name, "value": s.values} for s in spec.series]}],
        }
    category_axis = {"type": "category", "data": spec.categories}
    value_axis: dict[str, Any] = {"type": "value", "name": spec.value_label}
    if spec.value_max is not None:
        value_axis["max"] = spec.value_max
    series = [{"type": "line" if spec.kind == "line" else "bar", "name": s.name, "data": s.values,
               "label": {"show": spec.annotations}} for s in spec.series]
    return {
        "title": {"text": spec.title},
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [s.name for s in spec.series]},
        "xAxis": value_axis if spec.kind == "hbar" else category_axis,
        "yAxis": {**category_axis, "inverse": True} if spec.kind == "hbar" else value_axis,
        "series": series,
    }


def to_echarts_json(spec: ChartSpec) -> str:
    return json.dumps(to_echarts(spec), ensure_ascii=False)


# --- choropleth --------------------------------------------------------------------------------------

def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return [coords[0]] if coords else []
    if kind == "MultiPolygon":
        return [poly[0] for poly in coords if poly]
    return []


def choropleth_svg(areas: list[tuple[str, str, dict[str, Any], float | None]], *, title: str,
                   legend: str, width_cm: float = 16.0, height_cm: float = 12.0) -> str:
    """A static map: each area (code, name, GeoJSON geometry, value) filled by its value on a
    sequential scale; areas without a value are hatched grey. No tiles, no network."""
    import matplotlib.colors as mcolors

    values = [v for *_, v in areas if v is not None]
    vmax = max(values) if values else 1.0
    norm = mcolors.Normalize(vmin=0, vmax=vmax or 1.0)
    cmap = matplotlib.colormaps["YlGnBu"]
    with plt.rc_context(_style()):
        fig, ax = plt.subplots(figsize=(width_cm / 2.54, height_cm / 2.54))
        patches, colors = [], []
        for _code, _name, geometry, value in areas:
            for ring in _rings(geometry):
                patches.append(Polygon(ring, closed=True))
                colors.append("#eeeeee" if value is None else cmap(norm(value)))
        coll = PatchCollection(patches, facecolor=colors, edgecolor="#555555", linewidths=0.4)
        ax.add_collection(coll)
        for _code, name, geometry, value in areas:
            rings = _rings(geometry)
            if not rings:
                continue
            ring = max(rings, key=len)
            cx = sum(p[0] for p in ring) / len(ring)
            cy = sum(p[1] for p in ring) / len(ring)
            label = name if value is None else f"{name}\n{fmt(value, 0 if float(value).is_integer() else 1)}"
            ax.annotate(label, (cx, cy), ha="center", va="center", fontsize=5.5, color="#222222")
        ax.autoscale_view()
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.set_title(title, loc="left")
        # A legend of five classes drawn as vector patches (a colour bar would be a raster image).
        from matplotlib.patches import Patch

        top = vmax or 1.0
        step = top / 5
        handles = [Patch(facecolor=cmap(norm(step * (i + 0.5))), edgecolor="#555555", linewidth=0.4,
                         label=f"{fmt(step * i, 1)} – {fmt(step * (i + 1), 1)}") for i in range(5)]
        if any(v is None for *_, v in areas):
            handles.append(Patch(facecolor="#eeeeee", edgecolor="#555555", linewidth=0.4, label="–"))
        ax.legend(handles=handles, title=legend, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
                  fontsize=6.5, title_fontsize=7)
        return _svg(fig)


_SVG_TEXT = re.compile(r"<text\b")


def svg_text_count(svg: str) -> int:
    """How many text elements an SVG has (tests use it to check labels were not turned into paths)."""
    return len(_SVG_TEXT.findall(svg))

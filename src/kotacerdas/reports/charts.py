"""One chart description, two renderings: an SVG drawn directly for the PDF and ECharts options for the web.

Numbers are drawn from the same `ChartSpec` in both places, so what the Bupati reads on paper is what the
dashboard shows. The SVG is written here element by element -- axes, bars, lines, polygons and real
``<text>`` -- so the PDF stays vector and searchable and the labels use the report font, DejaVu Sans,
which ships with Debian (fonts-dejavu-core) -- nothing is downloaded. Text is measured with the font's own
advance widths (Pillow, on the system's DejaVu Sans; without it an average glyph width), so labels are placed
as tightly as a plotting library would place them.

Why not matplotlib (used until 2026-11): its SVG for one small chart took ~0.1 s to produce and carried
hundreds of styled elements, clip paths and ``<use>`` references that WeasyPrint then had to parse and
draw again: the four charts of a report cost ~0.6 s, a third of the whole PDF (bench/RESULTS.md, 5).
Elements here carry presentation attributes only (no ``style`` to parse), coordinates are rounded to
0.01 pt and nothing is clipped or referenced.
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

FONT = "DejaVu Sans"
PALETTE = ["#1f5f8b", "#e0892b", "#3a9d5d", "#b94a48", "#7a5ea8", "#8c6d31"]
KINDS = ("bar", "hbar", "radar", "line")
PT_PER_CM = 72 / 2.54
AXIS, GRID, INK, MUTED = "#666666", "#dddddd", "#1d2733", "#222222"
TITLE_SIZE, LABEL_SIZE, SMALL_SIZE = 10.0, 8.5, 7.5
# YlGnBu (ColorBrewer, as in matplotlib), for the choropleth's sequential scale.
YLGNBU = ["#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#253494", "#081d58"]


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


def fmt(v: float, decimals: int = 2) -> str:
    """A number as people in the report's language write it (2,87 in Indonesian, 2.87 in English)."""
    try:
        from django.utils.formats import number_format

        return str(number_format(v, decimals))
    except Exception:  # outside Django (pure use of this module)
        return f"{v:.{decimals}f}"


def _num(v: float | None) -> float:
    return 0.0 if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


# --- text metrics ------------------------------------------------------------------------------------

def _font_file(bold: bool) -> Path | None:
    # The system's DejaVu (Debian's fonts-dejavu-core), the same font WeasyPrint sets the report in.
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
                   Path("/usr/local/share/fonts")):
        if (folder / name).is_file():
            return folder / name
    return None


@lru_cache(maxsize=2)
def _font(bold: bool) -> Any:
    from PIL import ImageFont

    path = _font_file(bold)
    return ImageFont.truetype(str(path), 100) if path is not None else None


@lru_cache(maxsize=4096)
def text_width(text: str, size: float, bold: bool = False) -> float:
    """Advance width of a single-line text in the report font, in the same unit as `size`."""
    font = _font(bold)
    if font is None:  # pragma: no cover - no DejaVu at all: an average glyph width
        return len(text) * size * 0.6
    return float(font.getlength(text)) * size / 100


# --- SVG writing -------------------------------------------------------------------------------------

def _n(v: float) -> str:
    """A coordinate: rounded to 0.01 pt, no trailing zeros."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


class _Svg:
    def __init__(self, width: float, height: float) -> None:
        self.width, self.height = width, height
        self.parts: list[str] = []

    def add(self, element: str) -> None:
        self.parts.append(element)

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str = AXIS, width: float = 0.8) -> None:
        self.add(f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{stroke}" '
                 f'stroke-width="{_n(width)}"/>')

    def rect(self, x: float, y: float, w: float, h: float, fill: str, stroke: str | None = None,
             stroke_width: float = 0.4) -> None:
        extra = f' stroke="{stroke}" stroke-width="{_n(stroke_width)}"' if stroke else ""
        self.add(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(max(w, 0))}" height="{_n(max(h, 0))}" '
                 f'fill="{fill}"{extra}/>')

    def text(self, x: float, y: float, text: str, size: float = LABEL_SIZE, anchor: str = "start",
             bold: bool = False, fill: str = INK, rotate: float | None = None) -> None:
        attrs = f'x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}"'
        if anchor != "start":
            attrs += f' text-anchor="{anchor}"'
        if bold:
            attrs += ' font-weight="bold"'
        if fill != INK:
            attrs += f' fill="{fill}"'
        if rotate:
            attrs += f' transform="rotate({_n(rotate)} {_n(x)} {_n(y)})"'
        self.add(f"<text {attrs}>{escape(text, quote=False)}</text>")

    def render(self) -> str:
        w, h = _n(self.width), _n(self.height)
        return (f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{w}pt" height="{h}pt" '
                f'viewBox="0 0 {w} {h}" font-family="{FONT}, sans-serif" fill="{INK}">'
                + "".join(self.parts) + "</svg>")


def nice_ticks(top: float, most: int = 6) -> list[float]:
    """0, step, 2*step ... up to `top`, with a round step (1, 2, 2.5 or 5 times a power of ten)."""
    if top <= 0:
        return [0.0]
    raw = top / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    count = int(math.floor(top / step + 1e-9))
    return [round(i * step, 10) for i in range(count + 1)]


def _tick_label(v: float, step: float) -> str:
    decimals = 0 if float(step).is_integer() else (1 if float(step * 10).is_integer() else 2)
    return fmt(v, decimals)


def _title_and_legend(svg: _Svg, spec: ChartSpec, right: float) -> float:
    """Draw the title (left) and, for several series, the legend (right); return the y under them."""
    svg.text(0, TITLE_SIZE, spec.title, size=TITLE_SIZE, bold=True)
    if len(spec.series) > 1:
        x = right
        for i in reversed(range(len(spec.series))):
            name = spec.series[i].name
            x -= text_width(name, SMALL_SIZE)
            svg.text(x, TITLE_SIZE, name, size=SMALL_SIZE)
            x -= 10
            svg.rect(x, TITLE_SIZE - 6.5, 7, 7, PALETTE[i % len(PALETTE)])
            x -= 8
    return TITLE_SIZE + 8


def to_svg(spec: ChartSpec) -> str:
    """Render a chart as an inline SVG string with real vector shapes and text."""
    if spec.kind == "radar":
        return _radar(spec)
    if spec.kind == "hbar":
        return _hbar(spec)
    return _columns(spec)


def _value_top(spec: ChartSpec, headroom: float) -> float:
    if spec.value_max is not None:
        return float(spec.value_max) * headroom
    values = [_num(v) for s in spec.series for v in s.values]
    return (max(values) if values and max(values) > 0 else 1.0) * headroom


def _columns(spec: ChartSpec) -> str:
    """Vertical bars ("bar") or a line with markers ("line") over categories."""
    width, height = spec.width_cm * PT_PER_CM, spec.height_cm * PT_PER_CM
    svg = _Svg(width, height)
    n = len(spec.categories)
    top_value = _value_top(spec, 1.12)
    ticks = nice_ticks(top_value)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    tick_labels = [_tick_label(t, step) for t in ticks]
    rotate = n > 6
    label_w = max((text_width(c, LABEL_SIZE) for c in spec.categories), default=0.0)
    bottom_space = (label_w * 0.5 + LABEL_SIZE * 1.2 if rotate else LABEL_SIZE * 1.6) + 4
    left = max((text_width(t, LABEL_SIZE) for t in tick_labels), default=0.0) + 8
    if spec.value_label:
        left += LABEL_SIZE + 4
    plot_top = _title_and_legend(svg, spec, width) + 6
    plot_bottom = height - bottom_space
    right = width - 4
    plot_h = plot_bottom - plot_top

    def y_of(v: float) -> float:
        return plot_bottom - plot_h * min(max(v, 0.0), top_value) / top_value

    for t, label in zip(ticks, tick_labels, strict=True):
        y = y_of(t)
        svg.line(left, y, right, y, stroke=GRID, width=0.6)
        svg.line(left - 3.5, y, left, y)
        svg.text(left - 5.5, y + LABEL_SIZE * 0.35, label, anchor="end")
    if spec.value_label:
        cy = (plot_top + plot_bottom) / 2
        svg.text(LABEL_SIZE, cy, spec.value_label, anchor="middle", rotate=-90)
    slot = (right - left) / max(1, n)
    group = 0.8 / max(1, len(spec.series))
    for i, s in enumerate(spec.series):
        color = PALETTE[i % len(PALETTE)]
        offset = (i - (len(spec.series) - 1) / 2) * group if spec.kind == "bar" else 0.0
        centres = [left + slot * (k + 0.5 + offset) for k in range(n)]
        if spec.kind == "bar":
            bar_w = slot * group * 0.95
            for x, v in zip(centres, s.values, strict=True):
                y = y_of(_num(v))
                svg.rect(x - bar_w / 2, y, bar_w, plot_bottom - y, color)
                if spec.annotations:
                    svg.text(x, y - 2.5, "–" if v is None else fmt(v), size=SMALL_SIZE, anchor="middle")
        else:
            points = [(x, y_of(_num(v))) for x, v in zip(centres, s.values, strict=True)]
            if len(points) > 1:
                path = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
                svg.add(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="1.5"/>')
            for (x, y), v in zip(points, s.values, strict=True):
                svg.add(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3" fill="{color}"/>')
                if spec.annotations and v is not None:
                    svg.text(x, y - 6, fmt(v), size=SMALL_SIZE, anchor="middle")
    svg.line(left, plot_top, left, plot_bottom)
    svg.line(left, plot_bottom, right, plot_bottom)
    for k, c in enumerate(spec.categories):
        x = left + slot * (k + 0.5)
        svg.line(x, plot_bottom, x, plot_bottom + 3.5)
        if rotate:
            svg.text(x + 2, plot_bottom + 6 + LABEL_SIZE * 0.7, c, anchor="end", rotate=-30)
        else:
            svg.text(x, plot_bottom + 5 + LABEL_SIZE, c, anchor="middle")
    return svg.render()


def _hbar(spec: ChartSpec) -> str:
    """Horizontal bars: categories down the left, the first at the top."""
    width, height = spec.width_cm * PT_PER_CM, spec.height_cm * PT_PER_CM
    svg = _Svg(width, height)
    n = len(spec.categories)
    top_value = _value_top(spec, 1.08)
    ticks = nice_ticks(top_value)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    left = max((text_width(c, LABEL_SIZE) for c in spec.categories), default=0.0) + 8
    plot_top = _title_and_legend(svg, spec, width) + 6
    plot_bottom = height - LABEL_SIZE * 1.6 - 4 - (LABEL_SIZE + 4 if spec.value_label else 0)
    value_room = max((text_width(fmt(_num(v)), SMALL_SIZE) for s in spec.series for v in s.values), default=0.0)
    right = width - 4 - (value_room if spec.annotations else 0)

    def x_of(v: float) -> float:
        return left + (right - left) * min(max(v, 0.0), top_value) / top_value

    for t in ticks:
        x = x_of(t)
        svg.line(x, plot_top, x, plot_bottom, stroke=GRID, width=0.6)
        svg.line(x, plot_bottom, x, plot_bottom + 3.5)
        svg.text(x, plot_bottom + 5 + LABEL_SIZE, _tick_label(t, step), anchor="middle")
    if spec.value_label:
        svg.text((left + right) / 2, height - 2, spec.value_label, anchor="middle")
    slot = (plot_bottom - plot_top) / max(1, n)
    group = 0.8 / max(1, len(spec.series))
    for i, s in enumerate(spec.series):
        color = PALETTE[i % len(PALETTE)]
        offset = (i - (len(spec.series) - 1) / 2) * group
        bar_h = slot * group * 0.95
        for k, v in enumerate(s.values):
            y = plot_top + slot * (k + 0.5 + offset)
            x = x_of(_num(v))
            svg.rect(left, y - bar_h / 2, x - left, bar_h, color)
            if spec.annotations:
                svg.text(x + 2.5, y + SMALL_SIZE * 0.35, "–" if v is None else fmt(v), size=SMALL_SIZE)
    svg.line(left, plot_top, left, plot_bottom)
    svg.line(left, plot_bottom, right, plot_bottom)
    for k, c in enumerate(spec.categories):
        y = plot_top + slot * (k + 0.5)
        svg.line(left - 3.5, y, left, y)
        svg.text(left - 5.5, y + LABEL_SIZE * 0.35, c, anchor="end")
    return svg.render()


def _radar(spec: ChartSpec) -> str:
    width, height = spec.width_cm * PT_PER_CM, spec.height_cm * PT_PER_CM
    svg = _Svg(width, height)
    n = len(spec.categories)
    below = _title_and_legend(svg, spec, width)
    label_w = max((text_width(c, LABEL_SIZE) for c in spec.categories), default=0.0)
    cx, cy = width / 2, (below + height) / 2
    radius = max(10.0, min(width / 2 - label_w - 8, (height - below) / 2 - LABEL_SIZE - 6))
    top_value = float(spec.value_max) if spec.value_max is not None else _value_top(spec, 1.0)
    ticks = [t for t in nice_ticks(top_value, most=4) if t > 0]
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0

    def point(k: float, v: float) -> tuple[float, float]:
        angle = 2 * math.pi * k / max(1, n)
        r = radius * min(max(v, 0.0), top_value) / top_value
        return cx + r * math.sin(angle), cy - r * math.cos(angle)

    for t in ticks:
        svg.add(f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(radius * t / top_value)}" fill="none" '
                f'stroke="{GRID}" stroke-width="0.6"/>')
    svg.add(f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(radius)}" fill="none" stroke="{AXIS}" '
            f'stroke-width="0.8"/>')
    for k, c in enumerate(spec.categories):
        x, y = point(k, top_value)
        svg.line(cx, cy, x, y, stroke=GRID, width=0.6)
        angle = 2 * math.pi * k / max(1, n)
        lx, ly = cx + (radius + 6) * math.sin(angle), cy - (radius + 6) * math.cos(angle)
        anchor = "middle" if abs(math.sin(angle)) < 0.2 else ("start" if math.sin(angle) > 0 else "end")
        ly += LABEL_SIZE * 0.35 - math.cos(angle) * LABEL_SIZE * 0.4
        svg.text(lx, ly, c, anchor=anchor)
    for t in ticks:  # the scale, along the bisector of the first two axes (clear of their labels)
        x, y = point(0.5, t)
        svg.text(x + 1.5, y - 1.5, _tick_label(t, step), size=SMALL_SIZE - 0.5, fill=AXIS)
    for i, s in enumerate(spec.series):
        color = PALETTE[i % len(PALETTE)]
        points = " ".join(f"{_n(x)},{_n(y)}" for x, y in (point(k, _num(v)) for k, v in enumerate(s.values)))
        svg.add(f'<polygon points="{points}" fill="{color}" fill-opacity="0.15" stroke="{color}" '
                f'stroke-width="1.5"/>')
    return svg.render()


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


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in rgb)


def sequential_colour(fraction: float) -> str:
    """A colour of the YlGnBu scale for a value in [0, 1] (linear between the nine ColorBrewer steps)."""
    f = max(0.0, min(1.0, fraction)) * (len(YLGNBU) - 1)
    i = min(int(f), len(YLGNBU) - 2)
    a, b = YLGNBU[i], YLGNBU[i + 1]
    t = f - i
    ca = [int(a[j:j + 2], 16) / 255 for j in (1, 3, 5)]
    cb = [int(b[j:j + 2], 16) / 255 for j in (1, 3, 5)]
    return _hex((ca[0] + (cb[0] - ca[0]) * t, ca[1] + (cb[1] - ca[1]) * t, ca[2] + (cb[2] - ca[2]) * t))


def _wrap(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """Words of `text` in lines no wider than `width` (a single long word keeps its own line)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size, bold) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


PRINT_TOLERANCE_PT = 0.35  # a boundary drawn with a 0.4 pt stroke cannot show a finer detail


def simplify_ring(points: list[tuple[float, float]], tolerance: float = PRINT_TOLERANCE_PT) -> list[tuple[float, float]]:
    """Douglas-Peucker on page coordinates: drop the vertices that move the outline by less than
    `tolerance` points. A kecamatan boundary digitised at metre precision has hundreds of vertices a
    printer cannot show, and WeasyPrint parses every one of them (bench/RESULTS.md, 5). The first and
    last vertices are always kept, so shared corners of neighbours stay shared."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        worst, worst_at = 0.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if length == 0:
                d = math.hypot(px - x1, py - y1)
            else:
                d = abs(dy * (px - x1) - dx * (py - y1)) / length
            if d > worst:
                worst, worst_at = d, i
        if worst > tolerance:
            keep[worst_at] = True
            stack.append((first, worst_at))
            stack.append((worst_at, last))
    return [p for p, k in zip(points, keep, strict=True) if k]


def _ring_path(ring: list[list[float]], project: Any) -> str:
    """One closed ring as path data, in page points rounded to 0.1 pt, simplified for print."""
    points = [project(lon, lat) for lon, lat, *_ in ring]
    out = [f"{round(x, 1):g} {round(y, 1):g}" for x, y in simplify_ring(points)]
    deduped = [p for i, p in enumerate(out) if i == 0 or p != out[i - 1]]
    return ("M" + " L".join(deduped) + " Z") if len(deduped) >= 3 else ""


def choropleth_svg(areas: list[tuple[str, str, dict[str, Any], float | None]], *, title: str,
                   legend: str, width_cm: float = 16.0, height_cm: float = 12.0,
                   keys: dict[str, str] | None = None) -> str:
    """A static map: each area (code, name, GeoJSON geometry, value) filled by its value on a
    sequential scale; areas without a value are grey. No tiles, no network.

    With `keys` (code -> a short key such as a row number), each area is labelled with its key only,
    and the table printed with the map gives the key's name and value: as on printed atlas maps, a key
    fits inside a small kecamatan where its name and value overlap the neighbours', and the page draws
    a few characters per area instead of a name and a number."""
    width, height = width_cm * PT_PER_CM, height_cm * PT_PER_CM
    svg = _Svg(width, height)
    svg.text(0, TITLE_SIZE, title, size=TITLE_SIZE, bold=True)
    values = [v for *_, v in areas if v is not None]
    vmax = (max(values) if values else 1.0) or 1.0
    # Legend on the right: five classes (vector patches) and, when some area has no value, "–".
    step = vmax / 5
    classes = [(sequential_colour((i + 0.5) / 5), f"{fmt(step * i, 1)} – {fmt(step * (i + 1), 1)}")
               for i in range(5)]
    if any(v is None for *_, v in areas):
        classes.append(("#eeeeee", "–"))
    label_w = max(text_width(label, 6.5) + 14 for _c, label in classes)
    title_lines = _wrap(legend, 7, max(label_w, width * 0.24), bold=True)
    legend_w = max(label_w, *(text_width(t, 7, bold=True) for t in title_lines))
    lx = width - legend_w - 2
    for i, line in enumerate(title_lines):
        svg.text(lx, TITLE_SIZE + 14 + i * 8.5, line, size=7, bold=True)
    legend_top = TITLE_SIZE + 14 + (len(title_lines) - 1) * 8.5
    for i, (colour, label) in enumerate(classes):
        y = legend_top + 6 + i * 10
        svg.rect(lx, y, 10, 7, colour, stroke="#555555")
        svg.text(lx + 14, y + 6, label, size=6.5)
    # Map: equal scale on both axes (degrees), fitted into the space left of the legend.
    rings_of = [(code, name, _rings(geometry), value) for code, name, geometry, value in areas]
    xs = [p[0] for *_, rings, _v in rings_of for ring in rings for p in ring]
    ys = [p[1] for *_, rings, _v in rings_of for ring in rings for p in ring]
    if xs and ys:
        box_x, box_y, box_w, box_h = 4.0, TITLE_SIZE + 10, lx - 12, height - TITLE_SIZE - 14
        span_x, span_y = (max(xs) - min(xs)) or 1e-6, (max(ys) - min(ys)) or 1e-6
        scale = min(box_w / span_x, box_h / span_y)
        ox = box_x + (box_w - span_x * scale) / 2
        oy = box_y + (box_h - span_y * scale) / 2
        x0, y1 = min(xs), max(ys)

        def project(lon: float, lat: float) -> tuple[float, float]:
            return ox + (lon - x0) * scale, oy + (y1 - lat) * scale

        for _code, _name, rings, value in rings_of:
            colour = "#eeeeee" if value is None else sequential_colour(value / vmax)
            d = " ".join(p for p in (_ring_path(r, project) for r in rings) if p)
            if d:
                svg.add(f'<path d="{d}" fill="{colour}" stroke="#555555" stroke-width="0.4" '
                        f'stroke-linejoin="round"/>')
        for code, name, rings, value in rings_of:
            if not rings:
                continue
            ring = max(rings, key=len)
            cx, cy = project(sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))
            # Dark text on light fills, white on dark ones, so every name stays readable.
            ink = MUTED if value is None or value / vmax < 0.55 else "#ffffff"
            if keys is not None:
                if code in keys:
                    svg.text(cx, cy + 2.5, keys[code], size=7, anchor="middle", bold=True, fill=ink)
            elif value is None:
                svg.text(cx, cy + 2, name, size=5.5, anchor="middle", fill=ink)
            else:
                number = fmt(value, 0 if float(value).is_integer() else 1)
                svg.text(cx, cy - 0.8, name, size=5.5, anchor="middle", fill=ink)
                svg.text(cx, cy + 5.6, number, size=5.5, anchor="middle", fill=ink)
    return svg.render()


_SVG_TEXT = re.compile(r"<text\b")


def svg_texts(svg: str) -> list[str]:
    """The strings of an SVG's text elements, in document order (tests read chart labels with it)."""
    return [t.text or "" for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]


def svg_text_count(svg: str) -> int:
    """How many text elements an SVG has (tests use it to check labels were not turned into paths)."""
    return len(_SVG_TEXT.findall(svg))

"""ECharts option builders. Options are plain JSON (rendered with json_script); every chart on a page
also has its numbers in a table, for screen readers and for people who do not read charts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

PALETTE = ["#0b5cad", "#c2571a", "#1f7a3d", "#7a3f9d", "#9a5b00", "#2a7f8f"]
STATUS_COLOURS = {"running": "#1f7a3d", "planned": "#0b5cad", "stopped": "#8a94a3"}


def _num(v: Any) -> float | None:
    return None if v is None else round(float(v), 2)


def _base(decimals: int | None = None) -> dict[str, Any]:
    """`kcDecimals`: the page's script formats labels and tooltips in the reader's locale with this many
    decimals ("2,80" in Indonesian, "2.80" in English), as the tables beside the chart do."""
    opts: dict[str, Any] = {"color": PALETTE, "animation": False,
                            "textStyle": {"fontFamily": "DejaVu Sans, sans-serif"}, "tooltip": {"trigger": "axis"}}
    if decimals is not None:
        opts["kcDecimals"] = decimals
    return opts


def bars(categories: Sequence[str], series: Mapping[str, Sequence[Any]], *, max_value: float | None = 4,
         horizontal: bool = True, stacked: bool = False, colours: Sequence[str] | None = None) -> dict[str, Any]:
    value_axis: dict[str, Any] = {"type": "value", "min": 0}
    if max_value is not None:
        value_axis["max"] = max_value
    cat_axis: dict[str, Any] = {"type": "category", "data": list(categories)}
    if horizontal:
        cat_axis["inverse"] = True
    opts = _base(2 if max_value is not None else 0)
    opts.update({
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": value_axis if horizontal else cat_axis,
        "yAxis": cat_axis if horizontal else value_axis,
        "series": [
            {"name": name, "type": "bar", "data": [_num(v) for v in values],
             **({"stack": "all"} if stacked else {}),
             **({"itemStyle": {"color": colours[i]}} if colours else {}),
             "label": {"show": not stacked, "position": "right" if horizontal else "top"}}
            for i, (name, values) in enumerate(series.items())
        ],
    })
    return opts


def radar(indicators: Sequence[str], series: Mapping[str, Sequence[Any]], max_value: float = 4) -> dict[str, Any]:
    opts = _base(2)
    opts["tooltip"] = {"trigger": "item"}
    opts.update({
        "legend": {"bottom": 0},
        # Room for the longest pillar name ("Environment") on either side of a narrow card.
        "radar": {"indicator": [{"name": n, "max": max_value} for n in indicators], "radius": "50%",
                  "center": ["50%", "48%"],
                  "axisName": {"color": "#1b2430", "fontSize": 11}},
        "series": [{"type": "radar", "data": [{"name": name, "value": [_num(v) for v in values]}
                                              for name, values in series.items()]}],
    })
    return opts


def line(x: Sequence[Any], series: Mapping[str, Sequence[Any]], max_value: float | None = 4,
         decimals: int | None = None, labels: bool = True) -> dict[str, Any]:
    """``decimals`` formats labels and tooltips in the reader's locale (default: 2 on a 0..max scale,
    none for counts); ``labels`` False leaves point labels to the tooltip (long monthly series)."""
    opts = _base(decimals if decimals is not None else (2 if max_value is not None else None))
    y: dict[str, Any] = {"type": "value", "min": 0}
    if max_value is not None:
        y["max"] = max_value
    opts.update({
        "grid": {"left": 8, "right": 16, "top": 24, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [str(v) for v in x]}, "yAxis": y,
        "series": [{"name": name, "type": "line", "data": [_num(v) for v in values], "connectNulls": True,
                    "label": {"show": labels}, "symbolSize": 8 if labels else 5}
                   for name, values in series.items()],
    })
    return opts


def sparkline(values: Sequence[Any]) -> dict[str, Any]:
    return {"animation": False, "grid": {"left": 2, "right": 2, "top": 2, "bottom": 2},
            "xAxis": {"type": "category", "show": False}, "yAxis": {"type": "value", "show": False, "scale": True},
            "series": [{"type": "line", "data": [_num(v) for v in values], "symbol": "none",
                        "lineStyle": {"color": PALETTE[0], "width": 2}}]}


def histogram(values: Sequence[Any], *, lo: float = 0, hi: float = 4, step: float = 0.25,
              highlight: float | None = None) -> tuple[dict[str, Any], list[tuple[str, int]]]:
    """Counts per bin [a, b) (the last bin closed); returns the options and the table rows."""
    edges = []
    a = lo
    while a < hi - 1e-9:
        edges.append((a, min(hi, a + step)))
        a += step
    counts = [0] * len(edges)
    for v in values:
        f = float(v)
        for i, (x0, x1) in enumerate(edges):
            if x0 <= f < x1 or (i == len(edges) - 1 and f == x1):
                counts[i] += 1
                break
    from django.utils.translation import get_language

    from kotacerdas.lib.formatting import format_number

    lang = get_language() or "id"
    labels = [f"{format_number(x0, 2, lang)}–{format_number(x1, 2, lang)}" for x0, x1 in edges]
    colours = [PALETTE[1] if highlight is not None and (x0 <= highlight < x1 or (i == len(edges) - 1 and
               highlight == x1)) else PALETTE[0] for i, (x0, x1) in enumerate(edges)]
    opts = _base()
    opts.update({
        "grid": {"left": 8, "right": 16, "top": 16, "bottom": 8, "containLabel": True},
        # The axis names each bin by its lower edge (the table beside it gives the full range); ECharts
        # drops labels that would overlap instead of printing them on top of each other.
        "xAxis": {"type": "category", "data": [label.split("–")[0] for label in labels],
                  "axisLabel": {"interval": "auto", "hideOverlap": True}},
        "tooltip": {"trigger": "axis"},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"type": "bar", "data": [{"value": c, "itemStyle": {"color": col}}
                                            for c, col in zip(counts, colours, strict=True)]}],
    })
    return opts, list(zip(labels, counts, strict=True))

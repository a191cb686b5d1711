"""The PDF *Laporan Hasil Evaluasi* of one region and cycle: HTML templates rendered by WeasyPrint, with
vector charts (SVG written by `charts`) and a static choropleth of the kecamatan. Indonesian by default,
English on request; page numbers via CSS paged media; fonts from the system (DejaVu Sans).

What a report costs is WeasyPrint's layout and drawing (bench/RESULTS.md, 5), so the templates avoid what
it is slow at: automatic table widths (tables use ``table-layout: fixed`` with widths in the first row),
flex boxes, ``leader()``, ``<br>`` inside table cells, and heavy SVG. Fonts are subset with HarfBuzz when
libharfbuzz-subset is installed (README), else with fontTools (~0.3 s more per report)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from kotacerdas.core.gcpause import old_objects_frozen
from kotacerdas.evaluations.models import Cycle
from kotacerdas.regions.models import Region

from . import sections

Progress = Callable[[int, str], None]
MAX_BYTES = 5 * 1024 * 1024


def _noop(pct: int, step: str) -> None:
    return None


def render_html(region: Region, cycle: Cycle, language: str = "id", progress: Progress = _noop) -> str:
    with translation.override(language):
        progress(5, "data")
        data = sections.collect(region, cycle, language)
        built = sections.build_sections(data, progress)
        context: dict[str, Any] = {
            "region": region, "cycle": cycle, "pack": data.pack, "data": data, "score": data.score,
            "sections": built, "generated_at": timezone.localtime(), "language": language,
            "toc": [s for s in built if s["key"] != "cover"],
        }
        return render_to_string("reports/pdf/report.html", context)


def render_pdf(region: Region, cycle: Cycle, language: str = "id", progress: Progress = _noop) -> tuple[bytes, int]:
    """The PDF bytes and page count."""
    from weasyprint import HTML

    html = render_html(region, cycle, language, progress)
    progress(85, "pdf")
    # ~10 % of a report: full collections walking the process's long-lived objects (core.gcpause).
    with old_objects_frozen():
        document = HTML(string=html, base_url=None).render()
        pages = len(document.pages)
        pdf = document.write_pdf()
    if pdf is None:  # pragma: no cover - write_pdf without a target always returns bytes
        raise RuntimeError("WeasyPrint returned no PDF")
    progress(98, "pdf")
    return pdf, pages

"""The PDF *Laporan Hasil Evaluasi* of one region and cycle: HTML templates rendered by WeasyPrint, with
vector charts (matplotlib SVG) and a static choropleth of the kecamatan. Indonesian by default,
English on request; page numbers via CSS paged media; fonts from the system (DejaVu Sans)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

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
    document = HTML(string=html, base_url=None).render()
    pages = len(document.pages)
    pdf = document.write_pdf()
    if pdf is None:  # pragma: no cover - write_pdf without a target always returns bytes
        raise RuntimeError("WeasyPrint returned no PDF")
    progress(98, "pdf")
    return pdf, pages

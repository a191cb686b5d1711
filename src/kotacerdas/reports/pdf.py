"""The PDF *Laporan Hasil Evaluasi* of one region and cycle: HTML templates rendered by WeasyPrint, with
vector charts (SVG written by `charts`) and a static choropleth of the kecamatan. Indonesian by default,
English on request; page numbers via CSS paged media; fonts from the system (DejaVu Sans).

What a report costs is WeasyPrint's layout and drawing (bench/RESULTS.md, 5), so the templates avoid what
it is slow at: automatic table widths (tables use ``table-layout: fixed`` with widths in the first row),
flex boxes, ``leader()``, ``<br>`` inside table cells, and heavy SVG; and the cascade uses a user-agent
stylesheet of the report's own (pdf_ua.css). Fonts are subset with HarfBuzz when libharfbuzz-subset is
installed (README), else with fontTools (~0.3 s more per report)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from kotacerdas.catalogue.queries import built_from_demo
from kotacerdas.core.gcpause import old_objects_frozen
from kotacerdas.evaluations.models import Cycle
from kotacerdas.regions.models import Region

from . import sections
from .choices import STEP_DATA, STEP_PDF

Progress = Callable[[int, str], None]
MAX_BYTES = 5 * 1024 * 1024


def _noop(pct: int, step: str) -> None:
    return None


def render_html(region: Region, cycle: Cycle, language: str = "id", progress: Progress = _noop) -> str:
    with translation.override(language):
        progress(5, STEP_DATA)
        data = sections.collect(region, cycle, language)
        built = sections.build_sections(data, progress)
        context: dict[str, Any] = {
            "region": region, "cycle": cycle, "pack": data.pack, "data": data, "score": data.score,
            "sections": built, "generated_at": timezone.localtime(), "language": language,
            "toc": [s for s in built if s["key"] != "cover"],
            "demo": built_from_demo(region, cycle),
        }
        return render_to_string("reports/pdf/report.html", context)


UA_STYLESHEET = Path(__file__).with_name("pdf_ua.css")


@cache
def _report_html_class() -> Any:
    from weasyprint import CSS, HTML

    ua = CSS(filename=str(UA_STYLESHEET))

    class ReportHTML(HTML):  # type: ignore[misc]  # WeasyPrint has no type hints
        """Cascaded with the report's own user-agent stylesheet (pdf_ua.css: WeasyPrint's rules for the
        elements the templates use) instead of WeasyPrint's whole HTML5 sheet, whose [dir], [hidden]
        and form rules are tested against every element (8 % of a report's calls)."""

        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            return [ua]

    return ReportHTML


def report_html(html: str) -> Any:
    """The report's HTML as a WeasyPrint document source, ready to `render()`."""
    return _report_html_class()(string=html, base_url=None)


def render_pdf(region: Region, cycle: Cycle, language: str = "id", progress: Progress = _noop) -> tuple[bytes, int]:
    """The PDF bytes and page count."""
    html = render_html(region, cycle, language, progress)
    progress(85, STEP_PDF)
    # ~10 % of a report: full collections walking the process's long-lived objects (core.gcpause).
    with old_objects_frozen():
        document = report_html(html).render()
        pages = len(document.pages)
        pdf = document.write_pdf()
    if pdf is None:  # pragma: no cover - write_pdf without a target always returns bytes
        raise RuntimeError("WeasyPrint returned no PDF")
    progress(98, STEP_PDF)
    return pdf, pages

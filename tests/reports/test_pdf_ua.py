"""The report's own user-agent stylesheet (reports/pdf_ua.css) lays the report out exactly as WeasyPrint's
whole HTML5 sheet does: every box on every page in the same place, with the same size, text and font,
and the same links, anchors and PDF outline."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from weasyprint import CSS, HTML

from kotacerdas.evaluations.models import Cycle
from kotacerdas.regions.models import Region
from kotacerdas.reports import pdf

TEMPLATES = Path(pdf.__file__).parent / "templates" / "reports" / "pdf"
# Elements whose look comes from report.html alone: WeasyPrint's sheet has no rule for them either
# (img and a get theirs from :link and `img, svg`).
UNSTYLED = {"span", "a", "img"}


def layout(document: Any) -> list[tuple[Any, ...]]:
    """Every box of every page (kind, element, position, size, text, colour and font), then the links,
    anchors and bookmarks."""
    out: list[tuple[Any, ...]] = []

    def walk(box: Any, page: int, depth: int) -> None:
        style = box.style
        size = tuple(round(v, 3) if isinstance(v, float) else v for v in (box.width, box.height))
        out.append((page, depth, type(box).__name__, getattr(box, "element_tag", None),
                    round(box.position_x, 3), round(box.position_y, 3), *size, getattr(box, "text", None),
                    str(style["color"]), style["font_size"], style["font_weight"], tuple(style["font_family"])))
        for child in getattr(box, "children", None) or []:
            walk(child, page, depth + 1)

    for n, page in enumerate(document.pages):
        walk(page._page_box, n, 0)
        out.append(("links", n, tuple((kind, target) for kind, target, *_ in page.links)))
        out.append(("anchors", n, tuple(sorted(page.anchors))))
    out.append(("bookmarks", repr(document.make_bookmark_tree())))
    return out


@pytest.mark.django_db
@pytest.mark.parametrize(("year", "language"), [(2023, "en"), (2024, "id")])
def test_the_report_is_laid_out_box_for_box_as_with_weasyprints_own_sheet(year: int, language: str) -> None:
    html = pdf.render_html(Region.objects.get(code="16.07"), Cycle.objects.get(year=year, pack_code="kominfo-2021"), language)
    ours, theirs = pdf.report_html(html).render(), HTML(string=html).render()
    assert len(ours.pages) == len(theirs.pages) >= 8
    mine, reference = layout(ours), layout(theirs)
    assert len(mine) > 1500  # the whole report, not an empty walk
    first_difference = next((pair for pair in zip(mine, reference, strict=True) if pair[0] != pair[1]), None)
    assert first_difference is None, first_difference


def test_the_comparison_sees_a_missing_rule() -> None:
    """If pdf_ua.css lost a rule the report relies on, the test above would say so."""
    html = "<table><thead><tr><th>Kecamatan</th></tr></thead><tbody><tr><td>Betung</td></tr></tbody></table>"
    without_bold = CSS(string=pdf.UA_STYLESHEET.read_text().replace("b, strong, th { font-weight: bold }", ""))

    class Lighter(HTML):
        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            return [without_bold]

    assert layout(pdf.report_html(html).render()) == layout(HTML(string=html).render())
    assert layout(Lighter(string=html).render()) != layout(HTML(string=html).render())


def test_the_templates_use_only_elements_the_sheet_covers() -> None:
    sheet = re.sub(r"/\*.*?\*/", "", pdf.UA_STYLESHEET.read_text(), flags=re.S)
    selectors = " ".join(re.findall(r"([^{}]*)\{", sheet))
    covered = set(re.findall(r"(?<![\w.:#-])([a-z][a-z0-9]*)\b", selectors)) | UNSTYLED
    used: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"<([a-z][a-z0-9]*)\b", template.read_text()))
    assert {"table", "td", "h2", "section"} <= used
    assert used <= covered, sorted(used - covered)

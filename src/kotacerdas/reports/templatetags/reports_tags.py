from __future__ import annotations

import base64

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def svgimg(svg: str | None, alt: str = "") -> str:
    """An SVG chart as an <img> with a data URI: WeasyPrint draws it as vector shapes and text, and the
    ids inside each chart cannot clash with those of another chart on the page."""
    if not svg:
        return ""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return format_html('<img class="svg" alt="{}" src="data:image/svg+xml;base64,{}">', alt, data)

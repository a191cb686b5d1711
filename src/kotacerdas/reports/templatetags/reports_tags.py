from __future__ import annotations

import base64
from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

from kotacerdas.lib.formatting import format_plain, localize_numbers

register = template.Library()


@register.filter
def svgimg(svg: str | None, alt: str = "") -> str:
    """An SVG chart as an <img> with a data URI: WeasyPrint draws it as vector shapes and text, and the
    ids inside each chart cannot clash with those of another chart on the page."""
    if not svg:
        return ""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return format_html('<img class="svg" alt="{}" src="data:image/svg+xml;base64,{}">', alt, data)


@register.filter
def angka_teks(value: object) -> str:
    """The decimal numbers inside an engine formula in the reader's notation (the web's filter of the same name)."""
    return localize_numbers("" if value is None else str(value), get_language())


@register.filter
def change_value(value: object) -> str:
    """One side of an import change, for people: lists joined, empty as a dash, yes/no for flags."""
    from django.utils.translation import gettext

    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return gettext("ya") if value else gettext("tidak")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, int | float | Decimal):
        return format_plain(value, get_language())
    text = str(value)
    return text if len(text) <= 120 else text[:119] + "…"


@register.filter
def change_field(name: str) -> str:
    from django.utils.translation import gettext

    labels = {
        "level": gettext("Tingkat"), "justification": gettext("Penjelasan"), "programme": gettext("Program"),
        "links": gettext("Tautan bukti"), "title": gettext("Nama program"), "owner": gettext("Unit pemilik"),
        "subdimension": gettext("Sub-dimensi"), "sector": gettext("Sektor"), "start_year": gettext("Tahun mulai"),
        "status": gettext("Status"), "quick_win": "Quick Win", "is_application": gettext("Aplikasi"),
        "url": gettext("Alamat aplikasi"), "platform": gettext("Platform"),
        "target_group": gettext("Kelompok sasaran"), "description": gettext("Deskripsi"),
    }
    return labels.get(name, name)

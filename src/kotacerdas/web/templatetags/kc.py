"""Template filters and tags of the web UI: Indonesian formatting, formulas, guarded links."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language

from kotacerdas.core import packtext
from kotacerdas.lib import formatting

register = template.Library()


def _lang() -> str:
    return get_language() or "id"


@register.filter
def pack_name(obj: Any) -> str:
    """A rubric item's name in the reader's language (``name_en`` in English when the pack has it)."""
    return packtext.name(obj)


@register.filter
def level_rows(node: Any) -> list[tuple[int, str]]:
    """``(level, descriptor)`` of an indicator in the reader's language, falling back to Indonesian."""
    return packtext.level_rows(node) if node is not None else []


@register.filter
def tanggal(value: Any) -> str:
    """dd MMM yyyy in the active language ("05 Agu 2024")."""
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        from django.utils import timezone

        value = timezone.localtime(value)
    return formatting.format_date(value, _lang())


@register.filter
def tanggal_waktu(value: Any) -> str:
    if value is None:
        return formatting.format_datetime(None)
    from django.utils import timezone

    return formatting.format_datetime(timezone.localtime(value), _lang())


@register.filter
def rupiah(value: Any, compact: Any = False) -> str:
    return formatting.format_rupiah(value, _lang(), compact=bool(compact))


@register.filter
def angka(value: Any, decimals: Any = 2) -> str:
    return formatting.format_number(value, int(decimals), _lang())


@register.filter
def angka_teks(value: Any) -> str:
    """The decimal numbers inside a machine-made text (an engine formula) in the reader's notation."""
    return formatting.localize_numbers("" if value is None else str(value), _lang())


@register.filter
def angka_polos(value: Any) -> str:
    """A stored number with the digits it has, in the reader's notation ("60.00" -> "60")."""
    return formatting.format_plain(value, _lang())


@register.filter
def persen(value: Any, decimals: Any = 0) -> str:
    return formatting.format_percent(value, int(decimals), _lang())


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """dict lookup in a template: {{ d|get:key }}."""
    if mapping is None:
        return None
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def bar_width(value: Any, maximum: Any = 4) -> str:
    """A CSS width in percent for a value on a 0..maximum scale, clamped (a dot as decimal mark)."""
    try:
        v = float(value) / float(maximum) * 100
    except (TypeError, ValueError, ZeroDivisionError):
        return "0"
    return f"{max(0.0, min(100.0, v)):.1f}"


@register.simple_tag
def optional_url(name: str, *args: Any) -> str:
    """The URL of a page another app may not have built yet; empty when it does not exist."""
    for candidate in (name, f"web:{name}"):
        try:
            return reverse(candidate, args=args)
        except NoReverseMatch:
            continue
    return ""


@register.inclusion_tag("web/_formula.html")
def formula(trace: Any, code: str, label: str = "") -> dict[str, Any]:
    """The engine's trace step for one number, one click away ("Rumus")."""
    step = None
    for s in trace or ():
        data = s.to_dict() if hasattr(s, "to_dict") else s
        if data.get("node") == code:
            step = data
            break
    return {"step": step, "label": label, "code": code}


@register.simple_tag(takes_context=True)
def nav_links(context: Any) -> list[dict[str, Any]]:
    """The main navigation for the person looking: everyone gets the portal and the map."""
    from django.utils.translation import gettext

    from kotacerdas.accounts import roles
    from kotacerdas.accounts.choices import Role
    from kotacerdas.reports.rules import can_report_region

    request = context.get("request")
    user = getattr(request, "user", None)
    links = [(reverse("web:home"), gettext("Beranda")), (reverse("web:portal"), gettext("Portal publik")),
             (reverse("web:national_map"), gettext("Peta nasional"))]
    if user is not None and user.is_authenticated:
        if roles.is_national_admin(user) or roles.has_role(user, Role.ASSESSOR):
            links.append((reverse("web:national"), gettext("Nasional")))
        if roles.is_national_admin(user):
            links.append((reverse("web:admin_home"), gettext("Kelola")))
        home = roles.home_region(user)
        if home and not roles.has_role(user, Role.ASSESSOR):
            links.append((reverse("web:dashboard", args=[home]), gettext("Dasbor")))
            links.append((reverse("web:programmes", args=[home]), gettext("Katalog")))
            if can_report_region.test(user, home):
                links.append((reverse("web:reports", args=[home]), gettext("Laporan")))
            if home in roles.regions_for(user, Role.COORDINATOR):
                links.append((reverse("web:region_people", args=[home]), gettext("Pengguna")))
    path = getattr(request, "path", "")
    return [{"url": u, "label": label, "current": u == path} for u, label in links]


INDEX_CLASSES = [  # six classes on the 0–4 index scale; colour-blind-safe sequential blues
    {"min": 0.0, "max": 1.5, "colour": "#eff3ff"}, {"min": 1.5, "max": 2.0, "colour": "#c6dbef"},
    {"min": 2.0, "max": 2.5, "colour": "#9ecae1"}, {"min": 2.5, "max": 3.0, "colour": "#6baed6"},
    {"min": 3.0, "max": 3.5, "colour": "#3182bd"}, {"min": 3.5, "max": 4.0, "colour": "#08519c"},
]


@register.simple_tag
def index_classes() -> list[dict[str, Any]]:
    return INDEX_CLASSES


@register.simple_tag
def reach_classes(values: Any) -> list[dict[str, Any]]:
    """Five equal-width classes over the observed range of a reach metric."""
    nums = [float(v) for v in (values or []) if v is not None]
    colours = ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"]
    if not nums:
        return [{"min": 0, "max": 1, "colour": c} for c in colours[:1]]
    lo, hi = min(nums), max(nums)
    step = (hi - lo) / 5 or 1
    return [{"min": lo + i * step, "max": lo + (i + 1) * step, "colour": c} for i, c in enumerate(colours)]


@register.filter
def shown_name(region: Any) -> str:
    """A region's name beside its figures: "Kota Bandung (sintetis)" while the demo's invented figures
    for it are loaded (core.provenance); the official name otherwise."""
    from kotacerdas.core.provenance import region_label

    return region_label(region)


@register.filter
def anchor(code: str) -> str:
    """The HTML id of an indicator's card/row (the same as views.assessment.anchor)."""
    return "i-" + str(code).replace(".", "-").replace("_", "-")

"""Where a figure comes from, and whether the demo's invented figures are loaded.

Provenance of the rows people read as results (``Participation`` and ``Result`` carry a
``provenance`` field; every other row the demo creates carries ``is_demo`` or hangs under a demo
cycle, programme or survey, and is demo by its parent):

* ``entered``          — entered or computed in this installation (the default; real work),
* ``demo``             — demo scaffolding: accounts, catalogue, the Banyuasin 2024 self-assessment,
* ``synthetic``        — invented figures: peer regions' answers and results, survey responses, KPI values,
* ``published_source`` — copied from a public source (Banyuasin's index 2021 2,79 and 2023 2,87, Quick Win 2,7).

``demo_state()`` answers "is any synthetic data loaded, and for which regions" from the default cache
(shared by every process of the installation; the demo command clears it when it loads or archives the
demo, a short time to live bounds anything else). Pages show the DEMO banner while it is loaded and
name synthetic peers "Kota Bandung (sintetis)" — the Region rows keep their official names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import models, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Provenance(models.TextChoices):
    ENTERED = "entered", _("dientri")
    DEMO = "demo", _("demo")
    SYNTHETIC = "synthetic", _("sintetis")
    PUBLISHED_SOURCE = "published_source", _("sumber terbitan")


CACHE_KEY = "kotacerdas:demo-state:v1"
TTL = 120  # seconds; the demo command clears the key, this bounds edits made some other way


@dataclass(frozen=True)
class DemoState:
    loaded: bool = False
    synthetic_regions: frozenset[str] = field(default_factory=frozenset)

    @property
    def token(self) -> str:
        """Part of every page-cache key: a body rendered with the demo loaded is never served without."""
        return f"demo{len(self.synthetic_regions)}" if self.loaded else "real"


# Each app that holds demo or synthetic rows says so through a probe it registers in its AppConfig.ready():
# () -> (any demo row loaded?, codes of regions with synthetic figures). Core knows none of the apps.
DemoProbe = Callable[[], tuple[bool, set[str]]]
_PROBES: list[DemoProbe] = []


def register_demo_probe(probe: DemoProbe) -> None:
    if probe not in _PROBES:
        _PROBES.append(probe)


def _compute() -> DemoState:
    loaded = False
    synthetic: set[str] = set()
    for probe in _PROBES:
        probe_loaded, probe_synthetic = probe()
        loaded = loaded or probe_loaded
        synthetic |= probe_synthetic
    return DemoState(loaded=loaded or bool(synthetic), synthetic_regions=frozenset(synthetic))


def demo_state() -> DemoState:
    state = cache.get(CACHE_KEY)
    if not isinstance(state, DemoState):
        try:
            state = _compute()
        except Exception:  # noqa: BLE001 -- no tables yet (before migrate) or the database is down
            return DemoState()
        cache.set(CACHE_KEY, state, TTL)
    return state


def forget() -> None:
    """Clear the cached state now and again when the surrounding transaction commits (another process
    may have re-read the old state in between). The demo's rows are written in bulk, not through actions:
    every cached page is stale, so the global data version is bumped too (core.dataversion)."""
    from . import dataversion

    dataversion.bump(dataversion.GLOBAL)
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


def synthetic_name(name: str) -> str:
    return gettext("%(name)s (sintetis)") % {"name": name}


def display_name(region_code: str, name: str, provenance: str | None = None) -> str:
    """The name to show beside a region's figures: decorated when its figures are synthetic, from the
    row's own provenance when given, else from the loaded demo's list of synthetic regions."""
    if provenance is not None:
        return synthetic_name(name) if provenance == Provenance.SYNTHETIC else name
    return synthetic_name(name) if region_code in demo_state().synthetic_regions else name


def region_label(region: Any) -> str:
    return display_name(region.code, region.name)


DEMO_SHEET = "DATA DEMO"


def mark_workbook(wb: Any) -> None:
    """An Excel export built from demo data: a first sheet (opened first, red tab) saying so. Importers
    read their sheets by name or skip this one (``DEMO_SHEET``), so a marked export imports unchanged."""
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(DEMO_SHEET, 0)
    ws.sheet_properties.tabColor = "B3261E"
    lines = [
        (gettext("DATA DEMO — angka sintetis, bukan hasil resmi"), Font(bold=True, size=16, color="B3261E")),
        ("DEMO DATA — synthetic figures, not official results", Font(bold=True, size=12, color="B3261E")),
        (gettext("Berkas ini dibuat dari data demo kotacerdas. Wilayah bertanda “(sintetis)” memakai angka karangan, "
                 "bukan hasil evaluasi daerah itu. Indeks Kabupaten Banyuasin 2021 (2,79) dan 2023 (2,87, Quick "
                 "Win 2,7) berasal dari sumber terbitan; rincian dimensinya sintetis. Jangan disebarkan sebagai "
                 "hasil resmi."), Font(size=11)),
    ]
    for row, (text, font) in enumerate(lines, start=1):
        cell = ws.cell(row=row, column=1, value=text)
        cell.font = font
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 110
    ws.row_dimensions[3].height = 60
    wb.active = 0
    for sheet in wb.worksheets[1:]:
        sheet.sheet_view.tabSelected = False


def first_data_sheet(wb: Any) -> Any:
    """The first sheet of a workbook that is not the demo notice."""
    return next((ws for ws in wb.worksheets if ws.title != DEMO_SHEET), wb.worksheets[0])

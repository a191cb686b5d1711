"""One row of the action-plan workbook as a declarative schema (see :mod:`kotacerdas.core.rows`).

:class:`PlanRow` turns a row's raw cells into the typed values ``actions.do_create_item`` /
``do_update_item`` take, checking every column; :class:`Lookups` holds what the converters look names up
in (one set of queries per import). Matching rows to existing items, permissions and the optimistic lock
are the importer's (``excel.build_plan``): they are about the plan, not about one row's cells.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from pydantic import ValidationInfo, field_validator

from kotacerdas.catalogue.models import Pillar, Programme, Unit
from kotacerdas.core.rows import OptionalDate, OptionalDecimal, Problem, RowSchema, Text, fail, to_decimal
from kotacerdas.core.sheets import cell_text
from kotacerdas.evaluations.models import Cycle, Feedback
from kotacerdas.regions.models import Region

from . import actions, queries
from .choices import ActionStatus, ProgressMode
from .models import ActionItem, progress

# How far a typed Capaian (%) may differ from the computed value (rounding in Excel) before it is refused.
PERCENT_TOLERANCE = Decimal("0.5")
CENT = Decimal("0.01")


class Lookups:
    """Names a cell may hold, per vocabulary (compared case-insensitively), and the region's items."""

    def __init__(self, region: Region, cycle: Cycle) -> None:
        self.region, self.cycle = region, cycle
        self.units: dict[str, int] = {}
        for u in Unit.objects.active().filter(region=region):
            for key in (u.name, u.short_name):
                if key:
                    self.units[key.strip().casefold()] = u.pk
        self.categories: dict[str, str] = {}
        for c in queries.categories(cycle):
            for key in (c.code, c.name, c.name_en or ""):
                if key:
                    self.categories[key.casefold()] = c.code
        self.statuses: dict[str, str] = {}
        self.modes: dict[str, str] = {}
        # Labels in either language are accepted: a workbook exported in English imports in Indonesian.
        for lang in ("id", "en"):
            with translation.override(lang):
                self.statuses.update({k.casefold(): s.value for s in ActionStatus for k in (s.value, str(s.label))})
                self.modes.update({k.casefold(): m.value for m in ProgressMode for k in (m.value, str(m.label))})
        self.pillars = {k.casefold(): p.code for p in Pillar.objects.all() for k in (p.code, p.name)}
        self.programmes = {code.casefold(): pk for code, pk in
                           Programme.objects.active().filter(region=region).values_list("code", "pk")}
        self.feedback = set(Feedback.objects.filter(submission__region=region).values_list("pk", flat=True))
        items = list(ActionItem.objects.active().filter(region=region, cycle=cycle))
        self.items = {i.code: i for i in items}
        self.by_natural = {(i.title.strip().casefold(), i.category, i.owner_id): i for i in items}


def _lookups(info: ValidationInfo) -> Lookups:
    assert info.context is not None, "PlanRow is validated with context={'lookups': Lookups(...)}"
    lookups: Lookups = info.context["lookups"]
    return lookups


def _pick(value: Any, info: ValidationInfo, table: str, what: str, *, required: str = "") -> Any:
    """The code/id a cell names in ``lookups.<table>``; ``required`` is the message for a blank cell."""
    text = cell_text(value)
    if not text:
        if required:
            raise fail(required)
        return None
    found = getattr(_lookups(info), table).get(text.casefold())
    if found is None:
        raise fail(_("%(what)s tidak dikenal: %(value)r") % {"what": what, "value": text})
    return found


def _cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENT)


class PlanRow(RowSchema):
    """One row of the 'Rencana Aksi' sheet; field names are the column keys of ``excel.COLUMNS``."""

    code: Text = ""
    title: Text = ""
    category: str | None = None
    owner: int | None = None
    pillar: str | None = None
    programme: int | None = None
    recommendation: int | None = None
    target: Text = ""
    progress_mode: str = ProgressMode.STATUS
    target_value: OptionalDecimal = None
    realised_value: OptionalDecimal = None
    measure_unit: Text = ""
    start_on: OptionalDate = None
    due_on: OptionalDate = None
    status: str | None = None
    percent: OptionalDecimal = None
    evidence_url: Text = ""
    description: Text = ""
    version: int | None = None

    @field_validator("title", mode="after")
    @classmethod
    def _title(cls, value: str) -> str:
        if not value:
            raise fail(_("Kegiatan wajib diisi"))
        return value

    @field_validator("category", mode="before")
    @classmethod
    def _category(cls, value: Any, info: ValidationInfo) -> Any:
        return _pick(value, info, "categories", _("Kategori"), required=_("Kategori wajib diisi"))

    @field_validator("owner", mode="before")
    @classmethod
    def _owner(cls, value: Any, info: ValidationInfo) -> Any:
        return _pick(value, info, "units", _("Unit di %(region)s") % {"region": _lookups(info).region.name},
                     required=_("Unit pemilik wajib diisi"))

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any, info: ValidationInfo) -> Any:
        return _pick(value, info, "statuses", _("Status (pilih Belum mulai, Berjalan atau Selesai)"),
                     required=_("Status wajib diisi"))

    @field_validator("progress_mode", mode="before")
    @classmethod
    def _mode(cls, value: Any, info: ValidationInfo) -> Any:
        return _pick(value, info, "modes", _("Cara hitung")) or ProgressMode.STATUS

    @field_validator("pillar", mode="before")
    @classmethod
    def _pillar(cls, value: Any, info: ValidationInfo) -> Any:
        return _pick(value, info, "pillars", _("Pilar"))

    @field_validator("programme", mode="before")
    @classmethod
    def _programme(cls, value: Any, info: ValidationInfo) -> Any:
        return _pick(value, info, "programmes", _("Kode program"))

    @field_validator("recommendation", mode="before")
    @classmethod
    def _recommendation(cls, value: Any, info: ValidationInfo) -> int | None:
        text = cell_text(value)
        if not text:
            return None
        if not text.isdigit() or int(text) not in _lookups(info).feedback:
            raise fail(_("Rekomendasi %(value)r tidak ada untuk wilayah ini") % {"value": text})
        return int(text)

    @field_validator("target_value", "realised_value", mode="after")
    @classmethod
    def _to_cents(cls, value: Decimal | None) -> Decimal | None:
        return _cents(value)

    @field_validator("percent", mode="before")
    @classmethod
    def _percent(cls, value: Any, info: ValidationInfo) -> Decimal | None:
        number = to_decimal(value, (info.context or {}).get("decimal", ""))
        if number is not None and not 0 <= number <= 100:
            raise fail(_("Capaian (%%) harus di antara 0 dan 100, bukan %(value)s") % {"value": cell_text(value)})
        return number

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> int | None:
        text = cell_text(value)
        if text and not text.isdigit():
            raise fail(_("Versi harus bilangan bulat: %(value)r") % {"value": text})
        return int(text) if text else None

    def values(self) -> dict[str, Any]:
        """The item's values as the actions take them (no code, typed percent or version)."""
        return self.model_dump(exclude={"code", "percent", "version"})

    def row_checks(self, context: Mapping[str, Any]) -> Iterable[Problem]:
        look: Lookups = context["lookups"]
        if self.percent is not None:
            computed, formula = progress(self.progress_mode, self.status or "", self.target_value,
                                         self.realised_value)
            # The column as exported (the item's stored percent) is left alone by whoever changed the target
            # or the realisation: it is recomputed. Only a percent typed over is refused.
            item = look.items.get(self.code) if self.code else None
            as_exported = item is not None and abs(item.percent - self.percent) <= PERCENT_TOLERANCE
            if abs(computed - self.percent) > PERCENT_TOLERANCE and not as_exported:
                yield Problem("percent", _("Capaian (%%) dihitung otomatis (%(formula)s); ubah Status, Target "
                                           "angka atau Realisasi, bukan kolom ini") % {"formula": formula})
                return
        for key, message in actions.check_values(self.values(), cycle=look.cycle,
                                                 region_code=look.region.code).items():
            yield Problem(key, message)

"""One row of the programme catalogue file (.xlsx or .csv, the columns of ``kotacerdas export programmes``)
as a declarative schema (see :mod:`kotacerdas.core.rows`).

:class:`ProgrammeRow` turns a row's cells into the values ``catalogue.actions.do_create_programme`` /
``do_update_programme`` take, checking every column (a row reports all its problems at once);
:class:`ProgrammeLookups` holds the region's units and the sub-dimensions. Duplicate codes across rows,
permissions and the all-or-nothing write are the importer's (``reports.importers``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from kotacerdas.core import fieldguard
from kotacerdas.core.errors import InvalidInput
from kotacerdas.core.rows import Problem, RowSchema, Text, choice, fail, to_decimal
from kotacerdas.core.sheets import cell_text
from kotacerdas.lib import numbers
from kotacerdas.regions.models import Region

from .choices import ProgrammeStatus, Sector
from .models import Programme, SubDimension, Unit

COLUMNS = ["code", "title", "unit", "subdimension", "sector", "start_year", "status", "quick_win",
           "is_application", "url", "platform", "target_group", "description"]
HEADERS = {
    "code": "Kode", "title": "Nama program", "unit": "Unit pemilik", "subdimension": "Sub-dimensi (kode)",
    "sector": "Sektor", "start_year": "Tahun mulai", "status": "Status", "quick_win": "Quick Win",
    "is_application": "Aplikasi", "url": "Alamat aplikasi", "platform": "Platform",
    "target_group": "Kelompok sasaran", "description": "Deskripsi",
}
TRUE = {"ya", "y", "yes", "true", "1", "benar"}
FALSE = {"tidak", "t", "no", "false", "0", "salah", ""}
# The fields whose stored limits (length, no NUL) fieldguard checks.
GUARDED = ("code", "title", "url", "platform", "target_group", "description")


class ProgrammeLookups:
    """The region's units (by name and short name, case-insensitive) and every sub-dimension."""

    def __init__(self, region: Region) -> None:
        self.region = region
        self.units: dict[str, Unit] = {}
        for u in Unit.objects.active().filter(region=region):
            self.units[u.name.lower()] = u
            if u.short_name:
                self.units[u.short_name.lower()] = u
        self.subdimensions = {s.code: s for s in SubDimension.objects.all()}


def _lookups(info: ValidationInfo) -> ProgrammeLookups:
    assert info.context is not None, "ProgrammeRow is validated with context={'lookups': ProgrammeLookups(...)}"
    lookups: ProgrammeLookups = info.context["lookups"]
    return lookups


class ProgrammeRow(RowSchema):
    """One catalogue row; field names are the column keys of :data:`COLUMNS`."""

    code: Text = ""
    title: Text = ""
    unit: Unit | None = None
    subdimension: SubDimension | None = None
    sector: str = Sector.PEMERINTAHAN
    start_year: int = 0
    status: str = ProgrammeStatus.RUNNING
    quick_win: bool = False
    is_application: bool = False
    url: Text = ""
    platform: Text = ""
    target_group: Text = ""
    description: Text = ""

    @field_validator("code", mode="after")
    @classmethod
    def _code(cls, value: str) -> str:
        if not value:
            raise fail(_("Kode wajib diisi"))
        return value

    @field_validator("title", mode="after")
    @classmethod
    def _title(cls, value: str) -> str:
        if not value:
            raise fail(_("Nama program wajib diisi"))
        return value

    @field_validator("unit", mode="before")
    @classmethod
    def _unit(cls, value: Any, info: ValidationInfo) -> Unit:
        look, text = _lookups(info), cell_text(value)
        unit = look.units.get(text.lower())
        if unit is None:
            raise fail(_("Unit %(unit)r tidak ada di wilayah %(region)s") % {"unit": text, "region": look.region.code})
        return unit

    @field_validator("subdimension", mode="before")
    @classmethod
    def _subdimension(cls, value: Any, info: ValidationInfo) -> SubDimension:
        text = cell_text(value)
        sub = _lookups(info).subdimensions.get(text)
        if sub is None:
            raise fail(_("Sub-dimensi %(code)r tidak dikenal") % {"code": text})
        return sub

    _sector = choice("sector", codes=Sector.values, blank=Sector.PEMERINTAHAN,
                     refusal=gettext_lazy("Sektor %(value)r tidak dikenal (%(choices)s)"))
    _status = choice("status", codes=ProgrammeStatus.values, blank=ProgrammeStatus.RUNNING,
                     refusal=gettext_lazy("Status %(value)r tidak dikenal (%(choices)s)"))

    @field_validator("start_year", mode="before")
    @classmethod
    def _start_year(cls, value: Any, info: ValidationInfo) -> int:
        text = cell_text(value)
        decimal = (info.context or {}).get("decimal", "")
        try:
            number = to_decimal(value, decimal)
        except PydanticCustomError:
            if not decimal and numbers.is_ambiguous(text.replace(" ", "")):
                raise  # "2.024": 2024 or 2.024? Say so, never guess.
            number = None
        if number is None or number != number.to_integral_value():  # 'abc', 'inf', '2024.5'
            raise fail(_("Tahun mulai %(value)r bukan angka") % {"value": text})
        year = int(number)
        if not 1990 <= year <= timezone.now().year + 5:
            raise fail(_("Tahun mulai %(year)s tidak masuk akal") % {"year": year})
        return year

    @field_validator("quick_win", "is_application", mode="before")
    @classmethod
    def _flag(cls, value: Any) -> bool:
        text = cell_text(value)
        if text.lower() not in TRUE | FALSE:
            raise fail(_("Isi 'ya' atau 'tidak', bukan %(value)r") % {"value": text})
        return text.lower() in TRUE

    @field_validator("url", mode="after")
    @classmethod
    def _url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise fail(_("Alamat aplikasi harus diawali http:// atau https://"))
        return value

    def row_checks(self, context: Mapping[str, Any]) -> Iterable[Problem]:
        try:  # the fields' own limits (length, no NUL): a row error, never a database error or a silent cut
            fieldguard.check_values(Programme, {k: getattr(self, k) for k in GUARDED})
        except InvalidInput as exc:
            return [Problem(str(exc.context.get("field", "code")), exc.message)]
        return []

    def values(self) -> dict[str, Any]:
        """What the catalogue actions take (``owner`` and ``pillar`` as ids)."""
        assert self.unit is not None and self.subdimension is not None
        return {
            "title": self.title, "owner": self.unit.pk, "pillar": self.subdimension.pillar_id,
            "subdimension": self.subdimension.code, "sector": self.sector, "start_year": self.start_year,
            "status": self.status, "quick_win": self.quick_win, "is_application": self.is_application,
            "url": self.url, "platform": self.platform, "target_group": self.target_group,
            "description": self.description,
        }

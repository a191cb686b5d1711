"""The KPI value row, declared: one pydantic model whose fields are the row's columns, each with the
rule that reads and checks its cell. ``validation.RowValidator`` runs it on every row the fast path
does not accept and turns its errors into the report's (row, column, code, message).

Fields are validated in the order they are declared, and a field's rule sees the fields before it
that passed (``info.data``): the KPI is looked up in the row's programme, the period is checked
against the KPI's frequency, the area against the KPI's finest level, the numbers against its unit.
Every field is checked even when an earlier one failed, so a row reports all its problems at once.
A rule refuses a cell by raising ``PydanticCustomError(code, "{detail}", {"detail": ...})`` with a
code of ``validation.MESSAGES``; the detail is appended to that code's message. The schema follows the
shared pattern of ``core.rows`` (a ``RowSchema``, lookups in the validation context).

The world the rules check against (the region's programmes, KPIs and areas, the allowed periods) and
the caches of parsed cells come in the validation context: the ``RowValidator`` itself
(``RowContext``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple, Protocol, cast

from pydantic import ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from kotacerdas.core.rows import RowSchema
from kotacerdas.core.sheets import cell_text

from .choices import COUNT_UNITS, Frequency, KpiUnit
from .parsing import AREA_RANK, LEVEL_RANK, REGION_CODE, fits_frequency

__all__ = ["FIELD_COLUMN", "KpiInfo", "KpiRow", "Lookup", "PeriodKey", "RowContext"]


@dataclass(frozen=True)
class KpiInfo:
    id: int
    programme_id: int
    code: str
    frequency: str
    unit: str
    area_level: str
    allowed: bool


@dataclass
class Lookup:
    """What the validator needs to know about the world, loaded once per import by the caller.

    ``programmes`` maps lower-case programme code *and* title to the programme id; ``kpis`` maps
    (programme id, lower-case KPI code or name) to the KPI; ``areas`` maps every region code inside
    the kabupaten (itself, its kecamatan and desa) to its level; ``exists`` answers whether a code
    outside ``areas`` is a real region (to tell "unknown" from "outside")."""

    region_code: str
    programmes: dict[str, int]
    kpis: dict[tuple[int, str], KpiInfo]
    areas: dict[str, str]
    first_period: dt.date
    last_period: dt.date
    default_programme: int | None = None
    year: int | None = None
    exists: Callable[[str], bool] = lambda code: False
    programme_start: dict[int, dt.date] = field(default_factory=dict)


class PeriodKey(NamedTuple):
    kind: str  # "month" | "quarter" | "year"
    start: dt.date
    iso: str  # start as YYYY-MM-DD, as spooled
    month: int  # months since January 1900, the period's part of the packed natural key


class RowContext(Protocol):
    """What the rules need besides the row (``validation.RowValidator`` provides it)."""

    lk: Lookup
    unknown_cache: dict[str, str]

    def period(self, raw: Any) -> PeriodKey | str: ...

    def number(self, raw: Any) -> Decimal | str: ...


# The column a field's error is reported in, when it is not the field's own.
FIELD_COLUMN = {"permitted": "kpi"}
# The code of a period that does not fit the KPI's frequency: its message says what to write.
_PERIOD_CODE = {Frequency.MONTHLY: "period_monthly", Frequency.QUARTERLY: "period_quarterly",
                Frequency.YEARLY: "period_yearly"}


def _refuse(code: str, detail: str = "") -> PydanticCustomError:
    return PydanticCustomError(code, "{detail}", {"detail": detail})


def _context(info: ValidationInfo) -> RowContext:
    return cast(RowContext, info.context)


class KpiRow(RowSchema):
    """One KPI value row. Input: the raw cells by column (``None`` for an empty or absent cell).

    Unlike the other importers' schemas (``core.rows``), each refusal carries its own code besides its
    message: the KPI report (and the API) gives (row, column, code, message), and the fast path must
    reproduce exactly the codes of this schema."""

    model_config = ConfigDict(frozen=True)

    programme: int | None = Field(None, description="programme id, from its code or title (or the upload's)")
    kpi: Any = Field(None, description="the KpiInfo, from its code or name within the programme")
    period: PeriodKey | None = Field(None, description="a month, quarter or year fitting the KPI's frequency")
    region: str = Field("", description="the kabupaten, or a kecamatan/desa in it down to the KPI's level")
    value: Decimal | None = Field(None, description="a number fitting the KPI's unit")
    target: Decimal | None = Field(None, description="optional, like value")
    permitted: bool = Field(True, description="the uploader may fill this KPI (checked last, shown on kpi)")

    @field_validator("programme", mode="plain")
    @classmethod
    def _programme(cls, raw: Any, info: ValidationInfo) -> int | None:
        lk = _context(info).lk
        if raw is None:
            if lk.default_programme is None:
                raise _refuse("required")
            return lk.default_programme
        prog_id = lk.programmes.get(cell_text(raw).lower())
        if prog_id is None:
            raise _refuse("unknown_programme", repr(cell_text(raw))[:80])
        return prog_id

    @field_validator("kpi", mode="plain")
    @classmethod
    def _kpi(cls, raw: Any, info: ValidationInfo) -> KpiInfo | None:
        if raw is None:
            raise _refuse("required")
        prog_id = info.data.get("programme")
        if prog_id is None:  # the programme's own error says why
            return None
        kpi = _context(info).lk.kpis.get((prog_id, cell_text(raw).lower()))
        if kpi is None:
            raise _refuse("unknown_kpi", repr(cell_text(raw))[:80])
        return kpi

    @field_validator("period", mode="plain")
    @classmethod
    def _period(cls, raw: Any, info: ValidationInfo) -> PeriodKey:
        if raw is None:
            raise _refuse("required")
        ctx = _context(info)
        got = ctx.period(raw)
        if isinstance(got, str):
            raise _refuse(got, repr(cell_text(raw))[:60])
        lk, start = ctx.lk, got.start
        first = max(lk.programme_start.get(info.data.get("programme") or 0, lk.first_period), lk.first_period)
        if lk.year is not None and start.year != lk.year:
            raise _refuse("period_out_of_range", f"{start:%Y-%m} bukan tahun {lk.year}")
        if start < first or start > lk.last_period:
            raise _refuse("period_out_of_range", f"{start:%Y-%m} di luar {first:%Y-%m} s.d. {lk.last_period:%Y-%m}")
        kpi = info.data.get("kpi")
        if kpi is not None and not fits_frequency((got.kind, start), kpi.frequency):
            raise _refuse(_PERIOD_CODE.get(kpi.frequency, "period_yearly"), repr(cell_text(raw))[:60])
        return got

    @field_validator("region", mode="plain")
    @classmethod
    def _region(cls, raw: Any, info: ValidationInfo) -> str:
        ctx = _context(info)
        lk = ctx.lk
        area = lk.region_code if raw is None else cell_text(raw)
        level = lk.areas.get(area)
        if level is None:
            code = ctx.unknown_cache.get(area)
            if code is None:
                code = "region_outside" if REGION_CODE.match(area) and lk.exists(area) else "unknown_region"
                if len(ctx.unknown_cache) < 10_000:
                    ctx.unknown_cache[area] = code
            raise _refuse(code, repr(area)[:40])
        kpi = info.data.get("kpi")
        if kpi is not None and AREA_RANK[level] > LEVEL_RANK[kpi.area_level]:
            raise _refuse("area_level", f"{area} ({level}); KPI: {kpi.area_level}")
        return area

    @field_validator("value", "target", mode="plain")
    @classmethod
    def _number(cls, raw: Any, info: ValidationInfo) -> Decimal | None:
        if raw is None:
            if info.field_name == "value":
                raise _refuse("required")
            return None
        got = _context(info).number(raw)
        if isinstance(got, str):
            raise _refuse(got, repr(cell_text(raw))[:60])
        if got < 0:
            raise _refuse("negative", str(got.normalize()))
        kpi = info.data.get("kpi")
        if kpi is not None:
            if kpi.unit in COUNT_UNITS and got != got.to_integral_value():
                raise _refuse("not_whole", str(got.normalize()))
            if kpi.unit == KpiUnit.PERSEN and got > 100:
                raise _refuse("out_of_range", str(got.normalize()))
        return got

    @field_validator("permitted", mode="plain")
    @classmethod
    def _permitted(cls, raw: Any, info: ValidationInfo) -> bool:
        kpi = info.data.get("kpi")
        if kpi is not None and not kpi.allowed:
            raise _refuse("forbidden", kpi.code)
        return True

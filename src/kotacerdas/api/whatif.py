"""What-if through the API: the same read-only scenario as the web page (evaluations.scenarios)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from kotacerdas.evaluations import rules as perms
from kotacerdas.evaluations.scenarios import ScoringError, scenario

from .auth import authenticated
from .errors import ApiError, invalid
from .evaluations import _submission_for, predicate_status_field
from .schemas import ErrorOut

router = Router(tags=["evaluasi"])


class PredicateOut(Schema):
    label: str | None = Field(description="Predikat resmi; null bila rentang predikat paket tidak resmi / "
                                          "official predicate, null unless the pack's bands are official")
    label_en: str | None
    status: str = predicate_status_field()


class SheetOut(Schema):
    index: float
    index_raw: str = Field(description="Indeks tanpa pembulatan / unrounded index")
    dimensions: dict[str, float | None]
    predicate: PredicateOut


class ScenarioOut(SheetOut):
    improvement: float | None = Field(description="Dibanding indeks terbit tahun sebelumnya / vs last year's index")


class MoveOut(Schema):
    code: str
    name: str
    from_: float | None = Field(alias="from", description="Tingkat sekarang; null = belum dijawab (dihitung 0)")
    to: int
    steps: int
    gain: str = Field(description="Kenaikan indeks tanpa pembulatan dari langkah ini saja / gain of this move alone")


class PathOut(Schema):
    target: str
    steps: int = Field(description="Biaya: banyaknya kenaikan satu tingkat / cost: number of one-level raises")
    gain: str
    index: float
    index_raw: str
    exact: bool = Field(description="true: terbukti langkah paling sedikit (indeks paket linear) / proven fewest steps")
    reached: bool
    moves: list[MoveOut]


class WhatIfOut(Schema):
    submission: int
    region: str
    pack: dict[str, str]
    changes: dict[str, int | None] = Field(description="Indikator yang tingkatnya beda dari jawaban tersimpan")
    saved: SheetOut
    scenario: ScenarioOut
    delta: float = Field(description="Perubahan indeks terlapor (dibulatkan) / change of the reported index")
    cheapest_path: PathOut
    ignored: list[str]


class WhatIfQuery(Schema):
    level: list[str] = Field(default_factory=list, description=(
        "Tingkat yang diubah, \"kode:tingkat\", boleh berulang; \"kode:\" = belum dijawab. "
        "Mis. level=output.kebijakan.masterplan:4 / a changed level, repeatable"))


@router.get("/submissions/{submission_id}/whatif", response={200: WhatIfOut, 401: ErrorOut, 403: ErrorOut,
                                                             404: ErrorOut, 422: ErrorOut},
            auth=authenticated, by_alias=True,
            summary="Simulasi: indeks, dimensi, predikat dan jalur termurah ke +0,10 bila tingkat diubah (tidak disimpan)")
def whatif(request: HttpRequest, submission_id: int, params: Query[WhatIfQuery]):  # type: ignore[no-untyped-def]
    """Read-only: the region's saved self-assessment answers with the given levels changed, scored by the
    engine; nothing is saved. Only the region's coordinator and its executive (bupati/wali kota)."""
    sub = _submission_for(request, submission_id)
    if not perms.can_play_whatif.test(request.user, sub):
        raise ApiError(403, "Simulasi hanya untuk koordinator daerah dan kepala daerah wilayah ini", "forbidden")
    requested: dict[str, Any] = {}
    for item in params.level:
        code, sep, value = item.partition(":")
        if not sep:
            raise invalid("level", f"{item!r}: tulis kode:tingkat, mis. output.kebijakan.masterplan:4")
        requested[code.strip()] = value
    try:
        sc = scenario(sub, requested, strict=True)
    except ScoringError as exc:
        raise invalid("level", str(exc)) from None
    if sc.ignored:
        raise invalid("level", "Bukan indikator paket ini atau tingkat di luar skala "
                               f"{sc.pack.scale_min}..{sc.pack.scale_max}: {', '.join(sc.ignored)}")
    return sc.to_dict()

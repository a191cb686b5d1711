# No `from __future__ import annotations` here: django-ninja reads the annotations at runtime.
import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema
from pydantic import Field

from kotacerdas.accounts.types import AuthenticatedHttpRequest
from kotacerdas.actionplans import actions, queries
from kotacerdas.actionplans import filters as item_filters
from kotacerdas.actionplans import rules as perms
from kotacerdas.actionplans.choices import ActionStatus, ProgressMode
from kotacerdas.actionplans.models import ActionItem
from kotacerdas.regions.models import Region

from .auth import authenticated
from .errors import ApiError, not_found
from .versions import versioned_write

router = Router(tags=["rencana aksi"])


class AchievementOut(Schema):
    code: str
    name: str
    percent: float | None
    items: int
    done: int
    overdue: int
    formula: str


class ActionItemOut(Schema):
    id: int
    code: str
    title: str
    category: str
    owner: str
    owner_id: int
    pillar: str | None
    programme: str | None
    recommendation: int | None
    target: str
    progress_mode: ProgressMode
    target_value: float | None
    realised_value: float | None
    measure_unit: str
    start_on: dt.date | None
    due_on: dt.date | None
    status: ActionStatus
    percent: float
    percent_formula: str
    overdue: bool
    evidence_url: str
    version: int


class ActionPlanOut(Schema):
    region: str
    region_name: str
    year: int
    pack: str
    overall: AchievementOut
    categories: list[AchievementOut]
    pillars: list[AchievementOut]
    items: list[ActionItemOut]


class PlanFilter(Schema):
    """Region and year choose the plan; the other parameters narrow its ``items`` the way the plan page's
    filters do (the same FilterSet, actionplans.filters); the achievement figures stay the whole plan's."""

    region: str = Field(..., description="Kode wilayah Kemendagri, mis. 16.07")
    year: int = Field(..., ge=2018, le=2100)
    category: str | None = Field(None, max_length=40, description="Kode kategori rencana aksi")
    status: ActionStatus | None = None
    owner: int | None = Field(None, ge=1, le=2**31 - 1, description="Id unit pemilik")
    pillar: str | None = Field(None, max_length=40, description="Kode pilar (pilar kegiatan, atau pilar programnya)")
    overdue: bool | None = Field(None, description="true: hanya yang lewat tenggat dan belum selesai; false atau tanpa: semua")
    q: str | None = Field(None, max_length=200, description="Cari pada nama kegiatan")


# API parameter -> the plan page's parameter (actionplans.filters.ActionItemFilterSet).
ITEM_FILTERS = {"category": "kategori", "status": "status", "owner": "unit", "pillar": "pilar",
                "overdue": "terlambat", "q": "q"}


def _item_params(filters: PlanFilter) -> dict[str, str]:
    """The API's filters under the page's names; a filter not given (or overdue=false) narrows nothing."""
    out = {}
    for name, page_name in ITEM_FILTERS.items():
        value = getattr(filters, name)
        if value is None or value is False or value == "":
            continue
        out[page_name] = "1" if value is True else str(getattr(value, "value", value))
    return out


def _ach(a: Any) -> dict[str, Any]:
    return {"code": a.key, "name": a.name, "percent": float(a.percent) if a.percent is not None else None,
            "items": a.n, "done": a.done, "overdue": a.overdue, "formula": a.formula}


def _item(i: ActionItem) -> dict[str, Any]:
    return {
        "id": i.pk, "code": i.code, "title": i.title, "category": i.category, "owner": str(i.owner),
        "owner_id": i.owner_id, "pillar": i.effective_pillar_id,
        "programme": i.programme.code if i.programme else None, "recommendation": i.recommendation_id,
        "target": i.target, "progress_mode": i.progress_mode,
        "target_value": float(i.target_value) if i.target_value is not None else None,
        "realised_value": float(i.realised_value) if i.realised_value is not None else None,
        "measure_unit": i.measure_unit, "start_on": i.start_on, "due_on": i.due_on, "status": i.status,
        "percent": float(i.percent), "percent_formula": i.percent_formula, "overdue": i.overdue,
        "evidence_url": i.evidence_url, "version": i.version,
    }


@router.get("/action-plans", response=ActionPlanOut, auth=authenticated,
            summary="Rencana aksi wilayah: kegiatan dan capaian per kategori (dengan rumus)")
def get_plan(request: HttpRequest, filters: Query[PlanFilter]):  # type: ignore[no-untyped-def]
    region = Region.objects.without_geometry().filter(code=filters.region).first()
    if region is None:
        raise not_found("Wilayah", filters.region)
    if not perms.can_view_plan.test(request.user, region):
        raise ApiError(403, "Anda tidak berhak melihat rencana aksi wilayah ini", "forbidden")
    cycle = queries.plan_cycle(filters.year)
    if cycle is None:
        raise not_found("Siklus evaluasi tahun", str(filters.year))
    summary = queries.plan_summary(region.code, cycle)
    params = _item_params(filters)
    if params:
        kept = set(item_filters.items(queries.plan_items(region.code, cycle), params, strict=True)
                   .values_list("pk", flat=True))
        summary["items"] = [i for i in summary["items"] if i.pk in kept]
    return {"region": region.code, "region_name": region.name, "year": cycle.year,
            "pack": f"{cycle.pack_code}@{cycle.pack_version}", "overall": _ach(summary["overall"]),
            "categories": [_ach(a) for a in summary["categories"]],
            "pillars": [_ach(a) for a in summary["pillars"]], "items": [_item(i) for i in summary["items"]]}


class ProgressIn(Schema):
    expected_version: int | None = Field(None, ge=1, le=2**31, description=(
        "versi yang Anda lihat, wajib (di sini atau header If-Match: \"<versi>\"); tanpa versi: 428, versi lama: "
        "409, keduanya dengan nilai sekarang"))
    status: ActionStatus | None = None
    realised_value: float | None = Field(None, ge=0, le=1e11)
    evidence_url: str | None = Field(None, max_length=500)


@router.patch("/action-plans/items/{item_id}", response=ActionItemOut, auth=authenticated,
              summary="Laporkan kemajuan satu kegiatan (status, realisasi, bukti)")
def patch_item(request: AuthenticatedHttpRequest, body: ProgressIn, item_id: int = Path(..., ge=1, le=2**62)):  # type: ignore[no-untyped-def]
    from decimal import Decimal

    item = ActionItem.objects.select_related("cycle", "owner").filter(pk=item_id).first()
    if item is None or not perms.can_view_plan.test(request.user, item):
        raise not_found("Rencana aksi", str(item_id))
    changes: dict[str, Any] = {}
    if body.status is not None:
        changes["status"] = str(body.status.value)
    if body.realised_value is not None:
        changes["realised_value"] = Decimal(str(body.realised_value)).quantize(Decimal("0.01"))
    if body.evidence_url is not None:
        changes["evidence_url"] = body.evidence_url

    seen = item

    def current() -> dict[str, Any]:
        return _item(ActionItem.objects.select_related("owner", "programme", "pillar").get(pk=item_id))

    versioned_write(request, body.expected_version, current,
                    lambda expected: actions.do_update_item(request.user, seen, expected, changes, source="api"))
    return current()

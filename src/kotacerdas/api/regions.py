from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from kotacerdas.regions.choices import Kind, Level
from kotacerdas.regions.queries import children_of, region_with_counts

from .errors import not_found
from .schemas import ErrorOut

router = Router(tags=["wilayah"])


class ParentOut(Schema):
    code: str
    name: str
    level: Level


class RegionOut(Schema):
    code: str
    name: str
    level: Level
    kind: Kind
    parent: ParentOut | None
    population: int | None
    population_year: int | None
    area_km2: float | None
    bps_code: str
    lat: float | None
    lon: float | None
    children_count: int


def _out(region) -> dict:  # type: ignore[no-untyped-def]
    parent = region.parent
    return {
        "code": region.code, "name": region.name, "level": region.level, "kind": region.kind,
        "parent": {"code": parent.code, "name": parent.name, "level": parent.level} if parent else None,
        "population": region.population, "population_year": region.population_year,
        "area_km2": float(region.area_km2) if region.area_km2 is not None else None,
        "bps_code": region.bps_code, "lat": region.lat, "lon": region.lon,
        "children_count": region.children_count,
    }


@router.get("/regions/{code}", response={200: RegionOut, 404: ErrorOut}, summary="Satu wilayah")
def get_region(request: HttpRequest, code: str) -> dict:
    region = region_with_counts(code)
    if region is None:
        raise not_found("Wilayah", code)
    return _out(region)


@router.get("/regions/{code}/children", response={200: list[RegionOut], 404: ErrorOut},
            summary="Wilayah di bawahnya")
def get_children(request: HttpRequest, code: str) -> list[dict]:
    if region_with_counts(code) is None:
        raise not_found("Wilayah", code)
    return [_out(r) for r in children_of(code)]

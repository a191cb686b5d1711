from enum import StrEnum

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from kotacerdas.catalogue.choices import ProgrammeStatus
from kotacerdas.catalogue.queries import public_programmes
from kotacerdas.regions.models import Region

from .errors import invalid

router = Router(tags=["katalog"])


class PillarCode(StrEnum):
    governance = "governance"
    branding = "branding"
    economy = "economy"
    living = "living"
    society = "society"
    environment = "environment"


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str


class ProgrammeOut(Schema):
    id: int
    code: str
    title: str
    region: str = Field(validation_alias="region_id")
    pillar: str = Field(validation_alias="pillar_id")
    subdimension: str = Field(validation_alias="subdimension_id")
    owner: UnitOut
    sector: str
    start_year: int
    status: ProgrammeStatus
    is_application: bool
    url: str
    platform: str
    quick_win: bool
    target_group: str
    area_scope: str
    description: str


class ProgrammeFilter(Schema):
    region: str | None = Field(None, description="Kode wilayah Kemendagri, mis. 16.07")
    pillar: PillarCode | None = None
    quick_win: bool | None = None
    status: ProgrammeStatus | None = None
    q: str | None = Field(None, description="Cari pada nama program")


class Page(PageNumberPagination):
    page_size = 50

    class Input(Schema):
        # Bounded: a page number beyond 64-bit OFFSET made the database raise (found by schemathesis).
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=500)


@router.get("/programmes", response=list[ProgrammeOut], summary="Daftar program/inovasi")
@paginate(Page)
def list_programmes(request: HttpRequest, filters: Query[ProgrammeFilter]):  # type: ignore[no-untyped-def]
    if filters.region and not Region.objects.filter(code=filters.region).exists():
        raise invalid("region", f"Kode wilayah {filters.region!r} tidak dikenal")
    if filters.status and filters.status not in ("planned", "running", "stopped"):
        raise invalid("status", f"Status {filters.status!r} tidak dikenal (planned, running, stopped)")
    return public_programmes(
        region=filters.region, pillar=filters.pillar.value if filters.pillar else None,
        quick_win=filters.quick_win, status=filters.status, q=filters.q,
    )

from enum import StrEnum

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from kotacerdas.catalogue import filters as programme_filters
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
    subdimension: str | None = Field(None, max_length=80, description="kode sub-dimensi, mis. economy.ekosistem_industri")
    unit: int | None = Field(None, ge=1, le=2_147_483_647, description="id unit pemilik")
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
    # The same FilterSet as the web list /wilayah/<code>/program/ (catalogue.filters).
    data = {k: (v.value if hasattr(v, "value") else str(v).lower() if isinstance(v, bool) else v)
            for k, v in filters.dict().items() if v is not None and v != ""}
    return programme_filters.programmes(public_programmes(), data)

"""What the KPI-value checks need to know, loaded once per import: the region's programmes and KPIs (with
the actor's right to fill each), its areas and the allowed period window."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from kotacerdas.catalogue.models import Programme
from kotacerdas.regions.choices import Level
from kotacerdas.regions.models import Region

from . import importer
from . import rules as perms
from .models import Kpi

if TYPE_CHECKING:
    from django.contrib.auth.models import User

FIRST_PERIOD = dt.date(2015, 1, 1)  # the Smart City movement's data starts here; older is a typo

__all__ = ["FIRST_PERIOD", "build_lookup", "today_wib"]


def today_wib() -> dt.date:
    return timezone.localdate()


def _areas(region: Region) -> dict[str, str]:
    kecs = dict(Region.objects.filter(parent=region, level=Level.KECAMATAN).values_list("code", "level"))
    desa = dict(Region.objects.filter(parent__in=list(kecs), level=Level.DESA).values_list("code", "level"))
    return {region.code: "region", **kecs, **desa}


def build_lookup(actor: User | None, region: Region, programme: Programme | None = None, year: int | None = None,
                 today: dt.date | None = None) -> importer.Lookup:
    """What the validator needs, loaded once: programmes, KPIs (with the actor's right to fill
    each), the areas of the kabupaten and the allowed period window."""
    progs = list(Programme.objects.active().filter(region=region).select_related("owner"))
    allowed = {p.pk for p in progs if perms.can_edit_kpis.test(actor, p)}
    keys: dict[str, int] = {}
    for p in progs:
        keys.setdefault(p.code.lower(), p.pk)
        keys.setdefault(p.title.strip().lower(), p.pk)
    kpis: dict[tuple[int, str], importer.KpiInfo] = {}
    for k in Kpi.objects.active().filter(programme__in=progs):
        info = importer.KpiInfo(id=k.pk, programme_id=k.programme_id, code=k.code, frequency=k.frequency,
                                unit=k.unit, area_level=k.area_level, allowed=k.programme_id in allowed)
        kpis.setdefault((k.programme_id, k.code.lower()), info)
        kpis.setdefault((k.programme_id, k.name.strip().lower()), info)
    today = today or today_wib()
    return importer.Lookup(
        region_code=region.code,
        programmes=keys,
        kpis=kpis,
        areas=_areas(region),
        first_period=FIRST_PERIOD,
        last_period=today.replace(day=1),
        default_programme=programme.pk if programme else None,
        year=year,
        exists=lambda code: Region.objects.filter(code=code).exists(),
        programme_start={p.pk: dt.date(max(p.start_year, 1900), 1, 1) for p in progs},
    )

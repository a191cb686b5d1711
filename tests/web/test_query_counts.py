"""Pages must not issue more queries when a region has more programmes (or the ranking more regions)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kotacerdas.accounts.actions import record_event
from kotacerdas.catalogue.models import Programme, SubDimension, Unit
from kotacerdas.evaluations.models import Cycle, Result
from kotacerdas.regions.models import Region
from kotacerdas.web import pagecache

from .conftest import client_for

pytestmark = pytest.mark.django_db
REGION = "16.06"  # Musi Banyuasin: no demo programmes


def _add_programmes(n: int) -> None:
    unit, _ = Unit.objects.get_or_create(region_id=REGION, name="Dinas Uji")
    subs = list(SubDimension.objects.all())
    start = Programme.objects.filter(region_id=REGION).count()
    Programme.objects.bulk_create([
        Programme(region_id=REGION, code=f"p{i}", title=f"Program {i}", owner=unit, pillar_id=subs[i % len(subs)].pillar_id,
                  subdimension=subs[i % len(subs)], start_year=2020, quick_win=i % 5 == 0,
                  status=["running", "planned", "stopped"][i % 3]) for i in range(start, n)])


@pytest.mark.parametrize("path", [f"/wilayah/{REGION}/program/", f"/wilayah/{REGION}/dasbor/",
                                  f"/publik/{REGION}/", "/publik/", f"/wilayah/{REGION}/program/p0/"])
def test_it_does_not_grow_queries_with_the_number_of_programmes(path: str,
                                                                django_assert_max_num_queries: Any) -> None:
    c = client_for("admin@kotacerdas.test")
    _add_programmes(10)
    c.get(path)  # warm caches (pack loading, sessions)
    pagecache.cache().clear()  # the dashboard body is cached (web.pagecache): count the building of it
    with CaptureQueriesContext(connection) as ten:
        assert c.get(path).status_code == 200
    _add_programmes(40)
    pagecache.cache().clear()
    with django_assert_max_num_queries(len(ten.captured_queries)):
        assert c.get(path).status_code == 200


def _count(c: Any, path: str, *, cached: bool) -> int:
    if not cached:
        pagecache.cache().clear()
    with CaptureQueriesContext(connection) as queries:
        assert c.get(path).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("cached", [False, True], ids=["building", "cached"])
@pytest.mark.parametrize("path", [f"/wilayah/{REGION}/dasbor/", "/wilayah/16.07/dasbor/", "/nasional/",
                                  "/nasional/?tahun=2023&provinsi=16&kelas=B&q=a"])
def test_the_dashboard_and_the_ranking_issue_the_same_number_of_queries_with_more_programmes(
        path: str, cached: bool) -> None:
    """The same count, not just no more: building the body and serving it from the cache."""
    c = client_for("admin@kotacerdas.test")
    _add_programmes(10)
    c.get(path)
    ten = _count(c, path, cached=cached)
    _add_programmes(60)
    record_event(None, "test.more_programmes", object_type="test", object_id="60")  # a new data version
    if cached:
        c.get(path)  # build the body of the new version once
    assert _count(c, path, cached=cached) == ten


def test_the_ranking_issues_the_same_number_of_queries_with_more_ranked_regions() -> None:
    c = client_for("admin@kotacerdas.test")
    year = 2023
    cycle = Cycle.objects.get(year=year, pack_code="kominfo-2021")
    template = Result.objects.filter(cycle=cycle).first()
    assert template is not None
    taken = set(Result.objects.filter(cycle=cycle).values_list("region_id", flat=True))
    free = list(Region.objects.without_geometry().kabkota()
                .exclude(code__in=taken).values_list("code", flat=True)[:40])
    assert len(free) == 40

    def add(codes: list[str]) -> None:
        Result.objects.bulk_create([Result(cycle=cycle, region_id=code, pack_code=template.pack_code,
                                           pack_version=template.pack_version, index="2.50", index_raw="2.5",
                                           predicate=template.predicate, is_published=True) for code in codes])

    add(free[:5])
    c.get(f"/nasional/?tahun={year}")
    before = _count(c, f"/nasional/?tahun={year}", cached=False)
    add(free[5:])
    after = _count(c, f"/nasional/?tahun={year}", cached=False)
    assert after == before

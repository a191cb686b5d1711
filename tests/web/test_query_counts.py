"""Pages must not issue more queries when a region has more programmes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kotacerdas.catalogue.models import Programme, SubDimension, Unit

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
    with CaptureQueriesContext(connection) as ten:
        assert c.get(path).status_code == 200
    _add_programmes(40)
    with django_assert_max_num_queries(len(ten.captured_queries)):
        assert c.get(path).status_code == 200

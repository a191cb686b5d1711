"""The exact data version behind the page cache (core.dataversion): bumped inside the writing transaction,
so the next read after a commit is fresh at once, and a rolled-back write changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction

from kotacerdas.core import dataversion
from kotacerdas.evaluations import actions, queries, recompute
from kotacerdas.evaluations.models import Cycle, Participation
from kotacerdas.regions.models import Region
from kotacerdas.web import pagecache

from .conftest import client_for, demo_user

pytestmark = pytest.mark.django_db
COORDINATOR = "koordinator@banyuasin.test"
ADMIN = "admin@kotacerdas.test"
DASHBOARD = "/wilayah/16.07/dasbor/"


class Boom(Exception):
    pass


def _body(username: str, path: str = DASHBOARD) -> str:
    response = client_for(username).get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_a_committed_action_is_read_fresh_at_once_without_waiting_for_an_expiry(banyuasin_2024) -> None:  # type: ignore[no-untyped-def]
    before = queries.completeness(banyuasin_2024)
    assert f"{before.answered}/{before.total} indikator terjawab" in _body(COORDINATOR)
    version = pagecache.data_version("16.07")
    actions.do_save_answer(demo_user(COORDINATOR), banyuasin_2024, before.missing[0], 2, "Ada SK.",
                           expected_version=0)
    assert pagecache.data_version("16.07") != version
    # The very next request, well inside the time to live of the cached body, builds a new one.
    assert f"{before.answered + 1}/{before.total} indikator terjawab" in _body(COORDINATOR)


def test_a_rolled_back_action_bumps_nothing_and_the_cached_body_stays(banyuasin_2024) -> None:  # type: ignore[no-untyped-def]
    before = queries.completeness(banyuasin_2024)
    assert "Kabupaten Banyuasin" in _body(COORDINATOR)
    versions = (pagecache.data_version(), pagecache.data_version("16.07"))
    with pytest.raises(Boom), transaction.atomic():
        actions.do_save_answer(demo_user(COORDINATOR), banyuasin_2024, before.missing[0], 2, "Ada SK.",
                               expected_version=0)
        assert pagecache.data_version("16.07") != versions[1]  # bumped inside the transaction ...
        raise Boom
    assert (pagecache.data_version(), pagecache.data_version("16.07")) == versions  # ... and rolled back with it
    # Still the cached body: a write that no action made (no bump) is not seen.
    Region.objects.filter(code="16.07").update(name="Banyuasin Uji Versi")
    assert "Banyuasin Uji Versi" not in _body(COORDINATOR)


def test_a_local_action_bumps_only_its_region_and_any_other_action_every_page() -> None:
    national, banyuasin, muba = (dataversion.read(), dataversion.read("16.07"), dataversion.read("16.06"))
    dataversion.touch("evaluations.save_answer", "16.07")
    assert (dataversion.read(), dataversion.read("16.06")) == (national, muba)
    assert dataversion.read("16.07") != banyuasin
    dataversion.touch("evaluations.some_action_added_later", "16.07")
    assert dataversion.read() != national and dataversion.read("16.06") != muba


def test_the_bulk_recompute_bumps_the_national_version_in_its_transaction() -> None:
    cycle = Cycle.objects.filter(year=2024).first()
    assert cycle is not None
    national = dataversion.read()
    recompute.recompute_cycle(demo_user(ADMIN), cycle)  # writes its audit rows in bulk, not via record_event
    assert dataversion.read() != national


def test_bulk_participants_bump_and_a_rolled_back_bulk_does_not() -> None:
    cycle = Cycle.objects.filter(year=2024).first()
    assert cycle is not None
    taken = set(Participation.objects.filter(cycle=cycle).values_list("region_id", flat=True))
    code = Region.objects.filter(level="kabkota").exclude(code__in=taken).values_list("code", flat=True).first()
    assert code is not None
    national = dataversion.read()
    with pytest.raises(Boom), transaction.atomic():
        assert actions.do_add_participants(demo_user(ADMIN), cycle, {code: "B"}) == 1
        raise Boom
    assert dataversion.read() == national
    assert actions.do_add_participants(demo_user(ADMIN), cycle, {code: "B"}) == 1
    assert dataversion.read() != national


def test_an_admin_edit_bumps_every_page() -> None:
    national = dataversion.read()
    region = Region.objects.get(code="16.07")
    LogEntry.objects.log_actions(demo_user(ADMIN).pk, [region], CHANGE, "changed", single_object=True)
    assert dataversion.read() != national


def test_a_new_epoch_is_a_new_version_even_where_counters_were_equal() -> None:
    national = dataversion.read()
    dataversion.new_epoch()
    after = dataversion.read()
    assert after != national and after.split(".")[0] != national.split(".")[0]

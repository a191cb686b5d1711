"""Who may edit KPIs, publish reach and see monitoring data — one story per role."""

from __future__ import annotations

from typing import Any

import pytest

from kotacerdas.core.errors import NotAllowed
from kotacerdas.monitoring import actions
from kotacerdas.monitoring import rules as perms
from kotacerdas.monitoring.models import Kpi

pytestmark = pytest.mark.django_db


def test_it_lets_operators_edit_only_their_units_kpis(actors: Any, programmes: Any) -> None:
    jk, oss = programmes["jam-kunci"], programmes["oss"]
    kpi = Kpi.objects.get(programme=jk, code="dokumen-terbit")
    assert perms.can_edit_kpis.test(actors.oki, jk) and perms.can_edit_kpis.test(actors.oki, kpi)
    assert not perms.can_edit_kpis.test(actors.oki, oss)
    assert perms.can_edit_kpis.test(actors.citra, oss) and perms.can_edit_kpis.test(actors.alice, oss)
    for who in (actors.mira, actors.eka, actors.andi, actors.arif, None):
        assert not perms.can_edit_kpis.test(who, jk)


def test_it_shows_published_reach_to_everyone_and_the_rest_to_the_region(actors: Any, programmes: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    public, private = programmes["jam-kunci"], programmes["ppid-online"]
    assert perms.can_view_monitoring.test(AnonymousUser(), public)
    assert not perms.can_view_monitoring.test(AnonymousUser(), private)
    assert not perms.can_view_monitoring.test(actors.mira, private)
    assert all(perms.can_view_monitoring.test(u, private) for u in (actors.eka, actors.oki, actors.citra,
                                                                    actors.alice))


def test_it_lets_only_the_coordinator_or_admin_publish(actors: Any, programmes: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    prog = programmes["ppid-online"]
    with pytest.raises(NotAllowed):
        actions.do_publish_reach(actors.oki, programmes["jam-kunci"], False)
    pub = actions.do_publish_reach(actors.citra, prog, True)
    assert pub.published and pub.published_by == actors.citra
    assert perms.can_view_monitoring.test(AnonymousUser(), prog)
    actions.do_publish_reach(actors.alice, prog, False, reason="data belum diverifikasi")
    assert not perms.can_view_monitoring.test(AnonymousUser(), prog)
    prog.archived_at = prog.created_at
    prog.save()
    actions.do_publish_reach(actors.alice, prog, True)
    assert not perms.can_view_monitoring.test(AnonymousUser(), prog)  # archived: nothing public


def test_it_never_hard_deletes_monitoring_data(actors: Any) -> None:
    from kotacerdas.monitoring.models import KpiValue

    kpi = Kpi.objects.first()
    with pytest.raises(PermissionError):
        kpi.delete()  # type: ignore[union-attr]
    with pytest.raises(PermissionError):
        KpiValue.objects.all().delete()
    archived = actions.do_archive_kpi(actors.alice, kpi, reason="diganti")  # type: ignore[arg-type]
    assert archived.archived_at is not None and Kpi.objects.filter(pk=archived.pk).exists()

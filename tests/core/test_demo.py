from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from kotacerdas.accounts.choices import Role
from kotacerdas.accounts.models import Membership
from kotacerdas.catalogue.models import Programme, Unit
from kotacerdas.ops.demo import load_catalogue_demo

pytestmark = pytest.mark.django_db


def test_it_loads_banyuasin_with_named_units_and_programmes() -> None:
    names = set(Unit.objects.filter(region_id="16.07").values_list("short_name", flat=True))
    assert {"Diskominfo dan Statistik", "Disdukcapil", "DPMPTSP", "Bapenda", "BUMD Sei Sembilang",
            "PDAM Tirta Betuah"} <= names
    programmes = Programme.objects.filter(region_id="16.07")
    assert programmes.count() >= 30
    assert programmes.values("pillar").distinct().count() == 6
    assert set(programmes.filter(pillar="governance").values_list("code", flat=True)) >= {
        "jam-kunci", "oss", "simpada"}
    assert not programmes.filter(is_demo=False).exists()


def test_it_has_a_demo_user_for_every_role() -> None:
    roles = set(Membership.objects.filter(user__username__endswith=".test").values_list("role", flat=True))
    assert roles == {r.value for r in Role}
    assert get_user_model().objects.get(username="koordinator@banyuasin.test").check_password(
        "demo-kotacerdas-2024")


def test_it_is_idempotent() -> None:
    before = (Programme.objects.count(), Unit.objects.count(), Membership.objects.count())
    report = load_catalogue_demo()
    assert (report.created, report.updated) == (0, 0)
    call_command("demo", skip_regions=True, verbosity=0)
    assert (Programme.objects.count(), Unit.objects.count(), Membership.objects.count()) == before


def test_it_repairs_a_changed_demo_row() -> None:
    Programme.objects.filter(code="jam-kunci").update(title="renamed")
    report = load_catalogue_demo()
    assert report.updated == 1
    assert Programme.objects.get(code="jam-kunci").title.startswith("JAM KUNCI")

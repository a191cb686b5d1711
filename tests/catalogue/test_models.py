from __future__ import annotations

import pytest

from kotacerdas.catalogue.models import Pillar, Programme, SubDimension, Unit
from kotacerdas.catalogue.reference import sync_pillars

pytestmark = pytest.mark.django_db


def test_it_has_six_pillars_with_three_subdimensions_each() -> None:
    assert list(Pillar.objects.values_list("code", flat=True)) == [
        "governance", "branding", "economy", "living", "society", "environment"]
    for pillar in Pillar.objects.all():
        assert pillar.subdimensions.count() == 3
    assert SubDimension.objects.get(code="living.kesehatan").name == "Kesehatan"
    assert sync_pillars(Pillar, SubDimension) == 0  # reference data already in place


def test_it_never_hard_deletes_programmes_or_units() -> None:
    programme = Programme.objects.get(region_id="16.07", code="jam-kunci")
    with pytest.raises(PermissionError):
        programme.delete()
    with pytest.raises(PermissionError):
        Programme.objects.filter(pk=programme.pk).delete()
    with pytest.raises(PermissionError):
        Unit.objects.filter(region_id="16.07").delete()
    assert Programme.objects.filter(pk=programme.pk).exists()


def test_it_keeps_programme_codes_unique_per_region() -> None:
    from django.db import IntegrityError, transaction

    p = Programme.objects.get(region_id="16.07", code="oss")
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.create(region_id="16.07", code="oss", title="dup", owner=p.owner, pillar=p.pillar,
                                 subdimension=p.subdimension, start_year=2024)

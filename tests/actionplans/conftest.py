from __future__ import annotations

import pytest

from kotacerdas.actionplans import queries
from kotacerdas.evaluations.models import Cycle
from kotacerdas.regions.models import Region


@pytest.fixture
def banyuasin(db) -> Region:
    return Region.objects.get(code="16.07")


@pytest.fixture
def cycle(db) -> Cycle:
    c = queries.plan_cycle(2024)
    assert c is not None
    return c


def snapshot(region: str = "16.07") -> list[tuple]:
    """Everything an import could change, to prove a refused import wrote nothing."""
    from kotacerdas.actionplans.models import ActionItem

    return list(ActionItem.objects.filter(region_id=region).order_by("pk").values_list(
        "pk", "code", "title", "status", "realised_value", "due_on", "owner_id", "version", "archived_at"))


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    # The shared `actors` fixture creates eight users; a real password hash costs ~1 s each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

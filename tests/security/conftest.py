from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from kotacerdas.actionplans.models import ActionItem
from kotacerdas.catalogue.models import Unit
from kotacerdas.evaluations.models import Submission
from kotacerdas.surveys.models import Survey
from tests.evaluations import conftest as evaluation_fixtures

world = evaluation_fixtures.world  # the 2030 test cycle, shared with tests/evaluations


@dataclass
class Matrix:
    users: dict[str, Any]
    sub: Submission
    kwargs: dict[str, dict[str, Any]]


@pytest.fixture
def matrix(world, actors):
    """Everyone who matters for access: the roles of tests/base.py plus an unassigned assessor (budi),
    around the 2030 test cycle where andi (lead) and ayu are assigned to Banyuasin."""
    from tests.base import _user, _with_totp

    budi = _with_totp(_user("budi@test.id", "assessor"))
    users = {"anon": None, "alice": actors.alice, "andi": actors.andi, "ayu": actors.ayu, "budi": budi,
             "arif": actors.arif, "citra": actors.citra, "oki": actors.oki, "eka": actors.eka, "mira": actors.mira}
    item = ActionItem.objects.filter(region_id="16.07").first()
    survey = Survey.objects.filter(region_id="16.07").first()
    return Matrix(users=users, sub=world.sub, kwargs={
        "item": {"code": "16.07", "pk": item.pk if item else 0},
        "survey": {"token": survey.token if survey else "x", "pk": survey.pk if survey else 0},
        "unit": {"pk": Unit.objects.get(region_id="16.07", short_name="Disdukcapil").pk},
    })

"""One predicate per question: "may this person change this programme?" is catalogue.rules.can_edit_programme,
and the `catalogue.change_programme` permission (Django admin, has_perm) asks exactly that predicate."""

from __future__ import annotations

from typing import Any

import pytest
import rules

from kotacerdas.accounts import rules as account_rules
from kotacerdas.catalogue import rules as catalogue_rules
from kotacerdas.catalogue.models import Programme

pytestmark = pytest.mark.django_db


def test_the_change_programme_permission_is_the_catalogue_predicate(actors: Any) -> None:
    assert not hasattr(account_rules, "can_edit_catalogue")  # no second, nearly dead copy
    progs = list(Programme.objects.active().filter(region_id="16.07").select_related("owner"))
    own = [p for p in progs if p.owner.short_name == "Disdukcapil"]
    other = [p for p in progs if p.owner.short_name != "Disdukcapil"]
    assert own and other
    for user in (actors.alice, actors.citra, actors.oki, actors.eka, actors.mira, actors.andi):
        for p in own[:1] + other[:1]:
            assert rules.has_perm("catalogue.change_programme", user, p) == \
                catalogue_rules.can_edit_programme.test(user, p), (user.username, p.code)
    # and what that predicate says: coordinator and admin yes, operator own unit only, others no
    assert rules.has_perm("catalogue.change_programme", actors.oki, own[0])
    assert not rules.has_perm("catalogue.change_programme", actors.oki, other[0])
    assert rules.has_perm("catalogue.change_programme", actors.citra, other[0])
    assert not rules.has_perm("catalogue.change_programme", actors.eka, own[0])
    assert not rules.has_perm("catalogue.change_programme", actors.mira, own[0])

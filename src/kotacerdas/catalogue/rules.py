"""Who may change a region's catalogue (programmes and units): plain predicates, each testable on its own.

The coordinator (and the national admin) manage every unit and programme of the region; an operator
manages the programmes of their own unit only; the executive and everyone else read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules

from kotacerdas.accounts import roles
from kotacerdas.accounts.choices import Role
from kotacerdas.accounts.rules import can_write_for_unit, is_coordinator_of, is_national_admin

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


@rules.predicate
def has_unit_in_region(user: AbstractBaseUser | AnonymousUser, obj: Any) -> bool:
    """An operator of some unit of the region (may add programmes of that unit)."""
    from .models import Unit

    code = getattr(obj, "region_id", None) or getattr(obj, "code", None)
    units = roles.units_for(user)
    if not code or not units or code not in roles.regions_for(user, Role.OPERATOR):
        return False
    return Unit.objects.filter(pk__in=units, region_id=code, archived_at__isnull=True).exists()


# Region-wide: units, and programmes of any unit of the region.
can_manage_catalogue = is_national_admin | is_coordinator_of
# One programme (or a programme about to be created, with its region and owner set): the one unit rule.
# The only "may edit this programme" predicate (web, admin, importer and the change_programme permission).
can_edit_programme = is_national_admin | can_write_for_unit
# May add at least some programme to the region (shows the "add" button).
can_add_programme = can_manage_catalogue | has_unit_in_region

rules.add_perm("catalogue.manage_catalogue", can_manage_catalogue)
rules.add_perm("catalogue.edit_programme", can_edit_programme)
rules.add_perm("catalogue.change_programme", can_edit_programme)
rules.add_perm("catalogue.add_programme", can_add_programme)

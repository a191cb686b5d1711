"""Who may do what with a rencana aksi: plain predicates, each testable on its own.

Objects are a Region (plan-wide permissions) or an ActionItem (item permissions); both carry a region."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules

from kotacerdas.accounts import roles
from kotacerdas.accounts.rules import (
    can_write_for_unit,
    is_assigned_assessor_of_region,
    is_coordinator_of,
    is_member_of_region,
    is_national_admin,
    is_operator_of_region,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


@rules.predicate
def is_item_operator(user: AbstractBaseUser | AnonymousUser, obj: Any) -> bool:
    owner_id = getattr(obj, "owner_id", None)
    return owner_id is not None and owner_id in roles.units_for(user)


# Assessors read the plans/surveys of the regions assigned to their panel, not every region.
is_assessor = is_assigned_assessor_of_region


can_view_plan = is_national_admin | is_member_of_region | is_assigned_assessor_of_region
can_manage_plan = is_coordinator_of
can_edit_item = can_write_for_unit
can_import = is_coordinator_of | (is_member_of_region & rules.predicate(
    lambda user: bool(roles.units_for(user)), name="has_unit"))

rules.add_perm("actionplans.view_plan", can_view_plan)
rules.add_perm("actionplans.manage_plan", can_manage_plan)
rules.add_perm("actionplans.edit_item", can_edit_item)
rules.add_perm("actionplans.import_plan", can_import)
# Commenting writes to the plan's discussion: the people who work on it, not the executive (read-only).
can_comment = is_national_admin | is_coordinator_of | is_operator_of_region | is_assigned_assessor_of_region
rules.add_perm("actionplans.comment", can_comment)

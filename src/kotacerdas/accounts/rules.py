"""Object-level permission predicates (django-rules); each is a plain function, tested as one."""

from __future__ import annotations

from typing import Any

import rules

from . import roles
from .choices import Role


def _region_code(obj: Any) -> str | None:
    if obj is None:
        return None
    if isinstance(obj, str):
        return obj
    if hasattr(obj, "region_id"):
        return str(obj.region_id)
    if hasattr(obj, "code") and obj.__class__.__name__ == "Region":
        return str(obj.code)
    return None


@rules.predicate
def is_national_admin(user: Any) -> bool:
    return roles.is_national_admin(user)


@rules.predicate
def is_coordinator_of(user: Any, obj: Any) -> bool:
    code = _region_code(obj)
    return code is not None and code in roles.regions_for(user, Role.COORDINATOR)


@rules.predicate
def is_executive_of(user: Any, obj: Any) -> bool:
    code = _region_code(obj)
    return code is not None and code in roles.regions_for(user, Role.EXECUTIVE)


@rules.predicate
def is_operator_of_region(user: Any, obj: Any) -> bool:
    code = _region_code(obj)
    return code is not None and code in roles.regions_for(user, Role.OPERATOR)


@rules.predicate
def is_operator_of_unit(user: Any, obj: Any) -> bool:
    unit_id = getattr(obj, "owner_id", None) or getattr(obj, "unit_id", None)
    if obj is not None and obj.__class__.__name__ == "Unit":
        unit_id = obj.pk
    return unit_id is not None and unit_id in roles.units_for(user)


@rules.predicate
def is_member_of_region(user: Any, obj: Any) -> bool:
    code = _region_code(obj)
    return code is not None and code in roles.regions_for(user)


@rules.predicate
def is_assigned_assessor_of_region(user: Any, obj: Any) -> bool:
    code = _region_code(obj) if not isinstance(obj, str) else obj
    return code is not None and code in roles.assigned_regions(user)


can_view_region = is_national_admin | is_member_of_region | is_assigned_assessor_of_region
can_edit_catalogue = is_national_admin | is_coordinator_of | is_operator_of_unit

rules.add_perm("catalogue.view_programme_private", can_view_region)
rules.add_perm("catalogue.change_programme", can_edit_catalogue)
rules.add_perm("regions.view_dashboard", can_view_region)

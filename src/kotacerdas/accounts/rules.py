"""Object-level permission predicates (django-rules); each is a plain function, tested as one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules

from . import roles
from .choices import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def _region_code(obj: Any) -> str | None:
    if obj is None:
        return None
    if isinstance(obj, str):
        return obj
    if hasattr(obj, "submission_id") and not hasattr(obj, "region_id"):  # evidence, answer, note…
        return str(obj.submission.region_id)
    if hasattr(obj, "kpi_id") and not hasattr(obj, "region_id"):  # a KPI value
        obj = obj.kpi
    if hasattr(obj, "programme_id") and not hasattr(obj, "region_id"):  # a KPI
        return str(obj.programme.region_id)
    if hasattr(obj, "region_id"):
        return str(obj.region_id)
    if hasattr(obj, "code") and obj.__class__.__name__ == "Region":
        return str(obj.code)
    return None


@rules.predicate
def is_national_admin(user: AbstractBaseUser | AnonymousUser) -> bool:
    return roles.is_national_admin(user)


@rules.predicate
def is_coordinator_of(user: AbstractBaseUser | AnonymousUser, obj: Any) -> bool:
    code = _region_code(obj)
    return code is not None and code in roles.regions_for(user, Role.COORDINATOR)


@rules.predicate
def is_executive_of(user: AbstractBaseUser | AnonymousUser, obj: Any) -> bool:
    code = _region_code(obj)
    return code is not None and code in roles.regions_for(user, Role.EXECUTIVE)


@rules.predicate
def is_operator_of_region(user: AbstractBaseUser | AnonymousUser, obj: Any) -> bool:
    code = _region_code(obj)
    return code is not None and code in roles.regions_for(user, Role.OPERATOR)


@rules.predicate
def is_operator_of_unit(user: AbstractBaseUser | AnonymousUser, obj: Any) -> bool:
    unit_id = getattr(obj, "owner_id", None) or getattr(obj, "unit_id", None)
    if obj is not None and obj.__class__.__name__ == "Unit":
        unit_id = obj.pk
    return unit_id is not None and unit_id in roles.units_for(user)


@rules.predicate
def is_member_of_region(user: AbstractBaseUser | AnonymousUser, obj: Any) -> bool:
    code = _region_code(obj)
    return code is not None and code in roles.regions_for(user)


@rules.predicate
def is_assigned_assessor_of_region(user: AbstractBaseUser | AnonymousUser, obj: Any) -> bool:
    code = _region_code(obj) if not isinstance(obj, str) else obj
    return code is not None and code in roles.assigned_regions(user)


@rules.predicate
def is_read_only_role(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Someone whose only roles are executive ones (bupati/wali kota): they read their region, never write."""
    if not getattr(user, "is_authenticated", False) or roles.is_national_admin(user):
        return False
    held = {r for r, _, _ in roles.memberships(user)}
    return bool(held) and held <= {Role.EXECUTIVE}


def owning_unit(obj: Any) -> int | None:
    """The unit (OPD) that owns an object: a unit itself; a programme or action item (`owner`); evidence,
    an answer or a KPI through its programme; a KPI value through its KPI. None when no unit owns it."""
    if obj is None or isinstance(obj, str):
        return None
    if obj.__class__.__name__ == "Unit":
        return int(obj.pk)
    if getattr(obj, "owner_id", None) is not None:
        return int(obj.owner_id)
    if getattr(obj, "kpi_id", None) is not None:
        obj = obj.kpi
    if getattr(obj, "programme_id", None) is not None:
        return int(obj.programme.owner_id)
    return None


@rules.predicate
def can_write_for_unit(user: AbstractBaseUser | AnonymousUser, obj: Any) -> bool:
    """THE unit rule for every write by a region's people (evidence files and links, archiving them,
    answers, programmes, KPIs, action items): the region's coordinator may write anything of the region;
    a unit operator only what their own unit owns — an object no unit owns (evidence without a programme,
    the region itself) is the coordinator's. Executives and other roles write nothing here."""
    if is_coordinator_of(user, obj):
        return True
    unit = owning_unit(obj)
    return unit is not None and unit in roles.units_for(user) and is_operator_of_region(user, obj)


can_view_region = is_national_admin | is_member_of_region | is_assigned_assessor_of_region

# A token that may write is only for someone who may write somewhere.
can_hold_write_token = ~is_read_only_role

rules.add_perm("catalogue.view_programme_private", can_view_region)
rules.add_perm("regions.view_dashboard", can_view_region)

"""Who may open which page. Thin wrappers over the rules predicates, for views."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from kotacerdas.accounts import roles
from kotacerdas.accounts.choices import Role


def is_admin(user: Any) -> bool:
    return roles.is_national_admin(user)


def is_assessor(user: Any) -> bool:
    return roles.has_role(user, Role.ASSESSOR)


def can_view_region_dashboard(user: Any, region_code: str) -> bool:
    """Admins see every region; assessors the regions assigned to their panel; coordinators, operators
    and executives their own."""
    if not getattr(user, "is_authenticated", False):
        return False
    return is_admin(user) or region_code in roles.regions_for(user) or region_code in roles.assigned_regions(user)


def can_view_private_catalogue(user: Any, region_code: str) -> bool:
    """Feedback and evidence of a region's programmes: the region's people, admins, assessors."""
    return can_view_region_dashboard(user, region_code)


def require(condition: bool, reason: str = "") -> None:
    """Refuse the request unless `condition`; `reason` (translated) is shown on the refusal page."""
    if not condition:
        raise PermissionDenied(reason)

"""Read helpers about who holds which role where (used by rules predicates and views)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from .choices import Role

User = AbstractBaseUser | AnonymousUser


def _memberships(user: User) -> list[tuple[str, str | None, int | None]]:
    if not getattr(user, "is_authenticated", False):
        return []
    cache = getattr(user, "_kc_memberships", None)
    if cache is None:
        cache = list(user.memberships.filter(active=True).values_list("role", "region_id", "unit_id"))  # type: ignore[union-attr]
        user._kc_memberships = cache  # type: ignore[union-attr]
    return cache


def memberships(user: User) -> list[tuple[str, str | None, int | None]]:
    """(role, region, unit) of the user's active memberships."""
    return list(_memberships(user))


def has_role(user: User, role: Role | str) -> bool:
    return any(r == role for r, _, _ in _memberships(user))


def is_national_admin(user: User) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_role(user, Role.NATIONAL_ADMIN)


def regions_for(user: User, *roles: Role | str) -> set[str]:
    return {region for r, region, _ in _memberships(user) if region and (not roles or r in roles)}


def units_for(user: User) -> set[int]:
    return {unit for r, _, unit in _memberships(user) if unit and r == Role.OPERATOR}


def home_region(user: User) -> str | None:
    for _role, region, _unit in _memberships(user):
        if region:
            return region
    return None


def assigned_regions(user: User) -> set[str]:
    """Regions an assessor's panels are assigned to (any cycle). Assessors see only these."""
    if not getattr(user, "is_authenticated", False) or not has_role(user, Role.ASSESSOR):
        return set()
    cache = getattr(user, "_kc_assigned", None)
    if cache is None:
        from kotacerdas.evaluations.models import Assignment

        cache = set(Assignment.objects.filter(panel__members=user, active=True).values_list("region_id", flat=True))
        user._kc_assigned = cache  # type: ignore[union-attr]
    return cache

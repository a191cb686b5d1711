"""Who may see and who may produce a region's reports.

Seeing (the reports page, finished files): the people who may see its submission in the UI, the
executive included. Producing one queues a background job (a write, and costly): everyone who may see
them except the executive, whose role is read-only (SECURITY.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules

from kotacerdas.accounts import roles

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


@rules.predicate
def can_report_region(user: AbstractBaseUser | AnonymousUser, region: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if roles.is_national_admin(user):
        return True
    code = getattr(region, "code", region)
    if code in roles.regions_for(user):
        return True
    if roles.has_role(user, "assessor") and code not in roles.regions_for(user):
        from kotacerdas.evaluations.models import Assignment

        return Assignment.objects.filter(region_id=code, active=True, panel__members=user).exists()
    return False


@rules.predicate
def can_request_report(user: AbstractBaseUser | AnonymousUser, region: Any) -> bool:
    if not can_report_region(user, region):
        return False
    code = getattr(region, "code", region)
    other_roles = {r for r in ("coordinator", "operator") if code in roles.regions_for(user, r)}
    return roles.is_national_admin(user) or bool(other_roles) or roles.has_role(user, "assessor")


rules.add_perm("reports.view_reports", can_report_region)
rules.add_perm("reports.request_report", can_request_report)

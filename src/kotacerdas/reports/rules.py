"""Who may produce a region's report: the same people who may see its submission in the UI."""

from __future__ import annotations

from typing import Any

import rules

from kotacerdas.accounts import roles


@rules.predicate
def can_report_region(user: Any, region: Any) -> bool:
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


rules.add_perm("reports.request_report", can_report_region)

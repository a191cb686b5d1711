"""Who may do what with an impact survey: plain predicates, each testable on its own.
Objects are a Survey or a Region (both carry a region)."""

from __future__ import annotations

from typing import Any

import rules

from kotacerdas.accounts import roles
from kotacerdas.accounts.choices import Role
from kotacerdas.accounts.rules import is_assigned_assessor_of_region, is_member_of_region, is_national_admin


def _region_id(obj: Any) -> str | None:
    if obj is None:
        return None
    if obj.__class__.__name__ == "Region":
        return str(obj.code)
    value = getattr(obj, "region_id", None)
    return str(value) if value is not None else None


@rules.predicate
def is_survey_coordinator(user: Any, obj: Any) -> bool:
    code = _region_id(obj)
    return code is not None and code in roles.regions_for(user, Role.COORDINATOR)


@rules.predicate
def is_region_operator(user: Any, obj: Any) -> bool:
    code = _region_id(obj)
    return code is not None and code in roles.regions_for(user, Role.OPERATOR)


# Assessors read the plans/surveys of the regions assigned to their panel, not every region.
is_assessor = is_assigned_assessor_of_region


can_view_survey = is_national_admin | is_member_of_region | is_assigned_assessor_of_region
can_manage_survey = is_survey_coordinator
# The responsible OPD collects paper questionnaires with Diskominfo (methodology §5).
can_enter_responses = is_survey_coordinator | is_region_operator
# Names and phone numbers of respondents: only the region's coordinator (and the national admin, who
# answers complaints); every access is written to the audit trail.
can_view_personal = is_survey_coordinator | is_national_admin

rules.add_perm("surveys.view_survey", can_view_survey)
rules.add_perm("surveys.manage_survey", can_manage_survey)
rules.add_perm("surveys.enter_responses", can_enter_responses)
rules.add_perm("surveys.view_personal", can_view_personal)

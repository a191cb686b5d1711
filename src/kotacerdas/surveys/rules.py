"""Who may do what with an impact survey: plain predicates, each testable on its own.
Objects are a Survey or a Region (both carry a region)."""

from __future__ import annotations

import rules

from kotacerdas.accounts.rules import (
    is_assigned_assessor_of_region,
    is_coordinator_of,
    is_member_of_region,
    is_national_admin,
    is_operator_of_region,
)

# Assessors read the plans/surveys of the regions assigned to their panel, not every region.
is_assessor = is_assigned_assessor_of_region


can_view_survey = is_national_admin | is_member_of_region | is_assigned_assessor_of_region
can_manage_survey = is_coordinator_of
# The responsible OPD collects paper questionnaires with Diskominfo (methodology §5).
can_enter_responses = is_coordinator_of | is_operator_of_region
# Names and phone numbers of respondents: only the region's coordinator (and the national admin, who
# answers complaints); every access is written to the audit trail.
can_view_personal = is_coordinator_of | is_national_admin

rules.add_perm("surveys.view_survey", can_view_survey)
rules.add_perm("surveys.manage_survey", can_manage_survey)
rules.add_perm("surveys.enter_responses", can_enter_responses)
rules.add_perm("surveys.view_personal", can_view_personal)

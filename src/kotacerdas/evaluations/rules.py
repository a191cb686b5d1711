"""Who may do what in the evaluation workflow: plain predicates, each testable on its own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules

from kotacerdas.accounts import roles
from kotacerdas.accounts.choices import Role
from kotacerdas.accounts.rules import (
    can_write_for_unit,
    is_coordinator_of,
    is_executive_of,
    is_national_admin,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def _submission(obj: Any) -> Any:
    return getattr(obj, "submission", obj)


def assigned_panel(user: AbstractBaseUser | AnonymousUser, submission: Any) -> Any:
    from .models import Assignment

    if not getattr(user, "is_authenticated", False) or not roles.has_role(user, Role.ASSESSOR):
        return None
    assignment = (Assignment.objects.select_related("panel")
                  .filter(cycle_id=submission.cycle_id, region_id=submission.region_id, active=True,
                          panel__members=user).first())
    return assignment.panel if assignment else None


@rules.predicate
def is_region_coordinator(user: AbstractBaseUser | AnonymousUser, obj: Any) -> bool:
    sub = _submission(obj)
    return sub is not None and sub.region_id in roles.regions_for(user, Role.COORDINATOR)


@rules.predicate
def is_region_member(user: AbstractBaseUser | AnonymousUser, obj: Any) -> bool:
    sub = _submission(obj)
    return sub is not None and sub.region_id in roles.regions_for(user)


@rules.predicate
def is_region_operator(user: AbstractBaseUser | AnonymousUser, obj: Any) -> bool:
    sub = _submission(obj)
    return sub is not None and sub.region_id in roles.regions_for(user, Role.OPERATOR)


@rules.predicate
def has_conflict_of_interest(user: AbstractBaseUser | AnonymousUser, obj: Any) -> bool:
    sub = _submission(obj)
    return sub is not None and sub.region_id in roles.regions_for(user)


@rules.predicate
def is_assigned_assessor(user: AbstractBaseUser | AnonymousUser, obj: Any) -> bool:
    sub = _submission(obj)
    return sub is not None and assigned_panel(user, sub) is not None and not has_conflict_of_interest(user, sub)


@rules.predicate
def is_panel_lead(user: AbstractBaseUser | AnonymousUser, obj: Any) -> bool:
    sub = _submission(obj)
    panel = assigned_panel(user, sub) if sub is not None else None
    return panel is not None and panel.lead_id == user.pk and not has_conflict_of_interest(user, sub)


@rules.predicate
def in_assessment_window(user: AbstractBaseUser | AnonymousUser, obj: Any) -> bool:
    sub = _submission(obj)
    return sub is not None and sub.cycle.assessment_open()


can_view_submission = is_national_admin | is_region_member | is_assigned_assessor
can_edit_answers = is_region_coordinator
# The region gate (may this person add evidence to this submission at all?) …
can_add_evidence = is_region_coordinator | is_region_operator
# … and the unit rule for the piece itself (the evidence, or the programme it is filed under): an operator
# adds and archives only evidence of their own unit's programmes, the coordinator any of the region's.
can_write_evidence = can_write_for_unit
can_submit = is_region_coordinator
can_return = is_national_admin | is_panel_lead
# The what-if (levels changed on screen, nothing saved): the region's coordinator and its executive
# (bupati/wali kota, read-only everywhere else); assessors and operators are not offered it.
can_play_whatif = is_coordinator_of | is_executive_of
can_score = is_assigned_assessor & in_assessment_window
can_set_consensus = is_panel_lead & in_assessment_window
can_conclude = is_national_admin | is_panel_lead

rules.add_perm("evaluations.view_submission", can_view_submission)
rules.add_perm("evaluations.edit_answers", can_edit_answers)
rules.add_perm("evaluations.add_evidence", can_add_evidence)
rules.add_perm("evaluations.write_evidence", can_write_evidence)
rules.add_perm("evaluations.submit", can_submit)
rules.add_perm("evaluations.return", can_return)
rules.add_perm("evaluations.score", can_score)
rules.add_perm("evaluations.set_consensus", can_set_consensus)
rules.add_perm("evaluations.conclude", can_conclude)
rules.add_perm("evaluations.manage_cycle", is_national_admin)

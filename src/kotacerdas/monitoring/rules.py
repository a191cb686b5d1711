"""Who may do what with KPIs, values, events and reach: plain predicates, each testable on its own.

operator — KPIs and values of the programmes of their own unit; coordinator — every programme of
their region; national admin — everything; the public — reach and KPI figures of programmes whose
reach was published.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules

from kotacerdas.accounts.rules import (
    can_write_for_unit,
    is_coordinator_of,
    is_member_of_region,
    is_national_admin,
    is_operator_of_unit,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def programme_of(obj: Any) -> Any:
    """The programme behind a programme, a KPI or a KPI value."""
    if obj is None:
        return None
    if hasattr(obj, "kpi"):
        obj = obj.kpi
    return getattr(obj, "programme", obj)


@rules.predicate
def is_published(user: AbstractBaseUser | AnonymousUser, obj: Any) -> bool:
    from .models import ReachPublication

    prog = programme_of(obj)
    if prog is None or prog.archived_at is not None:
        return False
    return ReachPublication.objects.filter(programme_id=prog.pk, published=True).exists()


@rules.predicate
def manages_programme(user: AbstractBaseUser | AnonymousUser, obj: Any) -> bool:
    prog = programme_of(obj)
    return prog is not None and bool(can_write_for_unit(user, prog))


@rules.predicate
def sees_region(user: AbstractBaseUser | AnonymousUser, obj: Any) -> bool:
    prog = programme_of(obj)
    return prog is not None and bool(is_member_of_region(user, prog))


can_edit_kpis = is_national_admin | manages_programme
can_view_monitoring = is_national_admin | sees_region | is_published
# Publishing speaks for the region, so it is the coordinator's (or the admin's) call, not a unit's.
can_publish_reach = is_national_admin | is_coordinator_of

rules.add_perm("monitoring.change_kpi", can_edit_kpis)
rules.add_perm("monitoring.view_monitoring", can_view_monitoring)
rules.add_perm("monitoring.publish_reach", can_publish_reach)
rules.add_perm("monitoring.push_events", is_national_admin | is_coordinator_of | is_operator_of_unit)

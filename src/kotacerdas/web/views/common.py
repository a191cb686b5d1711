from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.http import HttpRequest

from kotacerdas.evaluations.models import Cycle, Submission


def current_cycle() -> Cycle | None:
    return Cycle.objects.order_by("-year").first()


def region_cycle(region_code: str) -> Cycle | None:
    """The latest cycle the region takes part in."""
    return Cycle.objects.filter(participants__region_id=region_code).order_by("-year").first()


def region_submission(region_code: str, cycle: Cycle | None = None) -> Submission | None:
    from kotacerdas.evaluations import queries

    cycle = cycle or region_cycle(region_code)
    if cycle is None:
        return None
    sub = queries.stage_submission(cycle, region_code)
    if sub is not None:
        sub.cycle = cycle  # saves a query in every caller
    return sub


def assigned_submissions(user: Any, cycle: Cycle | None) -> list[Submission]:
    """The submissions of the regions assigned to the user's panels in a cycle (furthest stage each)."""
    from kotacerdas.evaluations.choices import STAGE_ORDER
    from kotacerdas.evaluations.models import Assignment

    if cycle is None:
        return []
    codes = list(Assignment.objects.filter(cycle=cycle, panel__members=user, active=True)
                 .values_list("region_id", flat=True))
    best: dict[str, Submission] = {}
    for sub in (Submission.objects.filter(cycle=cycle, region_id__in=codes)
                .select_related("region", "region__parent", "cycle").defer("region__geometry",
                                                                          "region__parent__geometry")):
        old = best.get(sub.region_id)
        if old is None or STAGE_ORDER.index(sub.stage) > STAGE_ORDER.index(old.stage):
            best[sub.region_id] = sub
    return sorted(best.values(), key=lambda s: s.region.name)


T = TypeVar("T")


def perform(request: HttpRequest, call: Callable[[], T], success: str | Callable[[T], str]) -> tuple[bool, T | None]:
    """Run one state change (a `do_*` action) for a web form: an ActionError becomes an error message on
    the next page, success becomes a success message. Returns (succeeded, the action's result)."""
    from kotacerdas.core.errors import ActionError

    try:
        result = call()
    except ActionError as exc:
        messages.error(request, exc.message)
        return False, None
    messages.success(request, success(result) if callable(success) else success)
    return True, result

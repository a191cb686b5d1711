"""Results: scoring one submission and storing it, recomputing a cycle, finalising, publishing (ranked
and frozen) and correcting a published result as a new version."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kotacerdas.accounts import roles
from kotacerdas.accounts.actions import record_event
from kotacerdas.core.errors import InvalidInput, InvalidTransition, NotAllowed
from kotacerdas.core.provenance import Provenance
from kotacerdas.scoring import engine

from .. import notify, queries
from ..choices import Stage
from ..models import ConsensusScore, Cycle, Result, ResultVersion, Submission
from ..ranking import rank_cycle
from ..recompute import recompute_cycle
from ._common import S, _admin_only, _check_level, _indicator, _may, _transition

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def compute_result(actor: User, submission: Submission) -> Result:
    """Score a submission with the cycle's pack and store it. A published (frozen) result never changes."""
    cycle = submission.cycle
    existing = Result.objects.filter(cycle=cycle, region_id=submission.region_id).first()
    if existing is not None and existing.frozen_at is not None:
        raise InvalidTransition(_("Hasil sudah diterbitkan dan dibekukan"))
    pack = queries.cycle_pack(cycle)
    previous = queries.previous_index(submission)
    outcome = engine.score(pack, answers=queries.panel_levels(submission), previous=previous)
    return store_result(actor, cycle, submission.region_id, outcome, pack, previous=previous)


def store_result(actor: User, cycle: Cycle, region_code: str, outcome: Any, pack: Any, *,
                 previous: Decimal | None = None, is_demo: bool = False, provenance: str | None = None) -> Result:
    """``provenance``: where the figures come from (core.provenance); by default the participation's."""
    data = outcome.to_dict()
    if provenance is None:
        provenance = queries.participation_provenance(cycle).get(region_code, Provenance.ENTERED)
    values = {
        "pack_code": pack.code, "pack_version": pack.version, "pack_digest": pack.digest,
        "index": outcome.index, "index_raw": str(outcome.index_raw), "mean": outcome.mean,
        "dimensions": data["dimensions"], "dimensions_raw": data.get("dimensions_raw", {}),
        "pillars": data.get("pillars", {}),
        "predicate": data.get("predicate") or "",
        "previous_index": previous,
        "improvement": outcome.improvement, "trace": data.get("trace", []), "computed_at": timezone.now(),
        "is_demo": is_demo, "provenance": provenance,
    }
    if isinstance(values["predicate"], dict):
        values["predicate"] = values["predicate"].get("label", "")
    result, created = Result.objects.update_or_create(cycle=cycle, region_id=region_code, defaults=values)
    record_event(actor, "evaluations.compute_result", result, region_code=region_code,
                 to_state=str(outcome.index), data={"pack": f"{pack.code}@{pack.version}", "created": created})
    return result


@transaction.atomic
def do_recompute(actor: User, cycle: Cycle) -> int:
    """Recompute every assessed/final result of a cycle at once and re-rank; frozen results stay."""
    if not roles.is_national_admin(actor):
        raise NotAllowed(_("Hanya admin nasional yang menghitung ulang"))
    return recompute_cycle(actor, cycle)


@transaction.atomic
def do_finalise(actor: User, submission: Submission, reason: str = "") -> Submission:
    _may(actor, submission, "finalise")
    return _transition(actor, submission, "finalise", reason)


@transaction.atomic
def do_publish(actor: User, cycle: Cycle, reason: str = "") -> int:
    """Publish every final result of the cycle: rank them, freeze them, tell the regions."""
    if not roles.is_national_admin(actor):
        raise NotAllowed(_("Hanya admin nasional yang menerbitkan hasil"))
    finals = list(Submission.objects.filter(cycle=cycle, status=S.FINAL).select_related("cycle"))
    if not finals:
        raise InvalidInput(_("Belum ada hasil final untuk diterbitkan"))
    now = timezone.now()
    for sub in finals:
        _transition(actor, sub, "publish", reason)
    regions = [s.region_id for s in finals]
    Result.objects.filter(cycle=cycle, region_id__in=regions).update(is_published=True, frozen_at=now)
    rank_cycle(cycle)
    if cycle.stage != Stage.PUBLISHED:
        old = cycle.stage
        Cycle.objects.filter(pk=cycle.pk).update(stage=Stage.PUBLISHED, published_at=now)
        record_event(actor, "evaluations.publish_cycle", cycle, from_state=old, to_state=Stage.PUBLISHED,
                     reason=reason, data={"regions": len(regions)})
    for sub in finals:
        notify.published(sub)
    return len(finals)


@transaction.atomic
def do_finalise_cycle(actor: User, cycle: Cycle, reason: str = "") -> int:
    """Finalise every assessed submission of the cycle (each one audited). Returns how many."""
    _admin_only(actor, _("Hanya admin nasional yang memfinalkan hasil"))
    subs = list(Submission.objects.filter(cycle=cycle, status=S.ASSESSED).select_related("cycle"))
    for sub in subs:
        _transition(actor, sub, "finalise", reason)
    return len(subs)


@transaction.atomic
def do_correct_result(actor: User, submission: Submission, levels: Mapping[str, int], reason: str) -> Result:
    """Correct a published result: the panel levels named are set, the region is scored again, the result
    becomes a new version (the old one is kept with the reason) and the cycle is ranked again."""
    _admin_only(actor, _("Hanya admin nasional yang mengoreksi hasil terbit"))
    if not reason.strip():
        raise InvalidInput(_("Tuliskan alasan koreksi"), field="reason")
    if not levels:
        raise InvalidInput(_("Sebutkan minimal satu indikator yang dikoreksi"), field="levels")
    result = Result.objects.filter(cycle=submission.cycle, region_id=submission.region_id, is_published=True).first()
    if result is None or submission.status != S.PUBLISHED:
        raise InvalidTransition(_("Hanya hasil yang sudah diterbitkan yang dikoreksi"))
    pack = queries.cycle_pack(submission.cycle)
    for code, level in levels.items():
        _indicator(submission, code)
        _check_level(pack, level, field=code)
    ResultVersion.objects.create(result=result, version=result.version, index=result.index,
                                 predicate=result.predicate, rank=result.rank, dimensions=result.dimensions,
                                 replaced_by=actor if getattr(actor, "is_authenticated", False) else None,
                                 reason=reason)
    for code, level in levels.items():
        obj = ConsensusScore.objects.filter(submission=submission, indicator=code).first()
        old = "" if obj is None else str(obj.level)
        if obj is None:
            obj = ConsensusScore.objects.create(submission=submission, indicator=code, level=level,
                                                note=reason, set_by=actor)
        else:
            ConsensusScore.objects.filter(pk=obj.pk).update(level=level, note=reason, set_by=actor,
                                                            set_at=timezone.now())
        record_event(actor, "evaluations.consensus", obj, region_code=submission.region_id, from_state=old,
                     to_state=str(level), reason=reason, data={"indicator": code, "correction": True})
    outcome = engine.score(pack, answers=queries.panel_levels(submission), previous=result.previous_index)
    data = outcome.to_dict()
    predicate = data.get("predicate") or ""
    if isinstance(predicate, dict):
        predicate = predicate.get("label", "")
    old_index = result.index
    Result.objects.filter(pk=result.pk).update(
        index=outcome.index, index_raw=str(outcome.index_raw), mean=outcome.mean, dimensions=data["dimensions"],
        pillars=data.get("pillars", {}), predicate=predicate, improvement=outcome.improvement,
        trace=data.get("trace", []), computed_at=timezone.now(), version=F("version") + 1,
        correction_reason=reason, corrected_at=timezone.now())
    rank_cycle(submission.cycle)
    result.refresh_from_db()
    record_event(actor, "evaluations.correct_result", result, region_code=submission.region_id,
                 from_state=str(old_index), to_state=str(result.index), reason=reason,
                 data={"version": result.version, "indicators": sorted(levels)})
    return result

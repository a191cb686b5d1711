"""Moving open kominfo-2021 cycles to 2021.2: register_risiko answers archived (never deleted) with an audit
event, evidence re-filed, published results untouched; stored demo results recompute bit for bit."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from kotacerdas.accounts.models import AuditEvent
from kotacerdas.evaluations import queries
from kotacerdas.evaluations.models import (
    Answer,
    Assessment,
    AssessmentScore,
    ConsensusScore,
    Cycle,
    Evidence,
    Result,
    Submission,
)
from kotacerdas.scoring import engine
from kotacerdas.scoring.packs import get_pack

pytestmark = pytest.mark.django_db
migration = importlib.import_module("kotacerdas.evaluations.migrations.0006_kominfo_2021_2")
RETIRED, HEIR = "quick_win.register_risiko", "quick_win.manajemen_risiko"
DIGEST_2021_1 = "af13f51ec8b13b9a699c33d05d44365db77ab2ad075a2623b90f9fece687d7fc"


def _cycle_with_answers(year: int, stage: str, actors) -> Submission:
    old = get_pack("kominfo-2021", "2021.1")
    cycle = Cycle.objects.create(year=year, name=f"Uji {year}", pack_code=old.code, pack_version=old.version,
                                 pack_digest=old.digest, stage=stage)
    sub = Submission.objects.create(cycle=cycle, region_id="16.07", stage="tahap_2", status="assessed")
    Answer.objects.bulk_create([Answer(submission=sub, indicator=n.code, level=3, justification="uji")
                                for n in old.indicators()])
    assessment = Assessment.objects.create(submission=sub, assessor=actors.andi, status="complete")
    AssessmentScore.objects.bulk_create([AssessmentScore(assessment=assessment, indicator=n.code, level=2)
                                         for n in old.indicators()])
    ConsensusScore.objects.create(submission=sub, indicator=RETIRED, level=4, set_by=actors.alice)
    Evidence.objects.create(submission=sub, indicator=RETIRED, kind="link", url="https://contoh.go.id/register")
    return sub


def test_it_moves_an_open_cycle_archiving_register_risiko_and_leaves_published_results(actors) -> None:
    open_sub = _cycle_with_answers(2031, "tahap_2", actors)
    done_sub = _cycle_with_answers(2032, "published", actors)
    old = get_pack("kominfo-2021", "2021.1")
    outcome = engine.score(old, answers=queries.panel_levels(done_sub))
    from kotacerdas.evaluations import actions

    published = actions.store_result(actors.alice, done_sub.cycle, "16.07", outcome, old)
    Result.objects.filter(pk=published.pk).update(is_published=True, frozen_at=timezone.now())
    frozen = Result.objects.filter(pk=published.pk).values().get()
    rows = (Answer.objects.count(), AssessmentScore.objects.count(), ConsensusScore.objects.count(),
            Evidence.objects.count())

    migration.move(apps, None)

    new = get_pack("kominfo-2021", "2021.2")
    moved = Cycle.objects.get(pk=open_sub.cycle_id)
    assert (moved.pack_version, moved.pack_digest) == ("2021.2", new.digest)
    # Nothing was deleted: the retired rows are archived, everything else is as it was.
    assert (Answer.objects.count(), AssessmentScore.objects.count(), ConsensusScore.objects.count(),
            Evidence.objects.count()) == rows
    answer = Answer.objects.get(submission=open_sub, indicator=RETIRED)
    assert answer.archived_at is not None and answer.level == 3
    assert AssessmentScore.objects.get(assessment__submission=open_sub, indicator=RETIRED).archived_at
    assert ConsensusScore.objects.get(submission=open_sub, indicator=RETIRED).archived_at
    assert Answer.objects.filter(submission=open_sub, archived_at__isnull=False).count() == 1
    assert Evidence.objects.get(submission=open_sub, url__endswith="/register").indicator == HEIR
    # Readers skip the archived rows, so the cycle scores under 2021.2 without an unknown code.
    assert RETIRED not in queries.self_answers(open_sub) and RETIRED not in queries.panel_levels(open_sub)
    assert queries.readiness_forecast(Submission.objects.get(pk=open_sub.pk)).pack_version == "2021.2"
    event = AuditEvent.objects.get(action="evaluations.move_cycle_pack", object_id=str(moved.pk))
    assert (event.from_state, event.to_state) == ("kominfo-2021@2021.1", "kominfo-2021@2021.2")
    assert event.data["archived"]["answers"] == [{"id": answer.pk, "submission": open_sub.pk, "level": 3,
                                                  "given_score": None, "justification": "uji"}]
    assert len(event.data["archived"]["assessment_scores"]) == 1
    assert event.data["archived"]["consensus"][0]["level"] == 4
    assert event.data["pack"]["digest_from"] == DIGEST_2021_1

    # The cycle with a published result stays on 2021.1, its rows and its result exactly as they were.
    kept = Cycle.objects.get(pk=done_sub.cycle_id)
    assert (kept.pack_version, kept.pack_digest) == ("2021.1", DIGEST_2021_1)
    assert not Answer.objects.filter(submission=done_sub, archived_at__isnull=False).exists()
    assert Evidence.objects.get(submission=done_sub, url__endswith="/register").indicator == RETIRED
    assert Result.objects.filter(pk=published.pk).values().get() == frozen
    assert not AuditEvent.objects.filter(action="evaluations.move_cycle_pack", object_id=str(kept.pk)).exists()

    # Running it again changes nothing.
    migration.move(apps, None)
    assert AuditEvent.objects.filter(action="evaluations.move_cycle_pack").count() == 1


def test_the_demo_uses_2021_2_for_its_open_cycle_and_keeps_2021_1_for_published_history() -> None:
    assert Cycle.objects.get(year=2024, pack_code="kominfo-2021").pack_version == "2021.2"
    for year in (2021, 2023):
        cycle = Cycle.objects.get(year=year, pack_code="kominfo-2021")
        assert (cycle.pack_version, cycle.pack_digest) == ("2021.1", DIGEST_2021_1)
    assert not Answer.objects.filter(submission__cycle__year=2024, indicator=RETIRED).exists()
    assert not AssessmentScore.objects.filter(assessment__submission__cycle__year=2024, indicator=RETIRED).exists()


def test_every_stored_demo_result_recomputes_bit_for_bit_with_its_pack_version() -> None:
    """Each published demo result, scored again by the engine from the levels and given scores in its own
    trace with the pack version it names, gives the stored index, unrounded index and dimensions."""
    results = list(Result.objects.filter(is_published=True, cycle__is_demo=True))
    assert len(results) > 400
    for r in results:
        pack = get_pack(r.pack_code, r.pack_version)
        assert r.pack_digest == pack.digest
        values = {s["node"]: Decimal(s["value"]) for s in queries.result_trace(r)
                  if s["formula"].startswith(("answer =", "given score"))}
        indicators = {n.code for n in pack.indicators()}
        again = engine.score(pack, answers={k: v for k, v in values.items() if k in indicators},
                             given={k: v for k, v in values.items() if k not in indicators},
                             previous=r.previous_index)
        assert (again.index, str(again.index_raw), again.improvement) == (r.index, r.index_raw, r.improvement)
        assert {k: None if v is None else float(v) for k, v in again.dimensions.items()} == r.dimensions
        assert again.to_dict()["dimensions_raw"] == r.dimensions_raw

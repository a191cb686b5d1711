"""Unpublished kominfo-2021 cycles move from pack version 2021.1 to 2021.2 (without quick_win.register_risiko).

2021.2 drops the Quick Win indicator "register_risiko", which no source lists and which duplicated
"manajemen_risiko". A cycle moves when it is still open: not in the published stage and without a
published or frozen result. For each moved cycle:

* the region's answers, the assessors' scores and the consensus levels given to register_risiko are
  archived (``archived_at`` set; the rows stay, readers skip them) -- they are not mapped, since a level
  for a risk register says nothing certain about risk management as a whole;
* evidence filed under register_risiko (a risk-register form) is re-filed under manajemen_risiko, whose
  evidence list names that form, so the region's documents stay where the pack asks for them;
* one audit event records the move and every archived or re-filed row with its values.

Cycles with published results stay on 2021.1 and their results keep the version and digest they were
computed with. Results already computed in a moved cycle keep theirs too, until the cycle is recomputed.
"""

from django.db import migrations
from django.utils import timezone

CODE, OLD, NEW = "kominfo-2021", "2021.1", "2021.2"
RETIRED, HEIR = "quick_win.register_risiko", "quick_win.manajemen_risiko"
PUBLISHED = "published"


def movable_cycles(apps):
    Cycle = apps.get_model("evaluations", "Cycle")
    Result = apps.get_model("evaluations", "Result")
    published = set(Result._default_manager.filter(pack_code=CODE)
                    .exclude(is_published=False, frozen_at__isnull=True).values_list("cycle_id", flat=True))
    cycles = Cycle._default_manager.filter(pack_code=CODE, pack_version=OLD).exclude(stage=PUBLISHED)
    return [c for c in cycles.order_by("year") if c.pk not in published]


def move(apps, schema_editor):
    from kotacerdas.scoring.packs import PackNotFound, get_pack

    try:
        new = get_pack(CODE, NEW)
    except PackNotFound:  # an installation that ships its own packs: nothing to move to
        return
    Cycle = apps.get_model("evaluations", "Cycle")
    Answer = apps.get_model("evaluations", "Answer")
    AssessmentScore = apps.get_model("evaluations", "AssessmentScore")
    ConsensusScore = apps.get_model("evaluations", "ConsensusScore")
    Evidence = apps.get_model("evaluations", "Evidence")
    Result = apps.get_model("evaluations", "Result")
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    for cycle in movable_cycles(apps):
        now = timezone.now()
        answers = Answer._default_manager.filter(submission__cycle=cycle, indicator=RETIRED,
                                                 archived_at__isnull=True)
        scores = AssessmentScore._default_manager.filter(assessment__submission__cycle=cycle, indicator=RETIRED,
                                                archived_at__isnull=True)
        consensus = ConsensusScore._default_manager.filter(submission__cycle=cycle, indicator=RETIRED,
                                                           archived_at__isnull=True)
        evidence = Evidence._default_manager.filter(submission__cycle=cycle, indicator=RETIRED)
        data = {
            "pack": {"from": f"{CODE}@{OLD}", "to": f"{CODE}@{NEW}", "digest_from": cycle.pack_digest,
                     "digest_to": new.digest},
            "archived": {
                "answers": [{"id": a.pk, "submission": a.submission_id, "level": a.level,
                             "given_score": None if a.given_score is None else str(a.given_score),
                             "justification": a.justification} for a in answers.order_by("pk")],
                "assessment_scores": [{"id": s.pk, "assessment": s.assessment_id, "level": s.level, "note": s.note}
                                      for s in scores.order_by("pk")],
                "consensus": [{"id": c.pk, "submission": c.submission_id, "level": c.level, "note": c.note}
                              for c in consensus.order_by("pk")],
            },
            "evidence_refiled": {"to": HEIR, "ids": list(evidence.order_by("pk").values_list("pk", flat=True))},
            "results_to_recompute": Result._default_manager.filter(cycle=cycle, pack_version=OLD).count(),
        }
        answers.update(archived_at=now)
        scores.update(archived_at=now)
        consensus.update(archived_at=now)
        evidence.update(indicator=HEIR)
        Cycle._default_manager.filter(pk=cycle.pk).update(pack_version=NEW, pack_digest=new.digest)
        AuditEvent._default_manager.create(
            at=now, action="evaluations.move_cycle_pack", object_type="evaluations.cycle", object_id=str(cycle.pk),
            from_state=f"{CODE}@{OLD}", to_state=f"{CODE}@{NEW}",
            reason="Paket 2021.2 menghapus indikator Quick Win register_risiko (tidak disebut sumber mana pun, "
                   "duplikat manajemen_risiko): jawaban dan skornya diarsipkan, bukti dipindah ke manajemen_risiko "
                   "/ pack 2021.2 drops the Quick Win indicator register_risiko: its answers and scores are "
                   "archived, its evidence re-filed under manajemen_risiko",
            data=data,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_apitoken"),
        ("evaluations", "0005_archive_retired_indicators_and_raw_dimensions"),
    ]

    operations = [migrations.RunPython(move, migrations.RunPython.noop)]

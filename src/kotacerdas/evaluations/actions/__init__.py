"""Every state change of the evaluation workflow. Each `do_*` checks permission, changes state in one
transaction and writes an audit event (who, when, from, to, why). Views, the API and the commands call
only these.

A package, one module per responsibility, because one module held all of it (1,350 lines):

* ``cycles``          — opening a cycle, participants, stages, panels, assignments and their suggestion;
* ``selfassessment``  — the region's answers (Smart City, IID), evidence, submit and return;
* ``assessment``      — the assessors' scores, feedback, interview, consensus, concluding;
* ``results``         — scoring and storing results, recompute, finalise, publish, corrections;
* ``administration``  — the Tahap II meeting slot, deadline reminders, reopening a submission;
* ``_common``         — the status transition (evaluations.transitions + compare-and-set + audit), the
  admin gate, pack checks.

This ``__init__`` re-exports the public API, so callers keep writing
``from kotacerdas.evaluations import actions; actions.do_submit(...)`` or
``from kotacerdas.evaluations.actions import do_submit`` and need not know which module holds what.
Reads live in ``evaluations.queries``, ranking in ``evaluations.ranking``, the national batch recompute
(no permission check of its own: ``do_recompute`` is the action) in ``evaluations.recompute``."""

from __future__ import annotations

from ._common import MAX_VIDEO_SECONDS, ensure_submission
from .administration import (
    do_remind,
    do_reopen,
    do_schedule_meeting,
)
from .assessment import (
    do_complete_assessment,
    do_conclude,
    do_feedback,
    do_record_interview,
    do_score,
    do_set_consensus,
    do_start_assessment,
)
from .cycles import (
    Suggestion,
    default_region_classes,
    do_add_participant,
    do_add_participants,
    do_advance_stage,
    do_apply_suggestion,
    do_assign,
    do_form_panel,
    do_open_cycle,
    panel_conflicts,
    suggest_assignments,
)
from .results import (
    compute_result,
    do_correct_result,
    do_finalise,
    do_finalise_cycle,
    do_publish,
    do_recompute,
    store_result,
)
from .selfassessment import (
    do_add_evidence_file,
    do_add_evidence_link,
    do_archive_evidence,
    do_return,
    do_save_answer,
    do_save_iid,
    do_submit,
)

__all__ = [
    "MAX_VIDEO_SECONDS",
    "Suggestion",
    "compute_result",
    "default_region_classes",
    "do_add_evidence_file",
    "do_add_evidence_link",
    "do_add_participant",
    "do_add_participants",
    "do_advance_stage",
    "do_apply_suggestion",
    "do_archive_evidence",
    "do_assign",
    "do_complete_assessment",
    "do_conclude",
    "do_correct_result",
    "do_feedback",
    "do_finalise",
    "do_finalise_cycle",
    "do_form_panel",
    "do_open_cycle",
    "do_publish",
    "do_recompute",
    "do_record_interview",
    "do_remind",
    "do_reopen",
    "do_return",
    "do_save_answer",
    "do_save_iid",
    "do_schedule_meeting",
    "do_score",
    "do_set_consensus",
    "do_start_assessment",
    "do_submit",
    "ensure_submission",
    "panel_conflicts",
    "store_result",
    "suggest_assignments",
]

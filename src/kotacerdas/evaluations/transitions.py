"""The submission workflow as one table: for each action, the statuses it is allowed from, the status it
leads to (None: the action works inside the status) and who may take it. The actions (`do_*`), the web
screens (which buttons and forms are shown) and the API (its transition routes and the `actions` a caller
may take on a submission) all read this table, so the workflow is written down once.

Conditions that are not about status and role (a deadline, the pre-submit checks, an assessor who has
already completed their sheet) stay in the actions, which give the reason when they refuse."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kotacerdas.accounts.rules import is_national_admin

from . import rules as perms
from .choices import SubmissionStatus as S

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class Action(StrEnum):
    """The workflow's actions on a submission (the API's `actions` enum)."""

    EDIT_ANSWERS = "edit_answers"
    ADD_EVIDENCE = "add_evidence"
    SUBMIT = "submit"
    START_ASSESSMENT = "start_assessment"
    RETURN = "return"
    SCORE = "score"
    SET_CONSENSUS = "set_consensus"
    CONCLUDE = "conclude"
    FINALISE = "finalise"
    PUBLISH = "publish"
    REOPEN = "reopen"


@dataclass(frozen=True)
class Step:
    name: str
    sources: frozenset[str]
    target: str | None  # None: the action changes what is inside the submission, not its status
    who: Any  # a django-rules predicate (user, submission)
    label: str | Promise
    refusal: str | Promise  # why someone not in `who` is refused

    def allowed_from(self, status: str) -> bool:
        return status in self.sources

    def to(self, status: str) -> str:
        """The status after this step from `status` (a returned submission comes back as resubmitted)."""
        if self.name == "submit" and status == S.RETURNED:
            return S.RESUBMITTED
        return self.target or status


def _step(name: str, sources: Iterable[str], target: str | None, who: Any, label: str | Promise,
          refusal: str | Promise) -> Step:
    return Step(name, frozenset(str(s) for s in sources), target, who, label, refusal)


_ASSESSABLE = (S.SUBMITTED, S.RESUBMITTED, S.UNDER_ASSESSMENT, S.ASSESSED, S.FINAL)

# The workflow. Order is the order of the screens' buttons and of the API's `actions` list.
TABLE: dict[str, Step] = {Action(step.name).value: step for step in (
    # the region
    _step("edit_answers", (S.DRAFT, S.RETURNED), None, perms.can_edit_answers,
          _("Isi jawaban"), _("Hanya koordinator daerah yang mengisi jawaban")),
    _step("add_evidence", (S.DRAFT, S.RETURNED), None, perms.can_add_evidence,
          _("Tambah bukti dukung"), _("Hanya koordinator dan operator daerah yang menambah bukti dukung")),
    _step("submit", (S.DRAFT, S.RETURNED), S.SUBMITTED, perms.can_submit,
          _("Kirim ke panel asesor"), _("Hanya koordinator daerah yang mengirim pengajuan")),
    # the panel
    _step("start_assessment", (S.SUBMITTED, S.RESUBMITTED), S.UNDER_ASSESSMENT, perms.can_conclude,
          _("Mulai penilaian"), _("Hanya admin nasional atau ketua panel yang memulai penilaian")),
    _step("return", (S.SUBMITTED, S.RESUBMITTED), S.RETURNED, perms.can_return,
          _("Kembalikan ke daerah"), _("Hanya admin nasional atau ketua panel yang mengembalikan")),
    _step("score", (S.UNDER_ASSESSMENT,), None, perms.can_score,
          _("Beri skor"), _("Hanya asesor panel yang ditugaskan (dalam jendela penilaian) yang memberi skor")),
    _step("set_consensus", (S.UNDER_ASSESSMENT, S.ASSESSED), None, perms.can_set_consensus,
          _("Tetapkan konsensus"), _("Hanya ketua panel (dalam jendela penilaian) yang menetapkan konsensus")),
    _step("conclude", (S.UNDER_ASSESSMENT,), S.ASSESSED, perms.can_conclude,
          _("Tutup penilaian dan hitung hasil"), _("Hanya admin nasional atau ketua panel yang menutup penilaian")),
    # the national team
    _step("finalise", (S.ASSESSED,), S.FINAL, is_national_admin,
          _("Finalkan hasil"), _("Hanya admin nasional yang memfinalkan hasil")),
    _step("publish", (S.FINAL,), S.PUBLISHED, is_national_admin,
          _("Terbitkan hasil"), _("Hanya admin nasional yang menerbitkan hasil")),
    _step("reopen", _ASSESSABLE, S.RETURNED, is_national_admin,
          _("Buka kembali"), _("Hanya admin nasional yang membuka kembali pengajuan")),
)}

# The steps that move a submission from one status to another (the API has one route for each of the
# first five; publish and reopen are national-administration routes).
TRANSITIONS = {name: step for name, step in TABLE.items() if step.target is not None}


def step(name: str) -> Step:
    return TABLE[name]


def sources(name: str) -> frozenset[str]:
    return TABLE[name].sources


def who(name: str) -> Any:
    return TABLE[name].who


def can(user: AbstractBaseUser | AnonymousUser, submission: Any, name: str) -> bool:
    """May `user` take action `name` on `submission` now, as far as status and role go?"""
    entry = TABLE[name]
    return entry.allowed_from(submission.status) and bool(entry.who.test(user, submission))


def available(user: AbstractBaseUser | AnonymousUser, submission: Any) -> list[str]:
    """The actions `user` may take on `submission` in its current status, in table order."""
    return [name for name in TABLE if can(user, submission, name)]


def allowed_in(status: str) -> list[str]:
    """The actions the workflow allows in `status`, whoever asks."""
    return [name for name, entry in TABLE.items() if entry.allowed_from(status)]



assert list(TABLE) == [a.value for a in Action], "one table entry per action, in the enum's order"

"""Importing the evaluation worksheet or the programme catalogue from the web (Wilayah → Laporan): the
upload is kept in storage, a background job checks it as a dry run and shows row by row what would change;
only when the person applies it does a second job write it (all or nothing, through the same importers
as `kotacerdas import`).

Both jobs run in steps (`core.jobs.in_steps`): their progress is written to the Job row as they go. The
dry run checks outside any transaction (an importer's trial writes are rolled back inside it) and records its
verdict in the job's final transaction: done with the row-by-row changes, or failed with the refused rows
(sheet, row, column, reason). The apply job makes the importer's writes, their audit events and the job's
`done` in one final transaction; refused at that point, nothing of it stays and the job fails with the
report."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext, override

from kotacerdas.core import jobs
from kotacerdas.core.errors import ActionError, InvalidInput, NotAllowed
from kotacerdas.core.files import local_path
from kotacerdas.core.models import Job, JobStatus
from kotacerdas.evaluations.models import Cycle
from kotacerdas.regions.models import Region

from .importers import IMPORTERS
from .xlsx import ImportFailed

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

KINDS = ("worksheet", "programmes")
JOB_KIND = "kotacerdas.reports.webimport.run"
MAX_BYTES = 20 * 1024 * 1024
# The steps the job writes on its row (stored in Indonesian, shown in the reader's language).
READING = jobs.job_message(gettext_noop("membaca berkas"))
CHECKING = jobs.job_message(gettext_noop("memeriksa baris"))
CHECKED = jobs.job_message(gettext_noop("pemeriksaan selesai"))
SAVING = jobs.job_message(gettext_noop("menyimpan perubahan"))
IMPORTED = jobs.job_message(gettext_noop("impor selesai"))


def can_import(user: User | AnonymousUser, region: Region, kind: str, cycle: Cycle | None = None) -> bool:
    """Whether to offer the import: the importers check again, row by row."""
    if kind == "programmes":
        from kotacerdas.catalogue.rules import can_add_programme

        return bool(can_add_programme.test(user, region))
    from kotacerdas.evaluations import queries
    from kotacerdas.evaluations import rules as eval_rules

    if cycle is None:
        return bool(eval_rules.is_region_coordinator.test(user, _Probe(region.code)))
    sub = queries.stage_submission(cycle, region.code)
    return sub is not None and bool(eval_rules.can_edit_answers.test(user, sub))


class _Probe:
    def __init__(self, code: str) -> None:
        self.region_id = code


def start(actor: User, region: Region, kind: str, cycle: Cycle | None, name: str,
          content: bytes, *, language: str = "id") -> Job:
    """Keep the upload and queue its dry run."""
    if kind not in KINDS:
        raise InvalidInput(_("Jenis impor tidak dikenal"), field="kind")
    importer = IMPORTERS[kind]
    suffix = Path(name).suffix.lower()
    if suffix not in importer.formats:
        raise InvalidInput(_("Berkas harus %(formats)s") % {"formats": " / ".join(importer.formats)}, field="file")
    if not content:
        raise InvalidInput(_("Berkas kosong"), field="file")
    if len(content) > MAX_BYTES:
        raise InvalidInput(_("Berkas lebih dari 20 MB"), field="file")
    if importer.needs_year and cycle is None:
        raise InvalidInput(_("Pilih tahun evaluasi"), field="cycle")
    if not can_import(actor, region, kind, cycle):
        raise NotAllowed(_("Anda tidak berhak mengimpor berkas ini untuk %(region)s") % {"region": region.name})
    stored = default_storage.save(f"imports/{region.code}/{uuid.uuid4().hex}{suffix}", ContentFile(content))
    return jobs.enqueue(JOB_KIND, {"kind": kind, "region": region.code, "year": cycle.year if cycle else None,
                                   "cycle": cycle.pk if cycle else None, "path": stored, "name": name,
                                   "dry_run": True, "actor": actor.pk, "language": language},
                        user=actor, region_code=region.code, total=3)


def apply(actor: User, preview: Job) -> Job:
    """Queue the real import of a checked upload (the dry run must have passed)."""
    if preview.kind != JOB_KIND or not preview.params.get("dry_run") or preview.created_by_id != actor.pk:
        raise NotAllowed(_("Hanya pengunggah berkas yang menerapkan impornya"))
    if preview.status != JobStatus.DONE or not (preview.result or {}).get("ok"):
        raise InvalidInput(_("Periksa berkas sampai tanpa galat dulu, baru terapkan"))
    applied = Job.objects.filter(kind=JOB_KIND, params__preview=preview.pk).first()
    if applied is not None:
        return applied
    return jobs.enqueue(JOB_KIND, {**preview.params, "dry_run": False, "preview": preview.pk},
                        user=actor, region_code=preview.region_code, total=3)


def _refused(exc: ImportFailed | ActionError, dry_run: bool) -> dict[str, Any]:
    if isinstance(exc, ImportFailed):
        return {**exc.report.to_dict(), "dry_run": dry_run}
    return {"ok": False, "rows": 0, "changed": 0, "unchanged": 0, "changes": [], "dry_run": dry_run,
            "errors": [{"sheet": "-", "row": 0, "column": "-", "message": exc.message}]}


def _fail(job: Job, result: dict[str, Any]) -> dict[str, Any]:
    """The job ends failed with the refused rows as its result (nothing of the import is kept)."""
    n = len(result.get("errors") or [])
    error = ngettext("Berkas ditolak: %(n)d galat; tidak ada yang disimpan",
                     "Berkas ditolak: %(n)d galat; tidak ada yang disimpan", n) % {"n": n}
    with jobs.finishing(job, JobStatus.FAILED, result, error=error) as outcome:
        pass
    return outcome


@jobs.in_steps
def run(job: Job, *, kind: str, region: str, year: int | None, path: str, name: str, dry_run: bool, actor: int,
        language: str = "id", cycle: int | None = None, preview: int | None = None) -> dict[str, Any]:
    """The job: run the importer on the stored upload; the report (with every row's change) is the result.
    A dry run writes nothing; the real run writes in the job's final transaction only."""
    user = get_user_model().objects.get(pk=actor)
    region_obj = Region.objects.without_geometry().get(code=region)
    cycle_obj = Cycle.objects.filter(pk=cycle).first() if cycle else None
    importer = IMPORTERS[kind]
    with override(language):
        jobs.job_progress(job, 1, 3, READING)
        with local_path(path) as local:  # a temporary copy when uploads are in object storage
            if dry_run:
                jobs.job_progress(job, 2, 3, CHECKING)
                try:
                    report = importer.run(user, local, region_obj, cycle_obj, True)
                except (ImportFailed, ActionError) as exc:
                    return _fail(job, _refused(exc, True))
                with jobs.finishing(job, JobStatus.DONE, {**report.to_dict(), "dry_run": True}) as outcome:
                    jobs.job_progress(job, 3, 3, CHECKED)  # stored with the final status
                return outcome
            jobs.job_progress(job, 2, 3, SAVING)
            try:
                with jobs.finishing(job, JobStatus.DONE) as outcome:
                    report = importer.run(user, local, region_obj, cycle_obj, False)
                    outcome.update(report.to_dict(), dry_run=False)
                    jobs.job_progress(job, 3, 3, IMPORTED)  # stored with the final status
            except (ImportFailed, ActionError) as exc:  # rolled back with the final transaction
                return _fail(job, _refused(exc, False))
            return outcome

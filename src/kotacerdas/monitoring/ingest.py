"""The background-job bodies of the monitoring imports (`core.jobs`): a KPI-value file or push, a batch of
service transactions, synthetic transactions. Each runs outside any transaction (`in_steps`): it reads and
checks the input with its progress on the Job row, then makes all its writes — the rows, the import's
counts and report, the audit event — in `finishing`, where they commit together with the job's final
status. A refused input ends "failed" with its row report and nothing else written; a preview (dry run)
writes nothing but its report."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_noop

from kotacerdas.accounts.actions import record_event
from kotacerdas.core.files import field_path
from kotacerdas.core.jobs import PROGRESS_EVERY, LeaseLost, finishing, in_steps, job_message, job_progress
from kotacerdas.core.models import Job, JobStatus
from kotacerdas.regions.choices import Level
from kotacerdas.regions.models import Region

from . import importer
from .choices import ValueSource
from .lookup import build_lookup
from .models import IngestJob, Kpi
from .writer import upsert_values

log = logging.getLogger(__name__)

# The job functions, by the dotted path a Job names them with.
RUN_IMPORT = "kotacerdas.monitoring.ingest.run_import"
APPEND_EVENTS = "kotacerdas.monitoring.ingest.append_events"
GENERATE_EVENTS = "kotacerdas.monitoring.ingest.generate_events"
# Progress is counted in thousandths: checking the rows is the first 90 %, writing them the rest.
STEPS = 1000
CHECKED = 900
PREVIEW_ROWS = 20
# What the jobs write on their row as they go (stored in Indonesian, shown in the reader's language).
ROWS_CHECKED = job_message(gettext_noop("%(rows)d baris diperiksa"))
ROWS_PASSED = job_message(gettext_noop("%(rows)d baris lolos pemeriksaan; menulis"))
PREVIEWED = job_message(gettext_noop("Pratinjau %(rows)d baris: %(created)d baru, %(updated)d diubah, "
                                     "%(unchanged)d tetap; belum ada yang ditulis"))
IMPORTED = job_message(gettext_noop("%(rows)d baris: %(created)d baru, %(updated)d diubah, %(unchanged)d tetap"))
EVENTS_RECEIVED = job_message(gettext_noop("%(rows)d transaksi diterima"))
EVENTS_STORED = job_message(gettext_noop("%(rows)d transaksi tersimpan"))
EVENTS_QUARANTINED = job_message(gettext_noop("%(rows)d transaksi tersimpan; %(quarantined)d dikarantina "
                                              "(%(reasons)s)"))
SYNTHETIC = job_message(gettext_noop("%(rows)d transaksi sintetis %(year)d"))
SYNTHETIC_DONE = job_message(gettext_noop("%(rows)d transaksi sintetis %(year)d (%(programmes)s)"))


def _short(text: str, limit: int = 200) -> str:
    """A text value of a stored message, short enough that the message stays whole (300 characters) and
    is still read back in the reader's language."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _progress(job: Job) -> Callable[[int, float], None]:
    """The importer's progress callback: the job's progress and "N rows checked" on its row, at most every
    PROGRESS_EVERY seconds (a 1M-row file must not do thousands of UPDATEs)."""
    last = [float("-inf")]

    def tick(rows: int, fraction: float) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY and fraction < 1.0:
            return
        last[0] = now
        job_progress(job, int(CHECKED * fraction), STEPS, ROWS_CHECKED % {"rows": rows})

    return tick


def _validate(ingest: IngestJob, job: Job) -> importer.Validated:
    lookup = _lookup(ingest)
    if ingest.file_format == "json":  # values pushed over the API, stored as a JSON list of rows
        with ingest.file.open("rb") as fh:
            rows = json.load(fh)
        header = list(importer.CANONICAL)
        cells = ((i, [r.get(c) if isinstance(r, Mapping) else None for c in header])
                 for i, r in enumerate(rows, start=1))
        return importer.validate_rows(0, header, cells, lookup)
    with field_path(ingest.file) as local:  # a temporary copy when the file is in object storage
        return importer.validate_file(local, lookup, file_format=ingest.file_format,
                                      encoding=ingest.encoding or None, mapping=ingest.mapping or None,
                                      decimal=ingest.decimal, progress=_progress(job))


def _lookup(ingest: IngestJob) -> importer.Lookup:
    return build_lookup(ingest.created_by, ingest.region, ingest.programme, ingest.year)


@in_steps
def run_import(job: Job, ingest_job_id: int) -> dict[str, Any]:
    """Check and write one KPI-value import (file or push); never raises on bad data (the report has it)."""
    ingest = IngestJob.objects.select_related("region", "programme", "created_by").get(pk=ingest_job_id)
    ingest.job = job
    try:
        validated = _validate(ingest, job)
        try:
            return _finish(job, ingest, validated)
        finally:
            validated.close()
    except LeaseLost:
        raise
    except Exception:
        log.exception("import %s (job %s) crashed", ingest.pk, job.pk)
        with finishing(job, JobStatus.FAILED, {"ingest_job": ingest.pk}, error=importer.CRASHED) as result:
            record_event(ingest.created_by, "monitoring.import_crashed", ingest, to_state=JobStatus.FAILED)
        return result


def _finish(job: Job, ingest: IngestJob, validated: importer.Validated) -> dict[str, Any]:
    actor = ingest.created_by
    source = ValueSource.API if ingest.file_format == "json" else ValueSource.UPLOAD
    report = {**(ingest.report or {}), "encoding": validated.encoding, "delimiter": validated.delimiter,
              "columns": validated.columns}
    result: dict[str, Any] = {"ingest_job": ingest.pk, "rows": validated.rows, "errors": validated.error_count}
    if not validated.ok:
        error = (importer.REJECTED_ROWS % {"n": validated.error_count, "rows": validated.rows}
                 if validated.rows else importer.REJECTED_FILE)
        with finishing(job, JobStatus.FAILED, result, error=error) as result:
            IngestJob.objects.filter(pk=ingest.pk).update(
                total_rows=validated.rows, error_count=validated.error_count,
                errors=[e.as_dict() for e in validated.errors], report=report)
            record_event(actor, "monitoring.import_rejected", ingest, from_state=JobStatus.RUNNING,
                         to_state=JobStatus.FAILED, data={"errors": validated.error_count, "rows": validated.rows})
        return result
    assert validated.spool is not None
    job_progress(job, CHECKED, STEPS, ROWS_PASSED % {"rows": validated.rows})
    if ingest.dry_run:
        report.update(sample=_sample(validated), decimal=ingest.decimal)
    with finishing(job, JobStatus.DONE, result) as result:
        if ingest.dry_run:
            counts = _counted_only(validated, source, ingest.pk)
            job.message = PREVIEWED % {"rows": validated.rows, "created": counts.created,
                                       "updated": counts.updated, "unchanged": counts.unchanged}
        else:
            counts = upsert_values(validated.spool, source=source, job_id=ingest.pk, spans=validated.spans)
            job.message = IMPORTED % {"rows": validated.rows, "created": counts.created,
                                      "updated": counts.updated, "unchanged": counts.unchanged}
        IngestJob.objects.filter(pk=ingest.pk).update(
            total_rows=validated.rows, created_count=counts.created, updated_count=counts.updated,
            unchanged_count=counts.unchanged, report=report)
        data = {"rows": validated.rows, "created": counts.created, "updated": counts.updated,
                "unchanged": counts.unchanged}
        result.update(data)
        record_event(actor, "monitoring.preview_ready" if ingest.dry_run else "monitoring.import_kpi_values",
                     ingest, from_state=JobStatus.RUNNING, to_state=JobStatus.DONE, data=data)
    return result


class _Rollback(Exception):
    pass


def _counted_only(validated: importer.Validated, source: str, ingest_id: int) -> Any:
    """A dry run: the rows are written inside a savepoint that is rolled back, so the counts of new,
    changed and unchanged rows are exactly what the real import will find (unless the data changes
    meanwhile: applying checks again)."""
    assert validated.spool is not None
    counts: Any = None
    try:
        with transaction.atomic():
            counts = upsert_values(validated.spool, source=source, job_id=ingest_id, spans=validated.spans)
            raise _Rollback
    except _Rollback:
        pass
    return counts


def _sample(validated: importer.Validated) -> list[dict[str, Any]]:
    """The first rows as read, to be shown in the preview."""
    assert validated.spool is not None
    validated.spool.seek(0)
    lines = [line.rstrip("\n").split("\t") for _, line in zip(range(PREVIEW_ROWS), validated.spool, strict=False)]
    validated.spool.seek(0)
    kpis = {k.pk: k for k in Kpi.objects.filter(pk__in={int(x[0]) for x in lines}).select_related("programme")}
    return [{"programme": kpis[int(k)].programme.code, "kpi": kpis[int(k)].code, "kpi_name": kpis[int(k)].name,
             "period": p, "region": a, "value": v, "target": "" if t == "\\N" else t}
            for k, p, a, v, t in lines]


# --- service transactions ---------------------------------------------------------------------------

@in_steps
def append_events(job: Job, ingest_job_id: int, known: list[str], period: list[str] | None = None) -> dict[str, Any]:
    """Append the transactions stored with the import (Parquet) under settings.EVENTS_ROOT; rows that fail
    validation go to a quarantine file with their reason (`analytics.events.append_events`)."""
    import pyarrow.parquet as pq

    from kotacerdas.analytics.events import append_events as append

    ingest = IngestJob.objects.select_related("region", "created_by").get(pk=ingest_job_id)
    region = ingest.region
    kecs = list(Region.objects.filter(parent=region, level=Level.KECAMATAN).values_list("code", flat=True))
    desa = dict(Region.objects.filter(parent__in=kecs, level=Level.DESA).values_list("code", "parent_id"))
    window = (dt.datetime.fromisoformat(period[0]), dt.datetime.fromisoformat(period[1])) if period else None
    with field_path(ingest.file) as local:
        table = pq.read_table(local)
    job_progress(job, 0, table.num_rows, EVENTS_RECEIVED % {"rows": table.num_rows})
    try:
        rep = append(settings.EVENTS_ROOT, table, known, kecs, known_desa=desa, region=region.code, period=window)
    except ValueError as exc:  # a missing column: the caller's export is wrong, nothing was written
        with finishing(job, JobStatus.FAILED, {"ingest_job": ingest.pk}, error=str(exc)) as result:
            IngestJob.objects.filter(pk=ingest.pk).update(
                total_rows=table.num_rows, error_count=1,
                errors=[{"row": 0, "column": "", "code": "missing_column", "message": str(exc)}])
            record_event(ingest.created_by, "monitoring.events_rejected", ingest, to_state=JobStatus.FAILED,
                         reason=str(exc))
        return result
    report = {
        "ingest_id": rep.ingest_id, "input_rows": rep.input_rows, "written_rows": rep.written_rows,
        "quarantined_rows": rep.quarantined_rows, "quarantined_by_reason": rep.quarantined_by_reason,
        "quarantine_file": rep.quarantine_file or "", "files": rep.files, "ignored_columns": rep.ignored_columns,
        "written_by_partition": {f"{y:04d}-{m:02d}": n for (y, m), n in sorted(rep.written_by_partition.items())},
    }
    msg = EVENTS_STORED % {"rows": rep.written_rows}
    if rep.quarantined_rows:
        reasons = ", ".join(f"{k}: {v}" for k, v in sorted(rep.quarantined_by_reason.items()))
        msg = EVENTS_QUARANTINED % {"rows": rep.written_rows, "quarantined": rep.quarantined_rows,
                                    "reasons": _short(reasons)}
    job.message = msg[:300]
    with finishing(job, JobStatus.DONE, {"ingest_job": ingest.pk, "written_rows": rep.written_rows}) as result:
        IngestJob.objects.filter(pk=ingest.pk).update(
            total_rows=rep.input_rows, created_count=rep.written_rows, error_count=rep.quarantined_rows,
            report=report)
        record_event(ingest.created_by, "monitoring.append_events", ingest, to_state=JobStatus.DONE,
                     data={k: report[k] for k in ("input_rows", "written_rows", "quarantined_rows",
                                                   "quarantined_by_reason", "quarantine_file")})
    return result


@in_steps
def generate_events(job: Job, ingest_job_id: int, programmes: list[str], year: int, n_events: int, seed: int,
                    root: str = "") -> dict[str, Any]:
    """Synthetic service transactions (`kotacerdas generate-events`, the demo), through the same validated
    append as real ones."""
    from kotacerdas.analytics.generator import write_generated

    ingest = IngestJob.objects.select_related("region", "created_by").get(pk=ingest_job_id)
    job_progress(job, 0, n_events, SYNTHETIC % {"rows": n_events, "year": year})
    t0 = time.monotonic()
    try:
        rep = write_generated(Path(root) if root else settings.EVENTS_ROOT, region=ingest.region_id,
                              programmes=programmes, year=year, n_events=n_events, seed=seed)
    except ValueError as exc:  # e.g. no reference population shipped for this kabupaten
        with finishing(job, JobStatus.FAILED, {"ingest_job": ingest.pk}, error=str(exc)) as result:
            pass
        return result
    report = {"input_rows": rep.input_rows, "written_rows": rep.written_rows,
              "quarantined_rows": rep.quarantined_rows, "quarantined_by_reason": rep.quarantined_by_reason,
              "programmes": programmes, "year": year, "seed": seed, "seconds": round(time.monotonic() - t0, 2),
              "files": len(rep.files),
              "written_by_partition": {f"{y:04d}-{m:02d}": n for (y, m), n in sorted(rep.written_by_partition.items())}}
    job.message = (SYNTHETIC_DONE % {"rows": rep.written_rows, "year": year,
                                     "programmes": _short(", ".join(programmes))})[:300]
    job_progress(job, rep.input_rows, rep.input_rows)
    with finishing(job, JobStatus.DONE, {"ingest_job": ingest.pk, "written_rows": rep.written_rows}) as result:
        IngestJob.objects.filter(pk=ingest.pk).update(
            total_rows=rep.input_rows, created_count=rep.written_rows, error_count=rep.quarantined_rows,
            report=report)
        record_event(ingest.created_by, "monitoring.generate_events", ingest, to_state=JobStatus.DONE,
                     data={k: report[k] for k in ("written_rows", "programmes", "year", "seed")})
    return result

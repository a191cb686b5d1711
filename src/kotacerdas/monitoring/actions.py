"""Every state change of the monitoring app. Each ``do_*`` checks permission, changes state in one
transaction and writes an audit event; views, the API and the commands call only these."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kotacerdas.accounts.actions import record_event
from kotacerdas.catalogue.models import Programme
from kotacerdas.core.errors import InvalidInput, NotAllowed, StaleEdit, require
from kotacerdas.core.files import field_path
from kotacerdas.regions.choices import Level
from kotacerdas.regions.models import Region

from . import importer
from . import rules as perms
from .choices import IngestKind, IngestStatus, NumberFormat, ValueSource
from .models import IngestJob, Kpi, ReachPublication
from .writer import upsert_values

log = logging.getLogger(__name__)

FIRST_PERIOD = dt.date(2015, 1, 1)  # the Smart City movement's data starts here; older is a typo
KPI_FIELDS = ("code", "name", "description", "unit", "direction", "target", "source", "source_detail",
              "frequency", "aggregation", "area_level", "evidence_for", "order")
# Files up to this size are imported while the uploader waits; larger ones in the background.
SYNC_IMPORT_BYTES = 1 << 20


def today_wib() -> dt.date:
    return timezone.localdate()


# --- KPI definitions --------------------------------------------------------------------------------

def _decimal_fields(fields: dict[str, Any]) -> dict[str, Any]:
    # 3.4 as a float is 3.39999…; a number typed by a person means its shortest decimal form.
    if isinstance(fields.get("target"), float):
        fields["target"] = Decimal(repr(fields["target"]))
    return fields


def _clean(kpi: Kpi, exclude: Sequence[str] = ()) -> None:
    try:
        kpi.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise InvalidInput(f"{field}: {' '.join(messages)}", field=field) from None


@transaction.atomic
def do_create_kpi(actor: Any, programme: Programme, *, is_demo: bool = False, **fields: Any) -> Kpi:
    require(perms.can_edit_kpis, actor, programme, _("Anda tidak berhak mengubah KPI program ini"))
    unknown = set(fields) - set(KPI_FIELDS)
    if unknown:
        raise InvalidInput(_("Isian tidak dikenal: %(names)s") % {"names": ", ".join(sorted(unknown))},
                           field=sorted(unknown)[0])
    kpi = Kpi(programme=programme, is_demo=is_demo, **_decimal_fields(fields))
    _clean(kpi, exclude=["programme"])
    if Kpi.objects.filter(programme=programme, code=kpi.code).exists():
        raise InvalidInput(_("Kode KPI %(code)r sudah dipakai di program ini") % {"code": kpi.code}, field="code")
    try:
        with transaction.atomic():
            kpi.save()
    except IntegrityError:
        raise InvalidInput(_("Kode KPI %(code)r sudah dipakai di program ini") % {"code": kpi.code},
                           field="code") from None
    record_event(actor, "monitoring.create_kpi", kpi, data={"programme": programme.code, "code": kpi.code})
    return kpi


@transaction.atomic
def do_update_kpi(actor: Any, kpi: Kpi, *, expected_version: int | None = None, **changes: Any) -> Kpi:
    """Change a KPI's definition. With `expected_version` (the API's optimistic lock) the change goes
    through only if the KPI is still at the version the caller saw; a stale one is refused (StaleEdit)."""
    require(perms.can_edit_kpis, actor, kpi.programme, _("Anda tidak berhak mengubah KPI program ini"))
    unknown = set(changes) - set(KPI_FIELDS) - {"code"}
    if unknown or "code" in changes:
        bad = sorted(unknown | ({"code"} & set(changes)))
        raise InvalidInput(_("Tidak bisa diubah: %(names)s") % {"names": ", ".join(bad)}, field=bad[0])
    changes = _decimal_fields(changes)
    before = {k: str(getattr(kpi, k)) for k in changes}
    for k, v in changes.items():
        setattr(kpi, k, v)
    _clean(kpi, exclude=["programme"])
    seen = kpi.version if expected_version is None else expected_version
    # Compare-and-set on the version: a change saved meanwhile (or a stale version) writes nothing.
    if not Kpi.objects.filter(pk=kpi.pk, version=seen).update(
            **{k: getattr(kpi, k) for k in changes}, version=F("version") + 1, updated_at=timezone.now()):
        raise StaleEdit(_("KPI ini sudah diubah orang lain sejak Anda membukanya; muat ulang lalu ulangi"))
    kpi.refresh_from_db()
    record_event(actor, "monitoring.update_kpi", kpi,
                 data={"changes": {k: [before[k], str(v)] for k, v in changes.items() if before[k] != str(v)}})
    return kpi


@transaction.atomic
def do_archive_kpi(actor: Any, kpi: Kpi, reason: str = "") -> Kpi:
    require(perms.can_edit_kpis, actor, kpi.programme, _("Anda tidak berhak mengubah KPI program ini"))
    if kpi.archived_at is None:
        Kpi.objects.filter(pk=kpi.pk).update(archived_at=timezone.now())
        record_event(actor, "monitoring.archive_kpi", kpi, to_state="archived", reason=reason)
        kpi.refresh_from_db()
    return kpi


@transaction.atomic
def do_publish_reach(actor: Any, programme: Programme, published: bool = True, reason: str = "") -> ReachPublication:
    require(perms.can_publish_reach, actor, programme,
            _("Hanya koordinator wilayah atau admin nasional yang menerbitkan jangkauan program"))
    pub, _created = ReachPublication.objects.select_for_update().get_or_create(programme=programme)
    if pub.published != published:
        old = "public" if pub.published else "internal"
        pub.published = published
        pub.published_at = timezone.now() if published else None
        pub.published_by = actor if published and getattr(actor, "is_authenticated", False) else None
        pub.save()
        record_event(actor, "monitoring.publish_reach" if published else "monitoring.withdraw_reach", programme,
                     from_state=old, to_state="public" if published else "internal", reason=reason)
    return pub


# --- KPI value imports ------------------------------------------------------------------------------

def editable_programmes(actor: Any, region: Region) -> list[Programme]:
    progs = list(Programme.objects.active().filter(region=region).select_related("owner"))
    return [p for p in progs if perms.can_edit_kpis.test(actor, p)]


def _areas(region: Region) -> dict[str, str]:
    kecs = dict(Region.objects.filter(parent=region, level=Level.KECAMATAN).values_list("code", "level"))
    desa = dict(Region.objects.filter(parent__in=list(kecs), level=Level.DESA).values_list("code", "level"))
    return {region.code: "region", **kecs, **desa}


def build_lookup(actor: Any, region: Region, programme: Programme | None = None, year: int | None = None,
                 today: dt.date | None = None) -> importer.Lookup:
    """What the validator needs, loaded once: programmes, KPIs (with the actor's right to fill
    each), the areas of the kabupaten and the allowed period window."""
    progs = list(Programme.objects.active().filter(region=region).select_related("owner"))
    allowed = {p.pk for p in progs if perms.can_edit_kpis.test(actor, p)}
    keys: dict[str, int] = {}
    for p in progs:
        keys.setdefault(p.code.lower(), p.pk)
        keys.setdefault(p.title.strip().lower(), p.pk)
    kpis: dict[tuple[int, str], importer.KpiInfo] = {}
    for k in Kpi.objects.active().filter(programme__in=progs):
        info = importer.KpiInfo(id=k.pk, programme_id=k.programme_id, code=k.code, frequency=k.frequency,
                                unit=k.unit, area_level=k.area_level, allowed=k.programme_id in allowed)
        kpis.setdefault((k.programme_id, k.code.lower()), info)
        kpis.setdefault((k.programme_id, k.name.strip().lower()), info)
    today = today or today_wib()
    return importer.Lookup(
        region_code=region.code,
        programmes=keys,
        kpis=kpis,
        areas=_areas(region),
        first_period=FIRST_PERIOD,
        last_period=today.replace(day=1),
        default_programme=programme.pk if programme else None,
        year=year,
        exists=lambda code: Region.objects.filter(code=code).exists(),
        programme_start={p.pk: dt.date(max(p.start_year, 1900), 1, 1) for p in progs},
    )


def _check_can_import(actor: Any, region: Region, programme: Programme | None) -> None:
    if programme is not None:
        if programme.region_id != region.code:
            raise InvalidInput(_("Program tidak berada di wilayah ini"), field="programme")
        require(perms.can_edit_kpis, actor, programme, _("Anda tidak berhak mengisi KPI program ini"))
    elif not editable_programmes(actor, region):
        raise NotAllowed(_("Anda tidak berhak mengisi KPI program mana pun di wilayah ini"))


def _check_options(encoding: str, decimal: str) -> None:
    if encoding:
        import codecs

        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InvalidInput(_("Pengodean %(encoding)r tidak dikenal (contoh: utf-8, windows-1252)")
                               % {"encoding": encoding}, field="encoding") from None
    if decimal not in NumberFormat.values:
        raise InvalidInput(_("Format angka tidak dikenal"), field="decimal")


def do_start_kpi_import(
    actor: Any,
    *,
    region: Region,
    upload: File | bytes,  # type: ignore[type-arg]
    name: str,
    programme: Programme | None = None,
    mapping: Mapping[str, str] | None = None,
    encoding: str = "",
    decimal: str = "",
    year: int | None = None,
    runner: str | None = None,
    is_demo: bool = False,
    dry_run: bool = False,
) -> IngestJob:
    """Store the upload as an IngestJob and run it (``settings.MONITORING_IMPORT_RUNNER``): ``sync``
    while the caller waits; ``worker`` as a background job of ``kotacerdas worker`` (kotacerdas.core.jobs,
    progress through the shared cache); ``thread`` in a thread of this process (progress in the
    IngestJob row); ``auto`` = sync up to 1 MB, worker above. ``decimal``: the file's number notation
    (``NumberFormat``); ``dry_run``: check and count what would change, write nothing."""
    _check_can_import(actor, region, programme)
    _check_options(encoding, decimal)
    content = ContentFile(upload, name=name) if isinstance(upload, bytes) else upload
    with transaction.atomic():
        job = _store_job(actor, region, programme, content, name, mapping, encoding, year, is_demo,
                         decimal=decimal, dry_run=dry_run)
    return _launch(actor, job, runner)


def do_upload_kpi_file(actor: Any, *, region: Region, upload: File | bytes, name: str,  # type: ignore[type-arg]
                       programme: Programme | None = None, encoding: str = "", year: int | None = None) -> IngestJob:
    """The first step on the web: store the file as a draft job, to map its columns and choose its
    number notation (``do_preview_kpi_import``) before anything is checked."""
    _check_can_import(actor, region, programme)
    _check_options(encoding, "")
    content = ContentFile(upload, name=name) if isinstance(upload, bytes) else upload
    with transaction.atomic():
        return _store_job(actor, region, programme, content, name, None, encoding, year, False,
                          status=IngestStatus.DRAFT)


def _check_own_job(actor: Any, job: IngestJob) -> None:
    _check_can_import(actor, job.region, job.programme)
    if job.created_by_id is None or job.created_by_id != getattr(actor, "pk", None):
        raise NotAllowed(_("Hanya pengunggah berkas yang melanjutkan impor ini"))


def do_preview_kpi_import(actor: Any, job: IngestJob, *, mapping: Mapping[str, str], decimal: str,
                          runner: str | None = None) -> IngestJob:
    """Check an uploaded file with the columns and notation chosen on the form, and count what it
    would change, writing nothing. A draft becomes the preview; a file already previewed gets a new
    preview job (a job keeps the outcome it had)."""
    _check_own_job(actor, job)
    _check_options(job.encoding, decimal)
    unknown = sorted(set(mapping) - set(importer.CANONICAL))
    if unknown:
        raise InvalidInput(_("Kolom tidak dikenal: %(names)s") % {"names": ", ".join(unknown)}, field="mapping")
    with transaction.atomic():
        if job.status == IngestStatus.DRAFT and IngestJob.objects.filter(
                pk=job.pk, status=IngestStatus.DRAFT).update(status=IngestStatus.QUEUED, mapping=dict(mapping),
                                                             decimal=decimal, dry_run=True):
            job.refresh_from_db()
        elif job.dry_run and job.done and not (job.report or {}).get("applied_as"):
            job = _copy_job(job, mapping=dict(mapping), decimal=decimal, dry_run=True)
        else:
            raise InvalidInput(_("Impor ini sudah berjalan atau sudah diterapkan"), field="job")
        record_event(actor, "monitoring.preview_import", job, to_state=IngestStatus.QUEUED,
                     data={"mapping": job.mapping, "decimal": decimal})
    return _launch(actor, job, runner)


def do_apply_kpi_import(actor: Any, preview: IngestJob, runner: str | None = None) -> IngestJob:
    """Import a previewed file for real, with the columns and notation of its preview: checked again
    (the data may have changed since) and written all-or-nothing as a new job."""
    _check_own_job(actor, preview)
    with transaction.atomic():
        locked = IngestJob.objects.select_for_update().get(pk=preview.pk)
        if not (locked.dry_run and locked.status == IngestStatus.SUCCEEDED) or (locked.report or {}).get("applied_as"):
            raise InvalidInput(_("Hanya pratinjau yang lolos dan belum diterapkan yang bisa diterapkan"),
                               field="job")
        job = _copy_job(locked, mapping=locked.mapping, decimal=locked.decimal, dry_run=False)
        IngestJob.objects.filter(pk=locked.pk).update(report={**(locked.report or {}), "applied_as": job.pk})
        record_event(actor, "monitoring.apply_import", job, to_state=IngestStatus.QUEUED,
                     data={"preview": locked.pk})
    return _launch(actor, job, runner)


def _copy_job(job: IngestJob, *, mapping: dict[str, str], decimal: str, dry_run: bool) -> IngestJob:
    """A new queued job over the same stored file and options."""
    return IngestJob.objects.create(
        kind=job.kind, region=job.region, programme=job.programme, created_by=job.created_by, file=job.file.name,
        original_name=job.original_name, file_format=job.file_format, encoding=job.encoding, mapping=mapping,
        decimal=decimal, dry_run=dry_run, year=job.year, is_demo=job.is_demo, report={"from_job": job.pk})


def _launch(actor: Any, job: IngestJob, runner: str | None) -> IngestJob:
    runner = runner or getattr(settings, "MONITORING_IMPORT_RUNNER", "auto")
    if runner == "auto":
        runner = "sync" if job.file.size <= SYNC_IMPORT_BYTES else "worker"
    if runner == "sync":
        return run_ingest_job(job.pk)
    if runner == "worker":
        from kotacerdas.core.jobs import enqueue

        with transaction.atomic():
            core = enqueue("kotacerdas.monitoring.actions.ingest_task", {"ingest_job_id": job.pk}, user=actor,
                           region_code=job.region_id, total=1000)
            IngestJob.objects.filter(pk=job.pk).update(report={**(job.report or {}), "core_job": core.pk})
        job.refresh_from_db()
    elif runner == "thread":
        pk = job.pk
        # After commit: the thread's own connection must see the job row.
        transaction.on_commit(lambda: threading.Thread(target=_run_in_thread, args=(pk,), daemon=True,
                                                       name=f"kotacerdas-import-{pk}").start())
    return job


def _store_job(actor: Any, region: Region, programme: Programme | None, content: File, name: str,  # type: ignore[type-arg]
               mapping: Mapping[str, str] | None, encoding: str, year: int | None, is_demo: bool, *,
               decimal: str = "", dry_run: bool = False, status: str = IngestStatus.QUEUED) -> IngestJob:
    job = IngestJob(kind=IngestKind.KPI_VALUES, region=region, programme=programme,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                    original_name=Path(name).name[:255], encoding=encoding, mapping=dict(mapping or {}),
                    year=year, is_demo=is_demo, decimal=decimal, dry_run=dry_run, status=status)
    job.file.save(Path(name).name or "upload.csv", content, save=False)
    with field_path(job.file) as local:  # a temporary copy when the file is in object storage
        job.file_format = importer.sniff_format(local, name)
    job.save()
    record_event(actor, "monitoring.start_import", job, to_state=status,
                 data={"file": job.original_name, "programme": programme.code if programme else ""})
    return job


def _run_in_thread(job_id: int) -> None:
    try:
        run_ingest_job(job_id)
    finally:
        connection.close()


class _Progress:
    """Writes progress to the job at most twice a second (a 1M-row file must not do 500 UPDATEs)."""

    def __init__(self, job_id: int) -> None:
        self.job_id, self.last = job_id, 0.0

    def __call__(self, rows: int, fraction: float) -> None:
        now = time.monotonic()
        if now - self.last < 0.5:
            return
        self.last = now
        IngestJob.objects.filter(pk=self.job_id).update(processed_rows=rows, progress=int(90 * fraction))


def claim(job_id: int) -> bool:
    """Optimistic lock: only one runner moves a job from queued to running."""
    return bool(IngestJob.objects.filter(pk=job_id, status=IngestStatus.QUEUED).update(
        status=IngestStatus.RUNNING, started_at=timezone.now(), phase="validating"))


def ingest_task(job: Any, ingest_job_id: int) -> dict[str, Any]:
    """The background-job body for ``kotacerdas worker``. The worker runs it inside one transaction,
    so progress goes to the shared cache (``job_progress``), not to rows that nobody could see yet."""
    from kotacerdas.core.jobs import job_progress

    def progress(rows: int, fraction: float) -> None:
        job_progress(job, int(1000 * fraction), 1000, f"{rows} baris diperiksa")

    done = run_ingest_job(ingest_job_id, progress=progress)
    return {"ingest_job": done.pk, "status": done.status, "errors": done.error_count,
            "created": done.created_count, "updated": done.updated_count}


def run_ingest_job(job_id: int, progress: Callable[[int, float], None] | None = None) -> IngestJob:
    """Validate and write one queued KPI-value job; never raises on bad data (the job records it)."""
    if not claim(job_id):
        return IngestJob.objects.get(pk=job_id)
    job = IngestJob.objects.select_related("region", "programme", "created_by").get(pk=job_id)
    try:
        lookup = build_lookup(job.created_by, job.region, job.programme, job.year)
        with field_path(job.file) as local:  # a temporary copy when the file is in object storage
            validated = importer.validate_file(local, lookup, file_format=job.file_format,
                                               encoding=job.encoding or None, mapping=job.mapping or None,
                                               decimal=job.decimal, progress=progress or _Progress(job.pk))
        return _finish(job, job.created_by, validated, ValueSource.UPLOAD)
    except Exception:
        log.exception("import job %s crashed", job_id)
        IngestJob.objects.filter(pk=job_id).update(
            status=IngestStatus.FAILED, finished_at=timezone.now(), phase="",
            message=importer.CRASHED)
        return IngestJob.objects.get(pk=job_id)


def _finish(job: IngestJob, actor: Any, validated: importer.Validated, source: str) -> IngestJob:
    now = timezone.now()
    base = {"processed_rows": validated.rows, "total_rows": validated.rows, "finished_at": now, "phase": "",
            "report": {**(job.report or {}), "encoding": validated.encoding, "delimiter": validated.delimiter,
                       "columns": validated.columns}}
    if not validated.ok:
        IngestJob.objects.filter(pk=job.pk).update(
            status=IngestStatus.FAILED, progress=100, error_count=validated.error_count,
            errors=[e.as_dict() for e in validated.errors],
            message=(importer.REJECTED_ROWS % {"n": validated.error_count, "rows": validated.rows}
                     if validated.rows else importer.REJECTED_FILE), **base)
        job.refresh_from_db()
        record_event(actor, "monitoring.import_rejected", job, from_state=IngestStatus.RUNNING,
                     to_state=IngestStatus.FAILED, data={"errors": validated.error_count, "rows": validated.rows})
        return job
    IngestJob.objects.filter(pk=job.pk).update(phase="writing", progress=90, processed_rows=validated.rows)
    assert validated.spool is not None
    if job.dry_run:
        return _finish_preview(job, actor, validated, source, base)
    try:
        with transaction.atomic():
            counts = upsert_values(validated.spool, source=source, job_id=job.pk, spans=validated.spans)
            IngestJob.objects.filter(pk=job.pk).update(
                status=IngestStatus.SUCCEEDED, progress=100, created_count=counts.created,
                updated_count=counts.updated, unchanged_count=counts.unchanged,
                message=f"{validated.rows} baris: {counts.created} baru, {counts.updated} diubah, "
                        f"{counts.unchanged} tetap", **base)
            job.refresh_from_db()
            record_event(actor, "monitoring.import_kpi_values", job, from_state=IngestStatus.RUNNING,
                         to_state=IngestStatus.SUCCEEDED,
                         data={"rows": validated.rows, "created": counts.created, "updated": counts.updated,
                               "unchanged": counts.unchanged})
    finally:
        validated.close()
    return job


class _Rollback(Exception):
    pass


PREVIEW_ROWS = 20


def _finish_preview(job: IngestJob, actor: Any, validated: importer.Validated, source: str,
                    base: dict[str, Any]) -> IngestJob:
    """A dry run: the rows are written inside a savepoint that is rolled back, so the counts of new,
    changed and unchanged rows are exactly what the real import will find (unless the data changes
    meanwhile: applying checks again). The first rows, as read, go into the report to be shown."""
    assert validated.spool is not None
    try:
        validated.spool.seek(0)
        lines = [line.rstrip("\n").split("\t") for _, line in zip(range(PREVIEW_ROWS), validated.spool, strict=False)]
        validated.spool.seek(0)
        kpis = {k.pk: k for k in Kpi.objects.filter(pk__in={int(x[0]) for x in lines}).select_related("programme")}
        sample = [{"programme": kpis[int(k)].programme.code, "kpi": kpis[int(k)].code, "kpi_name": kpis[int(k)].name,
                   "period": p, "region": a, "value": v, "target": "" if t == "\\N" else t}
                  for k, p, a, v, t in lines]
        try:
            with transaction.atomic():
                counts = upsert_values(validated.spool, source=source, job_id=job.pk, spans=validated.spans)
                raise _Rollback
        except _Rollback:
            pass
        base["report"] = {**base["report"], "sample": sample, "decimal": job.decimal}
        IngestJob.objects.filter(pk=job.pk).update(
            status=IngestStatus.SUCCEEDED, progress=100, created_count=counts.created,
            updated_count=counts.updated, unchanged_count=counts.unchanged,
            message=f"Pratinjau {validated.rows} baris: {counts.created} baru, {counts.updated} diubah, "
                    f"{counts.unchanged} tetap; belum ada yang ditulis", **base)
        job.refresh_from_db()
        record_event(actor, "monitoring.preview_ready", job, from_state=IngestStatus.RUNNING,
                     to_state=IngestStatus.SUCCEEDED,
                     data={"rows": validated.rows, "created": counts.created, "updated": counts.updated,
                           "unchanged": counts.unchanged})
    finally:
        validated.close()
    return job


def do_push_kpi_values(actor: Any, region: Region, rows: Iterable[Mapping[str, Any]], *,
                       programme: Programme | None = None, year: int | None = None) -> IngestJob:
    """Values pushed by another system (API). Same validation and write as a file, all-or-nothing;
    ``row`` in the report is the 1-based position in the list."""
    _check_can_import(actor, region, programme)
    job = IngestJob.objects.create(
        kind=IngestKind.KPI_VALUES, region=region, programme=programme, file_format="json",
        created_by=actor if getattr(actor, "is_authenticated", False) else None, original_name="API",
        year=year, status=IngestStatus.RUNNING, started_at=timezone.now(), phase="validating")
    header = list(importer.CANONICAL)
    cells = (
        (i, [r.get(c) if isinstance(r, Mapping) else None for c in header])
        for i, r in enumerate(rows, start=1)
    )
    lookup = build_lookup(actor, region, programme, year)
    validated = importer.validate_rows(0, header, cells, lookup)
    return _finish(job, actor, validated, ValueSource.API)


# --- raw service events -----------------------------------------------------------------------------

def event_programmes(actor: Any, region: Region) -> list[str]:
    """Programme codes the actor may push events for: all of the region for an admin/coordinator,
    the own unit's for an operator."""
    progs = Programme.objects.active().filter(region=region).only("id", "code", "owner_id", "region_id")
    return sorted(p.code for p in progs if perms.can_edit_kpis.test(actor, p))


def do_append_events(actor: Any, region: Region, table: Any, *, source_name: str = "API",
                     period: tuple[dt.datetime, dt.datetime] | None = None,
                     progress: Callable[[int], None] | None = None) -> IngestJob:
    """Append service transactions (a pyarrow Table with the event columns) as partitioned Parquet
    under settings.EVENTS_ROOT. Rows that fail validation — an unknown programme, a kecamatan outside
    the region, a timestamp in the future… — go to a quarantine file with their reason; none is
    dropped silently. The job records counts per reason and the quarantine file."""
    from kotacerdas.analytics.events import append_events

    known = event_programmes(actor, region)
    if not known:
        raise NotAllowed(_("Anda tidak berhak mengirim transaksi program mana pun di wilayah ini"))
    areas = _areas(region)
    kecs = [c for c, lvl in areas.items() if lvl == Level.KECAMATAN]
    desa = dict(Region.objects.filter(parent__in=kecs, level=Level.DESA).values_list("code", "parent_id"))
    job = IngestJob.objects.create(
        kind=IngestKind.EVENTS, region=region, file_format="arrow", original_name=source_name[:255],
        created_by=actor if getattr(actor, "is_authenticated", False) else None, status=IngestStatus.RUNNING,
        started_at=timezone.now(), phase="writing", total_rows=table.num_rows)
    try:
        rep = append_events(settings.EVENTS_ROOT, table, known, kecs, known_desa=desa, region=region.code,
                            period=period)
    except ValueError as exc:  # a missing column: the caller's export is wrong, nothing was written
        IngestJob.objects.filter(pk=job.pk).update(status=IngestStatus.FAILED, finished_at=timezone.now(),
                                                   phase="", progress=100, message=str(exc), error_count=1,
                                                   errors=[{"row": 0, "column": "", "code": "missing_column",
                                                            "message": str(exc)}])
        job.refresh_from_db()
        record_event(actor, "monitoring.events_rejected", job, to_state=IngestStatus.FAILED, reason=str(exc))
        return job
    report = {
        "ingest_id": rep.ingest_id, "input_rows": rep.input_rows, "written_rows": rep.written_rows,
        "quarantined_rows": rep.quarantined_rows, "quarantined_by_reason": rep.quarantined_by_reason,
        "quarantine_file": rep.quarantine_file or "", "files": rep.files, "ignored_columns": rep.ignored_columns,
        "written_by_partition": {f"{y:04d}-{m:02d}": n for (y, m), n in sorted(rep.written_by_partition.items())},
    }
    msg = f"{rep.written_rows} transaksi tersimpan"
    if rep.quarantined_rows:
        reasons = ", ".join(f"{k}: {v}" for k, v in sorted(rep.quarantined_by_reason.items()))
        msg += f"; {rep.quarantined_rows} dikarantina ({reasons}) di {rep.quarantine_file}"
    IngestJob.objects.filter(pk=job.pk).update(
        status=IngestStatus.SUCCEEDED, finished_at=timezone.now(), phase="", progress=100,
        processed_rows=rep.input_rows, created_count=rep.written_rows, error_count=rep.quarantined_rows,
        report=report, message=msg)
    job.refresh_from_db()
    record_event(actor, "monitoring.append_events", job, to_state=IngestStatus.SUCCEEDED,
                 data={k: report[k] for k in ("input_rows", "written_rows", "quarantined_rows",
                                               "quarantined_by_reason", "quarantine_file")})
    return job


def generate_events(actor: Any, region: Region, *, n_events: int, year: int, seed: int = 42,
                    programmes: Sequence[str] | None = None, is_demo: bool = False,
                    root: Path | None = None) -> IngestJob:
    """Synthetic service transactions for demos and load tests (``kotacerdas generate-events``),
    through the same validated append as real ones. ``actor`` None = the server operator on the
    command line; a signed-in actor must be the region's coordinator or a national admin."""
    from kotacerdas.analytics.generator import DEFAULT_PROGRAMMES, write_generated

    if actor is not None:
        require(perms.is_national_admin | perms.is_coordinator_of, actor, region,
                _("Hanya koordinator wilayah atau admin nasional yang membuat data sintetis"))
    if n_events < 0:
        raise InvalidInput(_("Jumlah transaksi tidak boleh negatif"), field="events")
    catalogue = set(Programme.objects.active().filter(region=region).values_list("code", flat=True))
    wanted = list(programmes or [p for p in DEFAULT_PROGRAMMES if p in catalogue])
    unknown = sorted(set(wanted) - catalogue)
    if unknown or not wanted:
        raise InvalidInput(_("Program tidak ada di katalog %(region)s: %(codes)s")
                           % {"region": region.code, "codes": ", ".join(unknown) or _("(kosong)")}, field="programme")
    t0 = time.monotonic()
    try:
        rep = write_generated(root or settings.EVENTS_ROOT, region=region.code, programmes=wanted, year=year,
                              n_events=n_events, seed=seed)
    except ValueError as exc:  # e.g. no reference population shipped for this kabupaten
        raise InvalidInput(str(exc), field="region") from None
    seconds = time.monotonic() - t0
    report = {"input_rows": rep.input_rows, "written_rows": rep.written_rows,
              "quarantined_rows": rep.quarantined_rows, "quarantined_by_reason": rep.quarantined_by_reason,
              "programmes": wanted, "year": year, "seed": seed, "seconds": round(seconds, 2),
              "files": len(rep.files),
              "written_by_partition": {f"{y:04d}-{m:02d}": n for (y, m), n in sorted(rep.written_by_partition.items())}}
    now = timezone.now()
    job = IngestJob.objects.create(
        kind=IngestKind.EVENTS, region=region, status=IngestStatus.SUCCEEDED, file_format="synthetic",
        original_name=f"generate-events {year} seed={seed}", created_by=actor, is_demo=is_demo, progress=100,
        total_rows=rep.input_rows, processed_rows=rep.input_rows, created_count=rep.written_rows,
        error_count=rep.quarantined_rows, report=report, started_at=now, finished_at=now,
        message=f"{rep.written_rows} transaksi sintetis {year} ({', '.join(wanted)})")
    record_event(actor, "monitoring.generate_events", job, to_state=IngestStatus.SUCCEEDED,
                 data={k: report[k] for k in ("written_rows", "programmes", "year", "seed")})
    return job

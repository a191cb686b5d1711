"""Every state change of the monitoring app. Each ``do_*`` checks permission, changes state in one
transaction and writes an audit event; views, the API and the commands call only these."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kotacerdas.accounts.actions import record_event
from kotacerdas.catalogue.models import Programme
from kotacerdas.core.errors import InvalidInput, NotAllowed, StaleEdit, require
from kotacerdas.core.files import field_path
from kotacerdas.core.jobs import enqueue, run_job
from kotacerdas.core.models import JobStatus
from kotacerdas.regions.models import Region

from . import importer
from . import rules as perms
from .choices import IngestKind, NumberFormat
from .ingest import APPEND_EVENTS, GENERATE_EVENTS, RUN_IMPORT, STEPS
from .models import DRAFT, IngestJob, Kpi, ReachPublication

if TYPE_CHECKING:
    from django.contrib.auth.models import User

log = logging.getLogger(__name__)

KPI_FIELDS = ("code", "name", "description", "unit", "direction", "target", "source", "source_detail",
              "frequency", "aggregation", "area_level", "evidence_for", "order")
# Files up to this size are imported while the uploader waits; larger ones in the background.
SYNC_IMPORT_BYTES = 1 << 20
RUNNERS = ("auto", "sync", "worker")


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
def do_create_kpi(actor: User, programme: Programme, *, is_demo: bool = False, **fields: Any) -> Kpi:
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
def do_update_kpi(actor: User, kpi: Kpi, *, expected_version: int | None = None, **changes: Any) -> Kpi:
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
def do_archive_kpi(actor: User, kpi: Kpi, reason: str = "") -> Kpi:
    require(perms.can_edit_kpis, actor, kpi.programme, _("Anda tidak berhak mengubah KPI program ini"))
    if kpi.archived_at is None:
        Kpi.objects.filter(pk=kpi.pk).update(archived_at=timezone.now())
        record_event(actor, "monitoring.archive_kpi", kpi, to_state="archived", reason=reason)
        kpi.refresh_from_db()
    return kpi


@transaction.atomic
def do_publish_reach(actor: User, programme: Programme, published: bool = True, reason: str = "") -> ReachPublication:
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

def editable_programmes(actor: User, region: Region) -> list[Programme]:
    progs = list(Programme.objects.active().filter(region=region).select_related("owner"))
    return [p for p in progs if perms.can_edit_kpis.test(actor, p)]


def _check_can_import(actor: User, region: Region, programme: Programme | None) -> None:
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
    actor: User,
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
    """Store the upload as an IngestJob with its background job (`core.Job`) and run it
    (``settings.MONITORING_IMPORT_RUNNER``): ``sync`` while the caller waits; ``worker`` left queued for
    ``kotacerdas worker`` (supervised by ``kotacerdas serve``); ``auto`` = sync up to 1 MB, worker above.
    Progress is on the Job row in every case. ``decimal``: the file's number notation (``NumberFormat``);
    ``dry_run``: check and count what would change, write nothing."""
    _check_can_import(actor, region, programme)
    _check_options(encoding, decimal)
    runner = _runner(runner)
    content = ContentFile(upload, name=name) if isinstance(upload, bytes) else upload
    with transaction.atomic():
        ingest = _store_upload(actor, region, programme, content, name, mapping=dict(mapping or {}),
                               encoding=encoding, year=year, is_demo=is_demo, decimal=decimal, dry_run=dry_run)
        _make_job(actor, ingest)
    return _launch(ingest, runner)


def do_upload_kpi_file(actor: User, *, region: Region, upload: File | bytes, name: str,  # type: ignore[type-arg]
                       programme: Programme | None = None, encoding: str = "", year: int | None = None) -> IngestJob:
    """The first step on the web: store the file as a draft (an import without a job yet), to map its
    columns and choose its number notation (``do_preview_kpi_import``) before anything is checked."""
    _check_can_import(actor, region, programme)
    _check_options(encoding, "")
    content = ContentFile(upload, name=name) if isinstance(upload, bytes) else upload
    with transaction.atomic():
        return _store_upload(actor, region, programme, content, name, encoding=encoding, year=year, state=DRAFT)


def _check_own_job(actor: User, ingest: IngestJob) -> None:
    _check_can_import(actor, ingest.region, ingest.programme)
    if ingest.created_by_id is None or ingest.created_by_id != getattr(actor, "pk", None):
        raise NotAllowed(_("Hanya pengunggah berkas yang melanjutkan impor ini"))


def do_preview_kpi_import(actor: User, ingest: IngestJob, *, mapping: Mapping[str, str], decimal: str,
                          runner: str | None = None) -> IngestJob:
    """Check an uploaded file with the columns and notation chosen on the form, and count what it
    would change, writing nothing. A draft becomes the preview; a file already previewed gets a new
    preview (an import keeps the outcome it had)."""
    _check_own_job(actor, ingest)
    _check_options(ingest.encoding, decimal)
    runner = _runner(runner)
    unknown = sorted(set(mapping) - set(importer.CANONICAL))
    if unknown:
        raise InvalidInput(_("Kolom tidak dikenal: %(names)s") % {"names": ", ".join(unknown)}, field="mapping")
    with transaction.atomic():
        locked = IngestJob.objects.select_for_update(of=("self",)).select_related("job").get(pk=ingest.pk)
        if locked.job_id is None:
            IngestJob.objects.filter(pk=locked.pk).update(mapping=dict(mapping), decimal=decimal, dry_run=True)
            locked.mapping, locked.decimal, locked.dry_run = dict(mapping), decimal, True
            run = locked
        elif locked.dry_run and locked.finished and not (locked.report or {}).get("applied_as"):
            run = _copy_upload(locked, mapping=dict(mapping), decimal=decimal, dry_run=True)
        else:
            raise InvalidInput(_("Impor ini sudah berjalan atau sudah diterapkan"), field="job")
        _make_job(actor, run, action="monitoring.preview_import", data={"mapping": run.mapping, "decimal": decimal})
    return _launch(run, runner)


def do_apply_kpi_import(actor: User, preview: IngestJob, runner: str | None = None) -> IngestJob:
    """Import a previewed file for real, with the columns and notation of its preview: checked again
    (the data may have changed since) and written all-or-nothing as a new import."""
    _check_own_job(actor, preview)
    runner = _runner(runner)
    with transaction.atomic():
        locked = IngestJob.objects.select_for_update(of=("self",)).select_related("job").get(pk=preview.pk)
        if not (locked.dry_run and locked.status == JobStatus.DONE) or (locked.report or {}).get("applied_as"):
            raise InvalidInput(_("Hanya pratinjau yang lolos dan belum diterapkan yang bisa diterapkan"),
                               field="job")
        run = _copy_upload(locked, mapping=locked.mapping, decimal=locked.decimal, dry_run=False)
        IngestJob.objects.filter(pk=locked.pk).update(report={**(locked.report or {}), "applied_as": run.pk})
        _make_job(actor, run, action="monitoring.apply_import", data={"preview": locked.pk})
    return _launch(run, runner)


def _make_job(actor: User | None, ingest: IngestJob, *, kind: str = RUN_IMPORT, params: dict[str, Any] | None = None,
              total: int = STEPS, action: str = "", data: dict[str, Any] | None = None) -> IngestJob:
    """Make an import a job: a queued `core.Job` that points at it, linked to it (compare-and-set: an
    import gets one job), with the audit event of the step that started it. In the caller's transaction."""
    job = enqueue(kind, {"ingest_job_id": ingest.pk, **(params or {})}, user=actor, region_code=ingest.region_id,
                  total=total)
    if not IngestJob.objects.filter(pk=ingest.pk, job__isnull=True).update(job=job):
        raise InvalidInput(_("Impor ini sudah berjalan atau sudah diterapkan"), field="job")
    ingest.job = job
    if action:
        record_event(actor, action, ingest, to_state=JobStatus.QUEUED, data=data or {})
    return ingest


def _copy_upload(ingest: IngestJob, *, mapping: dict[str, str], decimal: str, dry_run: bool) -> IngestJob:
    """A new import (without its job yet) over the same stored file and options."""
    return IngestJob.objects.create(
        kind=ingest.kind, region=ingest.region, programme=ingest.programme, created_by=ingest.created_by,
        file=ingest.file.name, original_name=ingest.original_name, file_format=ingest.file_format,
        encoding=ingest.encoding, mapping=mapping, decimal=decimal, dry_run=dry_run, year=ingest.year,
        is_demo=ingest.is_demo, report={"from_job": ingest.pk})


def _here() -> str:
    """This process as a job's worker: while it is alive no worker takes the job over (`core.jobs`)."""
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


def _runner(runner: str | None) -> str:
    """The runner asked for, or the setting's; refused before anything is stored when it is unknown."""
    runner = runner or getattr(settings, "MONITORING_IMPORT_RUNNER", "auto")
    if runner not in RUNNERS:
        raise ImproperlyConfigured(f"MONITORING_IMPORT_RUNNER={runner!r}: one of {', '.join(RUNNERS)}")
    return runner


def _launch(ingest: IngestJob, runner: str | None) -> IngestJob:
    """Run the import's job now (sync) or leave it to the background worker (worker: queued)."""
    runner = _runner(runner)
    if runner == "auto":
        runner = "sync" if ingest.file.size <= SYNC_IMPORT_BYTES else "worker"
    assert ingest.job_id is not None
    if runner == "sync":
        run_job(ingest.job_id, worker=_here())
    return IngestJob.objects.select_related("job", "region", "programme").get(pk=ingest.pk)


def _store_upload(actor: User | None, region: Region, programme: Programme | None, content: File, name: str,  # type: ignore[type-arg]
                  *, file_format: str = "", state: str = JobStatus.QUEUED, **fields: Any) -> IngestJob:
    """A stored upload; `state` "draft" = waiting for its column mapping, without a job yet."""
    ingest = IngestJob(kind=IngestKind.KPI_VALUES, region=region, programme=programme,
                       created_by=actor if getattr(actor, "is_authenticated", False) else None,
                       original_name=Path(name).name[:255], **fields)
    ingest.file.save(Path(name).name or "upload.csv", content, save=False)
    if file_format:
        ingest.file_format = file_format
    else:
        with field_path(ingest.file) as local:  # a temporary copy when the file is in object storage
            ingest.file_format = importer.sniff_format(local, name)
    ingest.save()
    record_event(actor, "monitoring.start_import", ingest, to_state=state,
                 data={"file": ingest.original_name, "programme": programme.code if programme else ""})
    return ingest


def do_push_kpi_values(actor: User, region: Region, rows: Iterable[Mapping[str, Any]], *,
                       programme: Programme | None = None, year: int | None = None) -> IngestJob:
    """Values pushed by another system (API), stored as a JSON file with the import and run as its job
    while the caller waits. Same validation and write as a file, all-or-nothing; ``row`` in the report is
    the 1-based position in the list."""
    _check_can_import(actor, region, programme)
    data = json.dumps([dict(r) if isinstance(r, Mapping) else None for r in rows], default=str).encode()
    with transaction.atomic():
        ingest = _store_upload(actor, region, programme, ContentFile(data, name="api.json"), "api.json",
                               file_format="json", year=year)
        IngestJob.objects.filter(pk=ingest.pk).update(original_name="API")
        _make_job(actor, ingest)
    return _launch(ingest, "sync")


# --- raw service events -----------------------------------------------------------------------------

def event_programmes(actor: User, region: Region) -> list[str]:
    """Programme codes the actor may push events for: all of the region for an admin/coordinator,
    the own unit's for an operator."""
    progs = Programme.objects.active().filter(region=region).only("id", "code", "owner_id", "region_id")
    return sorted(p.code for p in progs if perms.can_edit_kpis.test(actor, p))


def do_append_events(actor: User, region: Region, table: Any, *, source_name: str = "API",
                     period: tuple[dt.datetime, dt.datetime] | None = None) -> IngestJob:
    """Append service transactions (a pyarrow Table with the event columns) as partitioned Parquet
    under settings.EVENTS_ROOT, as a job run while the caller waits (`ingest.append_events`; the table is
    stored with the import as Parquet). Rows that fail validation — an unknown programme, a kecamatan
    outside the region, a timestamp in the future… — go to a quarantine file with their reason; none is
    dropped silently. The import records counts per reason and the quarantine file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    known = event_programmes(actor, region)
    if not known:
        raise NotAllowed(_("Anda tidak berhak mengirim transaksi program mana pun di wilayah ini"))
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    buf = pa.BufferOutputStream()
    pq.write_table(table, buf)
    with transaction.atomic():
        ingest = IngestJob(kind=IngestKind.EVENTS, region=region, file_format="arrow",
                           original_name=source_name[:255], total_rows=table.num_rows,
                           created_by=actor if getattr(actor, "is_authenticated", False) else None)
        ingest.file.save("events.parquet", ContentFile(buf.getvalue().to_pybytes()), save=True)
        _make_job(actor, ingest, kind=APPEND_EVENTS, total=table.num_rows,
                  params={"known": known, "period": [p.isoformat() for p in period] if period else None})
    return _launch(ingest, "sync")


def generate_events(actor: User | None, region: Region, *, n_events: int, year: int, seed: int = 42,
                    programmes: Sequence[str] | None = None, is_demo: bool = False,
                    root: Path | None = None) -> IngestJob:
    """Synthetic service transactions for demos and load tests (``kotacerdas generate-events``),
    through the same validated append as real ones, as a job run at once (`ingest.generate_events`).
    ``actor`` None = the server operator on the command line; a signed-in actor must be the region's
    coordinator or a national admin."""
    from kotacerdas.analytics.generator import DEFAULT_PROGRAMMES

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
    with transaction.atomic():
        ingest = IngestJob.objects.create(
            kind=IngestKind.EVENTS, region=region, file_format="synthetic", is_demo=is_demo,
            original_name=f"generate-events {year} seed={seed}",
            created_by=actor if getattr(actor, "is_authenticated", False) else None)
        _make_job(actor, ingest, kind=GENERATE_EVENTS, total=n_events,
                  params={"programmes": wanted, "year": year, "n_events": n_events, "seed": seed,
                          "root": str(root) if root else ""})
    ingest = _launch(ingest, "sync")
    if ingest.status == JobStatus.FAILED:  # e.g. no reference population shipped for this kabupaten
        raise InvalidInput(ingest.message, field="region")
    return ingest

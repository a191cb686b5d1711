"""Background jobs on the database: works the same on SQLite and PostgreSQL, no broker to install.

`enqueue("dotted.path.to.function", params)` stores a Job; `kotacerdas worker` (started by `kotacerdas
serve`) claims jobs with a lease, runs `function(job, **params)` and stores its return value. The function
reports progress with `job_progress(job, done, total)`. A killed worker's lease runs out and another worker
retries the job once; the function's writes and the `done` status are committed in one transaction, so a
retry never writes a result twice.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import socket
import time
import traceback
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import Job, JobStatus

log = logging.getLogger(__name__)
LEASE = dt.timedelta(seconds=int(os.environ.get("KOTACERDAS_JOB_LEASE", "60")))


def _resolve(kind: str) -> Callable[..., dict[str, Any] | None]:
    module, _, name = kind.rpartition(".")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def enqueue(kind: str, params: dict[str, Any] | None = None, *, user: Any = None, region_code: str = "",
            total: int = 0) -> Job:
    _resolve(kind)  # fail now, not in the worker, on a typo
    job = Job.objects.create(kind=kind, params=params or {}, created_by=user if getattr(
        user, "is_authenticated", False) else None, region_code=region_code, total=total)
    if getattr(settings, "JOBS_EAGER", False):
        transaction.on_commit(lambda: run_job(job.pk, worker="eager"))
    return job


def _key(job_id: int) -> str:
    return f"kotacerdas:job:{job_id}"


def job_progress(job: Job, done: int, total: int | None = None, message: str = "") -> None:
    """Record progress and a heartbeat in the shared cache, not the database: the job's work runs in
    one transaction (all-or-nothing), and SQLite allows no second writer meanwhile."""
    job.progress = done
    if total is not None:
        job.total = total
    if message:
        job.message = message[:300]
    cache.set(_key(job.pk), {"progress": job.progress, "total": job.total, "message": job.message,
                             "heartbeat": time.time()}, timeout=24 * 3600)


def live_progress(job: Job) -> dict[str, Any]:
    """What a progress bar shows: the live values while running, the stored ones afterwards."""
    data = {"status": job.status, "progress": job.progress, "total": job.total, "message": job.message,
            "percent": job.percent, "error": job.error, "result": job.result}
    if job.status == JobStatus.RUNNING:
        live = cache.get(_key(job.pk)) or {}
        for k in ("progress", "total", "message"):
            if live.get(k) not in (None, ""):
                data[k] = live[k]
        total = data["total"] or 0
        data["percent"] = min(99, round(100 * data["progress"] / total)) if total else 0
    return data


def _alive(job: Job) -> bool:
    beat = (cache.get(_key(job.pk)) or {}).get("heartbeat")
    return beat is not None and time.time() - beat < LEASE.total_seconds()


def claim(worker: str) -> Job | None:
    """Atomically take the oldest runnable job: queued, or running with an expired lease and attempts
    left (its worker died). Compare-and-set on `attempts` makes two workers never take the same job."""
    now = timezone.now()
    runnable = Job.objects.filter(
        Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, lease_until__lt=now),
        attempts__lt=F("max_attempts")).order_by("created_at", "id")
    for job in runnable[:5]:
        if job.status == JobStatus.RUNNING and _alive(job):
            continue  # long job, still beating
        taken = Job.objects.filter(pk=job.pk, attempts=job.attempts, status=job.status).update(
            status=JobStatus.RUNNING, attempts=F("attempts") + 1, lease_until=now + LEASE, worker=worker,
            started_at=now)
        if taken:
            return Job.objects.get(pk=job.pk)
    # Jobs whose worker died on the last attempt are failed, with the reason, instead of hanging.
    for job in Job.objects.filter(status=JobStatus.RUNNING, lease_until__lt=now,
                                  attempts__gte=F("max_attempts")):
        if not _alive(job):
            Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
                status=JobStatus.FAILED, error="Pekerja berhenti di tengah jalan dan percobaan sudah habis",
                finished_at=now)
    return None


def run_job(job_id: int, worker: str = "") -> Job:
    job = Job.objects.get(pk=job_id)
    if job.status == JobStatus.QUEUED:
        Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=F("attempts") + 1,
                                            lease_until=timezone.now() + LEASE, worker=worker,
                                            started_at=timezone.now())
        job.refresh_from_db()
    func = _resolve(job.kind)
    job_progress(job, 0)
    try:
        with transaction.atomic():
            result = func(job, **job.params) or {}
            done = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts).update(
                status=JobStatus.DONE, result=result, finished_at=timezone.now(), total=job.total,
                progress=job.total or job.progress, message=job.message)
            if not done:
                # another worker took over after our lease ran out: roll our writes back
                raise RuntimeError("lease lost")
    except Exception as exc:  # the job's own failure is data for the user, not a worker crash
        if str(exc) != "lease lost":
            Job.objects.filter(pk=job.pk).update(
                status=JobStatus.FAILED, error=f"{exc.__class__.__name__}: {exc}"[:4000],
                finished_at=timezone.now())
            log.warning("job %s failed: %s", job.pk, traceback.format_exc())
    job.refresh_from_db()
    return job


def work(*, once: bool = False, poll: float = 1.0, max_jobs: int | None = None) -> int:
    name = f"{socket.gethostname()}:{os.getpid()}"
    count = 0
    while True:
        if not connection.in_atomic_block:  # a long-lived worker must not keep a dead connection
            close_old_connections()
        job = claim(name)
        if job is None:
            if once:
                return count
            time.sleep(poll)
            continue
        run_job(job.pk, worker=name)
        count += 1
        if max_jobs is not None and count >= max_jobs:
            return count

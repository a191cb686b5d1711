"""Background jobs on the database: works the same on SQLite and PostgreSQL, no broker to install.

One table, `core.Job`, holds every background job's status, progress, lease and heartbeat; a report, an
action-plan upload or a KPI file keeps only its own data and points at its Job. There is one status enum,
`core.models.JobStatus`. Kept rather than django-tasks because the database backend of django-tasks has no
progress, lease or retry-after-a-killed-worker, which the import and report screens need, and this module
is small.

`enqueue("dotted.path.to.function", params)` stores a Job; `kotacerdas worker` (started by `kotacerdas
serve`) claims jobs with a lease and runs `function(job, **params)` outside any transaction, so that its
progress (`job_progress`) is written to the Job row as it goes and any web process on any host sees it.
The function puts its writes in `with finishing(job, ...)`: one transaction in which its effect and the
job's final status (done, or failed with a report) commit together. A worker killed before that commit
leaves nothing behind; its lease runs out and another worker retries the job once, so a retry never writes
a result twice.

Every worker writes a heartbeat row (`WorkerBeat`) and, while a job runs, the job's own `heartbeat_at` and
lease from a thread with its own connection. Any web process can so tell whether a worker is running
(`/healthz`, `worker_health()`), and a job whose worker is gone is shown as waiting (or failed, when no
attempt is left) instead of "running" (`live_progress`). On SQLite the final transaction holds the only
write lock, so beats wait until it ends; SQLite has one host, and there the worker's process id tells
whether it is alive. `kotacerdas serve` restarts a worker that dies (`core.supervisor`).
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import re
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Job, JobStatus, WorkerBeat

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

log = logging.getLogger(__name__)
JobFunc = TypeVar("JobFunc", bound=Callable[..., Any])
LEASE = dt.timedelta(seconds=int(os.environ.get("KOTACERDAS_JOB_LEASE", "60")))
# A worker beats every BEAT seconds; one silent for WORKER_STALE is taken for gone.
BEAT = float(os.environ.get("KOTACERDAS_WORKER_BEAT", "5"))
WORKER_STALE = dt.timedelta(seconds=max(3 * BEAT, 15))
# A job queued this long with nobody taking it means the queue is stuck.
QUEUE_STUCK_AFTER = dt.timedelta(seconds=int(os.environ.get("KOTACERDAS_QUEUE_STUCK_AFTER", "120")))


def _resolve(kind: str) -> Callable[..., dict[str, Any] | None]:
    module, _, name = kind.rpartition(".")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def enqueue(kind: str, params: dict[str, Any] | None = None, *, user: User | AnonymousUser | None = None,
            region_code: str = "", total: int = 0) -> Job:
    _resolve(kind)  # fail now, not in the worker, on a typo
    job = Job.objects.create(kind=kind, params=params or {}, created_by=user if user is not None
                             and user.is_authenticated else None, region_code=region_code, total=total)
    if getattr(settings, "JOBS_EAGER", False):
        transaction.on_commit(lambda: run_job(job.pk, worker="eager"))
    return job


# Progress is written at most this often (seconds) while the job runs outside its final transaction.
PROGRESS_EVERY = float(os.environ.get("KOTACERDAS_JOB_PROGRESS_EVERY", "0.5"))


class LeaseLost(Exception):
    """Another worker took the job over after this one's lease ran out: this attempt's writes roll back."""


# The messages jobs store on their row (Indonesian, as stored), by template, with the pattern that reads the
# values back out of a stored message; `localised` shows a stored message in the reader's language.
_MESSAGES: dict[str, tuple[re.Pattern[str], dict[str, str]]] = {}
_PLACEHOLDER = re.compile(r"%\((\w+)\)([ds])")
_ANY_CONVERSION = re.compile(r"%(?!%)")


def job_message(template: str) -> str:
    """Declare a message a job stores on its row: Indonesian, marked with ``gettext_noop``, with
    ``%(name)d`` / ``%(name)s`` placeholders. Stored as Indonesian text (any process, any language reads
    the row), shown in the reader's language by :func:`localised`. Returns the template. Values of
    ``%(name)s`` placeholders are the caller's to keep short: a message is stored cut to 300 characters, and
    a cut message is shown as stored."""
    pattern, kinds, at = [], {}, 0
    placeholders = list(_PLACEHOLDER.finditer(template))
    if len(_ANY_CONVERSION.findall(template.replace("%%", ""))) != len(placeholders):
        raise ValueError(f"job_message {template!r}: only %(name)d and %(name)s placeholders")
    for match in placeholders:
        pattern.append(re.escape(template[at:match.start()]))
        name, kind = match.groups()
        if name in kinds:
            raise ValueError(f"job_message {template!r}: %({name}) appears twice")
        pattern.append(rf"(?P<{name}>-?[0-9]+)" if kind == "d" else rf"(?P<{name}>.+?)")
        kinds[name] = kind
        at = match.end()
    pattern.append(re.escape(template[at:]))
    _MESSAGES[template] = (re.compile("".join(pattern), re.DOTALL), kinds)
    return template


def localised(message: str) -> str:
    """A stored job message in the active language: a declared message (:func:`job_message`) is translated
    with its values; anything else (free text, a file's own words) is shown as stored."""
    for template, (pattern, kinds) in _MESSAGES.items():
        found = pattern.fullmatch(message)
        if found is not None:
            values: dict[str, Any] = {k: int(v) if kinds[k] == "d" else v for k, v in found.groupdict().items()}
            return _(template) % values if kinds else _(template)
    return message


def job_progress(job: Job, done: int, total: int | None = None, message: str = "") -> None:
    """Record progress: on the Job row at once (throttled), which renews the lease and the heartbeat too.
    Inside the job's final transaction (`finishing`) nothing is written there (it would be invisible until
    the commit, and would lock the row); the worker's beat thread writes the values from its own connection
    instead."""
    job.progress = done
    if total is not None:
        job.total = total
    if message:
        job.message = message[:300]
    if getattr(job, "_final", False):
        return
    now = time.monotonic()
    last = getattr(job, "_written", 0.0)
    if now - last < PROGRESS_EVERY and done not in (0, job.total) and not message:
        return
    job._written = now  # type: ignore[attr-defined]
    _store_progress(job)


def _store_progress(job: Job, *, worker: str | None = None) -> int:
    now = timezone.now()
    rows = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING)
    if worker is not None:
        rows = rows.filter(worker=worker)
    return rows.update(progress=job.progress, total=job.total, message=job.message, heartbeat_at=now,
                       lease_until=now + LEASE)


@contextmanager
def finishing(job: Job, status: str = JobStatus.DONE, result: dict[str, Any] | None = None,
              error: str = "") -> Iterator[dict[str, Any]]:
    """The job's final transaction: the writes made in the block and the job's final status commit
    together, or not at all. Yields the result dict, which the block may still fill. Raises LeaseLost (and
    rolls the block's writes back) when another worker has taken the job over meanwhile."""
    outcome: dict[str, Any] = dict(result or {})
    job._final = True  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            yield outcome
            done = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts).update(
                status=status, result=outcome, error=error[:4000], finished_at=timezone.now(), total=job.total,
                progress=(job.total or job.progress) if status == JobStatus.DONE else job.progress,
                message=job.message, heartbeat_at=timezone.now())
            if not done:
                raise LeaseLost(f"job {job.pk}")
    finally:
        job._final = False  # type: ignore[attr-defined]
    job.status, job.result, job.error = status, outcome, error[:4000]


_UNRESOLVED: set[str] = set()


def _declare_messages_of(kind: str) -> None:
    """Import the job function's module, which declares the messages it stores (job_message). A kind that
    cannot be imported here (renamed since, or a library this process lacks) is logged once and its
    messages are shown as stored."""
    if kind in _UNRESOLVED:
        return
    try:
        _resolve(kind)
    except Exception:  # noqa: BLE001 - a progress bar must not fail because a job module cannot load here
        _UNRESOLVED.add(kind)
        log.warning("job kind %s cannot be imported here; its messages are shown as stored", kind, exc_info=True)


def live_progress(job: Job) -> dict[str, Any]:
    """What a progress bar shows. A job marked running whose lease has run out and whose worker is gone is
    not running: it shows as waiting for the next worker ("queued", `stalled`), or as failed when it has no
    attempt left. A queued job while no worker is alive says so (`no_worker`)."""
    _declare_messages_of(job.kind)
    data = {"status": job.status, "progress": job.progress, "total": job.total, "message": localised(job.message),
            "percent": job.percent, "error": job.error, "result": job.result, "stalled": False,
            "no_worker": False}
    if job.status == JobStatus.RUNNING and _abandoned(job):
        data.update(progress=0, percent=0, stalled=True)
        if job.attempts < job.max_attempts:
            data.update(status=JobStatus.QUEUED,
                        message=_("Pekerja latar berhenti; pekerjaan menunggu pekerja berikutnya"))
        else:
            data.update(status=JobStatus.FAILED, error=ABANDONED)
        return data
    if job.status == JobStatus.QUEUED and not getattr(settings, "JOBS_EAGER", False) and not live_workers().exists():
        data.update(no_worker=True, message=_("Tidak ada pekerja latar yang berjalan; pekerjaan menunggu"))
    return data


def _local_process_alive(worker: str) -> bool:
    """A worker named ``host:pid`` on this host whose process still exists (SQLite's one host: the beats
    cannot be written while a job's final transaction holds the database's write lock)."""
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname()[:80 - len(pid) - 1] or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _alive(job: Job) -> bool:
    """The job's own heartbeat or its worker's heartbeat (both in the database) is recent, or its worker's
    process is still there on this host."""
    if job.heartbeat_at is not None and timezone.now() - job.heartbeat_at < LEASE:
        return True
    return bool(job.worker) and (worker_alive(job.worker) or _local_process_alive(job.worker))


def _abandoned(job: Job) -> bool:
    return (job.status == JobStatus.RUNNING and job.lease_until is not None and job.lease_until < timezone.now()
            and not _alive(job))


ABANDONED = "Pekerja berhenti di tengah jalan dan percobaan sudah habis"


def live_workers() -> Any:
    return WorkerBeat.objects.filter(stopped_at__isnull=True, beat_at__gte=timezone.now() - WORKER_STALE)


def worker_alive(name: str) -> bool:
    return live_workers().filter(name=name).exists()


def beat(name: str, job_id: int | None = None, *, stopped: bool = False) -> None:
    now = timezone.now()
    fields: dict[str, Any] = {"beat_at": now, "job_id": job_id, "stopped_at": now if stopped else None}
    if not WorkerBeat.objects.filter(name=name).update(**fields):
        WorkerBeat.objects.get_or_create(name=name, defaults={**fields, "started_at": now})


@contextmanager
def _beating(name: str, job: Job) -> Iterator[None]:
    """While a job runs: beat, extend the job's lease and write its latest progress every BEAT seconds from
    a thread with its own connection. It never waits long for a lock (on SQLite the job's final transaction
    holds the write lock until it ends: the beat is skipped then)."""
    stop = threading.Event()

    def loop() -> None:
        try:
            while not stop.wait(BEAT):
                try:
                    with connection.cursor() as cur:
                        if connection.vendor == "sqlite":
                            cur.execute("PRAGMA busy_timeout = 200")
                        elif connection.vendor == "postgresql":
                            cur.execute("SET lock_timeout = '1s'")
                    beat(name, job.pk)
                    _store_progress(job, worker=name)
                except DatabaseError:
                    pass
        finally:
            connection.close()

    thread = threading.Thread(target=loop, name=f"beat-{job.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def worker_health() -> dict[str, Any]:
    """For /healthz: are workers beating, and is the queue moving?"""
    now = timezone.now()
    alive = live_workers().count()
    last = WorkerBeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
    queued = Job.objects.filter(status=JobStatus.QUEUED)
    oldest = queued.order_by("created_at").values_list("created_at", flat=True).first()
    running = list(Job.objects.filter(status=JobStatus.RUNNING, lease_until__lt=now))
    abandoned = sum(1 for j in running if _abandoned(j))
    eager = bool(getattr(settings, "JOBS_EAGER", False))
    worker = {"status": "ok" if alive or eager else "missing", "alive": alive, "eager": eager,
              "last_beat_seconds_ago": round((now - last).total_seconds(), 1) if last else None}
    oldest_age = (now - oldest).total_seconds() if oldest else 0.0
    stuck = abandoned > 0 or (oldest is not None and oldest_age > QUEUE_STUCK_AFTER.total_seconds())
    queue = {"status": "stuck" if stuck else "ok", "queued": queued.count(),
             "oldest_queued_seconds": round(oldest_age, 1), "abandoned_running": abandoned}
    return {"worker": worker, "queue": queue}


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
            started_at=now, heartbeat_at=now)
        if taken:
            return Job.objects.get(pk=job.pk)
    # Jobs whose worker died on the last attempt are failed, with the reason, instead of hanging.
    for job in Job.objects.filter(status=JobStatus.RUNNING, lease_until__lt=now,
                                  attempts__gte=F("max_attempts")):
        if not _alive(job):
            Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
                status=JobStatus.FAILED, error=ABANDONED, finished_at=now)
    return None


def in_steps(func: JobFunc) -> JobFunc:
    """Marks a job function that runs outside any transaction and puts its writes (and its final status) in
    `finishing` itself, so that its progress is visible while it checks or renders. Without the mark the
    whole function runs inside `finishing` (all-or-nothing; progress then shows only where the worker's
    beat thread can write it, i.e. not on SQLite)."""
    func.job_in_steps = True  # type: ignore[attr-defined]
    return func


def run_job(job_id: int, worker: str = "", *, beating: bool = False) -> Job:
    """Run one job. A function marked `in_steps` runs outside any transaction (progress visible as it goes)
    and makes its writes with its final status in `finishing`; if it returns without calling `finishing` it
    wrote nothing of its own, and the job is marked done with the returned value. Any other function runs
    whole inside `finishing`. With `beating`, a thread beats for the worker and writes the job's progress
    meanwhile (`kotacerdas worker`)."""
    job = Job.objects.get(pk=job_id)
    if job.status == JobStatus.QUEUED:
        Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=F("attempts") + 1,
                                            lease_until=timezone.now() + LEASE, worker=worker,
                                            started_at=timezone.now(), heartbeat_at=timezone.now())
        job.refresh_from_db()
    if job.finished:
        return job
    func = _resolve(job.kind)
    try:
        with _beating(worker, job) if beating else nullcontext():
            job_progress(job, 0)
            if getattr(func, "job_in_steps", False):
                result = func(job, **job.params) or {}
                if job.status == JobStatus.RUNNING:
                    with finishing(job, JobStatus.DONE, result):
                        pass
            else:
                with finishing(job) as outcome:
                    outcome.update(func(job, **job.params) or {})
    except LeaseLost:
        log.warning("job %s: another worker took it over; this attempt's writes were rolled back", job.pk)
    except Exception as exc:  # the job's own failure is data for the user, not a worker crash
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts).update(
            status=JobStatus.FAILED, error=f"{exc.__class__.__name__}: {exc}"[:4000], finished_at=timezone.now())
        log.warning("job %s failed: %s", job.pk, traceback.format_exc())
    job.refresh_from_db()
    return job


def _try_beat(name: str, job_id: int | None = None) -> None:
    """A heartbeat that a busy database (SQLite locked by a long write) only delays: the worker goes on."""
    try:
        beat(name, job_id)
    except DatabaseError as exc:
        log.warning("heartbeat of %s skipped: %s", name, exc)


def work(*, once: bool = False, poll: float = 1.0, max_jobs: int | None = None) -> int:
    name = f"{socket.gethostname()}:{os.getpid()}"[:80]
    # Started by `kotacerdas serve`: stop when serve is gone (killed with -9 it cannot stop us itself).
    parent = int(os.environ.get("KOTACERDAS_WORKER_PARENT", "0") or 0)
    count = 0
    _try_beat(name)
    last_beat = time.monotonic()
    try:
        while True:
            if parent and os.getppid() != parent:
                log.warning("serve (pid %s) is gone; worker %s stops", parent, name)
                return count
            if not connection.in_atomic_block:  # a long-lived worker must not keep a dead connection
                close_old_connections()
            try:
                job = claim(name)
            except DatabaseError as exc:  # SQLite busy with another process's long write: try again
                log.warning("worker %s could not claim a job: %s", name, exc)
                job = None
            if job is None:
                if once:
                    return count
                if time.monotonic() - last_beat >= BEAT:
                    _try_beat(name)
                    last_beat = time.monotonic()
                time.sleep(poll)
                continue
            _try_beat(name, job.pk)
            run_job(job.pk, worker=name, beating=True)
            _try_beat(name)
            last_beat = time.monotonic()
            count += 1
            if max_jobs is not None and count >= max_jobs:
                return count
    finally:
        try:
            beat(name, stopped=True)
        except DatabaseError:
            pass

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from kotacerdas.core.jobs import claim, enqueue, live_progress, run_job, work
from kotacerdas.core.models import Job, JobStatus

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_it_runs_a_job_and_keeps_its_result_and_progress() -> None:
    job = enqueue("tests.core.jobfns.count_to", {"n": 5})
    assert job.status == JobStatus.QUEUED and live_progress(job)["percent"] == 0
    assert work(once=True) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.result == {"counted": 5}
    assert (job.progress, job.total, job.percent, job.attempts) == (5, 5, 100, 1)


def test_it_records_a_failure_for_the_user() -> None:
    job = enqueue("tests.core.jobfns.explode")
    run_job(claim("t").pk, worker="t")  # type: ignore[union-attr]
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "baris 7, kolom tanggal" in job.error


def test_it_refuses_an_unknown_job_kind() -> None:
    before = Job.objects.count()  # the demo's own jobs (its action-plan and KPI imports) are there already
    with pytest.raises((ImportError, AttributeError)):
        enqueue("tests.core.jobfns.no_such_function")
    assert Job.objects.count() == before


def test_it_never_gives_one_job_to_two_workers() -> None:
    enqueue("tests.core.jobfns.count_to", {"n": 1})
    assert claim("a") is not None
    assert claim("b") is None


@pytest.fixture
def job_env(tmp_path: Path):
    """A separate, migrated database for worker subprocesses (they cannot see the test transaction)."""
    env = _env(tmp_path)
    yield env
    if "DATABASE_URL" in env:
        import psycopg

        base, name = env["DATABASE_URL"].rsplit("/", 1)
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "KOTACERDAS_HOME": str(tmp_path / "home"), "KOTACERDAS_JOB_LEASE": "2",
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    db = settings.DATABASES["default"]
    if "postgresql" in db["ENGINE"]:
        import psycopg

        name = f"kc_jobs_{uuid.uuid4().hex[:8]}"
        url = f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        with psycopg.connect(url + "/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"{url}/{name}"
    else:
        env.pop("DATABASE_URL", None)
    return env


def _kc(env: dict[str, str], *args: str, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kotacerdas.cli", *args], env=env, cwd=ROOT, text=True,
                          capture_output=True, timeout=180, **kw)


def _py(env: dict[str, str], code: str) -> str:
    r = _kc(env, "shell", "--no-imports", "-c", code)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip().splitlines()[-1]


@pytest.mark.django_db(transaction=False)
def test_it_retries_once_after_a_worker_is_killed_and_writes_once(tmp_path: Path, job_env) -> None:
    env = job_env
    assert _kc(env, "migrate", "-v0").returncode == 0
    marker = tmp_path / "marker"
    marker.mkdir()
    job_id = _py(env, "from kotacerdas.core.jobs import enqueue; "
                      f"print(enqueue('tests.core.jobfns.write_then_wait', {{'marker': '{marker}'}}).pk)")
    worker = subprocess.Popen([sys.executable, "-m", "kotacerdas.cli", "worker", "--poll", "0.1"], env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not (marker / "started").exists():
            assert time.monotonic() < deadline, "worker never started the job"
            assert worker.poll() is None, "worker died early"
            time.sleep(0.05)
        os.kill(worker.pid, signal.SIGKILL)  # mid-transaction, like a crash or OOM kill
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert _py(env, "from kotacerdas.core.models import Job; j=Job.objects.get(); print(j.status, j.attempts)") \
        == "running 1"
    # the lease (2 s) and the heartbeat run out; a new worker takes the job over and finishes it
    (marker / "go").touch()
    deadline = time.monotonic() + 60
    state = ""
    while time.monotonic() < deadline:
        assert _kc(env, "worker", "--once").returncode == 0
        state = _py(env, "from kotacerdas.core.models import Job; j=Job.objects.get(); print(j.status, j.attempts)")
        if state.startswith("done"):
            break
        time.sleep(0.5)
    assert state == "done 2"
    writes = _py(env, "from kotacerdas.accounts.models import AuditEvent; "
                      "print(AuditEvent.objects.filter(action='test.job_write').count())")
    assert writes == "1", "the killed attempt's write was rolled back; the retry wrote exactly once"
    assert job_id


def test_a_refused_job_commits_its_report_and_audit_with_the_failed_status() -> None:
    from kotacerdas.accounts.models import AuditEvent

    job = enqueue("tests.core.jobfns.refuse_with_report")
    job = run_job(job.pk, worker="t")
    assert job.status == JobStatus.FAILED and job.error == "1 galat"
    assert job.result == {"errors": [{"row": 4, "column": "target"}]}
    assert AuditEvent.objects.filter(action="test.job_refused", object_id=str(job.pk)).count() == 1


def test_a_job_failing_inside_its_final_transaction_leaves_nothing_behind() -> None:
    from kotacerdas.accounts.models import AuditEvent

    job = run_job(enqueue("tests.core.jobfns.write_then_explode").pk, worker="t")
    assert job.status == JobStatus.FAILED and "baris 9" in job.error
    assert not AuditEvent.objects.filter(action="test.job_half").exists()


def test_a_job_taken_over_by_another_worker_rolls_its_writes_back() -> None:
    from kotacerdas.accounts.models import AuditEvent
    from kotacerdas.core.jobs import LeaseLost, finishing

    job = enqueue("tests.core.jobfns.count_to", {"n": 1})
    mine = claim("a")
    assert mine is not None and mine.pk == job.pk
    Job.objects.filter(pk=job.pk).update(attempts=2, worker="b")  # b took over after a's lease ran out
    with pytest.raises(LeaseLost):
        with finishing(mine):
            AuditEvent.objects.create(action="test.job_late", object_type="job", object_id=str(job.pk))
    assert not AuditEvent.objects.filter(action="test.job_late").exists()
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING


def test_a_running_job_of_a_live_local_worker_is_not_shown_as_abandoned(settings) -> None:
    """On SQLite the worker cannot beat while its job's final transaction holds the write lock; its process
    on this host still tells that it is alive."""
    import datetime as dt
    import socket

    from django.utils import timezone

    settings.JOBS_EAGER = False
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    job = Job.objects.create(kind="tests.core.jobfns.count_to", params={"n": 1}, status=JobStatus.RUNNING,
                             attempts=1, lease_until=long_ago, heartbeat_at=long_ago, progress=4, total=10,
                             worker=f"{socket.gethostname()}:{os.getpid()}")
    shown = live_progress(job)
    assert shown["status"] == JobStatus.RUNNING and not shown["stalled"] and shown["percent"] == 40
    assert claim("other") is None  # nobody takes a live worker's job
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait(timeout=60)
    job.worker = f"{socket.gethostname()}:{dead.pid}"
    job.save(update_fields=["worker"])
    shown = live_progress(job)
    assert shown["stalled"] and shown["status"] == JobStatus.QUEUED


@pytest.mark.django_db(transaction=False)
def test_progress_is_in_the_database_while_the_job_runs(tmp_path: Path, job_env) -> None:
    """Another process reads the job's progress, message and heartbeat from the job's row while the worker
    is still inside the job (the row, not a per-host cache: any web node on any host sees the same)."""
    env = job_env
    assert _kc(env, "migrate", "-v0").returncode == 0
    marker = tmp_path / "marker"
    marker.mkdir()
    _py(env, f"from kotacerdas.core.jobs import enqueue; print(enqueue('tests.core.jobfns.progress_then_wait', "
             f"{{'marker': '{marker}'}}).pk)")
    worker = subprocess.Popen([sys.executable, "-m", "kotacerdas.cli", "worker", "--poll", "0.1"],
                              env=env, cwd=ROOT)
    reader = env
    try:
        deadline = time.monotonic() + 60
        while not (marker / "started").exists():
            assert time.monotonic() < deadline, "worker never started the job"
            assert worker.poll() is None, "worker died early"
            time.sleep(0.05)
        code = ("from kotacerdas.core.jobs import live_progress; from kotacerdas.core.models import Job; "
                "j=Job.objects.get(); p=live_progress(j); print(j.status, j.progress, j.total, p['percent'], "
                "j.heartbeat_at is not None, '|' + p['message'])")
        assert _py(reader, code) == "running 3 10 30 True |baris 3 dari 10"
        (marker / "go").touch()
        deadline = time.monotonic() + 60
        while _py(reader, "from kotacerdas.core.models import Job; print(Job.objects.get().status)") != "done":
            assert time.monotonic() < deadline, "the job never finished"
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_a_job_function_not_in_steps_runs_whole_in_one_transaction() -> None:
    from kotacerdas.accounts.models import AuditEvent

    job = run_job(enqueue("tests.core.jobfns.write_then_explode_whole").pk, worker="t")
    assert job.status == JobStatus.FAILED and "baris 11" in job.error
    assert not AuditEvent.objects.filter(action="test.job_whole").exists()

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
    with pytest.raises((ImportError, AttributeError)):
        enqueue("tests.core.jobfns.no_such_function")
    assert not Job.objects.exists()


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

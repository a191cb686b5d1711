"""`kotacerdas serve` supervises its background worker: killed, it is started again and the queue keeps
moving; /healthz says when no worker is alive or the queue is stuck; a job whose worker is gone does not
show as running."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from kotacerdas.core import jobs
from kotacerdas.core.models import Job, JobStatus, WorkerBeat
from tests.core.test_jobs import ROOT, _env, _kc, _py

SETUP = """
from kotacerdas.regions.models import Region
from kotacerdas.evaluations.models import Cycle, Participation, Submission
p = Region.objects.create(code='16', name='Sumatera Selatan', level='provinsi')
r = Region.objects.create(code='16.07', name='Kabupaten Banyuasin', level='kabkota', parent=p)
c = Cycle.objects.create(year=2024, name='Uji', pack_code='kominfo-2021', pack_version='2021.1')
Participation.objects.create(cycle=c, region=r)
Submission.objects.create(cycle=c, region=r, stage='tahap_1')
print('ok')
"""
REQUEST = """
from kotacerdas.core.jobs import enqueue
from kotacerdas.evaluations.models import Cycle
from kotacerdas.reports.actions import JOB_KIND
from kotacerdas.reports.models import ReportJob
report = ReportJob.objects.create(region_id='16.07', cycle=Cycle.objects.get(year=2024), format='xlsx')
ReportJob.objects.filter(pk=report.pk).update(job=enqueue(JOB_KIND, {'report_job': report.pk}, total=100))
print(report.pk)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int, word: str) -> list[int]:
    """Live child processes of `pid` with `word` as one of their arguments (gunicorn's web workers are
    children too, with `--workers` in their command line)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            args = (entry / "cmdline").read_bytes().decode().split("\0")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z" and word in args:
            found.append(int(entry.name))
    return found


def _wait(what: str, check, seconds: float = 180.0):
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def _health(port: int) -> dict:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
            return json.loads(r.read())
    except OSError:
        return {}


@pytest.mark.django_db(transaction=False)
def test_it_restarts_a_killed_worker_and_the_queued_report_finishes(tmp_path: Path) -> None:
    env = {**_env(tmp_path), "KOTACERDAS_WORKER_BEAT": "1", "KOTACERDAS_WORKER_RESTART_MIN": "0.5",
           "KOTACERDAS_WORKER_RESTART_MAX": "2"}
    try:
        assert _kc(env, "migrate", "-v0").returncode == 0
        assert _py(env, SETUP) == "ok"
        port = _free_port()
        server = subprocess.Popen([sys.executable, "-m", "kotacerdas.cli", "serve", "--port", str(port),
                                   "--workers", "1", "--threads", "2"], env=env, cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            first = _wait("the worker", lambda: _children(server.pid, "worker"))[0]
            _wait("a healthy worker", lambda: _health(port).get("worker", {}).get("status") == "ok")
            os.kill(first, signal.SIGKILL)
            report = _py(env, REQUEST)  # queued while no worker runs
            second = _wait("a new worker", lambda: [p for p in _children(server.pid, "worker") if p != first])[0]
            assert second != first
            state = "from kotacerdas.reports.models import ReportJob; " \
                    f"print(ReportJob.objects.get(pk={report}).status)"
            _wait("the report", lambda: _py(env, state) == "done")
            health = _health(port)
            assert health["status"] == "ok" and health["worker"]["alive"] >= 1
            assert health["queue"] == {"status": "ok", "queued": 0, "oldest_queued_seconds": 0.0,
                                       "abandoned_running": 0}
        finally:
            server.terminate()
            server.wait(timeout=60)
        assert not _children(server.pid, "worker")  # stopping serve stops its worker
    finally:
        if "DATABASE_URL" in env:
            import psycopg

            base, name = env["DATABASE_URL"].rsplit("/", 1)
            with psycopg.connect(base + "/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


pytestmark = pytest.mark.django_db


def _job(**fields) -> Job:
    return Job.objects.create(kind="tests.core.jobfns.count_to", params={"n": 1}, **fields)


def test_it_reports_a_missing_worker_and_a_stuck_queue(settings) -> None:
    settings.JOBS_EAGER = False
    body = Client().get("/healthz").json()
    assert body["worker"]["status"] == "missing" and "worker_missing" in body["problems"]
    assert body["status"] == "degraded" and body["database"]["status"] == "ok"
    _job(created_at=timezone.now() - dt.timedelta(minutes=10))
    jobs.beat("host:1")
    body = Client().get("/healthz").json()
    assert body["worker"]["status"] == "ok" and body["worker"]["alive"] == 1
    assert body["queue"]["status"] == "stuck" and body["queue"]["queued"] == 1
    assert body["problems"] == ["queue_stuck"]


def test_it_does_not_show_a_job_as_running_when_its_worker_is_gone(settings) -> None:
    settings.JOBS_EAGER = False
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    WorkerBeat.objects.create(name="host:2", beat_at=long_ago)
    job = _job(status=JobStatus.RUNNING, attempts=1, worker="host:2", lease_until=long_ago, progress=85, total=100)
    shown = jobs.live_progress(job)
    assert shown["status"] == "queued" and shown["stalled"] and shown["percent"] == 0  # waits for a worker
    assert "menunggu" in shown["message"]
    job.attempts = job.max_attempts
    shown = jobs.live_progress(job)
    assert shown["status"] == "failed" and shown["error"]
    # A worker beating (another host, same database): the job is running, lease or not.
    WorkerBeat.objects.filter(name="host:2").update(beat_at=timezone.now())
    assert jobs.live_progress(job)["status"] == "running"
    body = Client().get("/healthz").json()
    assert body["queue"]["abandoned_running"] == 0


def test_it_shows_a_report_whose_worker_died_as_waiting(actors, settings) -> None:
    from kotacerdas.accounts.actions import do_create_token
    from kotacerdas.evaluations.models import Cycle
    from kotacerdas.regions.models import Region
    from kotacerdas.reports.actions import do_request_report

    settings.JOBS_EAGER = False
    report = do_request_report(actors.citra, Region.objects.get(code="16.07"), Cycle.objects.get(year=2024), "xlsx")
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    Job.objects.filter(pk=report.job_id).update(status=JobStatus.RUNNING, attempts=1, worker="host:3",
                                                lease_until=long_ago, progress=85)
    _token, raw = do_create_token(actors.citra, actors.citra, "uji", ["read"])
    body = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(f"/api/v1/reports/{report.pk}").json()
    assert body["status"] == "queued" and body["percent"] == 0 and "menunggu" in body["step"]
    page = actors.client(actors.citra).get(f"/laporan/{report.pk}/", HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    html = page.content.decode()
    assert "menunggu pekerja latar" in html and "85%" not in html


def test_no_fork_happens_while_the_worker_is_being_started(monkeypatch: pytest.MonkeyPatch) -> None:
    # gunicorn forks its web workers in the process whose supervisor thread starts `kotacerdas worker`.
    # A fork while Popen waits for its child's exec hands the web worker the write end of Popen's pipe,
    # and Popen (the supervisor with it) then hangs until that web worker exits: a killed worker was
    # not restarted for minutes. A fork must wait until the worker has been started.
    import threading

    from kotacerdas.core import supervisor

    inside, release = threading.Event(), threading.Event()
    order: list[str] = []

    class SlowPopen:
        returncode: int | None = None

        def __init__(self, argv: list[str], env: dict[str, str]) -> None:
            inside.set()
            assert release.wait(60)
            order.append("worker started")

        def poll(self) -> int | None:
            return self.returncode

        def terminate(self) -> None:
            self.returncode = 0

        def wait(self, timeout: float | None = None) -> int | None:
            return self.returncode

    monkeypatch.setattr(supervisor.subprocess, "Popen", SlowPopen)
    sup = supervisor.WorkerSupervisor(["unused"], say=lambda line: None).start()
    try:
        assert inside.wait(60)

        def fork() -> None:
            pid = os.fork()
            if pid == 0:
                os._exit(0)
            order.append("forked")
            os.waitpid(pid, 0)

        forker = threading.Thread(target=fork)
        forker.start()
        forker.join(timeout=1.0)
        assert forker.is_alive(), "os.fork() went ahead while the worker was being started"
        release.set()
        forker.join(timeout=60)
        assert not forker.is_alive()
        assert order == ["worker started", "forked"]
    finally:
        release.set()
        sup.stop(timeout=5)


def test_it_stops_a_worker_whose_serve_is_gone(monkeypatch) -> None:
    # serve passes its pid; a worker whose parent is another process (serve was killed with -9 and the
    # worker re-parented) stops instead of running on unsupervised.
    monkeypatch.setenv("KOTACERDAS_WORKER_PARENT", str(os.getppid() + 1_000_000))
    assert jobs.work(poll=0.01) == 0
    beat = WorkerBeat.objects.get()
    assert beat.stopped_at is not None

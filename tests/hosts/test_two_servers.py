"""Two web nodes behind one load balancer: two `kotacerdas serve` processes (gunicorn, two workers each,
separate homes, so nothing is shared through the local disk) on one PostgreSQL database and one Redis
(CACHE_URL). A login throttle counts failures made on either node; a page body cached by one node is
served by the other, and a write made through node A shows on node B's cached page at once. Node A runs
the supervised job worker; node B runs none and still sees A's worker alive (heartbeat in the database)."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from .conftest import free_port, wait_http

EXE = Path(sys.executable).parent / "kotacerdas"
REDIS_DB = 14  # a database number of our own on the shared Redis: only this one is flushed
COORDINATOR = "koordinator@banyuasin.test"
DEMO_PASSWORD = "demo-kotacerdas-2024"
DASHBOARD = "/wilayah/16.07/dasbor/"


def _redis() -> Any:
    import redis

    return redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_timeout=5)


@dataclass
class Node:
    url: str
    home: Path
    pid: int


class Browser:
    """A client with its own cookies (session, CSRF) that can talk to either node."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  _NoRedirect())

    def request(self, node: Node, path: str, data: dict[str, str] | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        # Both nodes are reached under one public name, as behind a load balancer (allauth's login
        # throttle keys on the site's domain, which is the Host without django.contrib.sites).
        req = urllib.request.Request(node.url + path, data=body, headers={
            "Host": "localhost", "Accept-Language": "id", "Referer": "http://localhost/", **(headers or {})})
        if body is not None:
            req.add_header("X-CSRFToken", self.csrf())
        try:
            with self.opener.open(req, timeout=60) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def csrf(self) -> str:
        return next((c.value or "" for c in self.jar if c.name == "csrftoken"), "")

    def login(self, node: Node, email: str, password: str) -> int:
        if not self.csrf():
            self.request(node, "/akun/login/")
        return self.request(node, "/akun/login/", {"login": email, "password": password,
                                                   "csrfmiddlewaretoken": self.csrf()})[0]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _manage(env: dict[str, str], *args: str, timeout: int = 900) -> str:
    done = subprocess.run([str(EXE), *args], env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"kotacerdas {' '.join(args)}: {done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def shared_database() -> Iterator[str]:
    """A database of its own (the test database's rows are inside a rolled-back transaction, invisible to
    servers), migrated and loaded with the demo; dropped afterwards. PostgreSQL only."""
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes") and os.environ.get("KOTACERDAS_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL leg required in CI but the database is not PostgreSQL")
        pytest.skip("two web nodes share one PostgreSQL database: runs in the PostgreSQL leg "
                    "(DATABASE_URL=postgres://…); this run uses SQLite")
    import psycopg

    name = f"kotacerdas_nodes_{uuid.uuid4().hex[:8]}"
    params: dict[str, Any] = {"host": db.get("HOST") or "127.0.0.1", "port": db.get("PORT") or 5432,
                              "user": db.get("USER"), "password": db.get("PASSWORD") or None, "dbname": "postgres"}
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    try:
        yield f"postgres://{db['USER']}{password}@{params['host']}:{params['port']}/{name}"
    finally:
        with psycopg.connect(**params, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def nodes(shared_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node]]:
    try:
        _redis().ping()
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"Redis on 127.0.0.1:6379 is needed for the shared cache: {exc}")
    _redis().flushdb()
    base = {k: v for k, v in os.environ.items() if k not in ("KOTACERDAS_MEDIA", "KOTACERDAS_EVENTS", "STORAGE_URL")}
    base.update(DATABASE_URL=shared_database, CACHE_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
                CACHE_KEY_PREFIX=f"kc-test-{uuid.uuid4().hex[:6]}", DJANGO_SETTINGS_MODULE="kotacerdas.settings",
                SECRET_KEY="two-nodes-" + uuid.uuid4().hex * 2, KOTACERDAS_WORKER_BEAT="1")
    setup_home = tmp_path_factory.mktemp("nodes-setup")
    env = {**base, "KOTACERDAS_HOME": str(setup_home)}
    _manage(env, "migrate", "--no-input", "-v0")
    _manage(env, "demo")
    with ExitStack() as stack:
        started: list[Node] = []
        for name, extra in (("a", []), ("b", ["--no-worker"])):
            home = tmp_path_factory.mktemp(f"node-{name}")
            port = free_port()
            log = stack.enter_context(open(home / "server.log", "wb"))
            proc = subprocess.Popen([str(EXE), "serve", "--port", str(port), "--workers", "2", *extra],
                                    env={**base, "KOTACERDAS_HOME": str(home)}, stdout=log, stderr=subprocess.STDOUT)
            stack.callback(_stop, proc)
            node = Node(f"http://127.0.0.1:{port}", home, proc.pid)
            try:
                wait_http(node.url + "/healthz", 120, proc)
            except RuntimeError as exc:
                raise RuntimeError(f"{exc}\n{(home / 'server.log').read_text()[-3000:]}") from exc
            started.append(node)
        yield started[0], started[1]
    _redis().flushdb()


def _stop(proc: subprocess.Popen[Any]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=20)


def test_a_failed_login_counts_on_both_nodes(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    client = Browser()
    # Five wrong passwords for one login from one address (the 5/5m/key tier), alternating nodes:
    # neither node alone has seen five. (An account no one has: the coordinator logs in below.)
    login = "belum-terdaftar@banyuasin.test"
    client.request(a, "/akun/login/")  # the CSRF cookie
    for i in range(5):
        status, body = client.request(a if i % 2 == 0 else b, "/akun/login/", {
            "login": login, "password": "salah-sandi-123", "csrfmiddlewaretoken": client.csrf()})
        assert status == 200 and "Terlalu banyak" not in body, (i, status, body[-500:])
    # The sixth, on the node that saw only two of the five, is throttled.
    status, body = client.request(b, "/akun/login/", {"login": login, "password": "salah-sandi-123",
                                                      "csrfmiddlewaretoken": client.csrf()})
    assert status in (200, 429) and "Terlalu banyak percobaan masuk" in body, body[-1500:]
    # The count lives in the shared Redis, not in either node's home.
    assert any(b"login_failed" in key or b"rl:" in key for key in _redis().keys("*"))


def _answered(body: str) -> tuple[int, int]:
    found = re.search(r"(\d+)/(\d+) indikator terjawab", body)
    assert found, body[-2000:]
    return int(found.group(1)), int(found.group(2))


def _name_region(database_url: str, name: str) -> None:
    """A change no action makes (straight into the database, no data version bump): it shows only once
    the page is built again."""
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute("UPDATE regions_region SET name = %s WHERE code = '16.07'", [name])


def test_a_page_cached_by_one_node_is_served_by_the_other_and_a_write_on_a_shows_on_b(
        nodes: tuple[Node, Node], shared_database: str) -> None:
    a, b = nodes
    coordinator = Browser()
    assert coordinator.login(a, COORDINATOR, DEMO_PASSWORD) == 302
    status, built_by_a = coordinator.request(a, DASHBOARD)
    assert status == 200
    answered, total = _answered(built_by_a)

    # Node B serves the body node A built: a change no action made is not seen on B either.
    _name_region(shared_database, "Banyuasin Dua Node")
    status, on_b = coordinator.request(b, DASHBOARD)
    assert status == 200 and "Banyuasin Dua Node" not in on_b and _answered(on_b) == (answered, total)

    # An answer saved through node A (an action: bumps the data version in its transaction) ...
    env_query = ("from kotacerdas.evaluations import queries; from kotacerdas.evaluations.models import Cycle; "
                 "import json; s = queries.stage_submission(Cycle.objects.get(year=2024), '16.07'); "
                 "print(json.dumps([s.pk, queries.completeness(s).missing[0]]))")
    found = _manage({**os.environ, "DATABASE_URL": shared_database, "KOTACERDAS_HOME": str(a.home),
                     "DJANGO_SETTINGS_MODULE": "kotacerdas.settings"}, "shell", "-c", env_query)
    submission, indicator = json.loads(found.strip().splitlines()[-1])
    status, saved = coordinator.request(a, f"/pengajuan/{submission}/jawaban/{indicator}/",
                                        {"level": "2", "justification": "Ada SK.", "expected_version": "0"},
                                        {"HX-Request": "true"})
    assert status == 200 and "Tersimpan" in saved, saved[-1000:]

    # ... shows on node B's page at once (the next request, no expiry waited for), with the new name too.
    status, on_b = coordinator.request(b, DASHBOARD)
    assert status == 200 and _answered(on_b) == (answered + 1, total)
    assert "Banyuasin Dua Node" in on_b
    # Both nodes keep their page bodies in the shared Redis.
    assert any(b"page" in key for key in _redis().keys("*"))


def test_node_b_without_a_worker_sees_the_worker_node_a_supervises(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    health = _health_until(b, lambda h: h["worker"]["status"] == "ok")
    assert health["worker"]["status"] == "ok", health


def _children(pid: int) -> list[str]:
    """Command lines of the direct children of ``pid`` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, IndexError, ValueError):
            continue
    return found


def test_serve_runs_n_web_workers_and_one_supervised_job_worker(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    # `serve --workers 2` is the gunicorn master: two web workers, plus (node A) the job worker it supervises.
    children_a, children_b = _children(a.pid), _children(b.pid)
    workers_a = [c for c in children_a if " worker" in c and "kotacerdas" in c]
    assert len(workers_a) == 1, children_a
    assert len(children_a) == 3, children_a
    assert len(children_b) == 2 and not any(" worker" in c for c in children_b), children_b


def _health_until(node: Node, ok: Any, seconds: float = 90) -> dict[str, Any]:
    import time

    deadline = time.monotonic() + seconds
    health: dict[str, Any] = {}
    while time.monotonic() < deadline:
        with urllib.request.urlopen(node.url + "/healthz", timeout=10) as r:
            health = json.loads(r.read())
        if ok(health):
            return health
        time.sleep(0.5)
    return health

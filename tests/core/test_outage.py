"""A real database outage between the app and PostgreSQL: a TCP proxy we can cut and restore.

Requests during the outage get a 503 with a clear JSON body (no traceback page); after the database is
reachable again the same server process answers 200 (it reconnects by itself)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


class CuttableProxy:
    """Forwards 127.0.0.1:<port> to PostgreSQL until cut(); cut() also drops live connections."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(50)
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.conns: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        self.up = False
        with self.lock:
            for c in self.conns:
                try:
                    c.shutdown(socket.SHUT_RDWR)
                    c.close()
                except OSError:
                    pass
            self.conns.clear()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=20) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@pytest.fixture
def outage_db() -> Iterator[tuple[CuttableProxy, dict[str, str]]]:
    import psycopg

    db = settings.DATABASES["default"]
    host, port, user = db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432), db["USER"]
    name = f"kc_outage_{uuid.uuid4().hex[:8]}"
    admin_url = f"postgresql://{user}@{host}:{port}/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    proxy = CuttableProxy((host, port))
    env = {**os.environ, "DATABASE_URL": f"postgresql://{user}@127.0.0.1:{proxy.port}/{name}",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    try:
        yield proxy, env
    finally:
        proxy.close()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_it_answers_503_during_a_database_outage_and_recovers(on_postgres, outage_db, tmp_path) -> None:
    proxy, env = outage_db
    env["KOTACERDAS_HOME"] = str(tmp_path)
    kc = [sys.executable, "-m", "kotacerdas.cli"]
    for args in (["migrate", "-v0"], ["loadregions"]):
        subprocess.run(kc + args, env=env, check=True, capture_output=True, timeout=300)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(kc + ["serve", "--port", str(port), "--workers", "1", "--no-worker"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if _get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        assert _get(base + "/api/v1/regions/16.07")[0] == 200

        proxy.cut()
        for path in ("/api/v1/regions/16.07", "/healthz", "/"):
            status, body = _get(base + path)
            assert status == 503, (path, status, body[:300])
            assert b"Traceback" not in body
        assert b"db_unavailable" in _get(base + "/api/v1/regions/16.07")[1]

        proxy.restore()
        status, body = _get(base + "/api/v1/regions/16.07")
        assert status == 200 and b"Kabupaten Banyuasin" in body
    finally:
        server.terminate()
        server.wait(timeout=30)

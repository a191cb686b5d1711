"""Shared helpers of the benchmarks: machine description, repeated timing, the bench database."""

from __future__ import annotations

import gc
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")


# --------------------------------------------------------------------------- timing


@dataclass
class Timing:
    """Wall times of repeated runs of one leg; ratios use the minimum (least disturbed by neighbours),
    the median is shown beside it so a reader can see the noise."""

    leg: str
    size: str
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def min(self) -> float:
        return min(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.update(min=self.min, median=self.median)
        return d


def measure(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds of this process, return value) of one call."""
    gc.collect()
    c0 = time.process_time()
    t0 = time.perf_counter()
    value = fn()
    t1 = time.perf_counter()
    c1 = time.process_time()
    return t1 - t0, c1 - c0, value


def interleaved(legs: Mapping[str, Callable[[], Any]], rounds: int, size: str,
                warmup: bool = True, rounds_for: Mapping[str, int] | None = None) -> dict[str, Timing]:
    """Run the legs round-robin (A B C A B C ...) so a slow minute on a shared machine hits all of them;
    one untimed warm-up call each first."""
    out = {name: Timing(name, size) for name in legs}
    if warmup:
        for fn in legs.values():
            fn()
    for r in range(rounds):
        for name, fn in legs.items():
            if rounds_for and r >= rounds_for.get(name, rounds):
                continue
            wall, cpu, _ = measure(fn)
            out[name].times.append(wall)
            out[name].cpu.append(cpu)
    return out


def peak_rss_mb() -> float:
    """This process's peak resident set size so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run_measured(cmd: list[str], env: Mapping[str, str] | None = None, cwd: Path | None = None,
                 timeout: float = 1800) -> dict[str, Any]:
    """Run a command under /usr/bin/time -v: wall seconds, peak RSS (MB), exit code, output."""
    timed = ["/usr/bin/time", "-v", *cmd] if Path("/usr/bin/time").exists() else cmd
    t0 = time.perf_counter()
    proc = subprocess.run(timed, env={**os.environ, **(env or {})}, cwd=cwd or ROOT, capture_output=True,
                          text=True, timeout=timeout)
    wall = time.perf_counter() - t0
    rss = None
    for line in proc.stderr.splitlines():
        if "Maximum resident set size" in line:
            rss = int(line.rsplit(":", 1)[1]) / 1024
    return {"wall": wall, "rss_mb": rss, "rc": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr}


def last_json(text: str) -> dict[str, Any]:
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError(f"no JSON line in output:\n{text[-2000:]}")


# --------------------------------------------------------------------------- machine


def _cmd(args: list[str]) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine() -> dict[str, str]:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            mem_kb = int(line.split()[1])
    info = {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "ram": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }
    for mod in ("django", "numpy", "duckdb", "ibis", "pandas", "pyarrow", "psycopg", "pyspark", "weasyprint",
                "gunicorn"):
        try:
            info[mod] = __import__(mod).__version__
        except Exception:  # noqa: BLE001 -- a missing optional library is reported, not fatal
            info[mod] = "-"
    info["postgresql"] = pg_version()
    info["load_1min"] = f"{os.getloadavg()[0]:.2f}"
    return info


def pg_version() -> str:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=5) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else "?"
    except Exception:  # noqa: BLE001
        return "not reachable"


# --------------------------------------------------------------------------- the bench database


def settle_database(url: str, timeout: float = 180.0) -> str:
    """Let PostgreSQL finish what the previous benchmark left it (autovacuum/analyze of the million rows
    benchmark 1 seeds, dirty pages), so it does not run during the next benchmark's legs and land on one
    of them: wait, bounded, for the autovacuum workers on this database, then CHECKPOINT. Returns what
    it waited for (printed by the runner)."""
    import psycopg

    started = time.perf_counter()
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        seen = 0
        while time.perf_counter() - started < timeout:
            row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' "
                               "AND datname = %s", [name]).fetchone()
            busy = int(row[0]) if row else 0
            if not busy:
                break
            seen = max(seen, busy)
            time.sleep(1)
        conn.execute("CHECKPOINT")
    took = time.perf_counter() - started
    return f"{took:.0f} s" + (f" (autovacuum workers: {seen})" if seen else "")


def bench_env(db_url: str, home: Path) -> dict[str, str]:
    return {"DATABASE_URL": db_url, "KOTACERDAS_HOME": str(home), "DJANGO_SETTINGS_MODULE": "kotacerdas.settings",
            "DB_CONN_MAX_AGE": "0", "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")])}


@contextmanager
def bench_database(name: str, keep: bool = False) -> Iterator[str]:
    """Create a scratch PostgreSQL database for the run and drop it afterwards."""
    import psycopg

    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url
    finally:
        if not keep:
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def django_setup() -> None:
    """Configure Django from the environment bench_env() set (called inside a benchmark process)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotacerdas.settings")
    import django

    django.setup()


def bench_main(run: Callable[[str], dict[str, Any]], summarise: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """The entry point of a benchmark process: ``--mode quick|full``, set Django up, run, print the figures
    and their summary as the JSON the runner (``python -m bench``) reads."""
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["quick", "full"], default="quick")
    args = parser.parse_args()
    django_setup()
    out = run(args.mode)
    out["summary"] = summarise(out)
    print(json.dumps(out, default=str))


def kotacerdas(*args: str, env: Mapping[str, str]) -> None:
    exe = Path(sys.executable).with_name("kotacerdas")
    subprocess.run([str(exe), *args], env={**os.environ, **env}, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)


def free_port() -> int:
    """A TCP port nobody listens on at 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running `kotacerdas serve`: its base URL, port and the file its log goes to."""

    base: str
    port: int
    log: Path


@contextmanager
def served(log_name: str, env: Mapping[str, str] | None = None, startup: float = 60.0) -> Iterator[Server]:
    """`kotacerdas serve --no-worker` (gunicorn as shipped, no job worker) on a free loopback port, for
    the length of the ``with`` block; stopped (terminated, killed after 20 s) on the way out, however the
    block ends.

    ``env`` replaces the process environment of the server (default: this process's). Its log (stderr)
    goes to ``$KOTACERDAS_HOME/<log_name>-<port>.log``: a pipe nobody reads would block the server once
    full, and a benchmark prints the file's last traceback when a request failed. Waits (bounded by
    ``startup`` seconds) for /healthz to answer 200; RuntimeError when it never does."""
    port = free_port()
    exe = Path(sys.executable).with_name("kotacerdas")
    log_path = Path(os.environ.get("KOTACERDAS_HOME", "/tmp")) / f"{log_name}-{port}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    base = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        server = subprocess.Popen([str(exe), "serve", "--port", str(port), "--no-worker"],
                                  env=dict(os.environ if env is None else env), stdout=subprocess.DEVNULL,
                                  stderr=log)
        try:
            deadline = time.monotonic() + startup
            while True:  # bounded wait for gunicorn to answer
                try:
                    with urllib.request.urlopen(base + "/healthz", timeout=5) as r:  # noqa: S310 -- loopback
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start")
                time.sleep(0.5)
            yield Server(base, port, log_path)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"

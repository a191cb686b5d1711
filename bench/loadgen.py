"""A small closed-loop HTTP/1.1 load generator on asyncio (no dependency): N virtual users, each on
its own keep-alive connection, request -> response -> think time -> next path.  Loopback only,
bounded in requests and in time; it stops by itself."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

ALLOWED_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    bytes: dict[str, int] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    started: float = 0.0
    finished: float = 0.0

    def add(self, path: str, seconds: float, status: int, size: int) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status != 200:
            self.errors[path] = self.errors.get(path, 0) + 1
            return
        self.latencies.setdefault(path, []).append(seconds)
        self.bytes[path] = self.bytes.get(path, 0) + size

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"seconds": self.finished - self.started, "statuses": self.statuses, "paths": {}}
        total = 0
        for path, lat in self.latencies.items():
            lat = sorted(lat)
            total += len(lat)
            out["paths"][path] = {
                "n": len(lat), "errors": self.errors.get(path, 0), "p50": _pct(lat, 50), "p95": _pct(lat, 95),
                "p99": _pct(lat, 99), "mean": statistics.fmean(lat), "max": lat[-1],
                "kb": self.bytes.get(path, 0) / len(lat) / 1024,
            }
        for path, n in self.errors.items():
            out["paths"].setdefault(path, {"n": 0, "errors": n})
        out["requests"] = total + sum(self.errors.values())
        out["errors"] = sum(self.errors.values())
        out["rps"] = out["requests"] / out["seconds"] if out["seconds"] else 0.0
        all_lat = sorted(x for lat in self.latencies.values() for x in lat)
        out["p95"] = _pct(all_lat, 95) if all_lat else None
        return out


def _pct(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, int, bool]:
    """(status, body bytes, server wants to close)."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed")
    status = int(status_line.split()[1])
    length, chunked, close = None, False, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value:
            chunked = True
        elif name == "connection" and value == "close":
            close = True
    size = 0
    if chunked:
        while True:
            n = int((await reader.readline()).split(b";")[0], 16)
            if n == 0:
                await reader.readline()
                break
            size += len(await reader.readexactly(n + 2)) - 2
    elif length is not None:
        size = len(await reader.readexactly(length))
    else:
        size = len(await reader.read())
        close = True
    return status, size, close


async def _user(host: str, port: int, paths: Sequence[str], headers: str, deadline: float, budget: list[int],
                think: tuple[float, float], stats: Stats, rnd: random.Random) -> None:
    conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    i = rnd.randrange(len(paths))
    await asyncio.sleep(rnd.uniform(0, think[1]))  # users arrive spread out, not in one burst
    while time.perf_counter() < deadline and budget[0] > 0:
        budget[0] -= 1
        path = paths[i % len(paths)]
        i += 1
        request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{headers}Connection: keep-alive\r\n\r\n".encode()
        for attempt in (1, 2):
            try:
                if conn is None:
                    conn = await asyncio.open_connection(host, port)
                reader, writer = conn
                t0 = time.perf_counter()
                writer.write(request)
                await writer.drain()
                status, size, close = await asyncio.wait_for(_read_response(reader), timeout=60)
                stats.add(path, time.perf_counter() - t0, status, size)
                if close:
                    writer.close()
                    conn = None
                break
            except (TimeoutError, ConnectionError, asyncio.IncompleteReadError, OSError, ValueError):
                if conn is not None:
                    conn[1].close()
                conn = None
                if attempt == 2:  # a kept-alive connection the server had closed gets one retry
                    stats.add(path, 0.0, 599, 0)
        await asyncio.sleep(rnd.uniform(*think))
    if conn is not None:
        conn[1].close()


async def _run(host: str, port: int, paths: Sequence[str], users: int, seconds: float, max_requests: int,
               cookie: str, think: tuple[float, float], seed: int) -> Stats:
    if host not in ALLOWED_HOSTS:
        raise ValueError(f"load is only ever sent to loopback, not {host!r}")
    stats = Stats()
    headers = f"Cookie: {cookie}\r\n" if cookie else ""
    budget = [max_requests]
    stats.started = time.perf_counter()
    deadline = stats.started + seconds
    rnd = random.Random(seed)
    await asyncio.gather(*(_user(host, port, paths, headers, deadline, budget, think, stats,
                                 random.Random(rnd.random())) for _ in range(users)))
    stats.finished = time.perf_counter()
    return stats


def run_load(host: str, port: int, paths: Sequence[str], *, users: int = 50, seconds: float = 30,
             max_requests: int = 20_000, cookie: str = "", think: tuple[float, float] = (0.5, 1.5),
             seed: int = 1) -> dict[str, Any]:
    return asyncio.run(_run(host, port, paths, users, seconds, max_requests, cookie, think, seed)).summary()

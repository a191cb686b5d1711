"""A small closed-loop HTTP/1.1 load generator on asyncio (no dependency): N virtual users, each on
its own keep-alive connection, request -> response -> think time -> next path.  Loopback only,
bounded in requests and in time; it stops by itself."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Callable, Sequence
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


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, server wants to close)."""
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
    body = b""
    if chunked:
        parts = []
        while True:
            n = int((await reader.readline()).split(b";")[0], 16)
            if n == 0:
                await reader.readline()
                break
            parts.append((await reader.readexactly(n + 2))[:-2])
        body = b"".join(parts)
    elif length is not None:
        body = await reader.readexactly(length)
    else:
        body = await reader.read()
        close = True
    return status, body, close


@dataclass
class Req:
    """One step of a journey: a GET by default; ``body(state)`` builds a POST body from the virtual
    user's own state, ``check(state, status, body)`` reads the answer (e.g. the next optimistic-lock
    version) and returns False when the answer is an error although its status is 200."""

    path: str  # "{name}" parts are filled from the virtual user's state
    label: str = ""
    method: str = "GET"
    headers: str = ""
    body: Callable[[dict[str, Any]], bytes] | None = None
    check: Callable[[dict[str, Any], int, bytes], bool] | None = None
    expect: int = 200  # e.g. 302 for a form that redirects to its thank-you page


@dataclass
class Persona:
    """Who a virtual user is (its cookie / token headers, its own state) and the journey it repeats."""

    name: str
    steps: Sequence[Req | str]
    headers: str = ""
    state: Callable[[int], dict[str, Any]] = lambda i: {}


def _request(step: Req, host: str, port: int, headers: str, state: dict[str, Any]) -> bytes:
    payload = step.body(state) if step.body is not None else b""
    extra = headers + step.headers
    if step.method != "GET":
        extra += f"Content-Length: {len(payload)}\r\n"
    path = step.path.format_map(state) if "{" in step.path else step.path  # e.g. /answer/{code}/
    return (f"{step.method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{extra}Connection: keep-alive\r\n\r\n"
            .encode() + payload)


async def _user(host: str, port: int, persona: Persona, headers: str, deadline: float, budget: list[int],
                think: tuple[float, float], stats: Stats, rnd: random.Random, state: dict[str, Any]) -> None:
    conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    steps = [s if isinstance(s, Req) else Req(s) for s in persona.steps]
    i = rnd.randrange(len(steps))
    await asyncio.sleep(rnd.uniform(0, think[1]))  # users arrive spread out, not in one burst
    while time.perf_counter() < deadline and budget[0] > 0:
        budget[0] -= 1
        step = steps[i % len(steps)]
        i += 1
        label = step.label or step.path
        request = _request(step, host, port, headers + persona.headers, state)
        if step.method != "GET" and conn is not None:
            conn[1].close()  # a write is never retried, so it never goes out on a connection the server
            conn = None      # may have closed while idle (gunicorn's keep-alive is 2 s)
        for attempt in (1, 2):
            try:
                if conn is None:
                    conn = await asyncio.open_connection(host, port)
                reader, writer = conn
                t0 = time.perf_counter()
                writer.write(request)
                await writer.drain()
                status, body, close = await asyncio.wait_for(_read_response(reader), timeout=60)
                took = time.perf_counter() - t0
                if status == step.expect:  # counted as 200; any other status is an error
                    ok = step.check is None or step.check(state, status, body)
                    status = 200 if ok else 299  # 299: the answer says the write did not happen
                elif status == 200:
                    status = 298  # a 200 where another answer was expected (e.g. the form came back)
                stats.add(label, took, status, len(body))
                if close:
                    writer.close()
                    conn = None
                break
            except (TimeoutError, ConnectionError, asyncio.IncompleteReadError, OSError, ValueError):
                if conn is not None:
                    conn[1].close()
                conn = None
                if attempt == 2 or step.method != "GET":  # a kept-alive connection the server had closed
                    stats.add(label, 0.0, 599, 0)        # gets one retry (reads only: never repeat a write)
                    break
        await asyncio.sleep(rnd.uniform(*think))
    if conn is not None:
        conn[1].close()


async def _run(host: str, port: int, personas: Sequence[Persona], users: int, seconds: float, max_requests: int,
               cookie: str, think: tuple[float, float], seed: int) -> Stats:
    if host not in ALLOWED_HOSTS:
        raise ValueError(f"load is only ever sent to loopback, not {host!r}")
    stats = Stats()
    headers = f"Cookie: {cookie}\r\n" if cookie else ""
    budget = [max_requests]
    stats.started = time.perf_counter()
    deadline = stats.started + seconds
    rnd = random.Random(seed)
    crowd = [personas[n % len(personas)] for n in range(users)]
    await asyncio.gather(*(_user(host, port, p, headers, deadline, budget, think, stats, random.Random(rnd.random()),
                                 p.state(n)) for n, p in enumerate(crowd)))
    stats.finished = time.perf_counter()
    return stats


def run_load(host: str, port: int, paths: Sequence[str], *, users: int = 50, seconds: float = 30,
             max_requests: int = 20_000, cookie: str = "", think: tuple[float, float] = (0.5, 1.5),
             seed: int = 1) -> dict[str, Any]:
    """Every user walks the same list of GET paths."""
    return asyncio.run(_run(host, port, [Persona("all", list(paths))], users, seconds, max_requests, cookie, think,
                            seed)).summary()


def run_journeys(host: str, port: int, personas: Sequence[Persona], *, users: int = 50, seconds: float = 60,
                 max_requests: int = 20_000, think: tuple[float, float] = (0.5, 1.5), seed: int = 1) -> dict[str, Any]:
    """Users are dealt round-robin to the personas; each repeats its persona's journey."""
    return asyncio.run(_run(host, port, personas, users, seconds, max_requests, "", think, seed)).summary()

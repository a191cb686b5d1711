"""`kotacerdas serve` keeps its background worker alive: a thread starts `kotacerdas worker` as a child
process and starts it again whenever it exits (crash, OOM kill, `kill -9`), waiting longer after each quick
death (1 s, 2 s, 4 s … at most `max_delay`), back to the shortest wait once a worker has lived a minute.

Starting the worker and gunicorn forking a web worker must not overlap. `subprocess.Popen` waits on a pipe
until its child has called exec; the pipe's write end is close-on-exec, but a web worker forked (without
exec) by gunicorn's arbiter at that moment inherits it and keeps it open for its whole life, so Popen, and
with it the supervisor, hangs until that web worker exits: a killed worker was then never restarted. A
fork hook (`os.register_at_fork`) makes every `os.fork()` of this process wait while a worker is being
started."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence

log = logging.getLogger(__name__)

# Held while Popen starts the worker; every os.fork() of this process (gunicorn's web workers) takes it
# first, so no forked child inherits the half-open pipe Popen is waiting on.
_SPAWNING = threading.Lock()


def _fork_in_child() -> None:
    # The child got a copy of the lock, held by its forking thread (the only thread it has): free it.
    if _SPAWNING.locked():
        _SPAWNING.release()


os.register_at_fork(before=_SPAWNING.acquire, after_in_parent=_SPAWNING.release, after_in_child=_fork_in_child)


class WorkerSupervisor:
    def __init__(self, argv: Sequence[str] | None = None, *, min_delay: float = 1.0, max_delay: float = 60.0,
                 healthy_after: float = 60.0, say: Callable[[str], None] | None = None) -> None:
        self.argv = list(argv or [sys.executable, "-m", "kotacerdas.cli", "worker"])
        self.min_delay, self.max_delay, self.healthy_after = min_delay, max_delay, healthy_after
        self.say = say or log.warning
        self.starts = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="worker-supervisor", daemon=True)

    def start(self) -> WorkerSupervisor:
        self._thread.start()
        return self

    def _spawn(self) -> subprocess.Popen[bytes] | None:
        with self._lock:
            if self._stop.is_set():
                return None
            # The worker stops by itself if this process dies without stopping it (kill -9).
            env = {**os.environ, "KOTACERDAS_WORKER_PARENT": str(os.getpid())}
            with _SPAWNING:  # no fork meanwhile (see the module's docstring)
                self.process = subprocess.Popen(self.argv, env=env)
            self.starts += 1
            return self.process

    def _run(self) -> None:
        delay = self.min_delay
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                process = self._spawn()
            except OSError as exc:
                process = None
                self.say(f"pekerja latar tidak bisa dijalankan / cannot start the worker: {exc}")
            if process is not None:
                # poll(), not wait(): gunicorn's arbiter reaps every child of this process, ours included,
                # and poll() notices that too.
                while process.poll() is None and not self._stop.wait(0.5):
                    pass
                if self._stop.is_set():
                    return
                lived = time.monotonic() - started
                if lived >= self.healthy_after:
                    delay = self.min_delay
                self.say(f"pekerja latar berhenti (kode {process.returncode}) setelah {lived:.0f} s; dijalankan lagi "
                         f"dalam {delay:.0f} s / worker exited, restarting")
            if self._stop.wait(delay):
                return
            delay = min(delay * 2, self.max_delay)

    def stop(self, timeout: float = 10.0) -> None:
        with self._lock:
            self._stop.set()
            process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=timeout)
            except ChildProcessError:
                pass
        if self._thread.is_alive():
            self._thread.join(timeout=timeout)

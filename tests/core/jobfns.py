"""Job functions used by the job tests (imported by dotted path, also from worker subprocesses)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from kotacerdas.accounts.actions import record_event
from kotacerdas.core.jobs import job_progress


def count_to(job: Any, n: int) -> dict[str, Any]:
    for i in range(n):
        job_progress(job, i + 1, n, f"langkah {i + 1}")
    return {"counted": n}


def explode(job: Any) -> None:
    raise ValueError("baris 7, kolom tanggal: bukan tanggal")


def write_then_wait(job: Any, marker: str) -> dict[str, Any]:
    """Writes one audit row, then (first time) blocks until the test kills the worker."""
    record_event(None, "test.job_write", object_type="job", object_id=str(job.pk))
    job_progress(job, 1, 2)
    folder = Path(marker)
    if not (folder / "go").exists():
        (folder / "started").touch()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # the test kills us long before this
            time.sleep(0.05)
    return {"ok": True}

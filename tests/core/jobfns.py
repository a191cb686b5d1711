"""Job functions used by the job tests (imported by dotted path, also from worker subprocesses)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from kotacerdas.accounts.actions import record_event
from kotacerdas.core.jobs import finishing, in_steps, job_progress


def count_to(job: Any, n: int) -> dict[str, Any]:
    for i in range(n):
        job_progress(job, i + 1, n, f"langkah {i + 1}")
    return {"counted": n}


def explode(job: Any) -> None:
    raise ValueError("baris 7, kolom tanggal: bukan tanggal")


@in_steps
def write_then_wait(job: Any, marker: str) -> dict[str, Any]:
    """Writes one audit row in its final transaction, then (first time) blocks there until the test kills
    the worker."""
    job_progress(job, 1, 2)
    with finishing(job, result={"ok": True}) as result:
        record_event(None, "test.job_write", object_type="job", object_id=str(job.pk))
        folder = Path(marker)
        if not (folder / "go").exists():
            (folder / "started").touch()
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:  # the test kills us long before this
                time.sleep(0.05)
    return result


@in_steps
def progress_then_wait(job: Any, marker: str) -> dict[str, Any]:
    """Reports progress outside its final transaction, then blocks until the test says go."""
    job_progress(job, 3, 10, "baris 3 dari 10")
    folder = Path(marker)
    (folder / "started").touch()
    deadline = time.monotonic() + 120
    while not (folder / "go").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return {"ok": True}


@in_steps
def refuse_with_report(job: Any) -> dict[str, Any]:
    """A job that ends failed with a report and an audit row, both committed with the failed status."""
    with finishing(job, "failed", {"errors": [{"row": 4, "column": "target"}]}, error="1 galat") as result:
        record_event(None, "test.job_refused", object_type="job", object_id=str(job.pk))
    return result


@in_steps
def write_then_explode(job: Any) -> None:
    with finishing(job):
        record_event(None, "test.job_half", object_type="job", object_id=str(job.pk))
        raise ValueError("baris 9: nilai bukan angka")


def write_then_explode_whole(job: Any) -> None:
    """Not in steps: its write and its failure happen in the one transaction run_job gives it."""
    record_event(None, "test.job_whole", object_type="job", object_id=str(job.pk))
    raise ValueError("baris 11: tanggal kosong")

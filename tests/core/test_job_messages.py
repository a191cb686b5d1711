"""A job writes its progress and outcome on its row in Indonesian (any process reads the row, in any
language); each such message is declared once (`core.jobs.job_message`) and shown in the reader's language
(`core.jobs.localised`, used by `live_progress`). Free text — a file's own words — is shown as stored."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.utils import translation

from kotacerdas.core import jobs
from kotacerdas.core.models import Job, JobStatus
from kotacerdas.monitoring import ingest
from kotacerdas.reports import choices as report_steps
from kotacerdas.reports import webimport

SRC = Path(jobs.__file__).resolve().parents[1]


def test_a_declared_message_is_stored_in_indonesian_and_read_in_english() -> None:
    stored = ingest.IMPORTED % {"rows": 1200, "created": 3, "updated": 2, "unchanged": 1195}
    assert stored == "1200 baris: 3 baru, 2 diubah, 1195 tetap"
    with translation.override("en"):
        assert jobs.localised(stored) == "1200 rows: 3 new, 2 changed, 1195 unchanged"
        assert jobs.localised(ingest.ROWS_CHECKED % {"rows": 7}) == "7 rows checked"
        assert jobs.localised(report_steps.STEP_SECTION % {"n": 2, "total": 9}) == "Building section 2 of 9"
        assert jobs.localised(webimport.SAVING) == "saving changes"
    with translation.override("id"):
        assert jobs.localised(stored) == stored


def test_text_values_and_free_text() -> None:
    stored = ingest.EVENTS_QUARANTINED % {"rows": 10, "quarantined": 2, "reasons": "kecamatan: 1, waktu: 1"}
    with translation.override("en"):
        assert jobs.localised(stored) == "10 transactions stored; 2 quarantined (kecamatan: 1, waktu: 1)"
        # Not a declared message: shown as stored, never half-translated.
        assert jobs.localised("Kolom 'nilai' tidak ada") == "Kolom 'nilai' tidak ada"
        assert jobs.localised("12 baris diperiksa dengan cepat") == "12 baris diperiksa dengan cepat"
        assert jobs.localised("") == ""


@pytest.mark.django_db
def test_the_progress_bar_reads_the_message_in_the_readers_language() -> None:
    job = Job.objects.create(kind=ingest.RUN_IMPORT, params={}, status=JobStatus.RUNNING, progress=450, total=1000,
                             message=ingest.ROWS_CHECKED % {"rows": 50000})
    with translation.override("en"):
        assert jobs.live_progress(job)["message"] == "50000 rows checked"
    with translation.override("id"):
        assert jobs.live_progress(job)["message"] == "50000 baris diperiksa"
    assert Job.objects.get(pk=job.pk).message == "50000 baris diperiksa"  # the row keeps the stored text


def _written_messages(tree: ast.AST, callbacks: bool = True) -> list[ast.expr]:
    """The message argument of every job_progress call and every value assigned to ``<x>.message``."""
    found: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name == "job_progress":
                found += node.args[3:4] + [k.value for k in node.keywords if k.arg == "message"]
            if callbacks and name in PROGRESS_CALLBACKS:  # (percent, step) callbacks ending in job_progress
                found += node.args[1:2]
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr == "message"
                                                and getattr(t.value, "id", "") == "job" for t in node.targets):
            found.append(node.value)
    return sorted(found, key=lambda e: (e.lineno, e.col_offset))


# The (percent, step) callbacks a job hands to the code it runs: what they are given is stored too. (The
# backup's callback drives a terminal progress bar only.)
PROGRESS_CALLBACKS = {"progress", "report_progress"}
JOB_CALLBACK_MODULES = {"reports/actions.py", "reports/pdf.py", "reports/sections.py", "reports/xlsx.py"}
TRANSLATE_NOW = {"_", "gettext", "ngettext", "pgettext", "gettext_lazy"}


def _literal(expr: ast.expr) -> bool:
    """A message written as literal text (a string or an f-string, alone, %-formatted, concatenated or cut)
    instead of a declared one (a name: ``ROWS % {...}``)."""
    if isinstance(expr, ast.JoinedStr):
        return True
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, str) and bool(expr.value)
    if isinstance(expr, ast.BinOp):
        return _literal(expr.left) or (isinstance(expr.op, ast.Add) and _literal(expr.right))
    if isinstance(expr, ast.Subscript):
        return _literal(expr.value)
    if isinstance(expr, ast.Call):  # translated when written: stored in the writer's language
        name = expr.func.attr if isinstance(expr.func, ast.Attribute) else getattr(expr.func, "id", "")
        return name in TRANSLATE_NOW or (name == "str" and any(_literal(a) for a in expr.args))
    return False


def test_the_check_sees_literal_messages() -> None:
    source = '''
job_progress(job, 1, 2, f"{n} baris")
jobs.job_progress(job, 1, 2, message="membaca")
job.message = f"{n} selesai"
job_progress(job, 1, 2, ROWS % {"rows": n})
job.message = (DONE % {"rows": n})[:300]
job_progress(job, 1, 2, _("membaca berkas"))
progress(5, "data")
report_progress(20, STEP_XLSX)
'''
    assert [_literal(e) for e in _written_messages(ast.parse(source))] == [True, True, True, False, False, True,
                                                                           True, False]


def test_no_job_writes_a_message_that_is_not_declared() -> None:
    literal = []
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        rel = str(path.relative_to(SRC))
        literal += [f"{rel}:{e.lineno}" for e in _written_messages(tree, rel in JOB_CALLBACK_MODULES) if _literal(e)]
    assert literal == [], f"job messages written as literal text (declare them with core.jobs.job_message): {literal}"


def test_a_template_with_other_conversions_or_a_repeated_name_is_refused() -> None:
    with pytest.raises(ValueError, match="only"):
        jobs.job_message("%(share).1f persen")
    with pytest.raises(ValueError, match="twice"):
        jobs.job_message("%(n)d dari %(n)d")
    assert jobs.job_message("100%% dari %(n)d") == "100%% dari %(n)d"


def test_a_long_text_value_is_shortened_so_the_message_stays_whole() -> None:
    reasons = ", ".join(f"alasan-{i}: {i}" for i in range(80))
    stored = (ingest.EVENTS_QUARANTINED % {"rows": 10, "quarantined": 80, "reasons": ingest._short(reasons)})[:300]
    assert len(stored) <= 300 and stored.endswith("…)")
    with translation.override("en"):
        assert jobs.localised(stored).startswith("10 transactions stored; 80 quarantined (alasan-0: 0")
    assert jobs.localised("٣ baris diperiksa") == "٣ baris diperiksa"  # ASCII digits only


def test_a_wrong_runner_setting_stops_the_start(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "MONITORING_IMPORT_RUNNER": "thread", "KOTACERDAS_HOME": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", "import kotacerdas.settings"], env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode != 0 and "MONITORING_IMPORT_RUNNER='thread'" in run.stderr

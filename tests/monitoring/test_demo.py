"""The Banyuasin demo: KPIs with targets, two years of monthly values through the real importer, a year of
events for JAM KUNCI, OSS and SIMPADA across all 21 kecamatan; loading it again changes nothing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from kotacerdas.core.models import JobStatus
from kotacerdas.monitoring import backend, demo
from kotacerdas.monitoring.choices import IngestKind
from kotacerdas.monitoring.models import IngestJob, Kpi, KpiValue, ReachPublication

pytestmark = pytest.mark.django_db
# Where the session's demo load wrote its events (the tests themselves get a fresh EVENTS_ROOT).
DEMO_EVENTS_ROOT = Path(django_settings.EVENTS_ROOT)


def test_it_defines_kpis_with_targets_for_the_three_programmes() -> None:
    kpis = Kpi.objects.filter(programme__region_id="16.07", is_demo=True)
    assert {k.programme.code for k in kpis} == {"jam-kunci", "oss", "simpada"}
    assert all(k.target is not None for k in kpis)
    assert {k.unit for k in kpis} >= {"dokumen", "izin", "rupiah", "wajib_pajak", "persen", "skor"}


def test_it_loaded_values_through_the_importer() -> None:
    job = IngestJob.objects.get(is_demo=True, original_name=demo.VALUES_FILE)
    assert job.status == JobStatus.DONE and job.error_count == 0
    assert KpiValue.objects.filter(ingest_job=job).count() == job.created_count > 600
    kec_rows = KpiValue.objects.filter(kpi__code="dokumen-terbit", area__level="kecamatan", period__year=2024)
    assert kec_rows.values("area").distinct().count() == 21


def test_it_has_a_year_of_events_across_all_kecamatan() -> None:
    if not backend.has_events("16.07", 2024, root=DEMO_EVENTS_ROOT):
        pytest.skip("demo events disabled (KOTACERDAS_DEMO_EVENTS=0)")
    con, ev = backend.events("16.07", root=DEMO_EVENTS_ROOT)
    ev = ev.filter(ev.year == 2024)
    per = con.execute(ev.group_by("programme").aggregate(kec=ev.kecamatan.nunique(), n=ev.count()))
    assert set(per["programme"]) == {"jam-kunci", "oss", "simpada"}
    assert (per["kec"] == 21).all() and per["n"].sum() >= 100_000


def test_it_publishes_the_reach_of_the_three_programmes() -> None:
    codes = set(ReachPublication.objects.filter(published=True).values_list("programme__code", flat=True))
    assert codes >= {"jam-kunci", "oss", "simpada"}


def test_it_changes_nothing_when_loaded_again(settings: Any) -> None:
    settings.EVENTS_ROOT = DEMO_EVENTS_ROOT
    counts = (Kpi.objects.count(), KpiValue.objects.count(), IngestJob.objects.count(),
              ReachPublication.objects.count())
    from kotacerdas.accounts.models import AuditEvent

    audit = AuditEvent.objects.count()
    demo.load_demo(io.StringIO())
    assert (Kpi.objects.count(), KpiValue.objects.count(), IngestJob.objects.count(),
            ReachPublication.objects.count()) == counts
    assert AuditEvent.objects.count() == audit
    assert not IngestJob.objects.filter(kind=IngestKind.EVENTS, is_demo=True).count() > 1


def test_it_generates_demo_events_into_an_empty_events_root(settings: Any, tmp_path: Path, monkeypatch: Any) -> None:
    settings.EVENTS_ROOT = tmp_path
    monkeypatch.setattr(demo, "DEMO_EVENTS", 2_000)
    assert demo.load_events(io.StringIO()) == 2_000
    assert demo.load_events(io.StringIO()) == 0

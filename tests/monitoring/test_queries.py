"""Read helpers the dashboards, the scoring and the API rely on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from kotacerdas.catalogue.models import Programme
from kotacerdas.monitoring import queries
from kotacerdas.monitoring.models import Kpi, KpiValue

pytestmark = pytest.mark.django_db


def test_it_finds_a_programme_by_code_title_or_title_prefix(programmes: Any) -> None:
    jk = programmes["jam-kunci"]
    for ref in (jk, jk.pk, str(jk.pk), "jam-kunci", "JAM KUNCI", jk.title.upper(), "jam kunci"):
        assert queries.resolve_programme(ref, region="16.07") == jk
    with pytest.raises(Programme.DoesNotExist):
        queries.resolve_programme("JAM KUNCI", region="16.06")


def test_it_reports_reach_per_kecamatan_with_gini_and_laggards(programmes: Any, with_events: Any) -> None:
    r = queries.reach_by_kecamatan(programmes["simpada"], 2024)
    assert r.has_data and r.backend == "duckdb"
    assert [k.code for k in r.kecamatan] == [f"16.07.{i:02d}" for i in range(1, 22)]
    assert sum(k.transactions for k in r.kecamatan) == r.transactions
    # A citizen served in two kecamatan counts in both, but once for the kabupaten.
    assert max(k.users for k in r.kecamatan) <= r.users <= sum(k.users for k in r.kecamatan)
    per = {k.code: k.users_per_1000 for k in r.kecamatan}
    assert all(per[c] < 0.5 * r.median_users_per_1000 for c in r.lagging)  # type: ignore[operator]
    assert all(k.lagging == (k.code in r.lagging) for k in r.kecamatan)
    assert r.population_is_estimate and 0 < r.gini < 1  # type: ignore[operator]


def test_it_fills_every_kecamatan_with_zero_when_there_are_no_events(programmes: Any, settings: Any,
                                                                      tmp_path: Any) -> None:
    settings.EVENTS_ROOT = tmp_path
    r = queries.reach_by_kecamatan("jam-kunci", 2024)
    assert not r.has_data and r.gini is None and len(r.kecamatan) == 21
    assert all(k.transactions == 0 for k in r.kecamatan)


def test_it_gives_monthly_kpi_series_for_sparklines() -> None:
    series = {s.code: s for s in queries.kpi_series("jam-kunci")}
    docs = series["dokumen-terbit"]
    assert [p["period"] for p in docs.points][:2] == ["2023-01", "2023-02"] and len(docs.points) == 24
    assert docs.latest_period == "2024-12" and docs.latest_target == 2600.0
    assert docs.met == (docs.latest_value >= 2600)  # type: ignore[operator]
    assert [p["period"] for p in series["kepuasan"].points][-2:] == ["2024-07", "2024-10"]


def test_it_compares_the_same_months_year_over_year(programmes: Any) -> None:
    kpi = Kpi.objects.get(programme__code="oss", code="izin-didampingi")
    # A year reported only up to March is compared with January–March of the year before.
    for m, v in ((1, 100), (2, 100), (3, 100)):
        KpiValue.objects.create(kpi=kpi, period=dt.date(2025, m, 1), area_id="16.07", value=Decimal(v))
    prev = sum(KpiValue.objects.filter(kpi=kpi, area_id="16.07", period__year=2024, period__month__lte=3)
               .values_list("value", flat=True))
    row = next(r for r in queries.improvement_evidence("16.07", 2025, programme=programmes["oss"], engine="duckdb"))
    assert (row["compared_periods"], row["current_compared"], row["previous_compared"]) == (3, 300.0, float(prev))
    assert row["improved"] == (300 > prev)
    assert row["target"] == 3 * 220.0 and row["met"] == (300 >= 660)


def test_it_judges_improvement_by_the_kpi_direction(programmes: Any, actors: Any) -> None:
    from kotacerdas.monitoring import actions

    kpi = actions.do_create_kpi(actors.citra, programmes["jam-kunci"], code="hari-proses", name="Hari proses KTP",
                                unit="hari", direction="lower", aggregation="mean", evidence_for="outcome")
    for year, days in ((2023, 7), (2024, 3)):
        for m in range(1, 13):
            KpiValue.objects.create(kpi=kpi, period=dt.date(year, m, 1), area_id="16.07", value=Decimal(days))
    row = next(r for r in queries.improvement_evidence("16.07", 2024, engine="duckdb") if r["kpi"] == "hari-proses")
    assert row["growth"] == pytest.approx(3 / 7 - 1) and row["improved"] is True


def test_it_runs_the_kpi_question_on_postgresql_through_ibis(on_postgres: None, programmes: Any) -> None:
    """In the PostgreSQL leg the question runs in the database (Ibis on Django's own connection, so it
    sees this transaction's rows) and agrees with DuckDB over the same rows."""
    kpi = Kpi.objects.get(programme__code="simpada", code="pendapatan")
    KpiValue.objects.filter(kpi=kpi, area_id="16.07", period=dt.date(2024, 12, 1)).update(value=Decimal("1.5"))
    on_db = queries.improvement_evidence("16.07", 2024, engine="database")
    on_duck = queries.improvement_evidence("16.07", 2024, engine="duckdb")
    assert {r["engine"] for r in on_db} == {"postgres"}
    strip = [{k: v for k, v in r.items() if k != "engine"} for r in on_db]
    assert strip == [{k: v for k, v in r.items() if k != "engine"} for r in on_duck]
    pend = next(r for r in on_db if r["kpi"] == "pendapatan")
    expected = sum(KpiValue.objects.filter(kpi=kpi, area_id="16.07", period__year=2024).values_list("value", flat=True))
    assert pend["value"] == pytest.approx(float(expected))

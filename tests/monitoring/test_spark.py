"""DuckDB and PySpark give the same answers through the monitoring layer (one shared Spark session)."""

from __future__ import annotations

from typing import Any

import pytest

from kotacerdas.monitoring import queries

pytestmark = [pytest.mark.spark, pytest.mark.django_db]


@pytest.mark.parametrize("programme", ["jam-kunci", "oss", "simpada"])
def test_it_gets_the_same_reach_from_duckdb_and_spark(spark_backend: Any, with_events: Any, programme: str) -> None:
    duck = queries.reach_by_kecamatan(programme, 2024, backend_kind="duckdb").as_dict()
    spark = queries.reach_by_kecamatan(programme, 2024, backend_kind="pyspark").as_dict()
    assert (duck.pop("backend"), spark.pop("backend")) == ("duckdb", "pyspark")
    assert duck["has_data"] and len(duck["kecamatan"]) == 21
    assert _same(spark, duck)


def test_it_gets_the_same_monthly_trend_from_duckdb_and_spark(spark_backend: Any, with_events: Any) -> None:
    duck = queries.activity_series("jam-kunci", backend_kind="duckdb")
    spark = queries.activity_series("jam-kunci", backend_kind="pyspark")
    assert len(duck) == 24 and _same(spark, duck)


def test_it_uses_spark_when_the_settings_say_so(spark_backend: Any, with_events: Any, settings: Any) -> None:
    settings.ANALYTICS_BACKEND = "pyspark"
    assert queries.reach_by_kecamatan("oss", 2024).backend == "pyspark"


def _same(a: Any, b: Any) -> bool:
    """Equal, floats within 1e-9 (sums in a different order differ in the last bits)."""
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        return all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        assert len(a) == len(b)
        return all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-12)
        return True
    assert a == b, (a, b)
    return True

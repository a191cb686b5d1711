"""DuckDB and PySpark must give equal results for every question on the same Parquet data."""

from __future__ import annotations

import pandas as pd
import pytest

from kotacerdas.analytics import backends
from kotacerdas.analytics import questions as q
from kotacerdas.analytics.generator import LAGGING_KECAMATAN

from .parity_cases import QUESTIONS

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def refs():
    # Built once: every new memtable is another pandas -> Spark conversion.
    return q.population_table(), q.desa_table()


@pytest.fixture(scope="module")
def duck_events(duck_con, events_root):
    return backends.events_table(duck_con, events_root)


@pytest.fixture(scope="module")
def spark_events(spark_con, events_root):
    return backends.events_table(spark_con, events_root)


def test_events_table_same_schema_and_rows(duck_con, spark_con, duck_events, spark_events) -> None:
    d, s = duck_events, spark_events
    assert d.schema() == s.schema()
    assert list(d.columns) == list(backends.EVENT_COLUMNS)
    cols = ["ts", "programme", "kecamatan", "desa", "channel", "citizen", "region", "year", "month"]
    dd = q.run(lambda t: t.select(*cols), duck_con, d)
    ss = q.run(lambda t: t.select(*cols), spark_con, s)
    assert len(dd) == 20_000
    pd.testing.assert_frame_equal(dd, ss)


@pytest.mark.parametrize("name", sorted(QUESTIONS))
def test_question_equal_on_duckdb_and_spark(
    name: str, duck_con, spark_con, duck_events, spark_events, refs
) -> None:
    d = q.run(QUESTIONS[name], duck_con, duck_events, *refs)
    s = q.run(QUESTIONS[name], spark_con, spark_events, *refs)
    assert len(d) > 0
    pd.testing.assert_frame_equal(d, s, check_exact=False, rtol=1e-12, atol=1e-12)


def test_equity_summary_equal_and_finds_designed_laggards(
    duck_con, spark_con, duck_events, spark_events, refs
) -> None:
    d = q.run_equity(duck_con, duck_events, refs[0])
    s = q.run_equity(spark_con, spark_events, refs[0])
    pd.testing.assert_frame_equal(d, s, check_exact=False, rtol=1e-12)
    assert len(d) == 6  # 3 programmes x 2 years
    assert d.gini.between(0.1, 0.5).all()
    for lag in d.lagging:
        assert set(LAGGING_KECAMATAN) <= set(lag.split(","))


def test_run_questions_equal_on_duckdb_and_spark(duck_con, spark_con, duck_events, spark_events, refs) -> None:
    """The cached-activity path (a DuckDB temp table, a cached Spark DataFrame) answers the same."""
    d = q.run_questions(duck_con, duck_events, *refs)
    s = q.run_questions(spark_con, spark_events, *refs)
    for name in ("reach", "coverage", "equity"):
        assert len(d[name]) > 0
        pd.testing.assert_frame_equal(d[name], s[name], check_exact=False, rtol=1e-12, atol=1e-12)

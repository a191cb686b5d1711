"""Semantics of each question on a tiny hand-made data set (DuckDB)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import ibis
import pandas as pd
import pyarrow as pa
import pytest

from kotacerdas.analytics import backends
from kotacerdas.analytics import questions as q
from kotacerdas.analytics.events import append_events
from kotacerdas.analytics.reference import kecamatan_population

D = dt.datetime
EVENTS = [
    # ts, programme, kecamatan, desa, channel, citizen
    (D(2023, 1, 10, 9), "oss", "16.07.01", "16.07.01.2001", "online", "a" * 20),
    (D(2023, 1, 11, 9), "oss", "16.07.01", "16.07.01.2001", "online", "a" * 20),
    (D(2023, 1, 12, 9), "oss", "16.07.01", None, "loket", "b" * 20),
    (D(2024, 1, 10, 9), "oss", "16.07.01", "16.07.01.2002", "online", "a" * 20),
    (D(2024, 1, 10, 9), "oss", "16.07.02", "16.07.02.2001", "jemput_bola", "c" * 20),
    (D(2024, 2, 1, 9), "oss", "16.07.01", "16.07.01.2001", "online", "a" * 20),
    (D(2024, 2, 2, 9), "oss", "16.07.01", "16.07.01.2001", "online", "b" * 20),
    (D(2024, 2, 3, 9), "oss", "16.07.01", "16.07.01.2001", "online", "c" * 20),
    (D(2024, 2, 4, 9), "oss", "16.07.01", "16.07.01.2001", "online", "d" * 20),
    (D(2024, 4, 1, 9), "oss", "16.07.01", None, "online", "a" * 20),  # no March: a gap
    (D(2024, 4, 2, 9), "oss", "16.07.01", None, "online", "a" * 20),
    (D(2024, 2, 5, 9), "simpada", "16.07.03", "16.07.03.1008", "loket", "e" * 20),
]


@pytest.fixture(scope="module")
def con():
    return backends.connect("duckdb", threads=1)


@pytest.fixture(scope="module")
def ev(con, tmp_path_factory: pytest.TempPathFactory):
    root: Path = tmp_path_factory.mktemp("hand")
    cols = list(zip(*EVENTS, strict=True))
    table = pa.table(
        {
            "ts": pa.array(cols[0], pa.timestamp("us")),
            **{
                n: pa.array(c, pa.string())
                for n, c in zip(
                    ["programme", "kecamatan", "desa", "channel", "citizen"], cols[1:], strict=True
                )
            },
        }
    )
    rep = append_events(root, table, ["oss", "simpada"], kecamatan_population().keys(),
                        period=(D(2023, 1, 1), D(2025, 1, 1)))  # fmt: skip
    assert rep.written_rows == len(EVENTS)
    return backends.events_table(con, root)


def rec(df: pd.DataFrame, **where: object) -> dict:
    m = pd.Series(True, index=df.index)
    for k, v in where.items():
        m &= df[k] == v
    assert m.sum() == 1, where
    return df[m].iloc[0].to_dict()


def test_monthly_activity(con, ev) -> None:
    df = q.run(q.monthly_activity, con, ev)
    got = [tuple(r) for r in df.itertuples(index=False)]
    assert got == [
        ("oss", 2023, 1, 3, 2),
        ("oss", 2024, 1, 2, 2),
        ("oss", 2024, 2, 4, 4),
        ("oss", 2024, 4, 2, 1),
        ("simpada", 2024, 2, 1, 1),
    ]
    assert df.dtypes.astype(str).tolist() == ["object", "int64", "int64", "int64", "int64"]


def test_reach_is_zero_filled_and_per_1000(con, ev) -> None:
    pop = q.population_table()
    df = q.run(q.reach, con, ev, pop)
    assert len(df) == 5 * 21  # every (programme, month) with data x every kecamatan
    r = rec(df, programme="oss", year=2024, month=1, kecamatan="16.07.02")
    assert (r["transactions"], r["users"]) == (1, 1)
    assert r["users_per_1000"] == pytest.approx(1000 / kecamatan_population()["16.07.02"][0])
    assert bool(r["population_is_estimate"])
    z = rec(df, programme="oss", year=2024, month=1, kecamatan="16.07.05")
    assert (z["transactions"], z["users"], z["users_per_1000"]) == (0, 0, 0.0)
    assert not rec(df, programme="oss", year=2024, month=1, kecamatan="16.07.05")["population_is_estimate"]


def test_coverage(con, ev) -> None:
    df = q.run(q.coverage, con, ev, q.population_table(), q.desa_table())
    r = rec(df, programme="oss", year=2024)
    assert (r["kecamatan_served"], r["kecamatan_total"]) == (2, 21)
    assert r["kecamatan_share"] == pytest.approx(2 / 21)
    assert (r["desa_served"], r["desa_total"]) == (3, 313)  # 01.2001, 01.2002, 02.2001
    r = rec(df, programme="oss", year=2023)
    assert (r["kecamatan_served"], r["desa_served"]) == (1, 1)


def test_equity(con, ev) -> None:
    per = q.run(q.equity_by_kecamatan, con, ev, q.population_table())
    assert len(per) == 3 * 21  # (oss 2023, oss 2024, simpada 2024) x 21
    assert rec(per, programme="oss", year=2024, kecamatan="16.07.01")["users"] == 4
    summary = q.equity_summary(per)
    s = rec(summary, programme="simpada", year=2024)
    # one kecamatan holds everything: Gini = (n-1)/n
    assert s["gini"] == pytest.approx(20 / 21)
    # median is 0, so nobody is below half of it
    assert s["lagging_count"] == 0
    s = q.equity_summary(per, rule="bottom_quintile")
    assert rec(s, programme="simpada", year=2024)["lagging_count"] == 20  # ties at 0 all flagged
    pd.testing.assert_frame_equal(q.run_equity(con, ev, q.population_table()), summary)


def test_trend_mom_yoy_and_gaps(con, ev) -> None:
    df = q.run(q.trend, con, ev)
    jan = rec(df, programme="oss", year=2024, month=1)
    assert math.isnan(jan["mom_transactions"])  # Dec 2023 has no data
    assert jan["yoy_transactions"] == pytest.approx(2 / 3 - 1)
    assert jan["yoy_active_citizens"] == pytest.approx(0.0)
    feb = rec(df, programme="oss", year=2024, month=2)
    assert feb["mom_transactions"] == pytest.approx(1.0)
    assert math.isnan(feb["yoy_transactions"])
    apr = rec(df, programme="oss", year=2024, month=4)
    assert math.isnan(apr["mom_transactions"])  # March missing: no comparison with February


def test_target_attainment_direction_aware(con) -> None:
    values = ibis.memtable(
        pd.DataFrame(
            {
                "indicator": ["users_per_1000", "days_to_licence", "gini", "zero"],
                "value": [12.0, 4.0, 0.4, 0.0],
            }
        )
    )
    targets = ibis.memtable(
        pd.DataFrame(
            {
                "indicator": ["users_per_1000", "days_to_licence", "gini", "zero", "no_value"],
                "target": [10.0, 3.0, 0.3, 5.0, 1.0],
                "direction": ["higher", "lower", "Lower", "lower", "higher"],
            }
        )
    )
    df = q.run(q.target_attainment, con, values, targets)
    assert df.indicator.tolist() == ["days_to_licence", "gini", "users_per_1000", "zero"]
    u = rec(df, indicator="users_per_1000")
    assert (u["attainment"], u["met"], u["gap"]) == (pytest.approx(1.2), True, pytest.approx(-2.0))
    d = rec(df, indicator="days_to_licence")
    assert (d["attainment"], d["met"], d["gap"]) == (pytest.approx(0.75), False, pytest.approx(1.0))
    g = rec(df, indicator="gini")
    assert g["direction"] == "lower" and not g["met"]
    z = rec(df, indicator="zero")
    assert z["met"] and math.isnan(z["attainment"])  # 0 days: better than any target, ratio undefined


def test_run_questions_equals_the_questions_one_by_one(con, ev) -> None:
    pop, desa = q.population_table(), q.desa_table()
    got = q.run_questions(con, ev, pop, desa)
    assert list(got) == ["reach", "coverage", "equity"]
    pd.testing.assert_frame_equal(got["reach"], q.run(q.reach, con, ev, pop))
    pd.testing.assert_frame_equal(got["coverage"], q.run(q.coverage, con, ev, pop, desa))
    pd.testing.assert_frame_equal(got["equity"], q.run_equity(con, ev, pop))
    # the cached activity table is dropped again
    assert not [t for t in con.list_tables() if "cache" in t.lower()]


def test_activity_derived_counts_skip_null_citizens(con) -> None:
    """A table loaded by other means may hold a null citizen: it counts as a transaction, not a user,
    as nunique() on the events would count it."""
    df = pd.DataFrame({"programme": ["oss"] * 3, "kecamatan": ["16.07.01"] * 3, "desa": [None] * 3,
                       "year": [2024] * 3,
                       "month": [1] * 3, "citizen": ["a" * 20, None, None]})
    ev = ibis.memtable(df)
    pop = q.population_table()
    r = rec(q.run(q.reach, con, ev, pop), programme="oss", kecamatan="16.07.01", month=1)
    assert (r["transactions"], r["users"]) == (3, 1)
    e = rec(q.run(q.equity_by_kecamatan, con, ev, pop), programme="oss", kecamatan="16.07.01")
    assert (e["transactions"], e["users"]) == (3, 1)

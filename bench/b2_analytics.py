"""Benchmark 2 -- usage analytics over synthetic service events (analytics.generator).

The analysis: reach per programme x kecamatan x month, coverage (share of kecamatan and desa served)
per programme x year, and equity (users per 1,000 per kecamatan -> Gini, lagging kecamatan).

Legs, over the same Parquet files (hive-partitioned, as analytics.events writes them):
  ibis     analytics.questions.run_questions on Ibis -> DuckDB (the product's code path: two cached
           aggregates of the events, the three answers derived from them)
  raw SQL  the same plan hand-written in DuckDB SQL (two temporary tables, three queries on them)
  pandas   pyarrow -> pandas, groupby / nunique / merge: what an analyst writes, reading the files once
  pyspark  analytics.questions.run_questions on Ibis -> PySpark local[2] (checked identical; time
           reported, no target)
Every leg returns the same three normalised frames (questions.run's normalisation) and they are
compared.  Time: interleaved, min of repeats.  Peak RSS: each leg once more in its own process.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from bench.common import fmt_s, interleaved, run_measured

# The issue sets the targets at 10 M events, so both modes run 10 M (quick: fewer repeats). At 1 M the
# per-request fixed costs (expression compilation, result conversion: ~0.1-0.2 s) weigh on a 0.3-0.6 s
# run, and under load DuckDB's second thread buys little against single-threaded pandas: a 1 M run
# (BENCH_EVENTS=1000000) is a smoke test, not the verdict.
EVENTS = {"quick": 10_000_000, "full": 10_000_000}
ROUNDS = {"quick": 3, "full": 5}
REGION = "16.07"


def generate(root: Path, n: int) -> float:
    from kotacerdas.analytics.generator import write_generated

    t0 = time.perf_counter()
    rep = write_generated(root, region=REGION, year=2024, n_events=n, seed=2024)
    assert rep.written_rows == n, rep.quarantined_by_reason
    return time.perf_counter() - t0


def _glob(root: Path) -> str:
    return str(root / "region=*" / "year=*" / "month=*" / "*.parquet")


def _frames(reach: pd.DataFrame, coverage: pd.DataFrame, per_kec: pd.DataFrame) -> dict[str, pd.DataFrame]:
    from kotacerdas.analytics import questions as q

    def norm(df: pd.DataFrame) -> pd.DataFrame:
        df = q._normalise_frame(df, 9)
        keys = [c for c in df.columns if not pd.api.types.is_float_dtype(df[c])]
        return df.sort_values(keys, kind="mergesort").reset_index(drop=True)

    return {"reach": norm(reach), "coverage": norm(coverage), "equity": q.equity_summary(norm(per_kec))}


# --------------------------------------------------------------------------- legs


def ibis_leg(kind: str, root: Path, con: Any = None) -> Any:
    from kotacerdas.analytics import backends
    from kotacerdas.analytics import questions as q

    if con is None:
        con = backends.connect("duckdb", threads=2) if kind == "duckdb" else backends.connect(
            "pyspark", session=backends.spark_session("local[2]", shuffle_partitions=2, app_name="kc-bench"))

    def leg() -> dict[str, pd.DataFrame]:
        ev = backends.events_table(con, root, region=REGION)
        return q.run_questions(con, ev, q.population_table(REGION), q.desa_table(REGION))

    return leg


_EV = """
    ev AS (
        SELECT programme, kecamatan, desa, citizen, CAST(year AS INTEGER) AS year, CAST(month AS INTEGER) AS month
        FROM read_parquet('{glob}', hive_partitioning = true, hive_types_autocast = false)
        WHERE region = '{region}'
    )"""
# The same plan as the product's questions.run_questions, written by hand: the events are read twice,
# into two temporary tables -- per programme x kecamatan x year x citizen (transactions, bit mask of
# the months with a transaction) and per programme x kecamatan x desa x month (transactions) -- and
# reach, coverage and equity are derived from those.
ACT_SQL = """
CREATE OR REPLACE TEMP TABLE act AS
WITH {ev}
SELECT programme, kecamatan, year, citizen, count(*) AS transactions, bit_or(1::BIGINT << (month - 1)) AS months
FROM ev GROUP BY programme, kecamatan, year, citizen
"""
FOOT_SQL = """
CREATE OR REPLACE TEMP TABLE foot AS
WITH {ev}
SELECT programme, kecamatan, desa, year, month, count(*) AS transactions
FROM ev GROUP BY programme, kecamatan, desa, year, month
"""
REACH_SQL = """
WITH tx AS (
    SELECT programme, kecamatan, year, month, sum(transactions) AS transactions
    FROM foot GROUP BY programme, kecamatan, year, month
), users AS (
    SELECT programme, kecamatan, year, m.month, count(citizen) AS users
    FROM act CROSS JOIN range(1, 13) AS m(month)
    WHERE (months >> (m.month - 1)) & 1 = 1
    GROUP BY programme, kecamatan, year, m.month
), periods AS (SELECT DISTINCT programme, year, month FROM foot)
SELECT p.programme, k.kecamatan, p.year, p.month,
       coalesce(t.transactions, 0) AS transactions, coalesce(u.users, 0) AS users,
       k.population, k.population_is_estimate,
       coalesce(u.users, 0) * 1000.0 / nullif(k.population, 0) AS users_per_1000
FROM periods p CROSS JOIN pop k
LEFT JOIN tx t ON t.programme = p.programme AND t.kecamatan = k.kecamatan AND t.year = p.year AND t.month = p.month
LEFT JOIN users u ON u.programme = p.programme AND u.kecamatan = k.kecamatan AND u.year = p.year
                 AND u.month = p.month
"""
COVERAGE_SQL = """
WITH seen AS (SELECT DISTINCT programme, year, kecamatan, desa FROM foot),
served AS (
    SELECT e.programme, e.year, count(DISTINCT k.kecamatan) AS kecamatan_served,
           count(DISTINCT d.desa) AS desa_served
    FROM seen e LEFT JOIN pop k ON k.kecamatan = e.kecamatan LEFT JOIN desa d ON d.desa = e.desa
    GROUP BY e.programme, e.year
)
SELECT s.programme, s.year, s.kecamatan_served, t.kt AS kecamatan_total,
       s.kecamatan_served / nullif(t.kt, 0)::DOUBLE AS kecamatan_share,
       s.desa_served, t.dt AS desa_total, s.desa_served / nullif(t.dt, 0)::DOUBLE AS desa_share
FROM served s CROSS JOIN (SELECT (SELECT count(*) FROM pop) AS kt, (SELECT count(*) FROM desa) AS dt) t
"""
EQUITY_SQL = """
WITH agg AS (
    SELECT programme, year, kecamatan, sum(transactions) AS transactions, count(citizen) AS users
    FROM act GROUP BY programme, year, kecamatan
), grid AS (SELECT DISTINCT programme, year FROM act)
SELECT g.programme, g.year, k.kecamatan, coalesce(a.transactions, 0) AS transactions,
       coalesce(a.users, 0) AS users, k.population, k.population_is_estimate,
       coalesce(a.users, 0) * 1000.0 / nullif(k.population, 0) AS users_per_1000
FROM grid g CROSS JOIN pop k
LEFT JOIN agg a ON a.programme = g.programme AND a.year = g.year AND a.kecamatan = k.kecamatan
"""


def _reference_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    from kotacerdas.analytics import questions as q

    return q.population_table(REGION).to_pandas(), q.desa_table(REGION).to_pandas()


def raw_sql_leg(root: Path) -> Any:
    import duckdb

    con = duckdb.connect(config={"threads": 2})
    pop, desa = _reference_frames()
    con.register("pop", pop)
    con.register("desa", desa)
    ev = _EV.format(glob=_glob(root), region=REGION)

    def leg() -> dict[str, pd.DataFrame]:
        con.execute(ACT_SQL.format(ev=ev))
        con.execute(FOOT_SQL.format(ev=ev))
        try:
            return _frames(con.sql(REACH_SQL).df(), con.sql(COVERAGE_SQL).df(), con.sql(EQUITY_SQL).df())
        finally:
            con.execute("DROP TABLE act")
            con.execute("DROP TABLE foot")

    return leg


def pandas_leg(root: Path) -> Any:
    import pyarrow as pa
    import pyarrow.dataset as ds

    pop, desa = _reference_frames()
    part = ds.partitioning(pa.schema([("region", pa.string()), ("year", pa.int32()), ("month", pa.int32())]),
                           flavor="hive")

    def leg() -> dict[str, pd.DataFrame]:
        dataset = ds.dataset(str(root), format="parquet", partitioning=part)
        df = dataset.to_table(columns=["programme", "kecamatan", "desa", "citizen", "year", "month"],
                              filter=ds.field("region") == REGION).to_pandas()
        per1000 = 1000.0

        agg = (df.groupby(["programme", "kecamatan", "year", "month"])
               .agg(transactions=("citizen", "size"), users=("citizen", "nunique")).reset_index())
        periods = df[["programme", "year", "month"]].drop_duplicates()
        reach = periods.merge(pop, how="cross").merge(agg, how="left", on=["programme", "kecamatan", "year", "month"])
        reach[["transactions", "users"]] = reach[["transactions", "users"]].fillna(0).astype("int64")
        reach["users_per_1000"] = reach["users"] * per1000 / reach["population"].replace(0, float("nan"))
        reach = reach[["programme", "kecamatan", "year", "month", "transactions", "users", "population",
                       "population_is_estimate", "users_per_1000"]]

        kec = df["kecamatan"].where(df["kecamatan"].isin(pop["kecamatan"]))
        ds_ = df["desa"].where(df["desa"].isin(desa["desa"]))
        served = (pd.DataFrame({"programme": df["programme"], "year": df["year"], "k": kec, "d": ds_})
                  .groupby(["programme", "year"]).agg(kecamatan_served=("k", "nunique"),
                                                      desa_served=("d", "nunique")).reset_index())
        kt, dt = len(pop), len(desa)
        coverage = served.assign(kecamatan_total=kt, kecamatan_share=served["kecamatan_served"] / kt,
                                 desa_total=dt, desa_share=served["desa_served"] / dt)[
            ["programme", "year", "kecamatan_served", "kecamatan_total", "kecamatan_share", "desa_served",
             "desa_total", "desa_share"]]

        agg2 = (df.groupby(["programme", "year", "kecamatan"])
                .agg(transactions=("citizen", "size"), users=("citizen", "nunique")).reset_index())
        grid = df[["programme", "year"]].drop_duplicates().merge(pop, how="cross")
        per_kec = grid.merge(agg2, how="left", on=["programme", "year", "kecamatan"])
        per_kec[["transactions", "users"]] = per_kec[["transactions", "users"]].fillna(0).astype("int64")
        per_kec["users_per_1000"] = per_kec["users"] * per1000 / per_kec["population"].replace(0, float("nan"))
        per_kec = per_kec[["programme", "year", "kecamatan", "transactions", "users", "population",
                           "population_is_estimate", "users_per_1000"]]
        return _frames(reach, coverage, per_kec)

    return leg


def _same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> str:
    bad = []
    for name in a:
        x, y = a[name], b[name]
        try:
            pd.testing.assert_frame_equal(x, y[x.columns], check_dtype=False, check_exact=False, rtol=1e-9)
        except (AssertionError, KeyError) as exc:
            bad.append(f"{name}: {str(exc).splitlines()[0][:120]}")
    return "identical" if not bad else "; ".join(bad)


LEGS = {"ibis": lambda root: ibis_leg("duckdb", root), "raw_sql": raw_sql_leg, "pandas": pandas_leg,
        "pyspark": lambda root: ibis_leg("pyspark", root)}


def one_leg(name: str, root: Path) -> None:
    """Run one leg once in this (fresh) process: the parent reads its peak RSS."""
    t0 = time.perf_counter()
    leg = LEGS[name](root)
    t1 = time.perf_counter()
    out = leg()
    t2 = time.perf_counter()
    print(json.dumps({"leg": name, "setup": t1 - t0, "run": t2 - t1, "rows": {k: len(v) for k, v in out.items()}}))


def run(mode: str) -> dict[str, Any]:
    n = int(os.environ.get("BENCH_EVENTS", EVENTS[mode]))
    root = Path(tempfile.mkdtemp(prefix="kc-events-"))
    try:
        gen = generate(root, n)
        size_mb = sum(p.stat().st_size for p in root.rglob("*.parquet")) / 1e6
        legs = {name: LEGS[name](root) for name in ("ibis", "raw_sql", "pandas")}
        results = {name: fn() for name, fn in legs.items()}  # warm-up and the answers compared
        timings = interleaved(legs, ROUNDS[mode], f"{n}", warmup=False)
        agree = {name: _same(results["ibis"], results[name]) for name in ("raw_sql", "pandas")}

        spark: dict[str, Any] = {}
        try:
            t0 = time.perf_counter()
            spark_leg = LEGS["pyspark"](root)
            spark["startup"] = time.perf_counter() - t0
            spark_out = spark_leg()  # warm-up (JIT, file listing)
            agree["pyspark"] = _same(results["ibis"], spark_out)
            spark["times"] = [interleaved({"pyspark": spark_leg}, 1, f"{n}", warmup=False)["pyspark"].min
                              for _ in range(2 if mode == "quick" else 3)]
        except Exception as exc:  # noqa: BLE001 -- no Java: reported, the other legs still count
            spark["error"] = f"{type(exc).__name__}: {exc}"[:300]

        rss = {}
        for name in ("ibis", "raw_sql", "pandas"):
            m = run_measured([sys.executable, "-m", "bench.b2_analytics", "--leg", name, "--root", str(root)])
            rss[name] = m["rss_mb"] if m["rc"] == 0 else None
        return {"events": n, "parquet_mb": size_mb, "generate_s": gen,
                "timings": {k: v.as_dict() for k, v in timings.items()}, "agree": agree, "spark": spark,
                "rss_mb": rss, "rows": {k: len(v) for k, v in results["ibis"].items()},
                "gini": results["ibis"]["equity"][["programme", "year", "gini"]].to_dict("records")}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def summarise(out: dict[str, Any]) -> dict[str, Any]:
    t = out["timings"]
    ib, raw, pdx = t["ibis"]["min"], t["raw_sql"]["min"], t["pandas"]["min"]
    sp = out["spark"]
    rows = [[name, fmt_s(t[k]["min"]), fmt_s(t[k]["median"]), f"{t[k]['min'] / raw:.2f}×",
             f"{out['rss_mb'].get(k) or 0:.0f} MB", out["agree"].get(k, "reference")]
            for name, k in (("Ibis → DuckDB (product)", "ibis"), ("raw DuckDB SQL", "raw_sql"),
                            ("pandas", "pandas"))]
    if "times" in sp:
        rows.append(["Ibis → PySpark local[2]", fmt_s(min(sp["times"])), f"startup {fmt_s(sp['startup'])}",
                     f"{min(sp['times']) / raw:.2f}×", "(JVM, not measured)", out["agree"].get("pyspark", "?")])
    else:
        rows.append(["Ibis → PySpark local[2]", "did not run", sp.get("error", ""), "–", "–", "–"])
    return {
        "tables": [{"title": f"{out['events']:,} events ({out['parquet_mb']:.0f} MB Parquet, generated in "
                             f"{out['generate_s']:.0f} s): reach + coverage + Gini",
                    "header": ["leg", "min", "median", "÷ raw SQL", "peak RSS (own process)", "same answers as Ibis"],
                    "rows": rows}],
        "notes": [f"Result rows: {out['rows']}; Gini per programme: "
                  + ", ".join(f"{g['programme']} {g['gini']:.3f}" for g in out["gini"])],
        "targets": [
            {"what": f"Ibis on DuckDB ÷ raw DuckDB SQL ({out['events']:,} events)", "value": ib / raw,
             "target": "≤ 1.3", "ok": ib / raw <= 1.3},
            {"what": f"pandas ÷ Ibis on DuckDB ({out['events']:,} events)", "value": pdx / ib, "target": "≥ 5",
             "ok": pdx / ib >= 5},
            {"what": "PySpark gives identical results", "value": out["agree"].get("pyspark", "not run"),
             "target": "identical", "ok": out["agree"].get("pyspark") == "identical"},
            {"what": "raw SQL and pandas give the same answers as Ibis",
             "value": f"{out['agree']['raw_sql']}/{out['agree']['pandas']}", "target": "identical",
             "ok": out["agree"]["raw_sql"] == out["agree"]["pandas"] == "identical"},
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["quick", "full"], default="quick")
    parser.add_argument("--leg", choices=list(LEGS))
    parser.add_argument("--root")
    args = parser.parse_args()
    if args.leg:
        one_leg(args.leg, Path(args.root))
        return
    out = run(args.mode)
    out["summary"] = summarise(out)
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()

"""The monitoring questions, as backend-agnostic ibis expressions.

Every ``q_*``-style function takes ibis table expressions (events from
``backends.events_table``, reference tables from ``population_table`` / ``desa_table``) and
returns an ibis expression; nothing here knows which engine will run it. ``run`` executes an
expression and returns a pandas frame with deterministic row order and normalised dtypes, so
the output of DuckDB and Spark on the same data compares equal.

Conventions:

* ``year``/``month`` are calendar months in WIB (see ``events.py``).
* "users" / "active citizens" = distinct ``citizen`` keys in the period. A citizen who used a
  programme in two kecamatan counts in both kecamatan (and once for the kabupaten).
* Rates use the population from ``reference.kecamatan_population`` — mostly an ESTIMATE, carried
  along as ``population_is_estimate``.
* Grids are zero-filled: a kecamatan with no transaction in a period appears with 0, because
  leaving it out would hide exactly the kecamatan the equity questions are about.
* Divisions go through ``nullif(0)``: Spark 4 runs in ANSI mode where x/0 raises.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal, cast

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from kotacerdas.analytics.reference import desa_list, kecamatan_population
from kotacerdas.lib.stats import LaggingRule, gini, lagging

__all__ = [
    "coverage",
    "desa_table",
    "equity_by_kecamatan",
    "equity_summary",
    "monthly_activity",
    "activity",
    "equity_from",
    "footprint",
    "population_table",
    "reach",
    "reach_from",
    "run",
    "run_equity",
    "run_questions",
    "target_attainment",
    "trend",
]

Direction = Literal["higher", "lower"]


# --------------------------------------------------------------------------- reference tables


def population_table(region: str = "16.07") -> ir.Table:
    """memtable(kecamatan: string, population: int64, population_is_estimate: boolean)."""
    pops = kecamatan_population(region)
    df = pd.DataFrame(
        {
            "kecamatan": list(pops),
            "population": np.array([p for p, _ in pops.values()], dtype="int64"),
            "population_is_estimate": np.array([e for _, e in pops.values()], dtype=bool),
        }
    )
    return ibis.memtable(df)


def desa_table(region: str = "16.07") -> ir.Table:
    """memtable(desa: string, kecamatan: string, desa_type: string) of all desa + kelurahan."""
    ds = desa_list(region)
    df = pd.DataFrame(
        {
            "desa": [d.code for d in ds],
            "kecamatan": [d.kecamatan_code for d in ds],
            "desa_type": [d.type for d in ds],
        }
    )
    return ibis.memtable(df)


# --------------------------------------------------------------------------- questions


def monthly_activity(events: ir.Table) -> ir.Table:
    """Per programme x month: ``transactions`` and ``active_citizens`` (distinct citizens)."""
    e = events
    return (
        e.group_by(["programme", "year", "month"])
        .aggregate(
            transactions=e.count().cast("int64"),
            active_citizens=e.citizen.nunique().cast("int64"),
        )
        .order_by(["programme", "year", "month"])
    )


def _per_1000(users: ir.IntegerValue, population: ir.IntegerValue) -> ir.FloatingValue:
    return users.cast("float64") * 1000.0 / population.cast("float64").nullif(0.0)


def activity(events: ir.Table) -> ir.Table:
    """Per programme x kecamatan x year x citizen: ``transactions`` and ``months``, a bit mask of the
    calendar months in which the citizen transacted (bit ``m - 1`` for month ``m``).

    The one expensive step of ``reach`` and ``equity_by_kecamatan``: distinct citizens need a hash
    aggregate over every event. Grouping by citizen per *year* keeps that hash table ~6x smaller than
    per month (the citizens of a year, not of each month), and the mask still answers the monthly
    question: a citizen is a user of month m iff bit m - 1 is set. Everything after it runs on this
    much smaller table, so ``run_questions`` computes it once, caches it and derives both questions.
    """
    e = events
    bit = ibis.literal(1, "int64") << (e.month - 1)
    return e.group_by(["programme", "kecamatan", "year", "citizen"]).aggregate(
        transactions=e.count().cast("int64"), months=bit.bit_or()
    )


def footprint(events: ir.Table) -> ir.Table:
    """Per programme x kecamatan x desa x year x month: ``transactions``. Small (low-cardinality keys,
    no citizen): monthly transactions for ``reach`` and the places served for ``coverage``."""
    e = events
    return e.group_by(["programme", "kecamatan", "desa", "year", "month"]).aggregate(
        transactions=e.count().cast("int64")
    )


def reach(events: ir.Table, population: ir.Table) -> ir.Table:
    """Per programme x kecamatan x month: transactions, users, users per 1,000 inhabitants.

    The grid is every (programme, month) that has any event x every kecamatan in ``population``.
    """
    return reach_from(activity(events), footprint(events), population)


def reach_from(act: ir.Table, foot: ir.Table, population: ir.Table) -> ir.Table:
    """``reach`` from the ``activity`` and ``footprint`` aggregates of the events (e.g. cached ones)."""
    keys = ["programme", "kecamatan", "year", "month"]
    tx = foot.group_by(keys).aggregate(transactions=foot.transactions.sum().cast("int64"))
    months = ibis.memtable(pd.DataFrame({"m": np.arange(1, 13, dtype="int32")}))
    per_month = act.cross_join(months)
    per_month = per_month.filter(((per_month.months >> (per_month.m - 1)) & 1) == 1)
    # count(citizen) skips the group of a null citizen, as nunique() on the events would.
    users = per_month.group_by(
        ["programme", "kecamatan", "year", per_month.m.cast(foot.month.type()).name("month")]
    ).aggregate(users=per_month.citizen.count().cast("int64"))
    periods = foot.select("programme", "year", "month").distinct()
    grid = periods.cross_join(population)
    j = grid.left_join(tx, keys).left_join(users, keys)
    tx_ = j.transactions.fill_null(0).cast("int64")
    users_ = j.users.fill_null(0).cast("int64")
    return j.select(
        "programme",
        "kecamatan",
        "year",
        "month",
        transactions=tx_,
        users=users_,
        population=j.population.cast("int64"),
        population_is_estimate=j.population_is_estimate,
        users_per_1000=_per_1000(users_, j.population),
    ).order_by(["programme", "year", "month", "kecamatan"])


def coverage(events: ir.Table, population: ir.Table, desa: ir.Table) -> ir.Table:
    """Per programme x year: share of kecamatan and of desa/kelurahan with >= 1 transaction.

    Only codes present in the reference tables count as served (events are validated on append,
    but a table loaded by other means might not be). Events without a desa count for the
    kecamatan only. ``events`` may also be their ``footprint`` (it has the same place columns).
    """
    keys = ["programme", "year"]
    # One pass over the events reduces them to the distinct (programme, year, kecamatan, desa) seen
    # (a few thousand rows, low-cardinality columns); only those are looked up in the small
    # reference tables and the distinct matches counted; nunique() skips the nulls left by
    # unmatched codes.
    e = events.select(*keys, "kecamatan", "desa").distinct()
    pk = population.select(ref_kecamatan=population.kecamatan)
    dk = desa.select(ref_desa=desa.desa)
    lk = e.left_join(pk, e.kecamatan == pk.ref_kecamatan).left_join(dk, e.desa == dk.ref_desa)
    served = lk.group_by(keys).aggregate(
        kecamatan_served=lk.ref_kecamatan.nunique().cast("int64"),
        desa_served=lk.ref_desa.nunique().cast("int64"),
    )
    totals = population.aggregate(kecamatan_total=population.count().cast("int64")).cross_join(
        desa.aggregate(desa_total=desa.count().cast("int64"))
    )
    j = served.cross_join(totals)
    kec_served = j.kecamatan_served.fill_null(0).cast("int64")
    desa_served = j.desa_served.fill_null(0).cast("int64")
    return j.select(
        "programme",
        "year",
        kecamatan_served=kec_served,
        kecamatan_total=j.kecamatan_total,
        kecamatan_share=kec_served.cast("float64") / j.kecamatan_total.cast("float64").nullif(0.0),
        desa_served=desa_served,
        desa_total=j.desa_total,
        desa_share=desa_served.cast("float64") / j.desa_total.cast("float64").nullif(0.0),
    ).order_by(keys)


def equity_by_kecamatan(events: ir.Table, population: ir.Table) -> ir.Table:
    """Per programme x year x kecamatan: distinct users in the year and users per 1,000.

    The input to ``equity_summary`` (Gini + lagging kecamatan), zero-filled over all kecamatan.
    """
    return equity_from(activity(events), population)


def equity_from(act: ir.Table, population: ir.Table) -> ir.Table:
    """``equity_by_kecamatan`` from the ``activity`` aggregate (e.g. a cached one): one row per citizen
    and kecamatan in the year already, so users are a count."""
    agg = act.group_by(["programme", "year", "kecamatan"]).aggregate(
        transactions=act.transactions.sum().cast("int64"), users=act.citizen.count().cast("int64")
    )
    grid = act.select("programme", "year").distinct().cross_join(population)
    j = grid.left_join(agg, ["programme", "year", "kecamatan"])
    users = j.users.fill_null(0).cast("int64")
    return j.select(
        "programme",
        "year",
        "kecamatan",
        transactions=j.transactions.fill_null(0).cast("int64"),
        users=users,
        population=j.population.cast("int64"),
        population_is_estimate=j.population_is_estimate,
        users_per_1000=_per_1000(users, j.population),
    ).order_by(["programme", "year", "kecamatan"])


def equity_summary(per_kecamatan: pd.DataFrame, rule: LaggingRule = "half_median") -> pd.DataFrame:
    """Gini of users per 1,000 across kecamatan and the lagging kecamatan, per programme x year.

    Runs on the small, already collected result of ``equity_by_kecamatan`` (21 rows per
    programme-year), so every backend feeds it the same numbers. ``lagging`` is a sorted,
    comma-separated list of kecamatan codes; the rule is ``kotacerdas.lib.stats.lagging``'s
    (default: below half the median).
    """
    rows: list[dict[str, Any]] = []
    for (prog, year), g in per_kecamatan.groupby(["programme", "year"], sort=True):
        vals = dict(zip(g["kecamatan"], g["users_per_1000"].fillna(0.0), strict=True))
        lag = lagging(vals, rule)
        rows.append(
            {
                "programme": prog,
                "year": int(year),
                "n_kecamatan": len(vals),
                "gini": gini(vals.values()),
                "median_users_per_1000": float(np.median(list(vals.values()))),
                "lagging_count": len(lag),
                "lagging": ",".join(sorted(lag)),
                "rule": rule,
            }
        )
    cols = [
        "programme",
        "year",
        "n_kecamatan",
        "gini",
        "median_users_per_1000",
        "lagging_count",
        "lagging",
        "rule",
    ]
    return pd.DataFrame(rows, columns=cols)


def trend(events: ir.Table) -> ir.Table:
    """Monthly transactions and active citizens per programme with month-over-month and
    year-over-year growth (``x/prev - 1``; null when the previous period has no data or is 0).

    Previous periods are found by a join on a month index rather than ``lag()`` so that a month
    without any events is "missing", not silently replaced by an older month.
    """
    m = monthly_activity(events)
    m = m.mutate(month_index=m.year.cast("int64") * 12 + m.month.cast("int64") - 1)

    def shifted(by: int, prefix: str) -> ir.Table:
        v = m.view()
        return v.select(
            programme=v.programme,
            month_index=v.month_index + by,
            **{f"{prefix}_transactions": v.transactions, f"{prefix}_active_citizens": v.active_citizens},
        )

    j = m.left_join(shifted(1, "prev_month"), ["programme", "month_index"]).left_join(
        shifted(12, "prev_year"), ["programme", "month_index"]
    )

    def growth(cur: ir.IntegerValue, prev: ir.IntegerValue) -> ir.FloatingValue:
        return cur.cast("float64") / prev.cast("float64").nullif(0.0) - 1.0

    return j.select(
        "programme",
        "year",
        "month",
        "transactions",
        "active_citizens",
        mom_transactions=growth(j.transactions, j.prev_month_transactions),
        mom_active_citizens=growth(j.active_citizens, j.prev_month_active_citizens),
        yoy_transactions=growth(j.transactions, j.prev_year_transactions),
        yoy_active_citizens=growth(j.active_citizens, j.prev_year_active_citizens),
    ).order_by(["programme", "year", "month"])


def target_attainment(
    values: ir.Table,
    targets: ir.Table,
    *,
    keys: Sequence[str] = ("indicator",),
    value_col: str = "value",
) -> ir.Table:
    """Compare indicator values with targets, direction-aware.

    ``targets`` has ``keys`` + ``target`` (numeric) + ``direction`` ("higher" = higher is better,
    e.g. users per 1,000; "lower" = lower is better, e.g. processing days, Gini).
    ``attainment`` is value/target (higher) or target/value (lower), so 1.0 means exactly on
    target and > 1 better than target in both cases; ``met`` is value >= target (higher) or
    value <= target (lower); ``gap`` = target - value for higher and value - target for lower,
    i.e. how far from the target in the bad direction (<= 0 when met). Values without a
    target are dropped (inner join): a target table defines what is assessed.
    """
    keys = list(keys)
    j = values.select(*keys, value=values[value_col].cast("float64")).inner_join(targets, keys)
    higher = j.direction.lower() == "higher"
    value, target = j.value, j.target.cast("float64")
    return j.select(
        *keys,
        value=value,
        target=target,
        direction=j.direction.lower(),
        attainment=ibis.ifelse(higher, value / target.nullif(0.0), target / value.nullif(0.0)),
        met=ibis.ifelse(higher, value >= target, value <= target),
        gap=ibis.ifelse(higher, target - value, value - target),
    ).order_by(keys)


# --------------------------------------------------------------------------- execution


def _normalise_frame(df: pd.DataFrame, round_floats: int | None) -> pd.DataFrame:
    out = pd.DataFrame(index=range(len(df)))
    for c in df.columns:
        s = df[c].reset_index(drop=True)
        if pd.api.types.is_bool_dtype(s):
            s = s.astype(bool) if not s.isna().any() else s.astype("boolean")
        elif pd.api.types.is_integer_dtype(s):
            s = s.astype("int64") if not s.isna().any() else s.astype("Int64")
        elif pd.api.types.is_float_dtype(s):
            s = s.astype("float64")
            if round_floats is not None:
                s = s.round(round_floats)
        elif pd.api.types.is_datetime64_any_dtype(s):
            if getattr(s.dt, "tz", None) is not None:
                s = s.dt.tz_convert("UTC").dt.tz_localize(None)
            s = s.astype("datetime64[ns]")
        elif s.dtype == object:
            # Spark returns None for null strings and nullable ints as float; keep None for strings.
            non_null = s.dropna()
            if len(non_null) and all(isinstance(v, bool | np.bool_) for v in non_null):
                s = s.astype("boolean")
            elif len(non_null) and all(isinstance(v, int | np.integer) for v in non_null):
                s = s.astype("Int64")
            else:
                s = s.astype(object).where(s.notna(), None)
        out[c] = s
    return out


def run(
    question_fn: Callable[..., ir.Table],
    con: ibis.BaseBackend,
    *args: Any,
    round_floats: int | None = 9,
    **kwargs: Any,
) -> pd.DataFrame:
    """Build the question's expression, execute it on ``con`` and normalise the result.

    Rows are sorted by all non-float columns (the keys) so the order does not depend on the
    engine; ints become int64 (Int64 if nullable), floats float64 rounded to ``round_floats``
    decimals (sums computed in a different order differ in the last bits), strings object with
    None for null.
    """
    expr = question_fn(*args, **kwargs)
    df = con.execute(expr)
    df = _normalise_frame(df, round_floats)
    keys = [c for c in df.columns if not pd.api.types.is_float_dtype(df[c])]
    if keys and len(df):
        df = df.sort_values(keys, na_position="last", kind="mergesort").reset_index(drop=True)
    return df


def run_equity(
    con: ibis.BaseBackend,
    events: ir.Table,
    population: ir.Table,
    rule: LaggingRule = "half_median",
) -> pd.DataFrame:
    """``equity_summary`` of ``equity_by_kecamatan`` executed on ``con``."""
    return equity_summary(run(equity_by_kecamatan, con, events, population), rule)


def run_questions(
    con: ibis.BaseBackend,
    events: ir.Table,
    population: ir.Table,
    desa: ir.Table,
    rule: LaggingRule = "half_median",
) -> dict[str, pd.DataFrame]:
    """``reach``, ``coverage`` and the ``equity_summary`` of the same events, executed on ``con``
    (frames as ``run`` returns them; the same answers as running the three questions one by one).

    The events are read twice, not five times: the ``activity`` and ``footprint`` aggregates are
    computed once each and cached on the backend (temporary tables on DuckDB, cached DataFrames on
    Spark); reach, equity and coverage are derived from them.
    """
    act = cast("ir.CachedTable", activity(events).cache())
    try:
        foot = cast("ir.CachedTable", footprint(events).cache())
        try:
            return {
                "reach": run(reach_from, con, act, foot, population),
                "coverage": run(coverage, con, foot, population, desa),
                "equity": equity_summary(run(equity_from, con, act, population), rule),
            }
        finally:
            foot.release()
    finally:
        act.release()

"""Questions about KPI values, as backend-agnostic Ibis expressions (like ``kotacerdas.analytics.questions``
for events). They run on PostgreSQL itself where the KPI table lives, or on DuckDB over rows from the
ORM (SQLite installs) — the same expression either way.

Input tables:

* ``values``: kpi_id int64, period date (first day), value float64, target float64 (nullable) —
  kabupaten-level rows only (area = the kabupaten), so sums are not double-counted with kecamatan;
* ``kpis``: kpi_id int64, aggregation string (sum | mean | last), direction string
  (higher | lower), default_target float64 (nullable).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from kotacerdas.analytics import questions as q

__all__ = ["yearly", "year_over_year"]


def _combine(agg: ir.StringValue, total: ir.FloatingValue, mean: ir.FloatingValue,
             last: ir.FloatingValue) -> ir.FloatingValue:
    return ibis.cases((agg == "sum", total), (agg == "mean", mean), else_=last)


def _with_target(values: ir.Table, kpis: ir.Table) -> ir.Table:
    j = values.inner_join(kpis, "kpi_id")
    return j.select(
        "kpi_id",
        "aggregation",
        "direction",
        year=j.period.year().cast("int32"),
        month=j.period.month().cast("int32"),
        value=j.value.cast("float64"),
        target=ibis.coalesce(j.target.cast("float64"), j.default_target.cast("float64")),
    )


def yearly(values: ir.Table, kpis: ir.Table) -> ir.Table:
    """Per KPI x year: the year's figure by the KPI's aggregation, its target combined the same way,
    and how many periods were reported."""
    v = _with_target(values, kpis)
    keys = ["kpi_id", "year", "aggregation", "direction"]
    agg = v.group_by(keys).aggregate(
        total=v.value.sum(), mean=v.value.mean(), periods=v.count().cast("int64"), last_month=v.month.max(),
        target_total=v.target.sum(), target_mean=v.target.mean(),
    )
    last = v.select("kpi_id", "year", last_month=v.month, last_value=v.value, last_target=v.target)
    a = agg.inner_join(last, ["kpi_id", "year", "last_month"])
    return a.select(
        *keys,
        "periods",
        value=_combine(a.aggregation, a.total, a.mean, a.last_value),
        target=_combine(a.aggregation, a.target_total, a.target_mean, a.last_target),
    ).order_by(["kpi_id", "year"])


def year_over_year(values: ir.Table, kpis: ir.Table, year: int) -> ir.Table:
    """Objective improvement evidence: per KPI, the figure of ``year`` against ``year - 1`` over
    the SAME months (a year reported up to June is compared with January–June of the year before,
    never with a full year), direction-aware ``improved``, and attainment of the year's target
    (``kotacerdas.analytics.questions.target_attainment``)."""
    v = _with_target(values, kpis)
    cur = v.filter(v.year == year)
    prev = v.filter(v.year == year - 1).select("kpi_id", "month", prev_value=v.value)
    pair = cur.inner_join(prev, ["kpi_id", "month"])
    keys = ["kpi_id", "aggregation", "direction"]
    pa = pair.group_by(keys).aggregate(
        cur_total=pair.value.sum(), cur_mean=pair.value.mean(), prev_total=pair.prev_value.sum(),
        prev_mean=pair.prev_value.mean(), compared_periods=pair.count().cast("int64"), last_month=pair.month.max(),
    )
    last = pair.select("kpi_id", last_month=pair.month, cur_last=pair.value, prev_last=pair.prev_value)
    pa = pa.inner_join(last, ["kpi_id", "last_month"])
    compared = pa.select(
        "kpi_id",
        "compared_periods",
        current_compared=_combine(pa.aggregation, pa.cur_total, pa.cur_mean, pa.cur_last),
        previous_compared=_combine(pa.aggregation, pa.prev_total, pa.prev_mean, pa.prev_last),
    )

    y = yearly(values, kpis)
    y = y.filter(y.year == year)
    with_target = y.filter(y.target.notnull())
    att = q.target_attainment(
        with_target.select("kpi_id", "year", "value"),
        with_target.select("kpi_id", "year", "target", "direction"),
        keys=["kpi_id", "year"],
    ).select("kpi_id", "attainment", "met")

    j = y.left_join(compared, "kpi_id").left_join(att, "kpi_id")
    cur_c, prev_c = j.current_compared, j.previous_compared
    higher = j.direction == "higher"
    return j.select(
        "kpi_id",
        "year",
        "aggregation",
        "direction",
        "periods",
        "value",
        "target",
        "attainment",
        "met",
        compared_periods=j.compared_periods.fill_null(0).cast("int64"),
        current_compared=cur_c,
        previous_compared=prev_c,
        change=cur_c - prev_c,
        growth=cur_c / prev_c.nullif(0.0) - 1.0,
        improved=ibis.ifelse(higher, cur_c > prev_c, cur_c < prev_c),
    ).order_by("kpi_id")

"""The question expressions compared across backends (shared by the Spark and PostgreSQL tests)."""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.types as ir
import pandas as pd

from kotacerdas.analytics import questions as q

TARGETS = pd.DataFrame(
    {
        "programme": ["jam-kunci", "oss", "simpada"],
        "year": [2024, 2024, 2024],
        "target": [3.0, 1.0, 0.2],
        "direction": ["higher", "higher", "lower"],
    }
)


def _targets(ev: ir.Table, pop: ir.Table, desa: ir.Table) -> ir.Table:
    per = q.equity_by_kecamatan(ev, pop)
    values = per.group_by(["programme", "year"]).aggregate(value=per.users_per_1000.mean())
    return q.target_attainment(values, ibis.memtable(TARGETS), keys=["programme", "year"])


QUESTIONS: dict[str, Callable[[ir.Table, ir.Table, ir.Table], ir.Table]] = {
    "monthly_activity": lambda ev, pop, desa: q.monthly_activity(ev),
    "reach": lambda ev, pop, desa: q.reach(ev, pop),
    "coverage": lambda ev, pop, desa: q.coverage(ev, pop, desa),
    "equity_by_kecamatan": lambda ev, pop, desa: q.equity_by_kecamatan(ev, pop),
    "trend": lambda ev, pop, desa: q.trend(ev),
    "target_attainment": _targets,
}

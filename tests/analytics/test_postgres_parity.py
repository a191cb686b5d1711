"""Opt-in: PostgreSQL gives the same answers as DuckDB (needs a scratch database)."""

from __future__ import annotations

import os
import uuid

import pandas as pd
import pytest

from kotacerdas.analytics import backends
from kotacerdas.analytics import questions as q

from .parity_cases import QUESTIONS


@pytest.mark.postgres
def test_postgres_equal_to_duckdb(duck_con, events_root) -> None:
    """Opt-in: set KOTACERDAS_ANALYTICS_PG_URL=postgresql://user@host:port/db (a scratch database)."""
    url = os.environ.get("KOTACERDAS_ANALYTICS_PG_URL")
    if not url:
        pytest.skip("set KOTACERDAS_ANALYTICS_PG_URL to a scratch PostgreSQL database to run this")
    pg = backends.connect("postgres", url=url)
    name = f"kc_events_{uuid.uuid4().hex[:8]}"
    duck_ev = backends.events_table(duck_con, events_root)
    pg.create_table(name, duck_con.to_pyarrow(duck_ev))
    try:
        pg_ev = backends.events_table(pg, table=name)
        for qname, fn in QUESTIONS.items():
            d = q.run(fn, duck_con, duck_ev, q.population_table(), q.desa_table())
            p = q.run(fn, pg, pg_ev, q.population_table(), q.desa_table())
            pd.testing.assert_frame_equal(d, p, check_exact=False, rtol=1e-12, obj=qname)
    finally:
        pg.drop_table(name)

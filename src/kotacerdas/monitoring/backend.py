"""Which analytics engine answers the monitoring questions, chosen by settings, not by callers.

* events (Parquet under ``settings.EVENTS_ROOT``): DuckDB by default, PySpark when
  ``settings.ANALYTICS_BACKEND == "pyspark"`` (``settings.SPARK_MASTER``: ``local[2]`` or a cluster);
* KPI values (a table of the Django database): PostgreSQL itself through Ibis when the database is
  PostgreSQL — the data stays where it lives — otherwise the rows are handed to DuckDB.

The questions themselves are the backend-agnostic Ibis expressions of ``kotacerdas.analytics``.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
from django.conf import settings
from django.db import connection

from kotacerdas.analytics import backends

_local = threading.local()
_spark_lock = threading.Lock()
_spark: dict[str, Any] = {}


def kind() -> str:
    value = str(getattr(settings, "ANALYTICS_BACKEND", "duckdb") or "duckdb").lower()
    if value not in ("duckdb", "pyspark"):
        raise ValueError(f"ANALYTICS_BACKEND={value!r}: use duckdb or pyspark")
    return value


def connection_for(backend: str | None = None) -> ibis.BaseBackend:
    """An Ibis connection for event questions. DuckDB: one in-memory connection per thread (a DuckDB
    connection must not be shared between threads of the web server); PySpark: one session per
    process, shared (starting one costs 10–25 s)."""
    backend = backend or kind()
    if backend == "duckdb":
        con = getattr(_local, "duckdb", None)
        if con is None:
            con = backends.connect("duckdb", threads=int(getattr(settings, "ANALYTICS_THREADS", 2) or 2))
            _local.duckdb = con
        return con
    if backend == "pyspark":
        with _spark_lock:
            master = str(getattr(settings, "SPARK_MASTER", "local[2]") or "local[2]")
            con = _spark.get(master)
            if con is None:
                session = backends.spark_session(master)
                con = backends.connect("pyspark", session=session)
                _spark[master] = con
            return con
    raise ValueError(f"unknown analytics backend {backend!r}")


def events_root() -> Path:
    return Path(settings.EVENTS_ROOT)


def has_events(region: str, year: int | None = None, root: Path | None = None) -> bool:
    base = (root or events_root()) / f"region={region}"
    pattern = f"year={year:04d}/month=*/*.parquet" if year else "year=*/month=*/*.parquet"
    return base.is_dir() and next(base.glob(pattern), None) is not None


def event_years(region: str, root: Path | None = None) -> list[int]:
    """The years that have service events for the region, newest first."""
    base = (root or events_root()) / f"region={region}"
    if not base.is_dir():
        return []
    years = {int(d.name[5:]) for d in base.glob("year=*") if d.name[5:].isdigit() and next(d.glob("month=*/*.parquet"), None)}
    return sorted(years, reverse=True)


def events(region: str, *, backend: str | None = None, root: Path | None = None) -> tuple[ibis.BaseBackend,
                                                                                          ir.Table]:
    """(connection, events table of one kabupaten). Call ``has_events`` first: an empty data set
    has no Parquet files to read."""
    con = connection_for(backend)
    return con, backends.events_table(con, root or events_root(), region=region)


def kpi_connection() -> tuple[ibis.BaseBackend, bool]:
    """(connection, is_database): Ibis on the Django database itself when it is PostgreSQL, sharing
    Django's connection so a question sees exactly what this request's transaction sees."""
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        if connection.in_atomic_block:
            # psycopg's transaction() on an idle non-autocommit connection would COMMIT Django's
            # transaction at its end; with a statement run first it nests as a savepoint instead.
            with connection.cursor() as cur:
                cur.execute("SELECT 1")
        return ibis.postgres.from_connection(connection.connection), True
    return connection_for("duckdb"), False

"""Ibis backends for the analytics: DuckDB (default), PySpark, PostgreSQL.

The questions in ``questions.py`` are backend-agnostic ibis expressions; this module only
creates connections and exposes the event data set as a table with one, fixed schema::

    ts timestamp (naive WIB), programme, kecamatan, desa, channel, citizen : string,
    region : string, year : int32, month : int32   (hive partition columns)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import ibis
import ibis.expr.types as ir

__all__ = ["EVENT_COLUMNS", "connect", "events_table", "spark_session"]

EVENT_COLUMNS = ("ts", "programme", "kecamatan", "desa", "channel", "citizen", "region", "year", "month")

BackendKind = Literal["duckdb", "pyspark", "postgres"]

# Spark settings every session we use needs, whoever created it:
# - partition type inference off: "16.07" would otherwise become the double 16.07 and "03" an int;
#   we want strings and cast ourselves, identically on every engine.
# - session time zone UTC: ts is a naive wall-clock value; UTC keeps Spark from shifting it.
_SPARK_RUNTIME_CONF = {
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
}


def spark_session(
    master: str | None = None,
    *,
    app_name: str = "kotacerdas-analytics",
    shuffle_partitions: int | None = None,
    conf: dict[str, str] | None = None,
) -> Any:
    """Get or create a SparkSession.

    ``master`` defaults to ``$SPARK_MASTER`` (as in the Django settings) or ``local[2]`` (the production VM has two
    cores); pass ``spark://host:7077`` / ``yarn`` for a cluster. The UI is disabled and the driver
    binds to localhost for local masters so that a test run opens no public port.
    """
    from pyspark.sql import SparkSession

    master = master or os.environ.get("SPARK_MASTER") or "local[2]"
    local = master.startswith("local")
    if shuffle_partitions is None:
        # Spark's default of 200 shuffle partitions is pure overhead for kabupaten-sized data.
        shuffle_partitions = 4 if local else 64
    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.default.parallelism", str(shuffle_partitions))
        # Arrow makes collecting results to pandas (and memtables to Spark) columnar instead of row by row.
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    if local:
        # Read by the JVM launcher only: avoids binding to (and warning about) the public interface.
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.config("spark.driver.host", "127.0.0.1").config(
            "spark.driver.bindAddress", "127.0.0.1"
        )
        # Adaptive execution re-plans every shuffle; with 2 cores and a handful of partitions that
        # costs more than it saves (measured: the questions run ~2x faster without it). Clusters keep it.
        builder = builder.config("spark.sql.adaptive.enabled", "false")
    for k, v in {**_SPARK_RUNTIME_CONF, **(conf or {})}.items():
        builder = builder.config(k, v)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _pyspark_bit_or() -> None:
    """Teach ibis' PySpark compiler the ``bit_or`` aggregate (``questions.activity`` uses it).

    Spark SQL has had ``bit_or`` since 3.0 and ibis' own Databricks compiler (a subclass) maps it;
    the PySpark compiler of ibis 12 just lacks the rule. Added once, only while it is missing.
    """
    import ibis.expr.operations as ops
    from ibis.backends.sql.compilers.pyspark import PySparkCompiler

    if PySparkCompiler.visit_BitOr is not PySparkCompiler.visit_Undefined:
        return

    def visit_BitOr(self: Any, op: ops.BitOr, *, arg: Any, where: Any) -> Any:
        return self.agg.bit_or(arg, where=where)

    PySparkCompiler.visit_BitOr = visit_BitOr  # type: ignore[method-assign]


def connect(kind: BackendKind = "duckdb", **opts: Any) -> ibis.BaseBackend:
    """Return an ibis backend.

    * ``duckdb``: ``path`` (file) or in-memory by default; ``threads`` to cap CPU use.
    * ``pyspark``: ``session`` (an existing SparkSession) or ``master`` / ``shuffle_partitions`` /
      ``conf`` to create one (see ``spark_session``).
    * ``postgres``: ``url`` (``postgresql://user:pass@host:5432/db``), or the ``DATABASE_URL``
      environment variable. PostgreSQL cannot read Parquet: load the events into a table and use
      ``events_table(con, table="...")``.
    """
    if kind == "duckdb":
        path = opts.pop("path", None) or ":memory:"
        threads = opts.pop("threads", None)
        con = ibis.duckdb.connect(str(path), **opts)
        if threads is not None:
            con.raw_sql(f"SET threads = {int(threads)}")
        return con
    if kind == "pyspark":
        _pyspark_bit_or()
        session = opts.pop("session", None)
        if session is None:
            session = spark_session(
                opts.pop("master", None),
                shuffle_partitions=opts.pop("shuffle_partitions", None),
                conf=opts.pop("conf", None),
            )
        else:
            for k, v in _SPARK_RUNTIME_CONF.items():
                session.conf.set(k, v)
        return ibis.pyspark.connect(session, **opts)
    if kind == "postgres":
        url = opts.pop("url", None) or os.environ.get("DATABASE_URL")
        if not url:
            raise ValueError("postgres backend needs url=... or DATABASE_URL")
        if url.startswith("postgresql+"):  # SQLAlchemy-style URL from settings
            url = "postgresql://" + url.split("://", 1)[1]
        if url.startswith("postgresql://"):
            url = "postgres://" + url.split("://", 1)[1]
        return ibis.connect(url, **opts)
    raise ValueError(f"unknown backend kind {kind!r}")


def _normalise(t: ir.Table) -> ir.Table:
    """Same column names and types on every backend, in EVENT_COLUMNS order."""
    cols = set(t.columns)
    region = t.region.cast("string") if "region" in cols else ibis.literal(None, "string")
    year = t.year.cast("int32") if "year" in cols else t.ts.year().cast("int32")
    month = t.month.cast("int32") if "month" in cols else t.ts.month().cast("int32")
    return t.select(
        ts=t.ts.cast("timestamp"),
        programme=t.programme.cast("string"),
        kecamatan=t.kecamatan.cast("string"),
        desa=t.desa.cast("string"),
        channel=t.channel.cast("string"),
        citizen=t.citizen.cast("string"),
        region=region,
        year=year,
        month=month,
    )


def events_table(
    con: ibis.BaseBackend,
    root: str | os.PathLike[str] | None = None,
    *,
    table: str | None = None,
    region: str | None = None,
) -> ir.Table:
    """The event data set as an ibis table (schema in the module docstring).

    Reads the hive-partitioned Parquet under ``root`` (DuckDB: ``read_parquet`` with
    ``hive_partitioning`` and explicit partition types; PySpark: ``read_parquet`` on the directory,
    whose file index skips ``_quarantine``/``_staging``), or an existing table ``table``
    (PostgreSQL, or a DuckDB file that already holds the events). ``region`` filters to one
    kabupaten.
    """
    name = con.name
    if table is not None:
        t = con.table(table)
    elif root is None:
        raise ValueError("events_table needs root= (Parquet) or table=")
    elif name == "duckdb":
        glob = str(Path(root) / "region=*" / "year=*" / "month=*" / "*.parquet")
        t = con.read_parquet(
            glob,
            hive_partitioning=True,
            # Autocast would turn region "16.07" into a DOUBLE; keep strings and cast in _normalise
            # (ibis passes a dict as a MAP, which DuckDB's hive_types= refuses).
            hive_types_autocast=False,
        )
    elif name == "pyspark":
        session = con._session  # the public attribute differs between ibis versions
        for k, v in _SPARK_RUNTIME_CONF.items():
            session.conf.set(k, v)
        t = con.read_parquet(str(root))
    else:
        raise ValueError(f"backend {name!r} cannot read Parquet here; load the events and pass table=")
    t = _normalise(t)
    if region is not None:
        t = t.filter(t.region == region)
    return t

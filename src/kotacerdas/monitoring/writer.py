"""Write validated KPI values: stage them in a temporary table, then one upsert by natural key.

PostgreSQL: the spool is streamed into the staging table with ``COPY ... FROM STDIN`` (psycopg 3's
``cursor.copy``), the fastest way in; SQLite: ``executemany`` in batches. Then a row that is
already there with the same value and target is not touched, which makes re-importing the same file
a no-op (idempotent) and lets the report say how many rows were new, changed or unchanged. SQLite:
one ``INSERT ... SELECT ... ON CONFLICT (kpi, period, area) DO UPDATE ... WHERE changed``;
PostgreSQL: one ``UPDATE ... FROM`` staging for the changed rows, then one plain ``INSERT ... WHERE
NOT EXISTS`` for the new ones (faster than the upsert, see ``_pg_merge``), the upsert only as the
fallback when a concurrent import got there first.

The caller wraps this in ``transaction.atomic()`` so that a failure leaves nothing behind.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.db import connection
from django.utils import timezone

from .models import KpiValue

BATCH = 5000


@dataclass(frozen=True)
class WriteCounts:
    created: int
    updated: int
    unchanged: int


def _sqlite_rows(spool: IO[str]) -> Iterator[list[tuple[int, str, str, str, str | None]]]:
    batch: list[tuple[int, str, str, str, str | None]] = []
    for line in spool:
        kpi, period, area, value, target = line.rstrip("\n").split("\t")
        batch.append((int(kpi), period, area, value, None if target == "\\N" else target))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def upsert_values(spool: IO[str], *, source: str, job_id: int | None) -> WriteCounts:
    table = KpiValue._meta.db_table
    stage = f"kc_stage_{uuid.uuid4().hex[:12]}"
    now = timezone.now()
    pg = connection.vendor == "postgresql"
    with connection.cursor() as cur:
        if pg:
            cur.execute(f"CREATE TEMP TABLE {stage} (kpi_id bigint, period date, area_id varchar(13), "
                        f"value numeric(20,4), target numeric(20,4)) ON COMMIT DROP")
            raw = cur.cursor  # psycopg 3 cursor under Django's wrapper
            data = spool.buffer if hasattr(spool, "buffer") else None  # the UTF-8 bytes: no decode, re-encode
            if data is not None:
                spool.flush()
                data.seek(0)
            with raw.copy(f"COPY {stage} (kpi_id, period, area_id, value, target) FROM STDIN") as copy:
                while block := (data.read(1 << 20) if data is not None else spool.read(1 << 16)):
                    copy.write(block)
        else:
            cur.execute(f"CREATE TEMP TABLE {stage} (kpi_id integer, period text, area_id text, "
                        f"value decimal, target decimal)")
            for batch in _sqlite_rows(spool):
                cur.executemany(f"INSERT INTO {stage} VALUES (%s, %s, %s, %s, %s)", batch)
        cur.execute(f"SELECT count(*) FROM {stage}")
        total = int(cur.fetchone()[0])
        ts = connection.ops.adapt_datetimefield_value(now)
        params = [source, job_id, ts, ts]
        if pg:
            created, changed = _pg_merge(cur, table, stage, params, total)
            return WriteCounts(created=created, updated=changed, unchanged=total - created - changed)
        upsert = _upsert_sql(table, stage)
        changed_sql = "(v.value IS DISTINCT FROM s.value OR v.target IS DISTINCT FROM s.target)"
        cur.execute(
            f"SELECT count(*), coalesce(sum(CASE WHEN {changed_sql} THEN 1 ELSE 0 END), 0) "
            f"FROM {stage} s JOIN {table} v ON v.kpi_id = s.kpi_id AND v.period = s.period "
            f"AND v.area_id = s.area_id"
        )
        existing, changed = (int(x) for x in cur.fetchone())
        cur.execute(upsert, params)
        cur.execute(f"DROP TABLE {stage}")
    return WriteCounts(created=total - existing, updated=changed, unchanged=existing - changed)


def _upsert_sql(table: str, stage: str) -> str:
    return (
        f"INSERT INTO {table} (kpi_id, period, area_id, value, target, source, ingest_job_id, created_at, "
        f"updated_at) SELECT kpi_id, period, area_id, value, target, %s, %s, %s, %s FROM {stage} WHERE true "
        f"ON CONFLICT (kpi_id, period, area_id) DO UPDATE SET value = excluded.value, "
        f"target = excluded.target, source = excluded.source, ingest_job_id = excluded.ingest_job_id, "
        f"updated_at = excluded.updated_at "
        f"WHERE {table}.value IS DISTINCT FROM excluded.value "
        f"OR {table}.target IS DISTINCT FROM excluded.target"
    )


def _pg_merge(cur: Any, table: str, stage: str, params: list[Any], total: int) -> tuple[int, int]:
    """(created, updated) on PostgreSQL, set-based statements instead of one upsert.

    ``INSERT ... ON CONFLICT`` inserts every row speculatively (a heap tuple, an index entry with a
    token, then a confirmation): on 1M rows it took ~14 s where a plain insert of the new rows takes
    ~8 s, and a re-import of an unchanged file paid ~9 s to change nothing where one join of the
    staging table to the values (a hash join, ~1.5 s) shows that there is nothing to write. The
    unique key still guards against a concurrent import of the same keys: if one commits between our check and our
    insert, the insert fails, is rolled back to its savepoint, and the upsert does the job."""
    from django.db import IntegrityError, transaction

    cur.execute(f"ANALYZE {stage}")  # temp tables are never auto-analysed: without it the planner guesses
    key = "v.kpi_id = s.kpi_id AND v.period = s.period AND v.area_id = s.area_id"
    differs = "(v.value IS DISTINCT FROM s.value OR v.target IS DISTINCT FROM s.target)"
    source, job_id, _, ts = params
    cur.execute(f"SELECT count(*), count(*) FILTER (WHERE {differs}) FROM {stage} s JOIN {table} v ON {key}")
    existing, changed = (int(x) for x in cur.fetchone())
    updated = 0
    if changed:
        cur.execute(f"UPDATE {table} v SET value = s.value, target = s.target, source = %s, ingest_job_id = %s, "
                    f"updated_at = %s FROM {stage} s WHERE {key} AND {differs}", [source, job_id, ts])
        updated = max(cur.rowcount, 0)
    if existing == total:  # a re-import: nothing new, and nothing at all to write when nothing changed
        return 0, updated
    new_only = f" WHERE NOT EXISTS (SELECT 1 FROM {table} v WHERE {key})" if existing else ""
    try:
        with transaction.atomic():
            cur.execute(
                f"INSERT INTO {table} (kpi_id, period, area_id, value, target, source, ingest_job_id, "
                f"created_at, updated_at) SELECT s.kpi_id, s.period, s.area_id, s.value, s.target, %s, %s, %s, %s "
                f"FROM {stage} s{new_only}", params)
            return max(cur.rowcount, 0), updated
    except IntegrityError:
        pass
    # One pass: xmax = 0 marks a freshly inserted row, otherwise the row was updated; rows
    # skipped by the WHERE (unchanged) are not returned at all.
    cur.execute(f"WITH w AS ({_upsert_sql(table, stage)} RETURNING (xmax = 0) AS created) "
                f"SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM w", params)
    created, changed = (int(x) for x in cur.fetchone())
    return created, updated + changed

"""Writing many plain rows at once, for any model: `upsert` (insert or update on a unique key) and `insert`
(append-only, e.g. audit events). On PostgreSQL through COPY (into a temporary table for the upsert); elsewhere
bulk_create. Rows are dicts keyed by field attname. Ground level: no app is imported here."""

from __future__ import annotations

from typing import Any

from django.db import transaction


def copy_rows(cursor: Any, table: str, fields: list[Any], rows: list[dict[str, Any]]) -> None:
    """COPY plain rows (keyed by attname) into ``table``; JSON fields are sent as jsonb."""
    from django.db import connection
    from django.db.models import JSONField
    from psycopg.types.json import Jsonb

    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    names = [f.attname for f in fields]
    json_cols = {f.attname for f in fields if isinstance(f, JSONField)}
    # A field the rows leave out (they are built alike) takes the model's default, as bulk_create (the
    # SQLite path) gives it: a field added to the model later must not break the COPY.
    defaults = {f.attname: f.get_default() for f in fields if rows and f.attname not in rows[0]}
    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            values = [row.get(n, defaults[n]) if n in defaults else row[n] for n in names]
            copy.write_row([Jsonb(v) if n in json_cols else v for n, v in zip(names, values, strict=True)])


def upsert(model: Any, rows: list[dict[str, Any]], unique: list[str], update: list[str]) -> None:
    """Insert or update plain rows (every concrete field but the primary key, by attname) in one
    statement. On PostgreSQL through COPY into a temporary table: with Django's client-side parameter
    binding, bulk_create quotes every element of its UNNEST arrays in Python, and building 514 model
    instances costs as much as scoring the whole nation."""
    from django.db import connection

    if connection.vendor != "postgresql" or not rows:
        model.objects.bulk_create([model(**row) for row in rows], batch_size=1000, update_conflicts=True,
                                  unique_fields=unique, update_fields=update)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    q = connection.ops.quote_name
    by_attname = {f.attname: f.column for f in fields}
    cols = ", ".join(q(f.column) for f in fields)
    conflict = ", ".join(q(by_attname[u]) for u in unique)
    sets = ", ".join(f"{q(by_attname[u])} = EXCLUDED.{q(by_attname[u])}" for u in update)
    temp = f"kc_upsert_{meta.db_table}"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {temp} ON COMMIT DROP AS "
                       f"SELECT {cols} FROM {meta.db_table} WITH NO DATA")
        copy_rows(cursor, temp, fields, rows)
        cursor.execute(f"INSERT INTO {meta.db_table} ({cols}) SELECT {cols} FROM {temp} "
                       f"ON CONFLICT ({conflict}) DO UPDATE SET {sets}")
        cursor.execute(f"TRUNCATE {temp}")


def insert(model: Any, rows: list[dict[str, Any]]) -> None:
    """Append-only plain rows in one go: COPY on PostgreSQL, bulk_create elsewhere. (Audit events go
    through ``accounts.actions.record_events``, which also bumps the data versions.)"""
    from django.db import connection

    if connection.vendor != "postgresql" or not rows:
        model.objects.bulk_create([model(**row) for row in rows], batch_size=1000)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    with connection.cursor() as cursor:
        copy_rows(cursor, model._meta.db_table, fields, rows)

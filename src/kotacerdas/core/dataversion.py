"""An exact version of the data each page shows, for caches keyed by it (web.pagecache).

Every change that can alter a page bumps a counter row (core.models.DataVersion) *in the transaction
that makes the change*: ``accounts.actions.record_event`` does it for every action (every ``do_*``
writes its audit event there), the bulk paths that write audit rows without it (the national
recompute, participants in bulk, assignments) call ``touch_many``, admin edits bump through the admin
LogEntry (core.apps), and ``new_epoch`` marks a database replaced as a whole (restore, demo load).

Because the bump is an UPDATE of one row in the writing transaction, the new number becomes visible
to readers at the very moment the data does (and a rolled-back transaction leaves it unchanged): a
reader that reads the version *before* the data can only get data at least as new as the version says.
No window of ids, no time to live.

Scopes: a change tagged as *local* (``LOCAL_ACTIONS``: autosaves of answers and evidence, survey
responses: they change only their own region's pages) bumps the region's row; every other change
bumps ``*`` (which every page reads).  One row per region keeps coordinators who autosave all day
from queueing behind each other on one counter.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

GLOBAL = "*"
EPOCH = "epoch"

# Frequent writes that only ever change pages of the region they are tagged with (answers and evidence
# of its submission, responses to its survey): they do not change the national ranking or another
# region's dashboard.  Every other action -- including any added later -- counts for every page.
LOCAL_ACTIONS = frozenset({"evaluations.save_answer", "evaluations.save_iid", "evaluations.add_evidence",
                           "evaluations.archive_evidence", "surveys.response", "surveys.paper_response"})


def scope_of(action: str, region_code: str) -> str:
    return region_code if action in LOCAL_ACTIONS and region_code else GLOBAL


def _table() -> str:
    from .models import DataVersion

    return connection.ops.quote_name(DataVersion._meta.db_table)


def bump(*scopes: str) -> None:
    """Count one change for each scope, in the current transaction (an upsert: one statement a scope,
    the same on SQLite and PostgreSQL). Sorted, so two transactions never lock rows in opposite order."""
    table = _table()
    with connection.cursor() as cursor:
        for scope in sorted(set(scopes)):
            cursor.execute(f"INSERT INTO {table} (scope, version, token) VALUES (%s, 1, '') "
                           f"ON CONFLICT (scope) DO UPDATE SET version = {table}.version + 1", [scope])


def touch(action: str, region_code: str = "") -> None:
    bump(scope_of(action, region_code))


def touch_many(events: Iterable[tuple[str, str]]) -> None:
    """For bulk writers of audit rows: ``(action, region_code)`` pairs; one bump per distinct scope."""
    scopes = {scope_of(action, region) for action, region in events}
    if scopes:
        bump(*scopes)


def new_epoch() -> None:
    """The database was replaced as a whole (restore, demo): no cached page of before may be served,
    even where counters are equal by chance (a restored backup carries its own, older counters)."""
    import secrets

    table, token = _table(), secrets.token_hex(8)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (scope, version, token) VALUES (%s, 0, %s) "
                       f"ON CONFLICT (scope) DO UPDATE SET token = %s", [EPOCH, token, token])
        cursor.execute(f"INSERT INTO {table} (scope, version, token) VALUES (%s, 1, '') "
                       f"ON CONFLICT (scope) DO UPDATE SET version = {table}.version + 1", [GLOBAL])


def read(region_code: str = "") -> str:
    """One query: the version of the national pages ("") or of one region's pages."""
    scopes = [EPOCH, GLOBAL] + ([region_code] if region_code else [])
    table = _table()
    marks = ", ".join(["%s"] * len(scopes))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT scope, version, token FROM {table} WHERE scope IN ({marks})", scopes)
        rows = {scope: (version, token) for scope, version, token in cursor.fetchall()}
    epoch = rows.get(EPOCH, (0, ""))[1]
    parts = [epoch or "0", str(rows.get(GLOBAL, (0, ""))[0])]
    if region_code:
        parts.append(str(rows.get(region_code, (0, ""))[0]))
    return ".".join(parts)

"""Rendered page bodies (the region dashboard, the national ranking) cached by what changes them.

A body is cached under a key made of
  * the page and its parameters (region code, normalised filters of the query string),
  * the language,
  * the viewer's *visibility class*: only the facts about the viewer that the body depends on (national
    admin; roles held in this region; the cycles an assessor is assigned to for it) -- never the user
    id, so two coordinators of the same region share an entry, and a viewer who may not see unpublished
    results or a running submission can never get a body built for one who may,
  * the data version (below), today's date (deadlines, "overdue") and the list of registered sections,
  * whether the demo's synthetic data is loaded (core.provenance.demo_state: "(sintetis)" names).

The data version is read first, in one query, before anything else of the page: every state change in
this project is an action that writes an append-only audit event in the same transaction as the data
(accounts.AuditEvent), and edits through the Django admin write an admin LogEntry.  The version is
``(max audit id, how many audit events among the VERSION_WINDOW ids up to it, max LogEntry id)``, over
the events that can change the page (LOCAL_ACTIONS of other regions are left out): the count catches a
transaction that took its audit ids before another one but committed after it (ids come from a sequence
in allocation order, not commit order).  Reading the version before the data means
a body can only ever be *newer* than its key says, never older.  A bounded time to live (TTL) is a
backstop for whatever is not an audited action (a restore into an empty install, a management command
seeding demo data).

Bodies never contain a CSRF token or anything per user: they are rendered without the request (no
context processors), and only with the context the view passes.  The header, the navigation, the
messages and the CSRF token come from base.html, rendered per request around the cached body.
Permission checks run on every request before a cached body is served.

Cache backend: the ``pages`` alias when it is configured (settings: local memory of each gunicorn
worker -- nothing is shared between workers, but nothing needs to be: the version comes from the
database on every request, so an entry in one worker can never be stale with respect to a write made
through another; each worker builds a body once per data version), else ``default``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.db import connection
from django.utils import timezone
from django.utils.translation import get_language

TTL = 600  # seconds; the data version does the invalidation, this only bounds what it cannot see
VERSION_WINDOW = 2000
SCAN_LIMIT = 20_000


def cache() -> BaseCache:
    return caches["pages" if "pages" in settings.CACHES else "default"]


# Frequent writes that only ever change pages of the region they are tagged with (answers and evidence
# of its submission, responses to its survey): they do not change the national ranking or another
# region's dashboard, so they do not flush those while coordinators autosave all day.  Every other
# action -- including any added later -- counts for every page.
LOCAL_ACTIONS = ("evaluations.save_answer", "evaluations.save_iid", "evaluations.add_evidence",
                 "evaluations.archive_evidence",
                 "surveys.response", "surveys.paper_response")


def data_version(region_code: str = "") -> str:
    """One query: changes whenever an audited action or an admin edit that can change the pages of
    ``region_code`` (or, with "", the national pages) commits.

    ``relevant`` = the latest audit id that counts for these pages, looked for among the last SCAN_LIMIT
    ids only (a backward scan of the primary key that stops at the first match; bounded when thousands
    of other regions' autosaves came since).  With none there, every event counts ("all", max id)."""
    from django.contrib.admin.models import LogEntry

    from kotacerdas.accounts.models import AuditEvent

    q = connection.ops.quote_name
    audit, log = q(AuditEvent._meta.db_table), q(LogEntry._meta.db_table)
    local = ", ".join(["%s"] * len(LOCAL_ACTIONS))
    counts = f"NOT ({q('action')} IN ({local}) AND {q('region_code')} <> %s)"
    sql = (f"SELECT r.top, r.relevant, (SELECT COUNT(*) FROM {audit} WHERE id > r.relevant - %s "
           f"AND id <= r.relevant AND {counts}), (SELECT MAX(id) FROM {log}) "
           f"FROM (SELECT g.top, (SELECT MAX(id) FROM {audit} WHERE id > g.top - %s AND {counts}) AS relevant "
           f"FROM (SELECT COALESCE(MAX(id), 0) AS top FROM {audit}) g) r")
    with connection.cursor() as cursor:
        cursor.execute(sql, [VERSION_WINDOW, *LOCAL_ACTIONS, region_code, SCAN_LIMIT, *LOCAL_ACTIONS, region_code])
        top, relevant, count, admin = cursor.fetchone()
    if relevant is None:
        return f"all.{top}.{admin or 0}"
    return f"{relevant}.{count}.{admin or 0}"


def region_viewer(user: Any, region_code: str) -> tuple[Any, ...]:
    """What a region's pages may depend on about the viewer (see the module docstring)."""
    from kotacerdas.accounts import roles
    from kotacerdas.accounts.choices import Role

    if not getattr(user, "is_authenticated", False):
        return ("anonymous",)
    if roles.is_national_admin(user):
        return ("admin",)
    held = tuple(sorted(str(r) for r in Role.values if region_code in roles.regions_for(user, r)))
    assessor = roles.has_role(user, Role.ASSESSOR)
    cycles: tuple[int, ...] = ()
    if assessor:
        from kotacerdas.evaluations.models import Assignment

        cycles = tuple(sorted(set(Assignment.objects.filter(panel__members=user, region_id=region_code, active=True)
                                  .values_list("cycle_id", flat=True))))
    return ("member", held, assessor, cycles)


def national_viewer(user: Any) -> tuple[Any, ...]:
    from kotacerdas.accounts import roles
    from kotacerdas.accounts.choices import Role

    if roles.is_national_admin(user):
        return ("admin",)
    return ("assessor",) if roles.has_role(user, Role.ASSESSOR) else ("other",)


def make_key(page: str, version: str, viewer: Hashable, *parts: Hashable) -> str:
    from kotacerdas.core.provenance import demo_state

    # The demo's state too: loading or archiving it (a management command, not always audited) must never
    # serve a body with or without "(sintetis)" names built before.
    raw = repr((page, version, viewer, parts, get_language() or settings.LANGUAGE_CODE,
                timezone.localdate().isoformat(), demo_state().token)).encode()
    return f"kotacerdas:page:{page}:{hashlib.sha256(raw).hexdigest()}"

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

The data version is read first, in one query, before anything else of the page (core.dataversion): an
exact counter per scope, bumped inside the transaction of every change -- every action writes its audit
event through ``accounts.actions.record_event``, which bumps it; the bulk writers of audit rows, admin
edits, a restore and the demo load bump it too.  The new number becomes visible exactly when the data
does, and a rolled-back write leaves it as it was.  Reading the version before the data means a body can
only ever be *newer* than its key says, never older; the next read after a commit builds a fresh body at
once, with no expiry to wait for.  TTL only bounds memory.

Bodies never contain a CSRF token or anything per user: they are rendered without the request (no
context processors), and only with the context the view passes.  The header, the navigation, the
messages and the CSRF token come from base.html, rendered per request around the cached body.
Permission checks run on every request before a cached body is served.

Cache backend: the ``pages`` alias when it is configured (settings: local memory of each gunicorn
worker in the embedded setup; the shared Redis with ``CACHE_URL``, so every web node builds a body once
per data version), else ``default``.  Either way an entry can never be stale with respect to a write
made through another worker or host: the version comes from the database on every request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.utils import timezone
from django.utils.translation import get_language

from kotacerdas.core import dataversion

TTL = 600  # seconds: bounds memory only; the data version does the invalidation
LOCAL_ACTIONS = dataversion.LOCAL_ACTIONS


def cache() -> BaseCache:
    return caches["pages" if "pages" in settings.CACHES else "default"]


def data_version(region_code: str = "") -> str:
    """One query: changes whenever a change that can alter the pages of ``region_code`` (or, with "",
    the national pages) commits."""
    return dataversion.read(region_code)


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

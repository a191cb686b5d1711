"""Keep Python's cyclic garbage collector out of bulk work that allocates hundreds of thousands of
acyclic objects (rows read from the database, boxes of a PDF layout).

Each burst of allocations triggers collections, and every so often a full one that walks every live
object again -- the process's ~240k long-lived Django objects plus everything allocated so far. The
cost of a bulk read then grows faster than the rows: reading a national cycle of 5,140 regions took
2.2 s with the collector on and 1.4 s without, 11.5x the 514-region read instead of 17x
(bench/RESULTS.md, 1)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused() -> Iterator[None]:
    """No automatic collection inside the block (for allocations without reference cycles: rows,
    tuples, arrays); the collector's previous state is restored afterwards, also on an error."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def old_objects_frozen() -> Iterator[None]:
    """Keep the process's long-lived objects out of the collector while a block allocates a great deal
    of short-lived objects that may have cycles (a WeasyPrint layout: boxes and styles). Young garbage
    is still collected as usual; afterwards the old objects go back to the oldest generation. A
    process that froze its own objects (a preloading server) is left alone."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()

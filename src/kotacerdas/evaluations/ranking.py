"""Standard competition ranking (1, 2, 2, 4) of a cycle's results."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .models import Cycle, Result


def rank_cycle(cycle: Cycle) -> None:
    """Standard competition ranking (1, 2, 2, 4) by index, among published results when any exist."""
    results = list(Result.objects.filter(cycle=cycle).only("pk", "index", "is_published", "region_id"))
    published = [r for r in results if r.is_published]
    pool = published or results
    ranks = competition_ranks({r.pk: Decimal(r.index) for r in pool})
    for r in results:
        r.rank = ranks.get(r.pk)
    Result.objects.bulk_update(results, ["rank"], batch_size=500)


def competition_ranks(values: Mapping[Any, Decimal]) -> dict[Any, int]:
    ordered = sorted(values.items(), key=lambda kv: (-kv[1], str(kv[0])))
    ranks: dict[Any, int] = {}
    prev: Decimal | None = None
    rank = 0
    for position, (key, value) in enumerate(ordered, start=1):
        if value != prev:
            rank, prev = position, value
        ranks[key] = rank
    return ranks

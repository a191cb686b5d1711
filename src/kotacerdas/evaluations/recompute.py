"""National recompute: every region of a cycle at once (`recompute_cycle`; the action that checks
permission is `actions.do_recompute`).

A national cycle has 514 regions x 51 indicators x 4-5 assessors. Scoring them one by one (queries per
region, the engine's full trace per region, one save per region) takes seconds; here the rows are read
with one query, scored with numpy by scoring.batch (the engine's numbers exactly), and written with one
upsert. The trace is stored as its inputs and rebuilt by the engine when somebody opens it
(queries.result_trace)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from kotacerdas.accounts.actions import record_events
from kotacerdas.core.bulk import upsert
from kotacerdas.core.gcpause import collection_paused
from kotacerdas.core.provenance import Provenance
from kotacerdas.scoring import engine

from . import queries
from .choices import Stage, SubmissionStatus
from .models import ConsensusScore, Cycle, Result, Submission
from .ranking import competition_ranks

if TYPE_CHECKING:
    from django.contrib.auth.models import User

S = SubmissionStatus


# The database sums the assessors' levels per submission x indicator (integers: exact), so a fifth of
# the rows travel; the panel level is sum / count, as aggregate_assessors computes it.
_SCORE_CELLS_SQL = (
    "SELECT a.submission_id, sc.indicator, SUM(sc.level), COUNT(*) FROM evaluations_assessmentscore sc "
    "JOIN evaluations_assessment a ON a.id = sc.assessment_id "
    "JOIN evaluations_submission s ON s.id = a.submission_id "
    "WHERE s.cycle_id = %s AND s.status IN (%s, %s) AND sc.archived_at IS NULL "
    "GROUP BY a.submission_id, sc.indicator"
)


@dataclass
class CycleRows:
    """Everything a national recompute reads, as arrays; row i of the arrays is ``regions[i]``."""

    regions: list[str]
    submissions: list[int]
    existing: dict[str, tuple[int, Decimal, bool, Any, int | None]]  # region -> (pk, index, published, frozen_at, rank)
    region_idx: Any  # per cell: row in ``regions`` (-1: a submission not recomputed)
    indicator_idx: Any  # per cell: column in the pack's indicators (-1: no indicator)
    sums: Any  # per cell: sum of the assessors' levels
    counts: Any  # per cell: number of assessors who gave a level
    consensus: Any  # (k, 3) array: region row, indicator column, level
    previous: list[Decimal | None]

    @property
    def odd(self) -> bool:
        """A level for a code that is not an indicator of the pack: only the engine knows what it means."""
        import numpy as np

        return bool(np.any((self.region_idx >= 0) & (self.indicator_idx < 0))) or bool(
            np.any(self.consensus[:, 1] < 0))


def _recompute_submissions(cycle: Cycle) -> dict[str, int]:
    """region -> the submission to score: of its assessed/final submissions, the furthest stage."""
    order = {s.value: i for i, s in enumerate(Stage)}
    chosen: dict[str, tuple[int, int]] = {}
    for pk, region, stage in Submission.objects.filter(cycle=cycle, status__in=[S.ASSESSED, S.FINAL]) \
            .values_list("pk", "region_id", "stage"):
        key = (order.get(stage, -1), pk)
        if region not in chosen or key > chosen[region]:
            chosen[region] = key
    return {region: key[1] for region, key in chosen.items()}


def read_cycle_rows(cycle: Cycle) -> CycleRows:
    """Read a cycle for a national recompute: a handful of queries whatever the number of regions. The
    rows (262k cells at 5,140 regions) are read with the garbage collector paused (core.gcpause)."""
    with collection_paused():
        return _read_cycle_rows(cycle)


def _read_cycle_rows(cycle: Cycle) -> CycleRows:
    import numpy as np
    from django.db import connection

    pack = queries.cycle_pack(cycle)
    existing = {r: (pk, Decimal(idx), pub, frozen, rank) for pk, r, idx, pub, frozen, rank in
                Result.objects.filter(cycle=cycle).values_list("pk", "region_id", "index", "is_published",
                                                               "frozen_at", "rank")}
    chosen = {r: sub for r, sub in _recompute_submissions(cycle).items()
              if r not in existing or existing[r][3] is None}
    regions = sorted(chosen)
    row_of_sub = {chosen[r]: i for i, r in enumerate(regions)}
    pos = {code: i for i, code in enumerate(queries.indicator_codes(pack))}

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The GROUP BY holds one hash entry per submission x indicator (262k at 5,140 regions). With
            # PostgreSQL's default 4 MB of work_mem it spilled to disk in 21 batches and the read grew
            # 15x for 10x the regions (bench/RESULTS.md, 1); 128 MB keeps a national cycle in memory. LOCAL:
            # it ends with the transaction (the caller's recompute, when there is one).
            cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute(_SCORE_CELLS_SQL, [cycle.pk, S.ASSESSED.value, S.FINAL.value])
        rows = cursor.fetchall()
    count = len(rows)
    subs, codes, sums, counts = zip(*rows, strict=True) if rows else ((), (), (), ())
    cons = [(row_of_sub[s], pos.get(code, -1), lvl) for s, code, lvl in
            ConsensusScore.objects.active().filter(submission_id__in=list(row_of_sub))
            .values_list("submission_id", "indicator", "level")]
    previous = queries.previous_indices(cycle, regions)
    return CycleRows(
        regions=regions, submissions=[chosen[r] for r in regions], existing=existing,
        region_idx=np.fromiter((row_of_sub.get(s, -1) for s in subs), dtype=np.int64, count=count),
        indicator_idx=np.fromiter((pos.get(c, -1) for c in codes), dtype=np.int64, count=count),
        sums=np.fromiter(sums, dtype=np.int64, count=count),
        counts=np.fromiter(counts, dtype=np.int64, count=count),
        consensus=np.array(cons, dtype=np.int64).reshape(-1, 3),
        previous=[previous.get(r) for r in regions],
    )


def score_cycle_rows(cycle: Cycle, rows: CycleRows) -> tuple[list[Any], list[list[dict[str, Any]]]]:
    """(scores, traces) per region: with scoring.batch when the pack is linear (traces stored as their
    inputs), else with the engine region by region (full traces)."""
    from kotacerdas.scoring import batch

    pack = queries.cycle_pack(cycle)
    n = len(rows.regions)
    if _batchable(pack) and not rows.odd:
        keep = (rows.region_idx >= 0) & (rows.indicator_idx >= 0)
        c = rows.consensus
        sums, counts = batch.levels_from_rows(pack, rows.region_idx[keep], rows.indicator_idx[keep],
                                              rows.sums[keep], n, consensus=(c[:, 0], c[:, 1], c[:, 2]),
                                              counts=rows.counts[keep])
        batched: list[Any] = batch.score_levels(pack, sums, counts, rows.previous)
        sums_l, counts_l = sums.tolist(), counts.tolist()
        return batched, [[batch.inputs_step(pack, sums_l[i], counts_l[i], rows.previous[i])] for i in range(n)]
    # Not linear (max/min rules, other missing policies, median) or a level for a code that is no
    # indicator: the engine, region by region; its full trace is at hand, so it is stored.
    scores: list[Any] = []
    traces: list[list[dict[str, Any]]] = []
    for i, r in enumerate(rows.regions):
        panel = queries.panel_levels(Submission(pk=rows.submissions[i], cycle=cycle, region_id=r))
        res = engine.score(pack, answers=panel, previous=rows.previous[i])
        scores.append(res)
        traces.append(res.to_dict()["trace"])
    return scores, traces


def store_cycle_scores(actor: User, cycle: Cycle, rows: CycleRows, scores: list[Any],
                       traces: list[list[dict[str, Any]]]) -> int:
    """Write the results of a recompute with one upsert, rank the cycle (rank_cycle's rules) and write the
    audit events in bulk. ``scores`` need index, index_raw, mean, dimensions, pillars, predicate,
    improvement (a ScoreResult or a batch.BatchScore)."""

    pack = queries.cycle_pack(cycle)
    regions, existing = rows.regions, rows.existing
    now = timezone.now()
    new_index = {r: Decimal(o.index) for r, o in zip(regions, scores, strict=True)}
    pool = {r: (v[1], v[2]) for r, v in existing.items()}
    pool.update({r: (idx, pool.get(r, (idx, False))[1]) for r, idx in new_index.items()})
    published = {r: v for r, (v, pub) in pool.items() if pub}
    ranks = competition_ranks(published or {r: v for r, (v, _) in pool.items()})

    def floats(values: Mapping[str, Any]) -> dict[str, float | None]:
        return {k: None if v is None else float(v) for k, v in values.items()}

    def exact(values: Mapping[str, Any]) -> dict[str, str | None]:
        return {k: None if v is None else str(v) for k, v in values.items()}

    provenance = queries.participation_provenance(cycle)

    result_rows = [{
        "cycle_id": cycle.pk, "region_id": r, "pack_code": pack.code, "pack_version": pack.version,
        "pack_digest": pack.digest, "index": o.index, "index_raw": str(o.index_raw), "mean": o.mean,
        "dimensions": floats(o.dimensions), "dimensions_raw": exact(getattr(o, "dimensions_raw", {})),
        "pillars": floats(o.pillars),
        "predicate": o.predicate.label if o.predicate else "", "previous_index": rows.previous[i],
        "improvement": o.improvement, "rank": ranks.get(r), "trace": traces[i], "computed_at": now,
        "is_published": False, "frozen_at": None, "is_demo": cycle.is_demo,
        "provenance": provenance.get(r, Provenance.ENTERED),
    } for i, (r, o) in enumerate(zip(regions, scores, strict=True))]
    updated = ["pack_code", "pack_version", "pack_digest", "index", "index_raw", "mean", "dimensions",
               "dimensions_raw", "pillars",
               "predicate", "previous_index", "improvement", "rank", "trace", "computed_at"]
    upsert(Result, result_rows, ["cycle_id", "region_id"], updated)
    # Results not recomputed here (frozen, or no longer assessed) keep their index; only their rank moves.
    moved = [Result(pk=v[0], rank=ranks.get(r)) for r, v in existing.items()
             if r not in new_index and ranks.get(r) != v[4]]
    if moved:
        Result.objects.bulk_update(moved, ["rank"], batch_size=1000)

    pks = dict(Result.objects.filter(cycle=cycle, region_id__in=regions).values_list("region_id", "pk"))
    user_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    label = f"{pack.code}@{pack.version}"

    def event(action: str, object_type: str, object_id: Any, region: str, to: str, data: dict[str, Any]
              ) -> dict[str, Any]:
        return {"at": now, "actor_id": user_id, "action": action, "object_type": object_type,
                "object_id": str(object_id), "region_code": region, "from_state": "", "to_state": to,
                "reason": "", "data": data}

    events = [event("evaluations.compute_result", "evaluations.result", pks[r], r, str(new_index[r]),
                    {"pack": label, "created": r not in existing, "recompute": True}) for r in regions]
    events.append(event("evaluations.recompute", "evaluations.cycle", cycle.pk, "", str(len(regions)),
                        {"pack": label, "results": len(regions)}))
    record_events(events)
    return len(regions)


@transaction.atomic
def recompute_cycle(actor: User, cycle: Cycle) -> int:
    """Score every assessed/final submission of ``cycle`` (panel levels: consensus, else the assessors'
    aggregate) and store results and ranks in one transaction. Frozen (published) results stay as they
    are. Returns the number of results written. The caller checks permission (see do_recompute).
    Rows, scores and audit events are plain data: the garbage collector is paused (core.gcpause)."""
    with collection_paused():
        rows = read_cycle_rows(cycle)
        scores, traces = score_cycle_rows(cycle, rows)
        return store_cycle_scores(actor, cycle, rows, scores, traces)


def _batchable(pack: Any) -> bool:
    from kotacerdas.scoring import batch

    if pack.assessor_aggregation != "mean" or not pack.is_classic:
        # A sum pack (IID) scores per-innovation answers, which the assessors' rows do not carry.
        return False
    try:
        batch.compiled(pack)
    except batch.NotBatchable:
        return False
    return True

"""Benchmark 1 -- national scoring: AssessmentScore rows on PostgreSQL -> stored Result rows and ranks.

Legs, all over the same cycle in the same database, interleaved:
  batch   evaluations.recompute.recompute_cycle: one query, scoring.batch (numpy, exact), one upsert
  duckdb  the same read (read_cycle_rows) and the same writer (store_cycle_scores); the scoring in
          between is one hand-written DuckDB SQL query over the rows as an Arrow table
  naive   the per-region ORM loop the project had before (queries per region, engine.score with its
          full trace, update_or_create + an audit event per region), then rank_cycle
Plus the scoring step alone, from the same in-memory rows (batch vs DuckDB SQL), where I/O does not
dilute the comparison.

Run by ``python -m bench``; standalone: ``python -m bench.b1_scoring --mode quick`` with DATABASE_URL set.
"""

from __future__ import annotations

import io
import json
import os
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import numpy as np

from bench.common import bench_main, interleaved

SIZES = {"quick": (50, 514, 5140), "full": (50, 514, 5140)}
ROUNDS = {"quick": {50: 5, 514: 5, 5140: 3}, "full": {50: 9, 514: 7, 5140: 5}}
NAIVE_ROUNDS = {"quick": {50: 3, 514: 2, 5140: 0}, "full": {50: 5, 514: 3, 5140: 1}}
ASSESSORS = 5
PREVIOUS_YEAR = 2089
YEAR = {50: 2090, 5140: 2091, 514: 2092}  # 514 last: the national dataset the dashboard bench shows


# --------------------------------------------------------------------------- seeding


def _users() -> tuple[Any, list[Any]]:
    from django.contrib.auth import get_user_model

    from kotacerdas.accounts.models import Membership

    User = get_user_model()
    admin, created = User.objects.get_or_create(username="bench-admin@bench.test",
                                                defaults={"email": "bench-admin@bench.test"})
    if created:
        admin.set_password("bench-password-2024")
        admin.save()
        Membership.objects.create(user=admin, role="national_admin")
    # National admins must have TOTP set up before any page opens (accounts.middleware).
    from kotacerdas.ops.demo import ensure_demo_totp

    ensure_demo_totp(admin, "JBSWY3DPEHPK3PXP")
    assessors = []
    for i in range(ASSESSORS):
        u, created = User.objects.get_or_create(username=f"bench-asesor{i}@bench.test",
                                                defaults={"email": f"bench-asesor{i}@bench.test"})
        if created:
            Membership.objects.create(user=u, role="assessor")
        assessors.append(u)
    return admin, assessors


def _regions(n: int) -> list[str]:
    """The first n kabupaten/kota; beyond 514, synthetic copies ("16.07x1") under the same province."""
    from kotacerdas.regions.models import Region

    real = list(Region.objects.without_geometry().filter(level="kabkota").order_by("code")
                .values_list("code", "parent_id", "name", "kind"))
    if n <= len(real):
        return [r[0] for r in real[:n]]
    copies = []
    r = 1
    while len(real) + len(copies) < n:
        for code, parent, name, kind in real:
            if len(real) + len(copies) >= n:
                break
            copies.append(Region(code=f"{code}x{r}", level="kabkota", kind=kind, parent_id=parent,
                                 name=f"{name} (sintetis {r})"))
        r += 1
    Region.objects.bulk_create(copies, ignore_conflicts=True, batch_size=2000)
    return [c[0] for c in real] + [c.code for c in copies]


def _copy(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """PostgreSQL COPY for the bulk seed (1.3 million assessor levels at 5,140 regions)."""
    from django.db import connection

    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join(str(v) for v in row))
        buf.write("\n")
    with connection.cursor() as cur:
        with cur.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write(buf.getvalue())


def seed(n: int, admin: Any, assessors: list[Any]) -> Any:
    """A Tahap II cycle of n regions, each assessed by five assessors on all 51 indicators (a few
    skipped), two consensus levels per region; last year's published index for every region."""
    from django.db import transaction
    from django.utils import timezone

    from kotacerdas.evaluations.models import (
        Assessment,
        ConsensusScore,
        Cycle,
        Result,
        Submission,
    )
    from kotacerdas.evaluations.queries import pack_for

    pack = pack_for("kominfo-2021", "2021.1")
    codes = [i.code for i in pack.indicators()]
    regions = _regions(n)
    rng = np.random.default_rng(n)
    with transaction.atomic():
        prev_cycle, _ = Cycle.objects.get_or_create(
            year=PREVIOUS_YEAR, pack_code=pack.code,
            defaults={"name": "Bench tahun lalu", "pack_version": pack.version, "pack_digest": pack.digest,
                      "stage": "published"})
        have = set(Result.objects.filter(cycle=prev_cycle).values_list("region_id", flat=True))
        prev_idx = np.round(rng.uniform(1.0, 3.8, size=len(regions)), 2)
        Result.objects.bulk_create([
            Result(cycle=prev_cycle, region_id=r, pack_code=pack.code, pack_version=pack.version,
                   index=Decimal(str(prev_idx[i])), index_raw=str(prev_idx[i]), is_published=True,
                   frozen_at=timezone.now())
            for i, r in enumerate(regions) if r not in have], batch_size=2000)

        cycle = Cycle.objects.create(year=YEAR[n], name=f"Bench nasional {n} wilayah", pack_code=pack.code,
                                     pack_version=pack.version, pack_digest=pack.digest, stage="tahap_2")
        subs = Submission.objects.bulk_create(
            [Submission(cycle=cycle, region_id=r, stage="tahap_2", status="assessed") for r in regions],
            batch_size=2000)
        assessments = Assessment.objects.bulk_create(
            [Assessment(submission=s, assessor=a, status="complete") for s in subs for a in assessors],
            batch_size=5000)
        quality = rng.uniform(0.6, 3.7, size=(len(regions), 1))
        difficulty = rng.normal(0, 0.5, size=(1, len(codes)))
        truth = np.clip(np.rint(quality + difficulty + rng.normal(0, 0.5, size=(len(regions), len(codes)))),
                        0, 4)
        noise = rng.choice([-1, 0, 0, 0, 1], size=(len(regions), ASSESSORS, len(codes)))
        levels = np.clip(truth[:, None, :] + noise, 0, 4).astype(int)
        skipped = rng.random(size=levels.shape) < 0.02
        rows = []
        for k, a in enumerate(assessments):
            r, j = divmod(k, ASSESSORS)
            lv, sk = levels[r, j].tolist(), skipped[r, j].tolist()
            rows.extend((a.pk, codes[i], lv[i], "", 1) for i in range(len(codes)) if not sk[i])
        _copy("evaluations_assessmentscore", ["assessment_id", "indicator", "level", "note", "version"], rows)
        ConsensusScore.objects.bulk_create(
            [ConsensusScore(submission=s, indicator=codes[int(i)], level=int(truth[r, int(i)]), set_by=admin)
             for r, s in enumerate(subs) for i in rng.choice(len(codes), size=2, replace=False)],
            batch_size=5000)
    return cycle


# --------------------------------------------------------------------------- the DuckDB baseline


_DUCK: Any = None


def _duck() -> Any:
    global _DUCK
    if _DUCK is None:
        import duckdb

        _DUCK = duckdb.connect()
    return _DUCK


def duckdb_sql(pack: Any) -> tuple[str, Any, list[str], list[str]]:
    """The hand-written query, and the weights table it joins (effective weight of each indicator in
    the index, the dimension mean, each dimension and each pillar, from the pack)."""
    import pyarrow as pa

    from kotacerdas.scoring import batch

    comp = batch.compiled(pack)
    dims = [(c, f) for c, f in comp.dimensions if f is not None]
    pillars = [(c, f) for c, f in comp.pillars if f is not None]
    cols: dict[str, Any] = {"indicator": np.arange(len(comp.codes), dtype=np.int64)}
    for name, form in [("w_index", comp.index), ("w_mean", comp.mean)] + \
            [(f"w_d{i}", f) for i, (_, f) in enumerate(dims)] + [(f"w_p{i}", f) for i, (_, f) in enumerate(pillars)]:
        cols[name] = np.array(form.coeffs, dtype=np.float64) / form.den
    weights = pa.table(cols)
    bands = " ".join(f"WHEN round(s.index_raw, 2) < {b.max} THEN '{b.label}'" for b in pack.bands[:-1])
    dim_sums = ", ".join(f"sum(a.level * w.w_d{i}) AS d{i}" for i in range(len(dims)))
    pil_sums = ", ".join(f"sum(a.level * w.w_p{i}) AS p{i}" for i in range(len(pillars)))
    dim_out = ", ".join(f"round(s.d{i}, 2)::DECIMAL(6, 2)" for i in range(len(dims)))
    pil_out = ", ".join(f"round(s.p{i}, 2)::DECIMAL(6, 2)" for i in range(len(pillars)))
    # Kominfo's scale minimum is 0, so an unanswered indicator adds nothing to any weighted sum.
    assert pack.scale_min == 0 and pack.missing_policy == "zero"
    sql = f"""
        WITH panel AS (            -- the assessors' mean per region x indicator
            SELECT region, indicator, sum(s) / sum(c) AS level FROM scores GROUP BY region, indicator
        ), agreed AS (             -- a consensus level replaces the assessors' mean
            SELECT coalesce(c.region, p.region) AS region, coalesce(c.indicator, p.indicator) AS indicator,
                   coalesce(c.level, p.level) AS level
            FROM panel p FULL OUTER JOIN consensus c ON c.region = p.region AND c.indicator = p.indicator
        ), sums AS (
            SELECT r.region, sum(a.level * w.w_index) AS index_raw, sum(a.level * w.w_mean) AS mean_raw,
                   {dim_sums}, {pil_sums}
            FROM regions r LEFT JOIN agreed a ON a.region = r.region
            LEFT JOIN weights w ON w.indicator = a.indicator
            GROUP BY r.region
        )
        SELECT s.region, s.index_raw, round(s.index_raw, 2)::DECIMAL(6, 2) AS idx,
               round(s.mean_raw, 2)::DECIMAL(6, 2), {dim_out}, {pil_out},
               CASE {bands} ELSE '{pack.bands[-1].label}' END AS predicate,
               round(round(s.index_raw, 2) - r.previous, 2)::DECIMAL(6, 2) AS improvement
        FROM sums s JOIN regions r ON r.region = s.region
        ORDER BY s.region
    """
    return sql, weights, [c for c, _ in dims], [c for c, _ in pillars]


def duckdb_scores(pack: Any, rows: Any) -> list[Any]:
    """Score the rows of read_cycle_rows with the DuckDB query; objects shaped like batch.BatchScore."""
    import pyarrow as pa

    sql, weights, dim_codes, pillar_codes = _duckdb_query(pack)
    n = len(rows.regions)
    keep = (rows.region_idx >= 0) & (rows.indicator_idx >= 0)
    con = _duck()
    con.register("scores", pa.table({"region": rows.region_idx[keep], "indicator": rows.indicator_idx[keep],
                                     "s": rows.sums[keep].astype(np.float64), "c": rows.counts[keep]}))
    c = rows.consensus
    con.register("consensus", pa.table({"region": c[:, 0].copy(), "indicator": c[:, 1].copy(),
                                        "level": c[:, 2].astype(np.float64)}))
    prev = np.array([np.nan if p is None else float(p) for p in rows.previous])
    con.register("regions", pa.table({"region": np.arange(n, dtype=np.int64),
                                      "previous": pa.array(prev, from_pandas=True)}))
    con.register("weights", weights)
    out = []
    nd = len(dim_codes)
    for row in con.execute(sql).fetchall():
        out.append(SimpleNamespace(
            index=row[2], index_raw=repr(row[1]), mean=row[3],
            dimensions=dict(zip(dim_codes, row[4:4 + nd], strict=True)),
            pillars=dict(zip(pillar_codes, row[4 + nd:-2], strict=True)),
            predicate=SimpleNamespace(label=row[-2]), improvement=row[-1]))
    return out


_QUERY: dict[str, Any] = {}


def _duckdb_query(pack: Any) -> tuple[str, Any, list[str], list[str]]:
    if pack.digest not in _QUERY:
        _QUERY[pack.digest] = duckdb_sql(pack)
    return _QUERY[pack.digest]


# --------------------------------------------------------------------------- legs


def legs(cycle: Any, admin: Any) -> dict[str, Any]:
    from django.db import transaction

    from kotacerdas.evaluations import actions, ranking, recompute
    from kotacerdas.evaluations.choices import SubmissionStatus as S
    from kotacerdas.evaluations.models import Submission
    from kotacerdas.evaluations.queries import cycle_pack

    pack = cycle_pack(cycle)

    def batch_leg() -> int:
        return recompute.recompute_cycle(admin, cycle)

    def duckdb_leg() -> int:
        with transaction.atomic():
            rows = recompute.read_cycle_rows(cycle)
            scores = duckdb_scores(pack, rows)
            return recompute.store_cycle_scores(admin, cycle, rows, scores, [[] for _ in scores])

    def naive_leg() -> int:
        # The project's do_recompute before the batch path (kept here as the baseline).
        with transaction.atomic():
            count = 0
            for sub in Submission.objects.filter(cycle=cycle, status__in=[S.ASSESSED, S.FINAL]) \
                    .select_related("cycle"):
                actions.compute_result(admin, sub)
                count += 1
            ranking.rank_cycle(cycle)
            return count

    return {"batch": batch_leg, "duckdb": duckdb_leg, "naive": naive_leg}


def snapshot(cycle: Any) -> dict[str, tuple[Any, ...]]:
    from kotacerdas.evaluations.models import Result

    return {r: (Decimal(i), Decimal(m), json.dumps(d, sort_keys=True), json.dumps(p, sort_keys=True), pred,
                None if imp is None else Decimal(imp), rank)
            for r, i, m, d, p, pred, imp, rank in Result.objects.filter(cycle=cycle).values_list(
                "region_id", "index", "mean", "dimensions", "pillars", "predicate", "improvement", "rank")}


def run(mode: str) -> dict[str, Any]:
    from kotacerdas.evaluations import recompute
    from kotacerdas.evaluations.queries import cycle_pack

    admin, assessors = _users()
    timings: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    for n in SIZES[mode]:
        cycle = seed(n, admin, assessors)
        pack = cycle_pack(cycle)
        fns = legs(cycle, admin)
        if not NAIVE_ROUNDS[mode][n]:
            fns.pop("naive")
        res = interleaved(fns, ROUNDS[mode][n], f"{n}", warmup=True, rounds_for=NAIVE_ROUNDS[mode][n] and {
            "naive": NAIVE_ROUNDS[mode][n]})
        # Correctness in the same run: the naive loop (engine, full trace) is the reference.
        snaps = {}
        for name in ("naive", "duckdb", "batch"):  # batch last: its results stay for the dashboard bench
            if name in fns:
                fns[name]()
                snaps[name] = snapshot(cycle)
        ref = snaps.get("naive")
        diff_batch = None if ref is None else sum(snaps["batch"][r] != ref[r] for r in ref)
        base = ref or snaps["batch"]
        diff_duck = sum(snaps["duckdb"][r][:6] != base[r][:6] for r in base)
        checks.append({"size": n, "batch_vs_naive_rows_differing": diff_batch,
                       "duckdb_vs_exact_rows_differing": diff_duck, "regions": len(base)})

        rows = recompute.read_cycle_rows(cycle)
        compute = interleaved({
            "batch scoring only": lambda rows=rows, cycle=cycle: recompute.score_cycle_rows(cycle, rows),
            "duckdb SQL only": lambda rows=rows, pack=pack: duckdb_scores(pack, rows),
        }, ROUNDS[mode][n] + 2, f"{n}")
        read = interleaved({"read rows (shared)": lambda cycle=cycle: recompute.read_cycle_rows(cycle)},
                           ROUNDS[mode][n], f"{n}")
        for t in [*res.values(), *compute.values(), *read.values()]:
            t.extra["regions"] = n
            t.extra["cells"] = int(len(rows.sums))
            timings.append(t.as_dict())
    return {"timings": timings, "checks": checks}


def summarise(out: dict[str, Any]) -> dict[str, Any]:
    """Tables and verdicts for RESULTS.md (ratios from the minimum of each leg, same run)."""
    t = {(x["size"], x["leg"]): x for x in out["timings"]}
    sizes = sorted({int(x["size"]) for x in out["timings"]})

    def get(n: int, leg: str) -> dict[str, Any] | None:
        return t.get((str(n), leg))

    e2e, only, targets = [], [], []
    for n in sizes:
        b, d, nv = get(n, "batch"), get(n, "duckdb"), get(n, "naive")
        assert b is not None and d is not None
        e2e.append([f"{n:,}", _mm(b), _mm(d), _mm(nv) if nv else "not run", f"{b['min'] / n * 1e6:,.0f} µs",
                    f"{b['min'] / d['min']:.2f}×", f"{nv['min'] / b['min']:.1f}×" if nv else "–"])
        bo, do_, rd = get(n, "batch scoring only"), get(n, "duckdb SQL only"), get(n, "read rows (shared)")
        assert bo is not None and do_ is not None and rd is not None
        only.append([f"{n:,}", f"{bo['extra']['cells']:,}", _mm(rd), _mm(bo), _mm(do_),
                     f"{bo['min'] / do_['min']:.2f}×"])
        if n == 514:
            targets.append({"what": "514 regions end to end: batch ÷ DuckDB SQL", "value": b["min"] / d["min"],
                            "target": "≤ 1.5", "ok": b["min"] / d["min"] <= 1.5})
            targets.append({"what": "514 regions scoring step only: batch ÷ DuckDB SQL",
                            "value": bo["min"] / do_["min"], "target": "≤ 1.5", "ok": bo["min"] / do_["min"] <= 1.5})
            if nv:
                targets.append({"what": "514 regions: naive ORM loop ÷ batch", "value": nv["min"] / b["min"],
                                "target": "≥ 20", "ok": nv["min"] / b["min"] >= 20})
    if 514 in sizes and 5140 in sizes:
        b5, b514 = get(5140, "batch"), get(514, "batch")
        assert b5 is not None and b514 is not None
        per = (b5["min"] / 5140) / (b514["min"] / 514)
        targets.append({"what": "linear: cost per region at 5,140 ÷ at 514 (batch, end to end)", "value": per,
                        "target": "≤ 1.5 (1 = linear)", "ok": per <= 1.5})
    checks = [[f"{c['size']:,}", "–" if c["batch_vs_naive_rows_differing"] is None
               else str(c["batch_vs_naive_rows_differing"]), str(c["duckdb_vs_exact_rows_differing"])]
              for c in out["checks"]]
    for c in out["checks"]:
        if c["batch_vs_naive_rows_differing"] is not None:
            targets.append({"what": f"{c['size']:,} regions: stored results batch = engine (rows differing)",
                            "value": c["batch_vs_naive_rows_differing"], "target": "0",
                            "ok": c["batch_vs_naive_rows_differing"] == 0})
    return {
        "tables": [
            {"title": "End to end: rows on PostgreSQL → Result rows + ranks (one transaction)",
             "header": ["regions", "batch min / median", "DuckDB SQL min / median", "naive ORM loop min / median",
                        "batch per region", "batch ÷ DuckDB", "naive ÷ batch"], "rows": e2e},
            {"title": "The scoring step alone, from the same in-memory rows",
             "header": ["regions", "cells (region × indicator)", "read rows (shared by both)", "batch", "DuckDB SQL",
                        "batch ÷ DuckDB"], "rows": only},
            {"title": "Correctness in the same run (rows of Result that differ from the naive loop = the engine)",
             "header": ["regions", "batch ≠ engine", "DuckDB (float SQL) ≠ engine"], "rows": checks},
        ],
        "targets": targets,
    }


def _mm(x: dict[str, Any]) -> str:
    from bench.common import fmt_s

    return f"{fmt_s(x['min'])} / {fmt_s(x['median'])} (n={len(x['times'])})"


def main() -> None:
    bench_main(run, summarise)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotacerdas.settings")
    main()


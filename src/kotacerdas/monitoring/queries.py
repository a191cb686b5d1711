"""Read helpers of the monitoring app: reach per kecamatan, KPI series for sparklines, improvement
evidence for the Outcome/Impact dimensions. Used by the web pages, the API, the commands and the scoring.

Event questions run on the configured analytics engine (``backend.kind()``); KPI questions on the
database itself when it is PostgreSQL (see ``backend.kpi_connection``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django.db.models import Q, QuerySet
from django.utils.text import slugify

from kotacerdas.analytics import questions as q
from kotacerdas.catalogue.models import Programme
from kotacerdas.regions.choices import Level
from kotacerdas.regions.models import Region

from . import backend
from . import rules as perms
from .choices import Direction, EvidenceFor
from .models import IngestJob, Kpi, KpiValue, ReachPublication

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

__all__ = [
    "KecamatanReach",
    "KpiSeries",
    "Reach",
    "activity_series",
    "can_view",
    "improvement_evidence",
    "kpi_series",
    "reach_by_kecamatan",
    "resolve_programme",
]


def resolve_programme(ref: Programme | int | str, region: str | None = None) -> Programme:
    """A programme by instance, id, code or title ("JAM KUNCI" finds "JAM KUNCI (Pelayanan …)" when
    exactly one title starts with it). Raises Programme.DoesNotExist / MultipleObjectsReturned."""
    if isinstance(ref, Programme):
        return ref
    qs = Programme.objects.active().select_related("region", "owner")
    if region:
        qs = qs.filter(region_id=region)
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        return qs.get(pk=int(ref))
    text = ref.strip()
    if "\x00" in text:  # PostgreSQL cannot even compare text with NUL in it
        raise Programme.DoesNotExist(repr(text))
    for cond in (Q(code=text), Q(title__iexact=text), Q(code=slugify(text))):
        found = list(qs.filter(cond)[:2])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise Programme.MultipleObjectsReturned(f"{text!r} cocok dengan lebih dari satu program; "
                                                    "sebutkan wilayah (--region)")
    return qs.get(title__istartswith=text)


def can_view(user: Any, programme: Programme) -> bool:
    return bool(perms.can_view_monitoring.test(user, programme))


def is_published(programme: Programme) -> bool:
    return ReachPublication.objects.filter(programme=programme, published=True).exists()


# --- reach ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class KecamatanReach:
    code: str
    name: str
    transactions: int
    users: int
    population: int | None
    population_is_estimate: bool
    users_per_1000: float | None
    lagging: bool


@dataclass(frozen=True)
class Reach:
    """Who a programme reached in a year, per kecamatan, with the Gini of users per 1,000
    inhabitants across kecamatan (0 = the same everywhere) and the lagging kecamatan."""

    programme_id: int
    programme_code: str
    programme_title: str
    region: str
    year: int
    backend: str
    has_data: bool
    transactions: int
    users: int
    kecamatan_served: int
    gini: float | None
    median_users_per_1000: float | None
    lagging_rule: str
    lagging: list[str]
    population_is_estimate: bool
    kecamatan: list[KecamatanReach] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _kecamatan_names(region: str) -> dict[str, str]:
    return dict(Region.objects.filter(parent_id=region, level=Level.KECAMATAN).values_list("code", "name"))


def _population(region: str) -> Any:
    """Reference population (shipped CSVs, partly estimated); for a kabupaten without shipped
    reference data, the kecamatan populations stored in the database."""
    try:
        return q.population_table(region)
    except ValueError:
        import ibis
        import pandas as pd

        rows = list(Region.objects.filter(parent_id=region, level=Level.KECAMATAN)
                    .values_list("code", "population"))
        df = pd.DataFrame({"kecamatan": [c for c, _ in rows],
                           "population": pd.array([p for _, p in rows], dtype="Int64"),
                           "population_is_estimate": [p is None for _, p in rows]})
        return ibis.memtable(df)


def _f(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def reach_by_kecamatan(programme: Programme | int | str, year: int, *, backend_kind: str | None = None,
                       rule: str = "half_median") -> Reach:
    """Reach of a programme in a year, per kecamatan, from the service transactions (events).

    Every kecamatan appears, with zeros where nobody was served. ``gini``/``lagging`` follow
    ``kotacerdas.analytics.questions.equity_summary``; the population is mostly an estimate
    (``population_is_estimate``), so per-capita figures must be shown with that flag."""
    prog = resolve_programme(programme)
    region = prog.region_id
    kind = backend_kind or backend.kind()
    names = _kecamatan_names(region)
    empty = Reach(programme_id=prog.pk, programme_code=prog.code, programme_title=prog.title, region=region,
                  year=year, backend=kind, has_data=False, transactions=0, users=0, kecamatan_served=0, gini=None,
                  median_users_per_1000=None, lagging_rule=rule, lagging=[], population_is_estimate=False,
                  kecamatan=[])
    pop = _population(region)
    if not backend.has_events(region, year):
        return _zero_reach(empty, pop, names)
    con, ev = backend.events(region, backend=kind)
    ev = ev.filter((ev.programme == prog.code) & (ev.year == year))
    # The events are read once: per kecamatan and the kabupaten totals both come from the cached
    # per-citizen activity (a small temporary table), not from two scans of the Parquet files;
    # activity has one row per citizen and kecamatan, so the kabupaten's users are its distinct citizens.
    act = cast("ir.CachedTable", q.activity(ev).cache())
    try:
        per = q.run(q.equity_from, con, act, pop)
        totals = con.execute(act.aggregate(transactions=act.transactions.sum(), users=act.citizen.nunique()))
    finally:
        act.release()
    if per.empty:
        return _zero_reach(empty, pop, names)
    summary = q.equity_summary(per, rule).iloc[0]  # type: ignore[arg-type]
    lag = [c for c in str(summary["lagging"]).split(",") if c]
    kecs = [
        KecamatanReach(code=r.kecamatan, name=names.get(r.kecamatan, r.kecamatan), transactions=int(r.transactions),
                       users=int(r.users), population=None if r.population is None else int(r.population),
                       population_is_estimate=bool(r.population_is_estimate),
                       users_per_1000=_f(r.users_per_1000), lagging=r.kecamatan in lag)
        for r in per.itertuples()
    ]
    return Reach(
        programme_id=prog.pk, programme_code=prog.code, programme_title=prog.title, region=region, year=year,
        backend=kind, has_data=True, transactions=int(totals["transactions"].iloc[0]),
        users=int(totals["users"].iloc[0]), kecamatan_served=sum(1 for k in kecs if k.transactions > 0),
        gini=_f(summary["gini"]), median_users_per_1000=_f(summary["median_users_per_1000"]), lagging_rule=rule,
        lagging=lag, population_is_estimate=any(k.population_is_estimate for k in kecs), kecamatan=kecs,
    )


def _zero_reach(empty: Reach, pop: Any, names: dict[str, str]) -> Reach:
    """Every kecamatan with zeros: no events (yet) for this programme and year."""
    con = backend.connection_for("duckdb")
    pdf = con.execute(pop)
    kecs = [KecamatanReach(code=r.kecamatan, name=names.get(r.kecamatan, r.kecamatan), transactions=0, users=0,
                           population=None if r.population is None else int(r.population),
                           population_is_estimate=bool(r.population_is_estimate), users_per_1000=0.0,
                           lagging=False)
            for r in pdf.sort_values("kecamatan").itertuples()]
    return Reach(**{**asdict(empty), "kecamatan": kecs,
                    "population_is_estimate": any(k.population_is_estimate for k in kecs)})


def activity_series(programme: Programme | int | str, *, backend_kind: str | None = None,
                    kecamatan: str | None = None) -> list[dict[str, Any]]:
    """Monthly transactions and active citizens of a programme from its events, with month-over-month
    and year-over-year growth (``kotacerdas.analytics.questions.trend``); of one kecamatan when given."""
    prog = resolve_programme(programme)
    if not backend.has_events(prog.region_id):
        return []
    con, ev = backend.events(prog.region_id, backend=backend_kind)
    wanted = ev.programme == prog.code
    if kecamatan is not None:
        wanted &= ev.kecamatan == kecamatan
    df = q.run(q.trend, con, ev.filter(wanted))
    return [
        {"period": f"{int(r.year):04d}-{int(r.month):02d}", "transactions": int(r.transactions),
         "active_citizens": int(r.active_citizens), "mom_transactions": _f(r.mom_transactions),
         "yoy_transactions": _f(r.yoy_transactions)}
        for r in df.itertuples()
    ]


# --- KPI series -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class KpiSeries:
    """A KPI's recent kabupaten-level values, oldest first, for a sparkline and its latest figure."""

    kpi_id: int
    code: str
    name: str
    unit: str
    direction: str
    frequency: str
    evidence_for: str
    points: list[dict[str, Any]]
    latest_period: str | None
    latest_value: float | None
    latest_target: float | None
    attainment: float | None
    met: bool | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def attainment(value: float | None, target: float | None, direction: str) -> tuple[float | None, bool | None]:
    """Same rule as ``analytics.questions.target_attainment``: 1.0 = on target, > 1 better, both ways."""
    if value is None or target is None:
        return None, None
    if direction == Direction.LOWER:
        return (target / value if value else None), value <= target
    return (value / target if target else None), value >= target


def kpi_series(programme: Programme | int | str, *, periods: int = 24) -> list[KpiSeries]:
    """For each active KPI of the programme, its last ``periods`` kabupaten-level values."""
    prog = resolve_programme(programme)
    out: list[KpiSeries] = []
    for kpi in Kpi.objects.active().filter(programme=prog).order_by("order", "code"):
        rows = list(KpiValue.objects.filter(kpi=kpi, area_id=prog.region_id).order_by("-period")
                    .values_list("period", "value", "target")[:periods])
        rows.reverse()
        default = _f(kpi.target)
        points: list[dict[str, Any]] = [{"period": p.strftime("%Y-%m"), "value": float(v),
                   "target": _f(t) if t is not None else default} for p, v, t in rows]
        last = points[-1] if points else None
        att, met = attainment(last["value"], last["target"], kpi.direction) if last else (None, None)
        out.append(KpiSeries(
            kpi_id=kpi.pk, code=kpi.code, name=kpi.name, unit=kpi.unit, direction=kpi.direction,
            frequency=kpi.frequency, evidence_for=kpi.evidence_for, points=points,
            latest_period=last["period"] if last else None, latest_value=last["value"] if last else None,
            latest_target=last["target"] if last else None, attainment=att, met=met))
    return out


def kpi_values(kpi: Kpi) -> QuerySet[KpiValue]:
    """The KPI's values by period and area; GET /api/v1/kpis/{id}/values narrows them (monitoring.filters)."""
    return KpiValue.objects.filter(kpi=kpi).select_related("area").order_by("period", "area_id")


# --- improvement evidence (scoring) -----------------------------------------------------------------

def _kpi_tables(con: Any, on_database: bool, ids: Sequence[int], region: str, year: int) -> tuple[Any, Any]:
    import ibis

    start, end = dt.date(year - 1, 1, 1), dt.date(year + 1, 1, 1)
    if on_database:
        vt = con.table(KpiValue._meta.db_table)
        values = vt.filter(vt.kpi_id.isin(list(ids)), vt.area_id == region, vt.period >= start,
                           vt.period < end).select(
            kpi_id=vt.kpi_id.cast("int64"), period=vt.period, value=vt.value.cast("float64"),
            target=vt.target.cast("float64"))
        kt = con.table(Kpi._meta.db_table)
        kpis = kt.filter(kt.id.isin(list(ids))).select(
            kpi_id=kt.id.cast("int64"), aggregation=kt.aggregation, direction=kt.direction,
            default_target=kt.target.cast("float64"))
        return values, kpis
    import pyarrow as pa

    rows = list(KpiValue.objects.filter(kpi_id__in=ids, area_id=region, period__gte=start, period__lt=end)
                .values_list("kpi_id", "period", "value", "target"))
    values = ibis.memtable(pa.table({
        "kpi_id": pa.array([r[0] for r in rows], pa.int64()),
        "period": pa.array([r[1] for r in rows], pa.date32()),
        "value": pa.array([float(r[2]) for r in rows], pa.float64()),
        "target": pa.array([None if r[3] is None else float(r[3]) for r in rows], pa.float64()),
    }))
    krows = list(Kpi.objects.filter(pk__in=ids).values_list("pk", "aggregation", "direction", "target"))
    kpis = ibis.memtable(pa.table({
        "kpi_id": pa.array([r[0] for r in krows], pa.int64()),
        "aggregation": pa.array([r[1] for r in krows], pa.string()),
        "direction": pa.array([r[2] for r in krows], pa.string()),
        "default_target": pa.array([None if r[3] is None else float(r[3]) for r in krows], pa.float64()),
    }))
    return values, kpis


def improvement_evidence(region: str, year: int, *, dimensions: Iterable[str] = (EvidenceFor.OUTCOME,
                                                                                  EvidenceFor.IMPACT),
                         programme: Programme | None = None, engine: str | None = None) -> list[dict[str, Any]]:
    """Objective improvement evidence for the Outcome/Impact dimensions: per KPI marked as evidence,
    ``year`` against ``year - 1`` over the same months (e.g. JAM KUNCI documents issued, +12 %),
    whether that is an improvement given the KPI's direction, and attainment of the year's target.

    ``engine``: ``"database"`` (PostgreSQL through Ibis) or ``"duckdb"``; default: the database
    when it is PostgreSQL."""
    from . import kpiquestions

    kpis = Kpi.objects.active().filter(programme__region_id=region, evidence_for__in=list(dimensions))
    if programme is not None:
        kpis = kpis.filter(programme=programme)
    meta = {k.pk: k for k in kpis.select_related("programme")}
    if not meta:
        return []
    if engine == "duckdb":
        con, on_db = backend.connection_for("duckdb"), False
    else:
        con, on_db = backend.kpi_connection()
        if engine == "database" and not on_db:
            raise ValueError("the database is not PostgreSQL; use engine='duckdb'")
    values, kpi_t = _kpi_tables(con, on_db, sorted(meta), region, year)
    df = q.run(kpiquestions.year_over_year, con, values, kpi_t, year)
    out = []
    for r in df.to_dict("records"):
        k = meta[int(r["kpi_id"])]
        out.append({
            "programme": k.programme.code, "programme_title": k.programme.title, "kpi": k.code, "kpi_id": k.pk,
            "name": k.name, "unit": k.unit, "evidence_for": k.evidence_for, "direction": k.direction,
            "aggregation": k.aggregation, "year": int(r["year"]), "periods": int(r["periods"]),
            "value": _f(r["value"]), "target": _f(r["target"]), "attainment": _f(r["attainment"]),
            "met": None if r["met"] is None or r["met"] is _NA else bool(r["met"]),
            "compared_periods": int(r["compared_periods"]), "current_compared": _f(r["current_compared"]),
            "previous_compared": _f(r["previous_compared"]), "change": _f(r["change"]), "growth": _f(r["growth"]),
            "improved": None if r["improved"] is None or r["improved"] is _NA else bool(r["improved"]),
            "engine": "postgres" if on_db else "duckdb",
        })
    return sorted(out, key=lambda d: (d["programme"], d["kpi"]))


try:  # pandas' missing-value scalar in nullable boolean columns
    import pandas as _pd

    _NA: Any = _pd.NA
except ImportError:  # pragma: no cover
    _NA = object()


def recent_jobs(region: str, limit: int = 20) -> QuerySet[IngestJob]:
    return IngestJob.objects.filter(region_id=region).select_related("job", "programme", "created_by")[:limit]


def can_see_job(user: Any, job: IngestJob) -> bool:
    from kotacerdas.accounts import roles
    from kotacerdas.accounts.choices import Role

    if not getattr(user, "is_authenticated", False):
        return False
    return (job.created_by_id == user.pk or roles.is_national_admin(user)
            or job.region_id in roles.regions_for(user, Role.COORDINATOR))


def ingest_progress(ingest: IngestJob) -> dict[str, Any]:
    """What a progress bar shows: the import's job as `core.jobs.live_progress` sees it (a job whose
    worker is gone shows as waiting, or failed); a draft (not a job yet) as "draft"."""
    if ingest.job is None:
        return {"status": ingest.status, "percent": 0, "message": "", "stalled": False, "no_worker": False}
    from kotacerdas.core.jobs import live_progress

    live = live_progress(ingest.job)
    return {"status": live["status"], "percent": live["percent"], "message": live["message"] or "",
            "stalled": live["stalled"], "no_worker": live["no_worker"]}

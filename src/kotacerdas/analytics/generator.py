"""Deterministic synthetic service-transaction events for demos, tests and load tests.

Design (all numbers are illustrative, not measured):

* **Days** — every day of ``year`` gets a weight = month factor (January lull after the
  budget year, year-end peak in December when tax/licence deadlines and budget absorption
  pile up) x weekday factor (Monday busiest, Friday short because of Friday prayers, Saturday
  and Sunday mostly closed counters) x holiday factor (Ramadan month x0.85, the Idul Fitri
  "cuti bersama" week x0.15, 1 Jan/17 Aug/25 Dec x0.2). ``n_events`` are spread over the days
  with one multinomial draw.
* **Kecamatan** — weight = population x uptake. Uptake falls with the distance to the nearest
  service centre (the capital Pangkalan Balai in Banyuasin III, or Palembang's fringe, where
  Talang Kelapa / Banyuasin I residents do their business): ``0.2 + 0.8*exp(-d/40 km)``, and the
  river-/sea-access-only coastal kecamatan (Banyuasin II, Muara Sugihan, Karang Agung Ilir) get
  an extra x0.5: they are the designed *lagging* kecamatan the equity questions should find.
* **Channel** — a mix per programme (OSS is mostly online, SIMPADA mostly at the counter...);
  in low-uptake kecamatan half of the online/mobile share moves to ``jemput_bola`` outreach.
  Counter channels happen in office hours (08-16), digital ones all day with an evening bump.
* **Citizens** — each kecamatan has a pool of anonymous keys (salted BLAKE2b of kecamatan +
  index, 20 hex chars so that a key can never look like a 16-digit NIK) of size ``min(0.5 x population x uptake, expected events / 3)``; a citizen is drawn as
  ``floor(pool * u**3)`` so a few people transact often and monthly active citizens < transactions.

Determinism: the events of one day depend only on ``(seed, year, day)``, so the output is
bit-identical for the same arguments whatever ``batch_size`` is, and memory is bounded by a
day's events plus one batch (10 million events never sit in memory at once).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from kotacerdas.analytics.events import CHANNELS, EVENT_SCHEMA, AppendReport, append_events
from kotacerdas.analytics.reference import Desa, desa_list, kecamatan_list, kecamatan_population

__all__ = [
    "DEFAULT_PROGRAMMES",
    "LAGGING_KECAMATAN",
    "SyntheticModel",
    "build_model",
    "day_weights",
    "generate_events",
    "lebaran_date",
    "write_generated",
]

DEFAULT_PROGRAMMES = ("jam-kunci", "oss", "simpada")

# Share of events per programme when the caller gives no weights; unknown codes get 1.0.
_PROGRAMME_WEIGHT = {"simpada": 0.45, "jam-kunci": 0.35, "oss": 0.20}

# (loket, online, mobile, jemput_bola), same order as CHANNELS.
_CHANNEL_MIX = {
    "oss": (0.15, 0.70, 0.10, 0.05),  # national business-licensing portal: online by design
    "simpada": (0.45, 0.30, 0.15, 0.10),  # local taxes: still paid mostly at the counter
    "jam-kunci": (0.50, 0.20, 0.20, 0.10),
}
_DEFAULT_MIX = (0.40, 0.30, 0.20, 0.10)

# Jan..Dec
_MONTH_FACTOR = (0.85, 0.95, 1.0, 1.0, 1.0, 1.0, 1.0, 0.95, 1.0, 1.05, 1.10, 1.30)
# Mon..Sun
_WEEKDAY_FACTOR = (1.15, 1.05, 1.05, 1.05, 0.90, 0.30, 0.15)
_FIXED_HOLIDAYS = ((1, 1), (8, 17), (12, 25))

# 1 Syawal as set by the Indonesian government; later years are the published estimates.
_LEBARAN = {
    2015: (7, 17), 2016: (7, 6), 2017: (6, 25), 2018: (6, 15), 2019: (6, 5), 2020: (5, 24),
    2021: (5, 13), 2022: (5, 2), 2023: (4, 22), 2024: (4, 10), 2025: (3, 31), 2026: (3, 20),
    2027: (3, 10), 2028: (2, 27), 2029: (2, 15), 2030: (2, 5),
}  # fmt: skip

_CAPITAL = (-2.8983, 104.4039)  # Pangkalan Balai, Banyuasin III
_PALEMBANG = (-2.9761, 104.7754)
LAGGING_KECAMATAN = ("16.07.02", "16.07.13", "16.07.20")

# Hour-of-day weights, 0..23.
_COUNTER_HOURS = np.array([0] * 8 + [0.10, 0.17, 0.18, 0.16, 0.07, 0.14, 0.12, 0.06] + [0] * 8, dtype=float)
_DIGITAL_HOURS = np.array(
    [0.3, 0.2, 0.1, 0.1, 0.2, 0.5, 1.0, 2.0, 4.0, 5.5, 6.0, 6.0,
     5.0, 5.5, 5.5, 5.0, 4.5, 4.0, 3.5, 4.5, 5.0, 4.0, 2.0, 0.8],
    dtype=float,
)  # fmt: skip


def lebaran_date(year: int) -> dt.date:
    """Idul Fitri (1 Syawal) in ``year``; outside 2015-2030 a mean-lunar-year estimate (+-2 days)."""
    if year in _LEBARAN:
        m, d = _LEBARAN[year]
        return dt.date(year, m, d)
    anchor = dt.date(2024, 4, 10)
    k = round((dt.date(year, 7, 1) - anchor).days / 354.367)
    est = anchor + dt.timedelta(days=round(k * 354.367))
    # When the estimate fell into the neighbouring year take the other one (there are years with two).
    if est.year != year:
        est = anchor + dt.timedelta(days=round((k + (1 if est.year < year else -1)) * 354.367))
    return est


def day_weights(year: int) -> tuple[np.ndarray, np.ndarray]:
    """(dates as datetime64[D], weights) for every day of ``year``; see the module docstring."""
    start = np.datetime64(f"{year:04d}-01-01")
    days = np.arange(start, np.datetime64(f"{year + 1:04d}-01-01"), dtype="datetime64[D]")
    months = days.astype("datetime64[M]").astype(int) % 12
    weekday = (days.astype(int) + 3) % 7  # 1970-01-01 was a Thursday (3 with Monday=0)
    w = np.asarray(_MONTH_FACTOR)[months] * np.asarray(_WEEKDAY_FACTOR)[weekday]

    for ly in (year - 1, year, year + 1):  # a Ramadan can straddle the new year
        leb = np.datetime64(lebaran_date(ly))
        ramadan = (days >= leb - np.timedelta64(29, "D")) & (days < leb - np.timedelta64(3, "D"))
        cuti = (days >= leb - np.timedelta64(3, "D")) & (days <= leb + np.timedelta64(4, "D"))
        w = np.where(ramadan, w * 0.85, w)
        w = np.where(cuti, w * 0.15, w)
    for m, d in _FIXED_HOLIDAYS:
        w = np.where(days == np.datetime64(f"{year:04d}-{m:02d}-{d:02d}"), w * 0.2, w)
    return days, w


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class SyntheticModel:
    """The static part of the generator (everything but the per-day draws)."""

    kecamatan: tuple[str, ...]
    kec_weight: np.ndarray  # sums to 1
    uptake: np.ndarray
    programmes: tuple[str, ...]
    prog_weight: np.ndarray
    channel_cum: np.ndarray  # [programme, remote(0/1), channel] cumulative probabilities
    desa_codes: np.ndarray  # object array, ordered by kecamatan then code
    desa_cum: np.ndarray  # per kecamatan segment k: cumulative within-kecamatan weights + k
    pool_offset: np.ndarray  # first citizen index of each kecamatan in ``citizens``
    pool_size: np.ndarray
    citizens: np.ndarray  # object array of keys


def build_model(
    region: str = "16.07",
    programmes: Sequence[str] = DEFAULT_PROGRAMMES,
    *,
    n_events: int,
    seed: int = 42,
    programme_weights: Mapping[str, float] | None = None,
    salt: str | None = None,
) -> SyntheticModel:
    if not programmes:
        raise ValueError("need at least one programme")
    kecs = kecamatan_list(region)
    pops = kecamatan_population(region)
    codes = tuple(k.code for k in kecs)
    pop = np.array([pops[c][0] for c in codes], dtype=float)
    dist = np.array([min(_km((k.lat, k.lon), _CAPITAL), _km((k.lat, k.lon), _PALEMBANG)) for k in kecs])
    uptake = 0.2 + 0.8 * np.exp(-dist / 40.0)
    uptake = np.where(np.isin(codes, LAGGING_KECAMATAN), uptake * 0.5, uptake)
    kec_w = pop * uptake
    kec_w = kec_w / kec_w.sum()

    pw = programme_weights or {}
    prog_w = np.array([pw.get(p, _PROGRAMME_WEIGHT.get(p, 1.0)) for p in programmes], dtype=float)
    prog_w = prog_w / prog_w.sum()

    cum = np.empty((len(programmes), 2, len(CHANNELS)))
    for i, p in enumerate(programmes):
        mix = np.array(_CHANNEL_MIX.get(p, _DEFAULT_MIX), dtype=float)
        remote = mix.copy()
        moved = 0.5 * (mix[1] + mix[2])
        remote[1] *= 0.5
        remote[2] *= 0.5
        remote[3] += moved
        for j, m in enumerate((mix, remote)):
            cm = np.cumsum(m / m.sum())
            cm[-1] = 1.0
            cum[i, j] = cm

    static = np.random.default_rng([seed, 7])
    by_kec: dict[str, list[Desa]] = {c: [] for c in codes}
    for d in desa_list(region):
        by_kec[d.kecamatan_code].append(d)
    desa_codes: list[str] = []
    desa_cum: list[float] = []
    for k, c in enumerate(codes):
        ds = by_kec[c]
        # Desa affinity: some villages are near the kantor camat, some are not.
        w = static.gamma(1.2, size=len(ds)) * np.array([2.0 if d.type == "kelurahan" else 1.0 for d in ds])
        cw = np.cumsum(w / w.sum())
        cw[-1] = 1.0
        desa_codes.extend(d.code for d in ds)
        desa_cum.extend((cw + k).tolist())

    expected = n_events * kec_w
    pool = np.maximum(10, np.round(np.minimum(0.5 * pop * uptake, expected / 3.0))).astype(np.int64)
    offset = np.concatenate([[0], np.cumsum(pool)[:-1]])
    key = (salt if salt is not None else f"kotacerdas-synthetic-{seed}").encode()[:64]
    citizens = np.array(
        [
            hashlib.blake2b(f"{c}:{i}".encode(), key=key, digest_size=10).hexdigest()
            for c, n in zip(codes, pool, strict=True)
            for i in range(int(n))
        ],
        dtype=object,
    )
    return SyntheticModel(
        kecamatan=codes,
        kec_weight=kec_w,
        uptake=uptake,
        programmes=tuple(programmes),
        prog_weight=prog_w,
        channel_cum=cum,
        desa_codes=np.array(desa_codes, dtype=object),
        desa_cum=np.array(desa_cum),
        pool_offset=offset,
        pool_size=pool,
        citizens=citizens,
    )


def _day_events(model: SyntheticModel, day: np.datetime64, n: int, rng: np.random.Generator) -> pa.Table:
    k = rng.choice(len(model.kecamatan), size=n, p=model.kec_weight)
    p = rng.choice(len(model.programmes), size=n, p=model.prog_weight)
    remote = (model.uptake[k] < 0.3).astype(np.int64)
    u = rng.random(n)
    ch = (u[:, None] > model.channel_cum[p, remote]).sum(axis=1)
    ch = np.minimum(ch, len(CHANNELS) - 1)
    counter = (ch == 0) | (ch == 3)

    hours = np.where(
        counter,
        rng.choice(24, size=n, p=_COUNTER_HOURS / _COUNTER_HOURS.sum()),
        rng.choice(24, size=n, p=_DIGITAL_HOURS / _DIGITAL_HOURS.sum()),
    )
    secs = rng.integers(0, 3600, size=n)
    ts = day.astype("datetime64[us]") + (hours * 3600 + secs).astype("timedelta64[s]")

    desa_idx = np.searchsorted(model.desa_cum, k + rng.random(n), side="right")
    desa_idx = np.minimum(desa_idx, len(model.desa_codes) - 1)
    # Online forms often skip the village field; counters record it.
    no_desa = rng.random(n) < np.where(counter, 0.05, 0.30)
    desa = model.desa_codes[desa_idx].copy()
    desa[no_desa] = None

    cit = model.pool_offset[k] + np.floor(model.pool_size[k] * rng.random(n) ** 3).astype(np.int64)

    order = np.argsort(ts, kind="stable")
    return pa.Table.from_arrays(
        [
            pa.array(ts[order], pa.timestamp("us")),
            pa.array(np.asarray(model.programmes, dtype=object)[p[order]], pa.string()),
            pa.array(np.asarray(model.kecamatan, dtype=object)[k[order]], pa.string()),
            pa.array(desa[order], pa.string()),
            pa.array(np.asarray(CHANNELS, dtype=object)[ch[order]], pa.string()),
            pa.array(model.citizens[cit[order]], pa.string()),
        ],
        schema=EVENT_SCHEMA,
    )


def generate_events(
    region: str = "16.07",
    programmes: Sequence[str] = DEFAULT_PROGRAMMES,
    year: int = 2024,
    n_events: int = 100_000,
    seed: int = 42,
    *,
    batch_size: int = 65_536,
    programme_weights: Mapping[str, float] | None = None,
    salt: str | None = None,
) -> Iterator[pa.RecordBatch]:
    """Stream ``n_events`` synthetic events of ``year`` in time order, as RecordBatches of
    ``batch_size`` rows (the last one shorter). Same arguments -> identical data."""
    if n_events < 0 or batch_size <= 0:
        raise ValueError("n_events must be >= 0 and batch_size > 0")
    model = build_model(
        region, programmes, n_events=n_events, seed=seed, programme_weights=programme_weights, salt=salt
    )
    days, w = day_weights(year)
    counts = np.random.default_rng([seed, year, 0]).multinomial(n_events, w / w.sum())

    pending: list[pa.Table] = []
    pending_rows = 0
    for i, (day, c) in enumerate(zip(days, counts, strict=True)):
        if c == 0:
            continue
        t = _day_events(model, day, int(c), np.random.default_rng([seed, year, 1, i]))
        pending.append(t)
        pending_rows += t.num_rows
        while pending_rows >= batch_size:
            merged = pa.concat_tables(pending)
            yield from merged.slice(0, batch_size).combine_chunks().to_batches(max_chunksize=batch_size)
            rest = merged.slice(batch_size)
            pending, pending_rows = ([rest], rest.num_rows) if rest.num_rows else ([], 0)
    if pending_rows:
        yield from pa.concat_tables(pending).combine_chunks().to_batches(max_chunksize=batch_size)


def write_generated(
    root: str | os.PathLike[str],
    region: str = "16.07",
    programmes: Sequence[str] = DEFAULT_PROGRAMMES,
    year: int = 2024,
    n_events: int = 100_000,
    seed: int = 42,
    *,
    rows_per_append: int = 1_000_000,
    **kwargs: object,
) -> AppendReport:
    """Generate and append events under ``root`` through ``append_events`` (same validation).

    Each chunk of ``rows_per_append`` rows is one atomic append; the returned report sums them.
    """
    kec_codes = [k.code for k in kecamatan_list(region)]
    known_desa = {d.code: d.kecamatan_code for d in desa_list(region)}
    period = (dt.datetime(year, 1, 1), dt.datetime(year + 1, 1, 1))
    total = AppendReport(ingest_id="generated", input_rows=0)
    batch_size = min(rows_per_append, 262_144)
    buf: list[pa.RecordBatch] = []
    buffered = 0

    def flush() -> None:
        nonlocal buf, buffered
        if not buf:
            return
        rep = append_events(
            root, pa.Table.from_batches(buf), programmes, kec_codes,
            known_desa=known_desa, region=region, period=period,
        )  # fmt: skip
        total.input_rows += rep.input_rows
        total.written_rows += rep.written_rows
        total.quarantined_rows += rep.quarantined_rows
        for r, c in rep.quarantined_by_reason.items():
            total.quarantined_by_reason[r] = total.quarantined_by_reason.get(r, 0) + c
        for ym, c in rep.written_by_partition.items():
            total.written_by_partition[ym] = total.written_by_partition.get(ym, 0) + c
        total.files.extend(rep.files)
        buf, buffered = [], 0

    for b in generate_events(region, programmes, year, n_events, seed, batch_size=batch_size, **kwargs):  # type: ignore[arg-type]
        buf.append(b)
        buffered += b.num_rows
        if buffered >= rows_per_append:
            flush()
    flush()
    return total

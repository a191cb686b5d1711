"""Inter-assessor agreement: Krippendorff's alpha, spreads and outlier flags.

Alpha is computed from the coincidence-matrix definition (Krippendorff 2011, "Computing
Krippendorff's alpha-reliability") rather than taken from a library, so the platform can show
how it was obtained; tests check it against the ``krippendorff`` package.

Rating data shape used throughout: ``ratings[region][assessor][indicator] = level``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

LEVELS = ("nominal", "ordinal", "interval")

Ratings = Mapping[str, Mapping[str, Mapping[str, float]]]


def _is_missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def coincidence_matrix(
    data: Sequence[Sequence[float | None]], values: Sequence[float] | None = None
) -> tuple[np.ndarray, list[float]]:
    """Coincidences o_ck for a units x coders matrix (None/NaN = missing).

    Each unit with m >= 2 pairable values contributes every ordered pair of its values with
    weight 1/(m-1); units with fewer values carry no information about agreement.
    """
    rows = [[float(v) for v in unit if not _is_missing(v)] for unit in data]  # type: ignore[arg-type]
    domain = sorted(set(values) if values is not None else {v for r in rows for v in r})
    pos = {v: i for i, v in enumerate(domain)}
    o = np.zeros((len(domain), len(domain)))
    for unit in rows:
        m = len(unit)
        if m < 2:
            continue
        counts = np.zeros(len(domain))
        for v in unit:
            if v not in pos:
                raise ValueError(f"value {v} is not in the value domain")
            counts[pos[v]] += 1
        # Ordered pairs of distinct coders: n_c*n_k off the diagonal, n_c*(n_c-1) on it.
        pairs = np.outer(counts, counts) - np.diag(counts)
        o += pairs / (m - 1)
    return o, domain


def _delta2(level: str, domain: Sequence[float], n_c: np.ndarray) -> np.ndarray:
    k = len(domain)
    if level == "nominal":
        return 1.0 - np.eye(k)
    if level == "interval":
        v = np.asarray(domain, dtype=float)
        diff: np.ndarray = (v[:, None] - v[None, :]) ** 2
        return diff
    if level == "ordinal":
        # delta_ck = (sum_{g=c..k} n_g - (n_c + n_k)/2)^2, ranks taken from the pooled frequencies.
        cum = np.concatenate([[0.0], np.cumsum(n_c)])
        d = np.zeros((k, k))
        for c in range(k):
            for j in range(k):
                lo, hi = min(c, j), max(c, j)
                d[c, j] = (cum[hi + 1] - cum[lo] - (n_c[c] + n_c[j]) / 2.0) ** 2
        return d
    raise ValueError(f"unknown level of measurement {level!r}; expected one of {', '.join(LEVELS)}")


def krippendorff_alpha(
    data: Sequence[Sequence[float | None]], level: str = "ordinal", values: Sequence[float] | None = None
) -> float:
    """Krippendorff's alpha for a units x coders matrix; NaN when undefined (no pairable variation)."""
    if level not in LEVELS:
        raise ValueError(f"unknown level of measurement {level!r}; expected one of {', '.join(LEVELS)}")
    o, domain = coincidence_matrix(data, values)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if n <= 1 or len(domain) < 2:
        return math.nan
    d2 = _delta2(level, domain, n_c)
    observed = float((o * d2).sum())
    expected = float((np.outer(n_c, n_c) * d2).sum())
    if expected == 0:
        return math.nan
    return float(1.0 - (n - 1) * observed / expected)


# --------------------------------------------------------------------------- panel views


def _assessors(ratings: Ratings) -> list[str]:
    return sorted({a for per_region in ratings.values() for a in per_region})


def _indicators(ratings: Ratings) -> list[str]:
    return sorted({i for per_region in ratings.values() for sheet in per_region.values() for i in sheet})


def panel_alpha(ratings: Ratings, level: str = "ordinal") -> float:
    """Alpha over the whole panel: every (region, indicator) pair is a unit, assessors are coders."""
    assessors = _assessors(ratings)
    units = [
        [ratings[r].get(a, {}).get(i) for a in assessors]
        for r in sorted(ratings)
        for i in _indicators(ratings)
    ]
    return krippendorff_alpha(units, level)


def indicator_alpha(ratings: Ratings, level: str = "ordinal") -> dict[str, float]:
    """Alpha per indicator, the regions the panel scored being the units.

    A single region gives one unit, for which alpha is undefined (NaN): agreement on one item
    needs several regions; use :func:`indicator_spread` for a single region.
    """
    assessors = _assessors(ratings)
    out: dict[str, float] = {}
    for ind in _indicators(ratings):
        units = [[ratings[r].get(a, {}).get(ind) for a in assessors] for r in sorted(ratings)]
        pairable = sum(1 for u in units if sum(not _is_missing(v) for v in u) >= 2)
        # With one unit alpha is 0 by construction (expected = observed), which would read as
        # "no agreement"; report it as undefined instead.
        out[ind] = krippendorff_alpha(units, level) if pairable >= 2 else math.nan
    return out


@dataclass(frozen=True)
class Spread:
    n: int
    min: float
    max: float
    range: float
    mean: float
    stdev: float  # population standard deviation of the assessors' levels


def indicator_spread(sheets: Mapping[str, Mapping[str, float]]) -> dict[str, Spread]:
    """Per indicator, how far apart one region's assessors are (``sheets[assessor][indicator]``)."""
    collected: dict[str, list[float]] = {}
    for sheet in sheets.values():
        for ind, v in sheet.items():
            if not _is_missing(v):
                collected.setdefault(ind, []).append(float(v))
    out: dict[str, Spread] = {}
    for ind in sorted(collected):
        vs = np.asarray(collected[ind])
        out[ind] = Spread(
            len(vs),
            float(vs.min()),
            float(vs.max()),
            float(vs.max() - vs.min()),
            float(vs.mean()),
            float(vs.std()),
        )
    return out


@dataclass(frozen=True)
class OutlierFlag:
    assessor: str
    indicator: str | None  # None: over all indicators
    deviation: float  # mean absolute deviation from the leave-one-out panel mean
    units: int  # how many (region, indicator) scores the deviation is averaged over


def outliers(ratings: Ratings, threshold: float = 1.0, min_others: int = 1) -> list[OutlierFlag]:
    """Assessors whose levels sit ``threshold`` or more away from the rest of the panel.

    For each score, the reference is the mean of the *other* assessors on the same region and
    indicator (leave-one-out, so an outlier does not pull its own reference).  The mean absolute
    deviation is taken per indicator (over regions) and overall (over all scores).
    """
    per_ind: dict[tuple[str, str], list[float]] = {}
    overall: dict[str, list[float]] = {}
    for region in sorted(ratings):
        sheets = ratings[region]
        for ind in _indicators({region: sheets}):
            scored = {a: float(s[ind]) for a, s in sheets.items() if ind in s and not _is_missing(s[ind])}
            if len(scored) < min_others + 1:
                continue
            total = sum(scored.values())
            for a, v in scored.items():
                loo = (total - v) / (len(scored) - 1)
                dev = abs(v - loo)
                per_ind.setdefault((a, ind), []).append(dev)
                overall.setdefault(a, []).append(dev)
    flags: list[OutlierFlag] = []
    for (a, ind), devs in sorted(per_ind.items()):
        mad = sum(devs) / len(devs)
        if mad >= threshold:
            flags.append(OutlierFlag(a, ind, mad, len(devs)))
    for a, devs in sorted(overall.items()):
        mad = sum(devs) / len(devs)
        if mad >= threshold:
            flags.append(OutlierFlag(a, None, mad, len(devs)))
    return flags

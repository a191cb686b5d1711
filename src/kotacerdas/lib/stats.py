"""Small, pure statistical helpers used by the monitoring analytics.

Everything here works on plain Python sequences / mappings so that the results of
any analytics backend (DuckDB, Spark, PostgreSQL) can be fed in after they have been
collected into a small pandas frame. No Django, no ibis.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "LaggingRule",
    "MeanCI",
    "gini",
    "lagging",
    "margin_of_error",
    "mean_ci95",
]

LaggingRule = Literal["bottom_quintile", "half_median", "either", "both"]


def _clean(values: Iterable[float]) -> list[float]:
    out = [float(v) for v in values]
    for v in out:
        if math.isnan(v) or math.isinf(v):
            raise ValueError("values must be finite numbers")
    return out


def gini(values: Iterable[float]) -> float:
    """Exact (population) Gini coefficient of non-negative values.

    Uses the sorted-rank form ``G = 2*sum(i*x_(i)) / (n*sum(x)) - (n+1)/n`` (i = 1..n), which equals
    the mean absolute difference definition ``sum|x_i - x_j| / (2 n^2 mean)``. It is the *population*
    Gini (no n/(n-1) small-sample correction) because we compare a fixed, complete set of units
    (all kecamatan of a kabupaten), not a sample; hence the maximum is (n-1)/n, reached when one
    unit holds everything.

    All-zero input returns 0.0: nobody is served anywhere, so there is no *inequality* to report
    (uptake itself is reported elsewhere). Empty input or negative values raise ``ValueError``.
    """
    xs = sorted(_clean(values))
    n = len(xs)
    if n == 0:
        raise ValueError("gini() of an empty sequence")
    if xs[0] < 0:
        raise ValueError("gini() needs non-negative values")
    total = math.fsum(xs)
    if total == 0:
        return 0.0
    weighted = math.fsum((i + 1) * x for i, x in enumerate(xs))
    g = 2.0 * weighted / (n * total) - (n + 1) / n
    # fsum keeps the error tiny, but clamp so that equal values never report -1e-17.
    return min(max(g, 0.0), (n - 1) / n)


def _t_quantile_975(df: int) -> float:
    # scipy is a project dependency; import lazily so importing this module stays cheap.
    from scipy.stats import t

    return float(t.ppf(0.975, df))


_Z_975 = 1.959963984540054


def margin_of_error(
    n: int,
    sd: float,
    *,
    method: Literal["t", "z"] = "t",
    population: int | None = None,
) -> float:
    """Half-width of the 95 % confidence interval for a mean: ``q * sd / sqrt(n)``.

    ``method="t"`` (default) uses Student's t with n-1 degrees of freedom because survey
    samples in the evaluation (e.g. satisfaction scores per kecamatan) are often small (n < 30),
    where z understates the uncertainty; ``method="z"`` uses 1.96 for large samples / known sd.
    ``population`` applies the finite population correction sqrt((N-n)/(N-1)), useful when a
    large share of, say, the 313 desa was surveyed. Returns NaN when n < 2 for t (no df).
    """
    if n <= 0:
        raise ValueError("n must be positive")
    if sd < 0 or math.isnan(sd):
        raise ValueError("sd must be a non-negative number")
    if method == "t":
        if n < 2:
            return math.nan
        q = _t_quantile_975(n - 1)
    elif method == "z":
        q = _Z_975
    else:
        raise ValueError(f"unknown method {method!r}")
    moe = q * sd / math.sqrt(n)
    if population is not None:
        if population < n:
            raise ValueError("population must be >= n")
        moe *= math.sqrt((population - n) / (population - 1)) if population > 1 else 0.0
    return moe


@dataclass(frozen=True)
class MeanCI:
    mean: float
    moe: float
    low: float
    high: float
    n: int
    sd: float
    method: str


def mean_ci95(
    values: Iterable[float],
    *,
    method: Literal["t", "z"] = "t",
    population: int | None = None,
) -> MeanCI:
    """Mean with a 95 % confidence interval; sd is the sample sd (ddof=1). See ``margin_of_error``."""
    xs = _clean(values)
    n = len(xs)
    if n == 0:
        raise ValueError("mean_ci95() of an empty sequence")
    mean = math.fsum(xs) / n
    sd = math.sqrt(math.fsum((x - mean) ** 2 for x in xs) / (n - 1)) if n > 1 else math.nan
    moe = margin_of_error(n, sd, method=method, population=population) if n > 1 else math.nan
    return MeanCI(mean=mean, moe=moe, low=mean - moe, high=mean + moe, n=n, sd=sd, method=method)


def _median(xs: Sequence[float]) -> float:
    s = sorted(xs)
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2.0


def lagging(values_by_key: Mapping[str, float], rule: LaggingRule = "half_median") -> list[str]:
    """Keys of the units that lag behind, sorted by (value, key).

    Rules (documented choice for the monitoring dashboard):

    * ``"half_median"`` (default): value < 0.5 * median. An *absolute* gap relative to the typical
      unit, so a kabupaten where everybody is served equally well flags nobody.
    * ``"bottom_quintile"``: the ceil(n/5) lowest units, plus any unit tied with the last of them
      (ties are not broken arbitrarily so the result does not depend on the input order). Always
      flags ~20 % of units: useful for targeting, not as a sign of inequality.
    * ``"either"`` / ``"both"``: union / intersection of the two.
    """
    items = {str(k): float(v) for k, v in values_by_key.items()}
    if not items:
        return []
    vals = list(items.values())
    for v in vals:
        if math.isnan(v):
            raise ValueError("values must not be NaN")
    ordered = sorted(items.items(), key=lambda kv: (kv[1], kv[0]))

    med = _median(vals)
    half: set[str] = {k for k, v in items.items() if v < 0.5 * med}

    k = math.ceil(len(ordered) / 5)
    cutoff = ordered[k - 1][1]
    quint = {key for key, v in ordered if v <= cutoff}

    if rule == "half_median":
        chosen = half
    elif rule == "bottom_quintile":
        chosen = quint
    elif rule == "either":
        chosen = half | quint
    elif rule == "both":
        chosen = half & quint
    else:
        raise ValueError(f"unknown lagging rule {rule!r}")
    return [key for key, _ in ordered if key in chosen]

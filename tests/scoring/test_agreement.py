"""Krippendorff's alpha against the textbook example and the ``krippendorff`` package."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest

from kotacerdas.scoring.agreement import (
    coincidence_matrix,
    indicator_alpha,
    indicator_spread,
    krippendorff_alpha,
    outliers,
    panel_alpha,
)

NAN = float("nan")
# Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 coders x 12 units.
TEXTBOOK = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]
UNITS = np.array(TEXTBOOK).T.tolist()  # our functions take units x coders


@pytest.mark.parametrize(
    ("level", "published"), [("nominal", 0.743), ("interval", 0.849), ("ordinal", 0.815)]
)
def test_it_reproduces_the_textbook_example(level, published):
    ours = krippendorff_alpha(UNITS, level)
    assert round(ours, 3) == published
    assert ours == pytest.approx(
        krippendorff.alpha(reliability_data=TEXTBOOK, level_of_measurement=level), abs=1e-12
    )


def test_it_builds_the_textbook_coincidence_matrix():
    o, domain = coincidence_matrix(UNITS)
    assert domain == [1, 2, 3, 4, 5]
    assert o.sum() == pytest.approx(40)  # n = pairable values
    assert o[0, 0] == pytest.approx(7) and o[2, 2] == pytest.approx(8)
    assert np.allclose(o, o.T)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_it_matches_the_krippendorff_package_on_random_matrices(seed, level):
    rng = np.random.default_rng(seed)
    coders, units = rng.integers(2, 6), rng.integers(3, 25)
    truth = rng.integers(0, 5, size=units)
    data = np.clip(truth + rng.integers(-1, 2, size=(coders, units)), 0, 4).astype(float)
    data[rng.random((coders, units)) < 0.2] = np.nan
    expected = krippendorff.alpha(
        reliability_data=data, level_of_measurement=level, value_domain=[0, 1, 2, 3, 4]
    )
    ours = krippendorff_alpha(data.T.tolist(), level, values=[0, 1, 2, 3, 4])
    if math.isnan(expected):
        assert math.isnan(ours)
    else:
        assert ours == pytest.approx(expected, abs=1e-9)


def test_it_accepts_none_for_missing_and_returns_nan_without_variation():
    assert krippendorff_alpha([[1, None, 1], [2, 2, None], [3, 3, 3]], "ordinal") == 1.0
    assert math.isnan(krippendorff_alpha([[2, 2], [2, 2]], "ordinal"))
    with pytest.raises(ValueError, match="level of measurement"):
        krippendorff_alpha(UNITS, "ratio")


# A panel of four; assessor C sits two levels below the others on indicator x everywhere.
RATINGS = {
    "banyuasin": {"A": {"x": 3, "y": 2}, "B": {"x": 3, "y": 2}, "C": {"x": 1, "y": 2}, "D": {"x": 3, "y": 3}},
    "muba": {"A": {"x": 2, "y": 4}, "B": {"x": 2, "y": 3}, "C": {"x": 0, "y": 4}, "D": {"x": 2, "y": 4}},
    "jambi": {"A": {"x": 4, "y": 1}, "B": {"x": 4, "y": 1}, "C": {"x": 2}, "D": {"x": 4, "y": 1}},
}


def test_it_computes_panel_and_per_indicator_alpha():
    per = indicator_alpha(RATINGS)
    assert set(per) == {"x", "y"}
    units_x = [[RATINGS[r][a].get("x") for a in "ABCD"] for r in sorted(RATINGS)]
    assert per["x"] == pytest.approx(krippendorff_alpha(units_x, "ordinal"))
    reliability = np.array(
        [[RATINGS[r][a].get(i, NAN) for r in sorted(RATINGS) for i in "xy"] for a in "ABCD"]
    )
    assert panel_alpha(RATINGS, "interval") == pytest.approx(
        krippendorff.alpha(reliability_data=reliability, level_of_measurement="interval")
    )
    assert math.isnan(indicator_alpha({"one": RATINGS["muba"]})["x"])  # one region: undefined


def test_it_reports_per_indicator_spread():
    spread = indicator_spread(RATINGS["muba"])
    assert (spread["x"].min, spread["x"].max, spread["x"].range, spread["x"].n) == (0, 2, 2, 4)
    assert spread["y"].mean == pytest.approx(3.75)


def test_it_flags_an_assessor_far_from_the_leave_one_out_mean():
    flags = outliers(RATINGS)  # default: mean absolute deviation >= 1 level
    assert [(f.assessor, f.indicator) for f in flags] == [("C", "x"), ("C", None)]
    assert flags[0].deviation == pytest.approx(2.0) and flags[0].units == 3
    assert flags[1].deviation == pytest.approx((3 * 2 + 2 / 3) / 5) and flags[1].units == 5
    assert [(f.assessor, f.indicator) for f in outliers(RATINGS, threshold=1.5)] == [("C", "x")]
    assert outliers(RATINGS, threshold=2.5) == []

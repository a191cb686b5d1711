from __future__ import annotations

import math
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kotacerdas.lib.stats import gini, lagging, margin_of_error, mean_ci95


def brute_gini(xs: list[float]) -> float:
    n, total = len(xs), sum(xs)
    if total == 0:
        return 0.0
    return sum(abs(a - b) for a, b in product(xs, xs)) / (2 * n * total)


class TestGini:
    def test_equal_values_is_zero(self) -> None:
        assert gini([7, 7, 7, 7]) == 0.0

    @pytest.mark.parametrize("n", [1, 2, 5, 21])
    def test_all_in_one_is_n_minus_1_over_n(self, n: int) -> None:
        assert gini([0] * (n - 1) + [100]) == pytest.approx((n - 1) / n)

    def test_textbook_1_to_5(self) -> None:
        # sum|xi-xj| = 40 over ordered pairs, mean 3, n 5 -> 40 / (2*25*3) = 4/15
        assert gini([1, 2, 3, 4, 5]) == pytest.approx(4 / 15)

    def test_textbook_two_people(self) -> None:
        # one person has 1, the other 3: |1-3|*2 / (2*4*2) = 0.25
        assert gini([3, 1]) == pytest.approx(0.25)

    def test_all_zero_is_zero(self) -> None:
        assert gini([0, 0, 0]) == 0.0

    @pytest.mark.parametrize("bad", [[], [1, -1], [1, math.nan]])
    def test_rejects_bad_input(self, bad: list[float]) -> None:
        with pytest.raises(ValueError):
            gini(bad)

    @settings(max_examples=200, deadline=None)
    @given(
        st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=40),
        st.floats(min_value=1e-3, max_value=1e3),
    )
    def test_properties(self, xs: list[float], c: float) -> None:
        g = gini(xs)
        assert 0.0 <= g < 1.0
        assert g <= (len(xs) - 1) / len(xs) + 1e-12
        assert g == pytest.approx(brute_gini(xs), abs=1e-9)
        # scale invariance and order invariance
        assert gini([c * x for x in xs]) == pytest.approx(g, abs=1e-9)
        assert gini(list(reversed(xs))) == pytest.approx(g, abs=1e-12)


class TestMarginOfError:
    def test_t_small_sample(self) -> None:
        # t(0.975, 9) = 2.262157
        assert margin_of_error(10, 1.0) == pytest.approx(2.262157 / math.sqrt(10), rel=1e-6)

    def test_z(self) -> None:
        assert margin_of_error(100, 2.0, method="z") == pytest.approx(1.959964 * 2 / 10, rel=1e-6)

    def test_t_approaches_z(self) -> None:
        assert margin_of_error(100_000, 1.0) == pytest.approx(
            margin_of_error(100_000, 1.0, method="z"), rel=1e-4
        )

    def test_finite_population_correction(self) -> None:
        full = margin_of_error(313, 1.0, population=313)
        assert full == 0.0
        assert margin_of_error(50, 1.0, population=313) < margin_of_error(50, 1.0)

    def test_n1_is_nan(self) -> None:
        assert math.isnan(margin_of_error(1, 1.0))

    def test_mean_ci95(self) -> None:
        ci = mean_ci95([1, 2, 3, 4, 5])
        assert ci.mean == 3.0
        assert ci.sd == pytest.approx(math.sqrt(2.5))
        # t(0.975, 4) = 2.776445
        assert ci.moe == pytest.approx(2.776445 * math.sqrt(2.5) / math.sqrt(5), rel=1e-6)
        assert ci.low == pytest.approx(3 - ci.moe)
        assert ci.high == pytest.approx(3 + ci.moe)

    @settings(max_examples=100, deadline=None)
    @given(st.lists(st.floats(min_value=-1e3, max_value=1e3), min_size=2, max_size=50))
    def test_ci_contains_mean_and_z_narrower(self, xs: list[float]) -> None:
        t = mean_ci95(xs)
        z = mean_ci95(xs, method="z")
        assert t.low <= t.mean <= t.high
        assert z.moe <= t.moe + 1e-12


class TestLagging:
    values = {
        "a": 10.0,
        "b": 9.0,
        "c": 8.0,
        "d": 2.0,
        "e": 7.0,
        "f": 6.5,
        "g": 3.0,
        "h": 9.5,
        "i": 8.5,
        "j": 7.5,
    }

    def test_half_median(self) -> None:
        # median 7.75 -> below 3.875
        assert lagging(self.values, "half_median") == ["d", "g"]

    def test_bottom_quintile(self) -> None:
        assert lagging(self.values, "bottom_quintile") == ["d", "g"]

    def test_bottom_quintile_keeps_ties(self) -> None:
        vals = {"a": 1.0, "b": 1.0, "c": 5.0, "d": 5.0, "e": 5.0}
        assert lagging(vals, "bottom_quintile") == ["a", "b"]

    def test_equal_units_flag_nobody_with_half_median(self) -> None:
        vals = {k: 4.0 for k in "abcdefghij"}
        assert lagging(vals, "half_median") == []
        assert len(lagging(vals, "bottom_quintile")) == 10  # ties: all equal -> all in the quintile

    def test_either_both(self) -> None:
        vals = {
            "a": 0.0,
            "b": 4.0,
            "c": 5.0,
            "d": 5.0,
            "e": 5.0,
            "f": 5.0,
            "g": 5.0,
            "h": 5.0,
            "i": 5.0,
            "j": 5.0,
        }
        assert lagging(vals, "half_median") == ["a"]
        assert lagging(vals, "bottom_quintile") == ["a", "b"]
        assert lagging(vals, "either") == ["a", "b"]
        assert lagging(vals, "both") == ["a"]

    def test_unknown_rule(self) -> None:
        with pytest.raises(ValueError):
            lagging({"a": 1.0}, "nope")  # type: ignore[arg-type]

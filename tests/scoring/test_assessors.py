"""Several assessors: mean/median per code, consensus wins."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from kotacerdas.scoring.engine import ScoringError, aggregate_assessors, score


def test_it_takes_the_mean_by_default(kominfo):
    sheets = [{"impact": 2, "baseline": 3}, {"impact": 3}, {"impact": 3, "baseline": 4}]
    out = aggregate_assessors(kominfo, sheets)
    assert out["impact"] == D(8) / 3
    assert out["baseline"] == D("3.5")  # over the assessors who scored it
    assert list(out) == ["baseline", "impact"]  # tree order


def test_it_takes_the_median(kominfo):
    sheets = [{"impact": 1}, {"impact": 4}, {"impact": 3}, {"impact": 2}]
    assert aggregate_assessors(kominfo, sheets, method="median")["impact"] == D("2.5")
    assert aggregate_assessors(kominfo, sheets[:3], method="median")["impact"] == D("3")


def test_it_lets_the_consensus_win(kominfo):
    out = aggregate_assessors(kominfo, [{"impact": 1}, {"impact": 2}], consensus={"impact": 3, "output": 2})
    assert out == {"output": D("2"), "impact": D("3")}


def test_it_names_the_sheet_and_key_of_bad_values(kominfo):
    with pytest.raises(ScoringError, match=r"assessor sheet 2: .*'impact'.*outside the scale") as info:
        aggregate_assessors(kominfo, [{"impact": 1}, {"impact": 9}])
    assert info.value.key == "impact"
    with pytest.raises(ScoringError, match="unknown aggregation method"):
        aggregate_assessors(kominfo, [], method="mode")


def test_it_feeds_the_engine(kominfo):
    sheets = [{i.code: 3 for i in kominfo.indicators()}, {i.code: 2 for i in kominfo.indicators()}]
    result = score(kominfo, aggregate_assessors(kominfo, sheets))
    assert result.index == D("2.50")

"""Missing answers: zero, renormalise, refuse -- never silent."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest

from kotacerdas.scoring.engine import ScoringError, score


def test_it_counts_missing_as_zero_and_reports_it(mini):
    pack = replace(mini, missing_policy="zero")
    result = score(pack, {"a.1": 4, "b.g.1": 2, "b.3": 2})
    assert result.nodes["a.2"] == 0
    assert result.nodes["a"] == D("3")  # 0.75*4 + 0.25*0
    assert [(m.code, m.treatment) for m in result.missing] == [("a.2", "zero"), ("b.g.2", "zero")]
    assert "policy: zero" in result.step("a.2").formula_text


def test_it_renormalises_among_answered_siblings(mini):
    result = score(mini, {"a.1": 4, "b.g.1": 2, "b.3": 2})
    assert result.nodes["a.2"] is None
    assert result.nodes["a"] == D("4")  # only a.1 answered: its weight becomes 100 %
    assert result.step("a").formula_text == "1.00×4 = 4"
    assert [(m.code, m.treatment) for m in result.missing] == [("a.2", "excluded"), ("b.g.2", "excluded")]


def test_it_renormalises_whole_dimensions_away(mini):
    result = score(mini, {"b.3": 2})
    assert result.nodes["a"] is None
    assert result.index_raw == D("2")  # b = mean(max(nothing) -> excluded, 2) = 2; a excluded
    assert result.step("index").formula_text == "1.00×2 = 2"
    assert {m.code for m in result.missing} == {"a.1", "a.2", "b.g.1", "b.g.2"}


def test_it_refuses_with_every_missing_code_named(mini):
    pack = replace(mini, missing_policy="refuse")
    with pytest.raises(
        ScoringError, match=r"refuses to score with missing answers \(2\): a.2, b.g.2"
    ) as info:
        score(pack, {"a.1": 4, "b.g.1": 2, "b.3": 2})
    assert info.value.key == "a.2"
    assert score(pack, {"a.1": 4, "a.2": 1, "b.g.1": 2, "b.g.2": 0, "b.3": 2}).missing == []


def test_it_does_not_count_indicators_covered_by_a_given_score_as_missing(mini):
    pack = replace(mini, missing_policy="refuse")
    result = score(pack, {"a.1": 4, "a.2": 1}, given={"b": D("2.5")})
    assert result.missing == []
    assert result.index_raw == D("0.4") * D("3.25") + D("0.6") * D("2.5")


def test_it_refuses_to_score_nothing(mini):
    with pytest.raises(ScoringError, match="nothing to score"):
        score(mini, {})


def test_it_scores_nothing_as_the_minimum_under_zero(spbe):
    pack = replace(spbe, missing_policy="zero")
    result = score(pack)
    assert result.index == D("1.00") and len(result.missing) == 47
    assert result.predicate.label == "Kurang"


def test_it_refuses_incomplete_spbe_sheets(spbe):
    with pytest.raises(ScoringError, match=r"missing answers \(46\)"):
        score(spbe, {"ind01": 3})

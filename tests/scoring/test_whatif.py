"""What-if ranking and simulation."""

from __future__ import annotations

from decimal import Decimal as D

from kotacerdas.scoring.engine import score
from kotacerdas.scoring.whatif import best_improvements, simulate


def test_it_ranks_single_level_raises_by_gain_then_code(kominfo):
    answers = {i.code: 2 for i in kominfo.indicators()}
    ranking = best_improvements(kominfo, answers, top=None)
    assert len(ranking) == len(answers)  # every raise helps: all rules are means here
    gains = [(-r.gain, r.code) for r in ranking]
    assert gains == sorted(gains)
    best = ranking[0]
    # The masterplan is 60 % of kebijakan (40 %) of output (20 %): 4.8 % of the index per level.
    assert (best.code, best.gain) == ("output.kebijakan.masterplan", D("0.048"))
    assert (best.from_level, best.to_level) == (D(2), 3)
    assert best.new_index_raw == score(kominfo, {**answers, best.code: 3}).index_raw == D("2.048")
    assert best.new_index == D("2.05")
    # The six programme indicators tie (1/6 of 60 % of outcome's 30 % = 3 %): ordered by code.
    programs = [r for r in ranking if r.code.startswith("outcome.program.")]
    assert {r.gain for r in programs} == {D("0.03")}
    assert [r.code for r in programs] == sorted(r.code for r in programs)
    assert len(best_improvements(kominfo, answers)) == 10


def test_it_skips_maxed_out_and_covered_indicators(kominfo):
    answers = {i.code: 4 for i in kominfo.indicators()}
    answers["baseline.peningkatan_indeks"] = 1
    answers["impact.data.partisipasi"] = 1
    ranking = best_improvements(kominfo, answers, given={"impact": D("2")})
    assert [r.code for r in ranking] == ["baseline.peningkatan_indeks"]


def test_it_raises_unanswered_indicators_under_the_zero_policy(kominfo):
    ranking = best_improvements(kominfo, {"baseline.peningkatan_indeks": 4}, top=3)
    assert ranking[0].from_level is None and ranking[0].to_level == 1


def test_it_raises_fractional_panel_means_to_the_next_level(kominfo):
    answers = {i.code: 4 for i in kominfo.indicators()}
    answers["output.anggaran.apbd"] = D("2.5")
    (only,) = best_improvements(kominfo, answers)
    assert (only.code, only.to_level) == ("output.anggaran.apbd", 3)


def test_it_simulates_changes_on_top_of_answers(kominfo):
    answers = {i.code: 2 for i in kominfo.indicators()}
    result = simulate(kominfo, answers, {"outcome.program.governance": 4})
    assert result.index_raw == score(kominfo, answers).index_raw + D("0.06")
    assert answers["outcome.program.governance"] == 2  # input untouched

"""What-if ranking and simulation."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from kotacerdas.scoring.engine import score
from kotacerdas.scoring.packs import get_pack
from kotacerdas.scoring.whatif import best_improvements, best_improvements_batch, simulate

from .test_batch import ODD, ODD_CODES

KOMINFO_CODES = [i.code for i in get_pack("kominfo-2021").indicators()]


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


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(st.sampled_from(KOMINFO_CODES), st.integers(min_value=0, max_value=4)),
       st.sampled_from([None, 0, 1, 3, 5, 10]),
       st.none() | st.decimals(min_value=0, max_value=4, places=2))
def test_the_batch_what_if_gives_the_engines_list(sheet, top, previous) -> None:
    pack = get_pack("kominfo-2021")
    assert best_improvements_batch(pack, sheet, top, previous) == best_improvements(pack, sheet, top,
                                                                                     previous=previous)


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(st.sampled_from(ODD_CODES), st.integers(min_value=0, max_value=4)),
       st.sampled_from([None, 1, 2, 4]))
def test_the_batch_what_if_keeps_the_engines_ties_with_thirds_and_sixths(sheet, top) -> None:
    assert best_improvements_batch(ODD, sheet, top) == best_improvements(ODD, sheet, top)


def test_the_batch_what_if_falls_back_to_the_engine_for_a_sheet_with_a_group_score(kominfo) -> None:
    answers = {i.code: 2 for i in kominfo.indicators()}
    answers["impact"] = 3
    assert best_improvements_batch(kominfo, answers, 5) == best_improvements(kominfo, answers, 5)


def test_the_batch_what_if_takes_fractional_panel_means(kominfo) -> None:
    answers = {i.code: D(n % 9) / 2 for n, i in enumerate(kominfo.indicators())}  # 0, 0.5, ... 4
    assert best_improvements_batch(kominfo, answers, None, D("2.10")) == best_improvements(
        kominfo, answers, None, previous=D("2.10"))
    assert best_improvements_batch(kominfo, answers, 3) == best_improvements(kominfo, answers, 3)

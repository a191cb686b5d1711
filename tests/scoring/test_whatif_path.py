"""The cheapest path to +0.10: fewest level steps, checked against every possible path on small packs."""

from __future__ import annotations

import itertools
from decimal import Decimal as D

from hypothesis import example, given, settings
from hypothesis import strategies as st

from kotacerdas.scoring.engine import score
from kotacerdas.scoring.packs import Band, Node, Pack, get_pack
from kotacerdas.scoring.whatif import cheapest_path, is_linear, settled, simulate


def _ind(code: str, weight: str | None = None) -> Node:
    return Node(code=code, name=f"Indikator {code}", kind="indicator", weight=None if weight is None else D(weight))


def _small(rule: str = "weighted_mean") -> Pack:
    """Five indicators on 0..3 with uneven weights (a third among them), two dimensions."""
    dims = (
        Node(code="a", name="a", kind="dimension", weight=D("0.4"), rule=rule,
             children=(_ind("a1", "3"), _ind("a2", "1"), _ind("a3", "2"))),
        Node(code="b", name="b", kind="dimension", weight=D("0.6"), rule="mean",
             children=(_ind("b1"), _ind("b2"))),
    )
    return Pack(code="small", name="small", version="1", status="provisional", source="test", scale_min=0,
                scale_max=3, missing_policy="zero", dimensions=dims,
                bands=(Band("rendah", D(0), D(2)), Band("tinggi", D(2), D(3))), weight_basis="percent_of_index")


SMALL = _small()
NONLINEAR = _small("max")
CODES = [i.code for i in SMALL.indicators()]


def _brute_force(pack: Pack, answers: dict[str, int], goal: D) -> tuple[int, D] | None:
    """(fewest steps, the largest gain among the paths with that many steps) over every sheet that
    raises indicators only, or None when no sheet gains ``goal``."""
    base = score(pack, answers).index_raw
    start = [answers.get(c, pack.scale_min) for c in CODES]
    best: tuple[int, D] | None = None
    for levels in itertools.product(*(range(s, pack.scale_max + 1) for s in start)):
        cost = sum(t - s for t, s in zip(levels, start, strict=True))
        if best is not None and cost > best[0]:
            continue
        gain = settled(score(pack, {**answers, **dict(zip(CODES, levels, strict=True))}).index_raw - base)
        if gain >= goal and (best is None or cost < best[0] or gain > best[1]):
            best = (cost, gain)
    return best


sheets = st.dictionaries(st.sampled_from(CODES), st.integers(min_value=0, max_value=3))
goals = st.sampled_from([D("0.10"), D("0.25"), D("0.5"), D("1"), D("2.5")])


@settings(max_examples=40, deadline=None)
@given(sheets, goals)
@example({}, D("0.10"))
@example(dict.fromkeys(CODES, 3), D("0.10"))
@example({"a1": 3, "a2": 3, "a3": 3, "b1": 2, "b2": 3}, D("0.10"))
def test_no_path_with_fewer_steps_exists(answers, goal) -> None:
    path = cheapest_path(SMALL, answers, goal)
    truth = _brute_force(SMALL, answers, goal)
    if truth is None:
        assert not path.reached
        return
    assert path.reached and path.exact
    assert path.steps == truth[0] == sum(m.steps for m in path.moves)
    assert settled(path.gain) == truth[1]  # the largest gain among the shortest paths
    assert settled(path.gain) >= goal and path.bound is not None and settled(path.bound) < goal


@settings(max_examples=40, deadline=None)
@given(sheets, goals)
def test_a_nonlinear_pack_gets_a_path_that_reaches_and_says_it_may_not_be_shortest(answers, goal) -> None:
    assert not is_linear(NONLINEAR)
    path = cheapest_path(NONLINEAR, answers, goal)
    truth = _brute_force(NONLINEAR, answers, goal)
    assert path.reached == (truth is not None)
    assert not path.exact
    if truth is not None:
        assert settled(path.gain) >= goal and path.steps >= truth[0]


def test_the_path_is_the_engines_score_of_the_changed_answers(kominfo) -> None:
    answers = {i.code: 2 for i in kominfo.indicators()}
    answers["output.kebijakan.masterplan"] = 4
    path = cheapest_path(kominfo, answers, previous=D("2.79"))
    assert is_linear(kominfo) and path.reached and path.exact
    changed = {**answers, **{m.code: m.to_level for m in path.moves}}
    expected = score(kominfo, changed, previous=D("2.79"))
    assert path.result.index_raw == expected.index_raw and path.result.index == expected.index
    assert path.result.dimensions == expected.dimensions
    assert path.gain == expected.index_raw - score(kominfo, answers).index_raw >= D("0.10")
    # The masterplan is at the top, so the best step is elsewhere: output.kebijakan.sk_dewan and
    # friends; three steps of 3.6 % would not do, the fourth reaches.
    assert path.bound is not None and path.bound < D("0.10")
    assert path.steps == 3
    assert "output.kebijakan.masterplan" not in {m.code for m in path.moves}


def test_it_counts_unanswered_indicators_from_zero_and_limits_to_chosen_codes(kominfo) -> None:
    # A programme indicator is 3 % of the index per level: four steps (0.12), three give only 0.09.
    path = cheapest_path(kominfo, {}, D("0.10"), codes={"outcome.program.governance"})
    (move,) = path.moves
    assert (move.from_level, move.to_level, move.steps, path.steps) == (None, 4, 4, 4)
    assert path.gain == D("0.12") and path.bound == D("0.09")
    # The masterplan is 4.8 % per level: three of its steps (0.144) beat any other three-step path.
    path = cheapest_path(kominfo, {}, D("0.10"), codes={"outcome.program.governance", "output.kebijakan.masterplan"})
    assert [(m.code, m.to_level) for m in path.moves] == [("output.kebijakan.masterplan", 3)]
    assert (path.steps, path.gain) == (3, D("0.144"))
    # Nothing to raise: no path.
    full = {i.code: 4 for i in kominfo.indicators()}
    path = cheapest_path(kominfo, full)
    assert not path.reached and path.steps == 0 and path.moves == ()


def test_a_scenario_is_the_engines_score_of_the_changed_answers_raised_or_lowered(kominfo) -> None:
    answers = {i.code: 3 for i in kominfo.indicators()}
    changes = {"output.kebijakan.masterplan": 1, "outcome.program.governance": 4}
    got = simulate(kominfo, answers, changes, previous=D("2.87"))
    want = score(kominfo, {**answers, **changes}, previous=D("2.87"))
    assert (got.index_raw, got.index, got.dimensions, got.improvement) == (
        want.index_raw, want.index, want.dimensions, want.improvement)
    assert got.index_raw == score(kominfo, answers).index_raw - 2 * D("0.048") + D("0.03")


def test_spbe_bands_are_official_and_name_the_predicate_of_the_scenario() -> None:
    spbe = get_pack("spbe-2020")
    answers = {i.code: 2 for i in spbe.indicators()}
    path = cheapest_path(spbe, answers)
    assert path.reached and path.exact
    assert path.result.predicate is not None  # official bands: the path's predicate is published

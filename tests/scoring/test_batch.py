"""Batch scoring gives exactly the engine's numbers, for one region or thousands at once."""

from __future__ import annotations

import dataclasses
from decimal import Decimal as D
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kotacerdas.scoring import batch
from kotacerdas.scoring.engine import ScoringError, aggregate_assessors, score
from kotacerdas.scoring.packs import Band, Node, Pack, Pillar, get_pack

KOMINFO = get_pack("kominfo-2021", "2021.1")  # TIE_SUMS below has one sum per 2021.1 indicator
CODES = [i.code for i in KOMINFO.indicators()]


def _odd_pack() -> Pack:
    """Weights that do not divide evenly (a third), a mean of three and a mean of six: the paths
    where the engine's 28-digit Decimal and exact fractions can round a tie differently."""

    def ind(code: str, weight: str | None = None, pillar: str | None = None) -> Node:
        return Node(code=code, name=code, kind="indicator", weight=None if weight is None else D(weight),
                    pillar=pillar)

    dims = (
        Node(code="a", name="a", kind="dimension", weight=D("1"), rule="mean",
             children=tuple(ind(f"a{i}", pillar="p") for i in range(6))),
        Node(code="b", name="b", kind="dimension", weight=D("1"), rule="weighted_mean", children=(
            ind("b0", "1", "p"), ind("b1", "1", "q"), ind("b2", "1", "q"))),
        Node(code="c", name="c", kind="dimension", weight=D("1"), rule="weighted_mean", children=(
            Node(code="c.g", name="c.g", kind="group", weight=D("2"), rule="mean",
                 children=(ind("c0", pillar="q"), ind("c1", pillar="q"), ind("c2", pillar="q"))),
            ind("c3", "1", "q"))),
    )
    return Pack(code="odd", name="odd", version="1", status="provisional", source="test", scale_min=0,
                scale_max=4, missing_policy="zero", dimensions=dims,
                bands=(Band("rendah", D(0), D(2)), Band("tinggi", D(2), D(4))),
                weight_basis="percent_of_index", pillars=(Pillar("p", "P"), Pillar("q", "Q")))


ODD = _odd_pack()
ODD_CODES = [i.code for i in ODD.indicators()]


def _same(batch_result: batch.BatchScore, engine_result) -> None:
    assert batch_result.index == engine_result.index
    assert abs(batch_result.index_raw - engine_result.index_raw) <= D("1e-9")
    assert batch_result.mean == engine_result.mean
    assert batch_result.dimensions == engine_result.dimensions
    assert batch_result.dimensions_raw.keys() == engine_result.dimensions_raw.keys()
    for code, raw in batch_result.dimensions_raw.items():
        want = engine_result.dimensions_raw[code]
        assert (raw is None) == (want is None) and (raw is None or abs(raw - want) <= D("1e-20")), code
    assert batch_result.pillars == engine_result.pillars
    assert batch_result.predicate == engine_result.predicate
    assert batch_result.predicate_status == engine_result.predicate_status
    assert batch_result.improvement == engine_result.improvement
    assert str(batch_result.index) == str(engine_result.index)


def sheets(codes: list[str], lo: int = 0, hi: int = 4):
    return st.dictionaries(st.sampled_from(codes), st.integers(min_value=lo, max_value=hi))


previous = st.none() | st.decimals(min_value=0, max_value=4, places=2)


@settings(max_examples=150, deadline=None)
@given(st.lists(sheets(CODES), min_size=1, max_size=8), st.lists(previous, min_size=8, max_size=8))
@example([{}], [None] * 8)
@example([dict.fromkeys(CODES, 4)], [D("3.88")] * 8)
def test_it_equals_the_engine_for_random_answers(answer_sheets, prevs) -> None:
    prevs = prevs[: len(answer_sheets)]
    results = batch.score_answers(KOMINFO, answer_sheets, prevs)
    for sheet, prev, result in zip(answer_sheets, prevs, results, strict=True):
        _same(result, score(KOMINFO, answers=sheet, previous=prev))


@settings(max_examples=150, deadline=None)
@given(st.lists(sheets(ODD_CODES), min_size=1, max_size=8))
def test_it_equals_the_engine_on_a_pack_with_thirds(answer_sheets) -> None:
    for sheet, result in zip(answer_sheets, batch.score_answers(ODD, answer_sheets), strict=True):
        _same(result, score(ODD, answers=sheet))


panel = st.lists(sheets(CODES), min_size=1, max_size=5)
consensus = st.dictionaries(st.sampled_from(CODES), st.integers(min_value=0, max_value=4), max_size=5)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(panel, consensus), min_size=1, max_size=6))
def test_it_equals_the_engine_for_assessor_panels(regions) -> None:
    """Long rows (region, indicator, level) as read from the database, 1-5 assessors, consensus wins."""
    pos = {c: i for i, c in enumerate(batch.compiled(KOMINFO).codes)}
    rows = [(r, pos[code], level) for r, (sheets_, _) in enumerate(regions)
            for sheet in sheets_ for code, level in sheet.items()]
    agreed = [(r, pos[code], level) for r, (_, cons) in enumerate(regions) for code, level in cons.items()]
    arr = np.array(rows, dtype=np.int64).reshape(-1, 3)
    carr = np.array(agreed, dtype=np.int64).reshape(-1, 3)
    sums, counts = batch.levels_from_rows(KOMINFO, arr[:, 0], arr[:, 1], arr[:, 2], len(regions),
                                          consensus=(carr[:, 0], carr[:, 1], carr[:, 2]))
    results = batch.score_levels(KOMINFO, sums, counts)
    for (sheets_, cons), result in zip(regions, results, strict=True):
        expected = score(KOMINFO, answers=aggregate_assessors(KOMINFO, sheets_, consensus=cons))
        _same(result, expected)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(ODD_CODES),
                       st.integers(min_value=0, max_value=12).map(lambda n: D(n) / 3)), previous)
def test_it_repeats_the_engine_digit_for_digit_on_the_exact_path(answers, prev) -> None:
    result = batch.exact_score(ODD, answers, prev)
    expected = score(ODD, answers=answers, previous=prev)
    _same(result, expected)
    assert result.index_raw == expected.index_raw


# Three assessors' level sums for one region: the output dimension is exactly 469/200 = 2.345, a
# tie, but the engine holds the thirds as 28 digits and gets 2.344999...9, so it reports 2.34.
TIE_SUMS = [5, 5, 6, 6, 10, 0, 10, 9, 7, 8, 8, 8, 8, 5, 7, 7, 7, 5, 5, 4, 8, 7, 1, 6, 4, 3, 4, 12, 3, 1, 6,
            4, 8, 6, 6, 5, 7, 3, 9, 5, 7, 7, 2, 3, 1, 7, 0, 4, 6, 6, 5]


def test_it_leaves_a_tie_through_a_third_to_the_engine_arithmetic() -> None:
    comp = batch.compiled(KOMINFO)
    form = dict(comp.dimensions)["output"]
    assert form is not None
    exact = sum(Fraction(c) * Fraction(s, 3) for c, s in zip(form.coeffs, TIE_SUMS, strict=True)) / form.den
    assert exact == Fraction(469, 200)  # half-up on the exact value would give 2.35
    sums = np.array([TIE_SUMS], dtype=np.int64)
    [result] = batch.score_levels(KOMINFO, sums, np.full_like(sums, 3))
    expected = score(KOMINFO, answers={c: D(s) / 3 for c, s in zip(comp.codes, TIE_SUMS, strict=True)})
    assert expected.dimensions["output"] == D("2.34")
    assert result.by_engine
    _same(result, expected)


def test_it_scores_thousands_of_regions_in_one_call() -> None:
    rng = np.random.default_rng(7)
    n = len(CODES)
    levels = rng.integers(0, 5, size=(2000, n, 5))
    sums, counts = levels.sum(axis=2), np.full((2000, n), 5)
    results = batch.score_levels(KOMINFO, sums, counts, [D("2.50")] * 2000)
    for r in range(0, 2000, 97):
        answers = {c: D(int(sums[r, i])) / 5 for i, c in enumerate(batch.compiled(KOMINFO).codes)}
        _same(results[r], score(KOMINFO, answers=answers, previous=D("2.50")))


def test_it_refuses_packs_that_are_not_linear() -> None:
    with pytest.raises(batch.NotBatchable, match="refuse"):
        batch.compile_pack(get_pack("spbe-2020"))
    with pytest.raises(batch.NotBatchable, match="renormalise"):
        batch.compile_pack(dataclasses.replace(KOMINFO, missing_policy="renormalise"))
    with pytest.raises(batch.NotBatchable, match="round_nodes"):
        batch.compile_pack(dataclasses.replace(KOMINFO, round_nodes=True))
    maxed = dataclasses.replace(ODD, dimensions=(dataclasses.replace(ODD.dimensions[0], rule="max"),
                                                 *ODD.dimensions[1:]))
    with pytest.raises(batch.NotBatchable, match="max"):
        batch.compile_pack(maxed)
    with pytest.raises(batch.NotBatchable, match="median"):
        batch.levels_from_rows(dataclasses.replace(KOMINFO, assessor_aggregation="median"),
                               np.zeros(1), np.zeros(1), np.zeros(1), 1)


def test_it_refuses_levels_outside_the_scale() -> None:
    sums = np.zeros((1, len(CODES)), dtype=np.int64)
    counts = np.zeros_like(sums)
    sums[0, 3], counts[0, 3] = 5, 1
    with pytest.raises(ScoringError, match="outside the scale"):
        batch.score_levels(KOMINFO, sums, counts)


def test_it_scores_a_sheet_with_a_given_group_score_through_the_engine() -> None:
    [result] = batch.score_answers(KOMINFO, [{"outcome": D("3.5"), CODES[0]: 2}])
    assert result.by_engine
    _same(result, score(KOMINFO, answers={"outcome": D("3.5"), CODES[0]: 2}))


def test_it_rebuilds_the_full_trace_from_the_stored_inputs() -> None:
    sheets_ = [dict.fromkeys(CODES[:20], 3), dict.fromkeys(CODES[:30], 2), {CODES[0]: 4}]
    pos = {c: i for i, c in enumerate(CODES)}
    rows = np.array([(0, pos[c], v) for s in sheets_ for c, v in s.items()], dtype=np.int64)
    sums, counts = batch.levels_from_rows(KOMINFO, rows[:, 0], rows[:, 1], rows[:, 2], 1)
    step = batch.inputs_step(KOMINFO, sums[0].tolist(), counts[0].tolist(), D("2.79"))
    assert batch.is_inputs_step([step])
    trace = batch.expand_trace(KOMINFO, [step])
    expected = score(KOMINFO, answers=aggregate_assessors(KOMINFO, sheets_), previous=D("2.79"))
    assert trace == [s.to_dict() for s in expected.trace]
    assert any(s["node"] == "index" for s in trace)
    full = [s.to_dict() for s in expected.trace]
    assert batch.expand_trace(KOMINFO, full) is full  # a full trace is returned as it is
    with pytest.raises(ScoringError, match="another version"):
        batch.expand_trace(KOMINFO, [{**step, "pack_digest": "0" * 64}])

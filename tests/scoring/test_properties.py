"""Hypothesis properties of the engine."""

from __future__ import annotations

import random
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from kotacerdas.scoring.engine import aggregate_assessors, score
from kotacerdas.scoring.packs import get_pack

KOMINFO = get_pack("kominfo-2021")
SPBE = get_pack("spbe-2020")
K_CODES = [i.code for i in KOMINFO.indicators()]
S_CODES = [i.code for i in SPBE.indicators()]


def answers(codes, lo, hi, full=False):
    levels = st.integers(min_value=lo, max_value=hi)
    if full:
        return st.fixed_dictionaries({c: levels for c in codes})
    return st.dictionaries(st.sampled_from(codes), levels, min_size=1)


@settings(max_examples=60, deadline=None)
@given(answers(K_CODES, 0, 4))
def test_it_keeps_kominfo_scores_within_the_scale(a):
    result = score(KOMINFO, a)
    assert D(0) <= result.index_raw <= D(4)
    assert all(v is None or D(0) <= v <= D(4) for v in result.nodes.values())
    assert all(v is None or D(0) <= v <= D(4) for v in result.pillars.values())


@settings(max_examples=40, deadline=None)
@given(answers(S_CODES, 1, 5, full=True))
def test_it_keeps_spbe_scores_within_the_scale(a):
    result = score(SPBE, a)
    assert D(1) <= result.index_raw <= D(5)
    assert min(a.values()) <= result.index_raw <= max(a.values())


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.decimals(min_value=0, max_value=4, places=2), min_size=5, max_size=5),
)
def test_it_keeps_dimension_inputs_within_the_scale(values):
    result = score(KOMINFO, given=dict(zip([d.code for d in KOMINFO.dimensions], values, strict=True)))
    assert min(values) <= result.index_raw <= max(values)


@settings(max_examples=60, deadline=None)
@given(answers(K_CODES, 0, 4), st.sampled_from(K_CODES))
def test_it_never_lowers_the_index_when_one_level_rises(a, code):
    before = score(KOMINFO, a)
    current = a.get(code, 0)
    if current == 4:
        return
    after = score(KOMINFO, {**a, code: current + 1})
    assert after.index_raw >= before.index_raw
    assert after.index >= before.index


@settings(max_examples=40, deadline=None)
@given(answers(S_CODES, 1, 5, full=True), st.sampled_from(S_CODES))
def test_it_never_lowers_the_spbe_index_when_one_level_rises(a, code):
    if a[code] == 5:
        return
    assert score(SPBE, {**a, code: a[code] + 1}).index_raw > score(SPBE, a).index_raw


@settings(max_examples=60, deadline=None)
@given(
    st.lists(answers(K_CODES[:12], 0, 4), min_size=1, max_size=5),
    st.sampled_from(["mean", "median"]),
    st.randoms(use_true_random=False),
)
def test_it_ignores_the_order_of_assessors(sheets, method, rnd: random.Random):
    shuffled = list(sheets)
    rnd.shuffle(shuffled)
    assert aggregate_assessors(KOMINFO, sheets, method) == aggregate_assessors(KOMINFO, shuffled, method)


@settings(max_examples=30, deadline=None)
@given(st.lists(answers(K_CODES, 0, 4, full=True), min_size=1, max_size=4))
def test_it_keeps_the_aggregate_between_the_assessors(sheets):
    out = aggregate_assessors(KOMINFO, sheets)
    for code, value in out.items():
        vs = [s[code] for s in sheets]
        assert min(vs) <= value <= max(vs)

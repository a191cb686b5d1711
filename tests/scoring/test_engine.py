"""Engine: weighted formula, exact half-up rounding, pillars, predicate, improvement, trace."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal as D

import pytest

from kotacerdas.scoring.engine import ScoringError, score

DIMS = ("baseline", "output", "outcome", "impact", "quick_win")
WEIGHTS = (D("0.10"), D("0.20"), D("0.30"), D("0.20"), D("0.20"))


def _dims(*values: str) -> dict[str, D]:
    return dict(zip(DIMS, (D(v) for v in values), strict=True))


def test_it_reproduces_banyuasin_2023_index_287(kominfo):
    given = _dims("3.10", "2.90", "2.95", "2.75", "2.70")
    result = score(kominfo, given=given, previous=D("2.79"))
    assert result.index_raw == D("2.865")
    assert result.index == D("2.87")
    assert result.dimensions["quick_win"] == D("2.70")
    assert result.improvement == D("0.08")
    assert result.predicate is None and result.predicate_status == "provisional"  # bands not official
    assert result.mean == D("2.88")


@pytest.mark.parametrize(
    "values",
    [
        ("3.10", "2.90", "2.95", "2.75", "2.70"),
        ("1", "2", "3", "4", "0"),
        ("3.88", "3.88", "3.88", "3.88", "3.88"),
        ("0.05", "3.99", "1.17", "2.33", "4"),
    ],
)
def test_it_equals_the_weighted_formula_exactly(kominfo, values):
    given = _dims(*values)
    expected = sum(w * given[d] for w, d in zip(WEIGHTS, DIMS, strict=True))
    result = score(kominfo, given=given)
    assert result.index_raw == expected
    assert result.index == expected.quantize(D("0.01"), rounding="ROUND_HALF_UP")


def test_it_rounds_half_up_where_binary_floats_would_not(kominfo):
    # 0.10*1.05 + 0.90*1 = 1.005 exactly; in floats this is 1.00499..., which round() takes to 1.0.
    given = _dims("1.05", "1", "1", "1", "1")
    as_float = sum(float(w) * float(given[d]) for w, d in zip(WEIGHTS, DIMS, strict=True))
    assert round(as_float, 2) == 1.0
    result = score(kominfo, given=given)
    assert result.index_raw == D("1.005")
    assert result.index == D("1.01")
    assert score(kominfo, given=_dims(*["1.005"] * 5)).index == D("1.01")


def test_it_withholds_the_provisional_predicate_of_388(kominfo):
    result = score(kominfo, given=_dims(*["3.88"] * 5))
    assert (result.predicate, result.predicate_status) == (None, "provisional")
    # The same bands, were they official, would name it: the rule looks at bands_status only.
    official = replace(kominfo, bands_status="official")
    result = score(official, given=_dims(*["3.88"] * 5))
    assert (result.predicate.label, result.predicate_status) == ("Sangat Baik", "official")


def test_it_computes_the_index_from_indicator_levels(kominfo):
    answers = {i.code: 4 for i in kominfo.indicators()}
    result = score(kominfo, answers)
    assert result.index == D("4.00") and not result.missing
    answers["output.kebijakan.masterplan"] = 0  # 60 % of kebijakan (40 %) of output (20 %) of the index
    result = score(kominfo, answers)
    assert result.index_raw == D("4") - D("4") * D("0.6") * D("0.4") * D("0.2")
    assert result.nodes["output.kebijakan"] == D("1.6")


def test_it_lets_a_given_group_score_override_its_children(kominfo):
    answers = {i.code: 2 for i in kominfo.indicators()}
    result = score(kominfo, answers, given={"output.anggaran": D("4")})
    assert result.nodes["output.anggaran"] == D("4")
    assert result.nodes["output"] == D("0.40") * 2 + D("0.35") * 2 + D("0.25") * 4
    assert "given score 4" in result.step("output.anggaran").formula_text
    # A group score may also come through answers ("answers at any level").
    assert score(kominfo, {**answers, "output.anggaran": 4}).index == result.index


def test_it_computes_pillar_indices_as_means_of_item_levels(kominfo):
    answers = {i.code: 3 for i in kominfo.indicators()}
    answers["impact.survei.kebijakan_publik"] = 2  # governance: 3, 3, 3, 2 -> 2.75
    result = score(kominfo, answers)
    assert result.pillars["governance"] == D("2.75")
    assert result.pillars["branding"] == D("3.00")
    assert result.step("pillar:governance").formula_text == "mean(3, 3, 3, 2) = 2.75"


def test_it_computes_pillar_index_333_over_three_answered_items(mini):
    result = score(mini, {"a.1": 3, "a.2": 3, "b.3": 4})
    assert result.pillars["governance"] == D("3.33")


def test_it_rejects_unknown_codes_naming_the_key(kominfo):
    with pytest.raises(ScoringError, match="unknown code 'baselin'") as info:
        score(kominfo, given={"baselin": 3})
    assert info.value.key == "baselin"


@pytest.mark.parametrize("value", [5, D("-0.01"), D("4.001")])
def test_it_rejects_out_of_scale_values_naming_the_key(kominfo, value):
    with pytest.raises(ScoringError, match="'impact'.*outside the scale 0..4") as info:
        score(kominfo, given={"impact": value})
    assert info.value.key == "impact"


@pytest.mark.parametrize("value", ["abc", True, None, [1]])
def test_it_rejects_non_numbers(kominfo, value):
    with pytest.raises(ScoringError, match="'impact'"):
        score(kominfo, given={"impact": value})


def test_it_rejects_a_code_both_answered_and_given_differently(kominfo):
    with pytest.raises(ScoringError, match="both answered"):
        score(kominfo, {"impact": 2}, given={"impact": 3})


def test_it_traces_every_number_with_its_formula(kominfo):
    result = score(kominfo, given=_dims("3.10", "2.90", "2.95", "2.75", "2.70"), previous="2.79")
    step = result.step("index")
    assert step.formula_text == "0.10×3.10 + 0.20×2.90 + 0.30×2.95 + 0.20×2.75 + 0.20×2.70 = 2.865 → 2.87"
    assert step.inputs[0] == ("baseline", D("3.10"), D("10"))
    assert step.value == D("2.865")
    assert result.step("improvement").formula_text == "2.87 − 2.79 = +0.08"
    assert "predicate" not in {s.node_code for s in result.trace}  # provisional bands: no predicate step
    assert result.step("mean").value == D("2.88")
    official = score(replace(kominfo, bands_status="official"), given=_dims("3.10", "2.90", "2.95", "2.75", "2.70"))
    assert official.step("predicate").formula_text == "2.87 in [2, 3) → Baik"


def test_it_traces_groups_and_indicators(kominfo):
    answers = {i.code: 2 for i in kominfo.indicators()}
    answers["output.kebijakan.masterplan"] = 4
    result = score(kominfo, answers)
    assert result.step("output.kebijakan.masterplan").formula_text == "answer = 4"
    assert result.step("output.kebijakan").formula_text == "0.60×4 + 0.40×2 = 3.20"
    assert result.step("quick_win").formula_text.startswith("mean(2, 2, 2")
    computed = {s.node_code for s in result.trace}
    assert {n.code for n in kominfo.walk()} <= computed


def test_it_serialises_to_json(kominfo):
    result = score(kominfo, given=_dims("3.10", "2.90", "2.95", "2.75", "2.70"), previous=2.79)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["index"] == 2.87 and data["index_raw"] == "2.865" and data["mean"] == 2.88
    assert data["predicate"] is None and data["predicate_status"] == "provisional"
    assert data["dimensions"]["baseline"] == 3.1 and data["improvement"] == 0.08
    assert data["pack"]["digest"] == kominfo.digest
    assert data["trace"][-1]["node"] == "improvement"
    assert "Baik" not in json.dumps(data)


def test_it_matches_the_official_spbe_formula(spbe):
    # PermenPANRB 59/2020: index = sum(indicator level x indicator weight %) / 100.
    levels = {ind.code: (n * 7) % 5 + 1 for n, ind in enumerate(spbe.indicators())}
    expected = sum(D(levels[i.code]) * i.weight for i in spbe.indicators()) / 100
    result = score(spbe, levels)
    assert result.index_raw == expected
    assert result.index == expected.quantize(D("0.01"), rounding="ROUND_HALF_UP")
    layanan = [i for i in spbe.node("layanan").indicators()]
    assert result.dimensions_raw["layanan"] == sum(D(levels[i.code]) * i.weight for i in layanan) / D("45.5")


def test_it_rounds_nodes_before_the_parent_only_when_the_pack_says_so(mini):
    from dataclasses import replace

    answers = {"a.1": D("1.005"), "a.2": 1, "b.g.1": 1, "b.3": 0}  # a = 0.75*1.005 + 0.25 = 1.00375
    plain = score(mini, answers)
    assert plain.nodes["a"] == D("1.00375")
    assert plain.index_raw == D("0.4") * D("1.00375") + D("0.6") * D("0.5")
    rounded = score(replace(mini, round_nodes=True), answers)
    assert rounded.nodes["a"] == D("1.00")
    assert rounded.index_raw == D("0.4") * D("1.00") + D("0.6") * D("0.50")

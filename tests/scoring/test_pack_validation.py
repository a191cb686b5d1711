"""The loader refuses bad packs whole, with line-precise issues."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kotacerdas.scoring.packs import PackError, load_pack

BAD = Path(__file__).parent / "fixtures" / "bad_packs"

# file -> (line, fragment of the message).  Each file is fixtures/mini.toml with one edit.
EXPECTED = {
    "weights_not_100": (38, "weights of children of 'a' sum to 90"),
    "dimension_weights": (32, "weights of dimensions sum to 90"),
    "missing_weight": (50, "missing 'weight'"),
    "level_outside_scale": (47, "level 5 is outside the scale 0..4"),
    "missing_level": (55, "missing descriptor for level(s) 3"),
    "duplicate_code": (96, "duplicate code 'a.2' (first defined at line 50)"),
    "band_gap": (26, "gap between bands 'Rendah'"),
    "band_overlap": (26, "overlaps 'Rendah'"),
    "bands_not_covering": (27, "bands do not cover the scale"),
    "unknown_rule": (66, "unknown aggregation rule 'median'"),
    "unknown_policy": (7, "unknown missing-answer policy 'ignore'"),
    "syntax_error": (38, "TOML syntax error"),
    "unknown_pillar": (98, "unknown pillar 'health'"),
}


def test_it_has_an_expectation_for_every_bad_pack_file():
    assert {p.stem for p in BAD.glob("*.toml")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_it_refuses_a_bad_pack_naming_the_line(name):
    line, fragment = EXPECTED[name]
    with pytest.raises(PackError) as info:
        load_pack(BAD / f"{name}.toml")
    hits = [i for i in info.value.issues if fragment in i.message]
    assert hits, [str(i) for i in info.value.issues]
    assert hits[0].line == line, [str(i) for i in info.value.issues]
    assert f"line {line}" in str(info.value)
    assert f"{name}.toml" in str(info.value)


def test_it_reports_every_problem_not_just_the_first():
    text = (BAD.parent / "mini.toml").read_text(encoding="utf-8")
    text = text.replace('rule = "mean"', 'rule = "median"').replace("weight = 25", "weight = 20")
    with pytest.raises(PackError) as info:
        load_pack(text)
    messages = " | ".join(i.message for i in info.value.issues)
    assert "unknown aggregation rule" in messages and "sum to 95" in messages


def test_it_refuses_unknown_keys_such_as_typos():
    text = (BAD.parent / "mini.toml").read_text(encoding="utf-8").replace("weight = 25", "wieght = 25")
    with pytest.raises(PackError) as info:
        load_pack(text)
    assert any(i.message == "unknown key 'wieght'" and i.line == 52 for i in info.value.issues)


def test_it_accepts_weights_that_sum_exactly_with_decimals():
    text = (BAD.parent / "mini.toml").read_text(encoding="utf-8")
    text = text.replace("weight = 75", "weight = 66.7").replace("weight = 25", "weight = 33.3")
    assert load_pack(text).node("a.1").weight == Decimal("66.7")


def test_it_requires_percent_of_index_children_to_sum_to_their_parent(spbe):
    from kotacerdas.scoring.packs import dump_pack

    text = dump_pack(spbe).replace("weight = 2.75", "weight = 2.5", 1)
    with pytest.raises(PackError, match=r"sum to 27.25 .*expected 27.5"):
        load_pack(text)

"""kominfo-2021 2021.2: register_risiko removed, nothing else changed; 2021.1 still loads, digest unchanged."""

from __future__ import annotations

from decimal import Decimal as D

from kotacerdas.scoring.engine import score
from kotacerdas.scoring.packs import get_pack, pack_to_raw

# The digest stored with every result computed under 2021.1 (demo 2021 and 2023 included).
DIGEST_2021_1 = "af13f51ec8b13b9a699c33d05d44365db77ab2ad075a2623b90f9fece687d7fc"
RETIRED = "quick_win.register_risiko"


def test_it_keeps_2021_1_loadable_with_the_digest_its_results_carry():
    old = get_pack("kominfo-2021", "2021.1")
    assert old.digest == DIGEST_2021_1
    assert RETIRED in {n.code for n in old.indicators()}


def test_2021_2_differs_from_2021_1_only_by_register_risiko_and_the_documented_texts():
    old, new = get_pack("kominfo-2021", "2021.1"), get_pack("kominfo-2021", "2021.2")
    assert [n.code for n in new.walk()] == [n.code for n in old.walk() if n.code != RETIRED]
    assert new.quick_win_indicators == old.quick_win_indicators and RETIRED not in new.quick_win_indicators
    # Quick Win is a plain mean: its indicators carry no weights, so removing one needs no re-normalising.
    assert new.node("quick_win").rule == "mean"
    assert all(c.weight is None for c in new.node("quick_win").children)
    assert [(d.code, d.weight) for d in new.dimensions] == [(d.code, d.weight) for d in old.dimensions]
    a, b = pack_to_raw(old), pack_to_raw(new)
    for key in ("version", "source", "description", "dimensions"):
        a.pop(key), b.pop(key)
    assert a == b  # bands, scale, rounding, pillars, survey, action plan, statuses: all as in 2021.1
    assert new.node("quick_win.keberlanjutan").name == "Keberlanjutan inovasi"
    assert new.status == "reconstructed" and new.bands_status == "provisional"  # nothing claimed official


def test_it_says_the_index_is_computed_from_unrounded_dimensions():
    new = get_pack("kominfo-2021", "2021.2")
    assert "dapat berbeda 0,01" in (new.description or "") and "differ by 0.01" in (new.description or "")
    assert "register risiko" in new.source and "2021.2" in new.source
    # Banyuasin 2023's letter prints 3.10/2.90/2.95/2.75/2.70; the published 2.87 comes from 2.865.
    dims = {"baseline": D("3.10"), "output": D("2.90"), "outcome": D("2.95"), "impact": D("2.75"),
            "quick_win": D("2.70")}
    result = score(new, given=dims)
    assert (result.index, result.index_raw) == (D("2.87"), D("2.865"))
    assert result.to_dict()["dimensions_raw"] == {k: str(v) for k, v in dims.items()}


def test_the_same_dimension_scores_give_the_same_index_under_both_versions():
    old, new = get_pack("kominfo-2021", "2021.1"), get_pack("kominfo-2021", "2021.2")
    for dims in ({"baseline": 3, "output": 2, "outcome": D("2.5"), "impact": 1, "quick_win": 4},
                 {d.code: D("3.88") for d in old.dimensions}):
        a, b = score(old, given=dims), score(new, given=dims)
        assert (a.index, a.index_raw, a.dimensions) == (b.index, b.index_raw, b.dimensions)


def test_quick_win_is_the_mean_of_the_nine():
    new = get_pack("kominfo-2021", "2021.2")
    answers = {c: 4 for c in new.quick_win_indicators}
    answers["quick_win.manajemen_risiko"] = 0
    result = score(new, answers)
    assert result.nodes["quick_win"] == D(32) / 9
    assert result.dimensions_raw["quick_win"] == D(32) / 9 and result.dimensions["quick_win"] == D("3.56")

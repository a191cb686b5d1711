"""IID 2023 as a pack: the sum model (repeated groups per innovation, a divisor rule, a count score, a
0-100 index scale with its own bands), the documented example, and batch scoring equal to the engine."""

from __future__ import annotations

import io
import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kotacerdas.scoring import batch
from kotacerdas.scoring.cli import score_main
from kotacerdas.scoring.engine import ScoringError, score
from kotacerdas.scoring.packs import PackError, dump_pack, get_pack, load_pack

IID = get_pack("iid-2023")
REPEATED = IID.repeated_codes()
SPD_CODES = [i.code for i in IID.indicators() if i.code not in REPEATED]
SID_CODES = [i.code for i in IID.indicators() if i.code in REPEATED]
EXAMPLE = Path(__file__).parent / "fixtures" / "iid-2023-contoh.json"


def test_it_loads_the_iid_pack_with_its_structure() -> None:
    assert IID.status == "reconstructed" and "Sosialisasi" in IID.source and "104/2018" in IID.source
    assert [d.code for d in IID.dimensions] == ["spd", "sid"]
    split = {f"{n}{s}" for n in (2, 5, 10, 11, 13) for s in "ab"}
    assert {IID.node(c).name.split(".")[0] for c in SPD_CODES} == {
        str(n) for n in (1, 3, 4, 6, 7, 8, 9, 12, 14, 15)} | split
    assert {g.code for g in IID.dimensions[0].children if not g.is_indicator} == {
        f"spd.{n:02d}" for n in (2, 5, 10, 11, 13)}
    assert [IID.node(c).name.split(".")[0] for c in SID_CODES] == [str(n) for n in range(16, 36)]
    assert IID.index_scale == (0, 100) and IID.index_maximum == 250
    # The 2023 split: SPD 63 of 250 = 25.2 %, SID (111 + 76) of 250 = 74.8 %.
    bounds = IID.bounds()
    assert bounds["spd"][1] == 63 and bounds["sid.kematangan"][1] == 111 and bounds["sid.jumlah"][1] == 76
    assert bounds["spd"][1] / 250 * 100 == D("25.2") and bounds["sid"][1] / 250 * 100 == D("74.8")
    assert IID.total_maximum() == 250
    assert load_pack(dump_pack(IID)) == IID


def test_it_scores_the_documented_example_as_computed_by_hand() -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    result = score(IID, data["answers"], instances=data["instances"])
    # SPD = 21 bobot x parameter 2 = 42; SID = (111 + 37) / MAX(10, 2) + 2 x 0.38 = 15.56;
    # IID = (42 + 15.56) / 250 x 100 = 23.024 -> 23.02.
    assert result.dimensions_raw == {"spd": D(42), "sid": D("15.56")}
    assert result.nodes["sid.kematangan"] == D("14.8") and result.nodes["sid.jumlah"] == D("0.76")
    assert result.instances["innovation"]["jam-kunci"]["sid.kematangan"] == 111
    assert result.instances["innovation"]["sipenting"]["sid.kematangan"] == 37
    assert result.index_raw == D("23.024") and result.index == D("23.02")
    assert result.predicate is not None and result.predicate.label == "Kurang Inovatif"
    assert result.step("sid.kematangan").formula_text == "(111 + 37) / max(10, 2) = 14.80"
    assert result.step("index").formula_text == "(42 + 15.56) / 250 × 100 = 23.024 → 23.02"


def test_it_scores_the_example_from_the_command_line() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert score_main(["--pack", "iid-2023", str(EXAMPLE)], out, err) == 0, err.getvalue()
    data = json.loads(out.getvalue())
    assert data["index"] == 23.02 and data["index_raw"] == "23.024"
    assert data["index_scale"] == {"min": 0, "max": 100}
    assert data["predicate"]["label"] == "Kurang Inovatif"
    assert data["instances"]["innovation"]["n"] == 2
    table = io.StringIO()
    assert score_main(["--pack", "iid-2023", "--format", "table", str(EXAMPLE)], table, err) == 0
    assert "innovations" in table.getvalue() and "scale 0-100" in table.getvalue()


def test_it_divides_by_ten_until_there_are_more_than_ten_innovations() -> None:
    full = dict.fromkeys(SID_CODES, 3)
    for n, expected in ((1, D("11.1")), (10, D(111)), (12, D(111))):
        result = score(IID, instances={"innovation": {f"i{k}": full for k in range(n)}})
        assert result.nodes["sid.kematangan"] == expected
    assert score(IID, instances={"innovation": {}}).index == 0
    capped = score(IID, instances={"innovation": {f"i{k}": {} for k in range(250)}})
    assert capped.nodes["sid.jumlah"] == 76


def test_it_reaches_exactly_100_with_every_parameter_at_its_best() -> None:
    best = score(IID, dict.fromkeys(SPD_CODES, 3),
                 instances={"innovation": {f"i{k}": dict.fromkeys(SID_CODES, 3) for k in range(200)}})
    assert best.index == 100 and best.predicate is not None and best.predicate.label == "Sangat Inovatif"


@pytest.mark.parametrize(("value", "label"), [
    ("0", "Tidak Dapat Dinilai"), ("0.01", "Kurang Inovatif"), ("34.99", "Kurang Inovatif"),
    ("35.00", "Inovatif"), ("60.00", "Inovatif"), ("60.01", "Sangat Inovatif"), ("100", "Sangat Inovatif"),
])
def test_it_gives_the_official_predicate_at_each_band_limit(value: str, label: str) -> None:
    band = IID.band_for(D(value))
    assert band is not None and band.label == label


def test_it_refuses_per_innovation_codes_outside_instances_and_unknown_kinds() -> None:
    with pytest.raises(ScoringError, match="per innovation"):
        score(IID, {"sid.16": 3})
    with pytest.raises(ScoringError, match="repeats no 'application'"):
        score(IID, instances={"application": {"x": {}}})
    with pytest.raises(ScoringError, match="not answered per innovation"):
        score(IID, instances={"innovation": {"x": {"spd.01": 3}}})
    with pytest.raises(ScoringError, match="number of instances"):
        score(IID, given={"sid.jumlah": 3})
    with pytest.raises(ScoringError, match="outside the scale"):
        score(IID, instances={"innovation": {"x": {"sid.16": 4}}})


SUM_PACK = """
code = "sum-mini"
name = "sum"
version = "1"
status = "provisional"
source = "test"
missing_policy = "zero"
[scale]
min = 0
max = 3
[index]
aggregation = "sum"
maximum = {maximum}
max = 100
[[bands]]
label = "Semua"
min = 0
max = 100
[[dimensions]]
code = "a"
name = "A"
rule = "sum"
[[dimensions.indicators]]
code = "a1"
name = "A1"
weight = {weight}
levels = {{ 0 = "0", 1 = "1", 2 = "2", 3 = "3" }}
[[dimensions.groups]]
code = "r"
name = "R"
rule = "sum"
repeat = {repeat}
[[dimensions.groups.indicators]]
code = "r1"
name = "R1"
levels = {{ 0 = "0", 1 = "1", 2 = "2", 3 = "3" }}
[[dimensions.groups.indicators]]
code = "r2"
name = "R2"
weight = 2
levels = {{ 0 = "0", 1 = "1", 2 = "2", 3 = "3" }}
[[dimensions.groups]]
code = "n"
name = "N"
count = {{ of = "{of}", points_each = 0.5, cap = 4 }}
"""


def _sum_pack(maximum: str = "14", weight: str = "1", repeat: str = '{ over = "x", at_least = 3 }',
              of: str = "x") -> str:
    return SUM_PACK.format(maximum=maximum, weight=weight, repeat=repeat, of=of)


THIRDS = load_pack(_sum_pack(maximum="23", weight="4"))  # 12 + 9 + 2: a maximum of 23 does not terminate


def test_it_validates_the_sum_format() -> None:
    pack = load_pack(_sum_pack())
    assert pack.total_maximum() == 3 + 9 + 2
    with pytest.raises(PackError) as exc:
        load_pack(_sum_pack(maximum="250"))
    assert "maximum is 250 but the dimensions reach at most 14" in str(exc.value)
    with pytest.raises(PackError, match="no group repeats over it"):
        load_pack(_sum_pack(maximum="14", of="y"))
    with pytest.raises(PackError, match="at_least"):
        load_pack(_sum_pack(maximum="14", repeat='{ over = "x", at_least = 0 }'))
    with pytest.raises(PackError, match="unknown divisor rule"):
        load_pack(_sum_pack(maximum="14", repeat='{ over = "x", divide_by = "sqrt" }'))
    assert load_pack(dump_pack(pack)) == pack


def test_it_keeps_the_digest_of_every_pack_without_an_index_table() -> None:
    # The digests every stored result of these packs carries (computed before the sum model existed).
    assert get_pack("kominfo-2021", "2021.1").digest == KOMINFO_DIGEST
    assert get_pack("spbe-2020", "2020.1").digest == SPBE_DIGEST


KOMINFO_DIGEST = "af13f51ec8b13b9a699c33d05d44365db77ab2ad075a2623b90f9fece687d7fc"
SPBE_DIGEST = "1cff6365f7b6482adda2fa6b841d2533d47d23bbde2864a14993d6d3ac9ddc98"

innovation = st.dictionaries(st.sampled_from(SID_CODES), st.integers(min_value=0, max_value=3))
region = st.tuples(
    st.dictionaries(st.sampled_from(SPD_CODES), st.integers(min_value=0, max_value=3)),
    st.lists(innovation, min_size=0, max_size=14),
)


@settings(max_examples=120, deadline=None)
@given(st.lists(region, min_size=1, max_size=6))
@example([({}, [])])
@example([(dict.fromkeys(SPD_CODES, 3), [dict.fromkeys(SID_CODES, 3)] * 12)])
def test_it_equals_the_engine_on_iid(regions) -> None:
    sheets = [a for a, _ in regions]
    insts = [{"innovation": {f"i{k}": inst for k, inst in enumerate(items)}} for _, items in regions]
    for result, sheet, inst in zip(batch.score_answers(IID, sheets, instances=insts), sheets, insts, strict=True):
        expected = score(IID, sheet, instances=inst)
        assert result.index == expected.index and str(result.index) == str(expected.index)
        assert abs(result.index_raw - expected.index_raw) <= D("1e-9")
        assert result.dimensions == expected.dimensions
        assert result.predicate == expected.predicate


small = st.dictionaries(st.sampled_from(["r1", "r2"]), st.integers(min_value=0, max_value=3))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.dictionaries(st.just("a1"), st.integers(min_value=0, max_value=3)),
                          st.lists(small, max_size=8)), min_size=1, max_size=6))
def test_it_equals_the_engine_through_thirds_and_sevenths(regions) -> None:
    """Divisors of 3, 6, 7 instances and a maximum of 23 do not terminate: ties go to the engine's arithmetic."""
    sheets = [a for a, _ in regions]
    insts = [{"x": {f"i{k}": inst for k, inst in enumerate(items)}} for _, items in regions]
    for result, sheet, inst in zip(batch.score_answers(THIRDS, sheets, instances=insts), sheets, insts,
                                   strict=True):
        expected = score(THIRDS, sheet, instances=inst)
        assert (result.index, result.dimensions, result.predicate) == (
            expected.index, expected.dimensions, expected.predicate)
        assert str(result.index) == str(expected.index)

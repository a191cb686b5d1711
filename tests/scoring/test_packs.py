"""The shipped packs: structure, pack data other apps read, lookup and versioning."""

from __future__ import annotations

import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from kotacerdas.scoring.engine import score
from kotacerdas.scoring.packs import PACKS_DIR, PackNotFound, available_packs, get_pack, load_pack


def test_it_ships_both_packs():
    assert {(p.code, p.version) for p in available_packs()} >= {
        ("kominfo-2021", "2021.1"),
        ("spbe-2020", "2020.1"),
    }


def test_it_loads_kominfo_with_the_published_dimension_weights(kominfo):
    assert kominfo.status == "reconstructed"
    assert (kominfo.scale_min, kominfo.scale_max) == (0, 4)
    assert [(d.code, d.weight) for d in kominfo.dimensions] == [
        ("baseline", 10),
        ("output", 20),
        ("outcome", 30),
        ("impact", 20),
        ("quick_win", 20),
    ]
    for source in ("jambiekspres", "pelitasumsel", "kebumenkab", "suarantb", "surakarta"):
        assert source in kominfo.source


def test_it_has_every_level_descriptor_and_evidence_in_kominfo(kominfo):
    for ind in kominfo.indicators():
        assert [lvl for lvl, _ in ind.levels] == [0, 1, 2, 3, 4], ind.code
        assert all(text.strip() for _, text in ind.levels)
        assert ind.evidence, ind.code


def test_it_structures_output_and_outcome_as_in_the_methodology(kominfo):
    output = kominfo.node("output")
    assert [g.code for g in output.children] == ["output.kebijakan", "output.kelembagaan", "output.anggaran"]
    program = kominfo.node("outcome.program")
    assert sorted(i.pillar for i in program.children) == sorted(p.code for p in kominfo.pillars)
    top = program.children[0].level_text(4)
    assert top is not None and "lebih dari 5 program" in top.lower() and "75%" in top
    assert len(kominfo.node("outcome.rencana_aksi").children) == 4


def test_it_tags_18_impact_survey_indicators_with_pillar_and_subdimension(kominfo):
    survey = kominfo.node("impact.survei").children
    assert len(survey) == 18
    subs = {s.code: s.pillar for s in kominfo.subdimensions}
    assert len(subs) == 18
    for ind in survey:
        assert subs[ind.subdimension] == ind.pillar
    assert Counter(i.pillar for i in survey) == Counter({p.code: 3 for p in kominfo.pillars})


def test_it_holds_quick_win_action_plan_and_survey_data(kominfo):
    assert len(kominfo.quick_win_indicators) == 9
    names = [kominfo.node(c).name.lower() for c in kominfo.quick_win_indicators]
    # The nine named in the field, in that order; 2021.2 has no tenth ("register_risiko", listed by no source).
    assert names == ["perumusan inovasi", "daya tarik inovasi", "manfaat inovasi", "keunikan inovasi",
                     "peluang kemitraan", "potensi pengembangan", "keberlangsungan sumber daya", "manajemen risiko",
                     "keberlanjutan inovasi"]
    assert kominfo.version == "2021.2"
    assert [i.code for i in kominfo.node("quick_win").children] == list(kominfo.quick_win_indicators)
    old = get_pack("kominfo-2021", "2021.1")
    assert "quick_win.register_risiko" in {i.code for i in old.node("quick_win").children}
    assert [(r.value, r.label) for r in kominfo.risk_likelihood] == [
        (1, "Rendah"),
        (2, "Sedang"),
        (3, "Tinggi"),
    ]
    assert [c.name for c in kominfo.action_plan_categories][0] == "Peningkatan kapasitas SDM"
    per_sub = Counter(item.subdimension for item in kominfo.survey_items)
    assert set(per_sub) == {s.code for s in kominfo.subdimensions}
    assert all(2 <= n <= 3 for n in per_sub.values())
    assert (kominfo.survey_scale_min, kominfo.survey_scale_max) == (1, 5)


def test_it_labels_kominfo_bands_provisional_and_388_sangat_baik(kominfo):
    assert kominfo.bands_status == "provisional"
    assert kominfo.band_for(Decimal("3.88")).label == "Sangat Baik"
    assert kominfo.band_for(Decimal("4")).label == "Sangat Baik"
    assert kominfo.band_for(Decimal("2.87")).label == "Baik"


def test_it_loads_spbe_with_47_indicators_in_8_aspects(spbe):
    assert (spbe.scale_min, spbe.scale_max) == (1, 5)
    assert [(d.code, d.weight) for d in spbe.dimensions] == [
        ("kebijakan_internal", 13),
        ("tata_kelola", 25),
        ("manajemen", Decimal("16.5")),
        ("layanan", Decimal("45.5")),
    ]
    aspects = [g for d in spbe.dimensions for g in d.children]
    assert len(aspects) == 8
    assert [len(a.children) for a in aspects] == [10, 4, 4, 2, 8, 3, 10, 6]
    assert len(list(spbe.indicators())) == 47
    # percent_of_index: indicator weights add up to 100 % of the index
    assert sum(i.weight for i in spbe.indicators()) == 100


@pytest.mark.parametrize(
    ("value", "label"),
    [
        ("1", "Kurang"),
        ("1.79", "Kurang"),
        ("1.8", "Cukup"),
        ("2.59", "Cukup"),
        ("2.6", "Baik"),
        ("3.49", "Baik"),
        ("3.5", "Sangat Baik"),
        ("4.19", "Sangat Baik"),
        ("4.2", "Memuaskan"),
        ("5", "Memuaskan"),
    ],
)
def test_it_applies_the_spbe_predicates(spbe, value, label):
    assert spbe.band_for(Decimal(value)).label == label


def test_it_finds_packs_by_code_and_version(kominfo):
    assert get_pack("kominfo-2021", "2021.2") == kominfo == get_pack("kominfo-2021")  # the newest
    assert get_pack("kominfo-2021", "2021.1") != kominfo
    with pytest.raises(PackNotFound, match="kominfo-2021@1999"):
        get_pack("kominfo-2021", "1999")
    with pytest.raises(PackNotFound):
        get_pack("nope")


def test_it_keeps_old_versions_loadable_side_by_side(tmp_path: Path):
    kominfo = get_pack("kominfo-2021", "2021.1")
    shutil.copy(PACKS_DIR / "kominfo-2021@2021.1.toml", tmp_path / "kominfo-2021.toml")
    text = (PACKS_DIR / "kominfo-2021@2021.1.toml").read_text(encoding="utf-8")
    newer = (
        text.replace('version = "2021.1"', 'version = "2021.10"')
        .replace("weight = 10\n", "weight = 15\n", 1)
        .replace("weight = 20\n", "weight = 15\n", 1)
    )
    (tmp_path / "kominfo-2021.10.toml").write_text(newer, encoding="utf-8")
    new = get_pack("kominfo-2021", directory=tmp_path)
    old = get_pack("kominfo-2021", "2021.1", directory=tmp_path)
    assert new.version == "2021.10"  # numeric ordering, not text ordering
    assert old == kominfo and old.digest == kominfo.digest and new.digest != old.digest
    dims = {"baseline": 4, "output": 2, "outcome": 2, "impact": 2, "quick_win": 2}
    assert score(old, given=dims).index == Decimal("2.20")
    assert score(new, given=dims).index == Decimal("2.30")


def test_it_changes_the_digest_with_content_only(kominfo):
    text = (PACKS_DIR / "kominfo-2021.toml").read_text(encoding="utf-8")
    assert load_pack(text + "\n# a comment does not change the rubric\n").digest == kominfo.digest
    edited = load_pack(text.replace("Masterplan belum disusun.", "Masterplan belum ada."))
    assert edited.digest != kominfo.digest and edited != kominfo

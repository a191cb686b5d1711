"""English level descriptors (``levels_en``): validated like the levels, kept out of the digest,
carried through TOML and Excel round trips, shown with an Indonesian fallback."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from kotacerdas.scoring.packs import PackError, dump_pack, get_pack, load_pack
from kotacerdas.scoring.xlsx import export_pack_xlsx, import_pack_xlsx

MINI = (Path(__file__).parent / "fixtures" / "mini.toml").read_text(encoding="utf-8")
A1_LEVELS = '[dimensions.indicators.levels]\n0 = "nol"\n1 = "satu"\n2 = "dua"\n3 = "tiga"\n4 = "empat"\n'
# Published digests of the shipped Kominfo packs: stored with cycles and results, must never move.
KOMINFO_DIGESTS = {
    "2021.1": "af13f51ec8b13b9a699c33d05d44365db77ab2ad075a2623b90f9fece687d7fc",
    "2021.2": "9bfb7dba7ba0b77dd20f69f68386dc27f841d12e1edf267c2dbe0f8bd2e1a1c6",
}


def _with_en(table: str) -> str:
    """mini.toml with ``table`` (a levels_en block) right after the first indicator's levels."""
    assert MINI.count(A1_LEVELS) >= 1
    return MINI.replace(A1_LEVELS, A1_LEVELS + "\n" + table, 1)


def _line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_it_loads_english_descriptors_for_a_subset_of_levels():
    pack = load_pack(_with_en('[dimensions.indicators.levels_en]\n0 = "zero"\n4 = "four"\n'))
    a1 = pack.node("a.1")
    assert a1.levels_en == ((0, "zero"), (4, "four"))
    assert a1.level_text(0, english=True) == "zero"
    assert a1.level_text(2, english=True) == "dua"  # no translation: the Indonesian text
    assert a1.level_text(0) == "nol"
    assert a1.level_rows(english=True) == [(0, "zero"), (1, "satu"), (2, "dua"), (3, "tiga"), (4, "four")]
    assert pack.node("a.2").levels_en == ()


def test_translations_do_not_change_the_digest_but_levels_do():
    base = load_pack(MINI)
    translated = load_pack(_with_en('[dimensions.indicators.levels_en]\n0 = "zero"\n'))
    retranslated = load_pack(_with_en('[dimensions.indicators.levels_en]\n0 = "none at all"\n1 = "one"\n'))
    assert translated.digest == base.digest == retranslated.digest
    assert translated != base  # the content differs, only the method identity is the same
    relevelled = load_pack(MINI.replace('0 = "nol"', '0 = "tidak ada"', 1))
    assert relevelled.digest != base.digest


@pytest.mark.parametrize("version", sorted(KOMINFO_DIGESTS))
def test_the_kominfo_packs_are_translated_and_keep_their_digest(version):
    pack = get_pack("kominfo-2021", version)
    assert pack.digest == KOMINFO_DIGESTS[version]
    for ind in pack.indicators():
        assert ind.name_en, ind.code
        assert [lv for lv, _ in ind.levels_en] == [lv for lv, _ in ind.levels], ind.code


def test_the_kominfo_translations_keep_every_number():
    import re

    pack = get_pack("kominfo-2021", "2021.1")
    for ind in pack.indicators():
        en = dict(ind.levels_en)
        for lv, text in ind.levels:
            # Indonesian "0,25" / "75%" → English "0.25" / "75%": the same figures in the same order.
            ours = [n.replace(",", ".") for n in re.findall(r"\d+(?:[.,]\d+)?", text)]
            theirs = re.findall(r"\d+(?:\.\d+)?", en[lv])
            assert sorted(ours) == sorted(theirs), (ind.code, lv, text, en[lv])


@pytest.mark.parametrize(
    ("table", "fragment", "message"),
    [
        ('[dimensions.indicators.levels_en]\n0 = "zero"\n7 = "seven"\n', '7 = "seven"',
         "level 7 has no Indonesian descriptor in 'levels' (0, 1, 2, 3, 4)"),
        ('[dimensions.indicators.levels_en]\n0 = "zero"\n1 = "   "\n', '1 = "   "',
         "English descriptor for level 1 must be a non-empty string"),
        ('[dimensions.indicators.levels_en]\n0 = "zero"\n1 = 3\n', "1 = 3",
         "English descriptor for level 1 must be a non-empty string"),
        ('[dimensions.indicators.levels_en]\nx = "zero"\n', 'x = "zero"', "level 'x' is not an integer"),
    ],
)
def test_it_refuses_bad_english_descriptors_naming_the_line(table, fragment, message):
    text = _with_en(table)
    with pytest.raises(PackError) as info:
        load_pack(text)
    hits = [i for i in info.value.issues if i.message == message]
    assert hits, [str(i) for i in info.value.issues]
    assert hits[0].line == _line_of(text, fragment)
    assert hits[0].path == "a.1.levels_en"


def test_it_refuses_english_descriptors_on_a_dimension():
    text = MINI.replace('name = "Dimensi B"', 'name = "Dimensi B"\nlevels_en = { 0 = "zero" }', 1)
    with pytest.raises(PackError) as info:
        load_pack(text)
    hits = [i for i in info.value.issues if "only indicators carry level descriptors (levels_en)" in i.message]
    assert hits and hits[0].line == _line_of(text, "levels_en = {")


def test_it_keeps_english_descriptors_through_toml_and_excel():
    pack = get_pack("kominfo-2021")
    again = load_pack(dump_pack(pack))
    assert again == pack and again.node("baseline.peningkatan_indeks").levels_en
    buf = io.BytesIO()
    export_pack_xlsx(pack, buf)
    buf.seek(0)
    from_excel = import_pack_xlsx(buf)
    assert from_excel == pack and from_excel.digest == pack.digest


def test_a_pack_without_translations_exports_no_english_columns():
    from openpyxl import load_workbook

    buf = io.BytesIO()
    export_pack_xlsx(load_pack(MINI), buf)
    buf.seek(0)
    header = [c.value for c in load_workbook(buf)["Nodes"][1]]
    assert "level_4" in header and not any(str(h).startswith("level_en_") for h in header)


def test_the_reader_language_helper_falls_back_to_indonesian():
    from kotacerdas.core import packtext

    pack = load_pack(_with_en('[dimensions.indicators.levels_en]\n0 = "zero"\n'))
    a1, a2 = pack.node("a.1"), pack.node("a.2")
    assert packtext.name(a1, "en") == a1.name  # mini.toml has no name_en: the Indonesian name
    kominfo = get_pack("kominfo-2021")
    node = kominfo.node("baseline.peningkatan_indeks")
    assert packtext.name(node, "en") == "Improvement over the previous evaluation"
    assert packtext.name(node, "id") == node.name and packtext.name(node, "en-gb") == node.name_en
    assert packtext.level_text(node, 4, "en").startswith("The index rose by 0.25 or more")
    assert packtext.level_text(node, 4, "id").startswith("Indeks naik 0,25 atau lebih")
    assert packtext.level_rows(a1, "en")[:2] == [(0, "zero"), (1, "satu")]
    assert packtext.level_rows(a2, "en") == list(a2.levels)
    assert packtext.names(kominfo, "en")["quick_win.manajemen_risiko"] == "Risk management"
    band = kominfo.bands[0]
    assert packtext.name(band, "id") == band.label
    assert packtext.name(band, "en") == (band.label_en or band.label)

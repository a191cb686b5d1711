"""pemdi-2025: the Indeks Pemerintah Digital as transcribed, and marked as the reconstruction it is.

The table below is transcribed from the public transcriptions named in the pack's source (the letter's
Lampiran 2 itself was not read): aspect, indicator name and weight in % of the index."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kotacerdas.scoring.engine import score
from kotacerdas.scoring.packs import get_pack

PACK = get_pack("pemdi-2025")
TK = "Tingkat Kematangan "

INSTRUMENT = (
    (
        "Strategi dan Rencana",
        5,
        (
            (TK + "Strategi Transformasi Digital Pemerintah", 1),
            (TK + "Inovasi Proses Bisnis Tematik", 1),
            (TK + "Arsitektur Pemerintah Digital", 1),
            (TK + "Peta Rencana Pemerintah Digital", 1),
            (TK + "Keterpaduan Rencana dan Anggaran Pemerintah Digital", 1),
        ),
    ),
    (
        "Tata Kelola dan Manajemen",
        5,
        (
            (TK + "Skalabilitas Koordinasi Internal Instansi", 1),
            (TK + "Kolaborasi Penerapan Pemerintah Digital", 1),
            (TK + "Penerapan Manajemen Risiko dan Keberlangsungan", 1),
            (TK + "Penerapan Manajemen Layanan", 2),
        ),
    ),
    (
        "Teknologi Digital",
        20,
        (
            (TK + "Pembangunan/Pengembangan Aplikasi", 5),
            (TK + "Pemanfaatan Ekosistem Pusat Data Nasional", 5),
            (TK + "Layanan Jaringan Intra Pemerintah", 5),
            (TK + "Pemanfaatan Teknologi Baru", 5),
        ),
    ),
    (
        "Audit Teknologi Digital",
        6,
        (
            (TK + "Pelaksanaan Audit Aplikasi Digital", 2),
            (TK + "Pelaksanaan Audit Infrastruktur Digital", 2),
            (TK + "Pelaksanaan Audit Keamanan Aplikasi dan Infrastruktur Digital", 2),
        ),
    ),
    (
        "Keamanan Siber",
        9,
        (
            (TK + "Keamanan Siber Pemerintah Digital", 4),
            (TK + "Penerapan Kriptografi Nasional untuk Keamanan Data", 2),
            (TK + "Kapabilitas Penanganan Insiden Siber", 3),
        ),
    ),
    (
        "Kapabilitas dan Budaya Digital",
        10,
        (
            (TK + "Penerapan Kapabilitas Sumber Daya Manusia Digital", 3),
            (TK + "Kapabilitas Kepemimpinan Digital", 4),
            (TK + "Penerapan Budaya Digital", 3),
        ),
    ),
    (
        "Pengelolaan dan Pemanfaatan Data dan Informasi",
        10,
        (
            (TK + "Penerapan Manajemen Data", 2),
            (TK + "Operasional Pemanfaatan Data dan Informasi", 3),
            (TK + "Teknologi Digital Pemanfaatan Data", 2),
            (TK + "Pelindungan Data Pribadi", 3),
        ),
    ),
    (
        "Keterpaduan Layanan Digital Pemerintah",
        15,
        (
            (TK + "Pemanfaatan Sistem Penghubung Layanan Pemerintah", 2),
            (TK + "Keterpaduan Layanan Administrasi Pemerintahan", 3),
            (TK + "Pemanfaatan Portal Nasional Administrasi Pemerintahan", 2),
            (TK + "Keterpaduan Pelayanan Publik Digital", 3),
            (TK + "Pemanfaatan Portal Nasional Pelayanan Publik", 2),
            (TK + "Pemanfaatan Identitas Digital Nasional", 3),
        ),
    ),
    (
        "Kepuasan Pengguna Layanan Digital Pemerintah",
        20,
        (
            ("Tingkat Kepuasan Pengguna Layanan Digital Pemerintah", 10),
            ("Tingkat Pemenuhan Kualitas Layanan Digital", 5),
            ("Tingkat Pemanfaatan Layanan Digital", 5),
        ),
    ),
)
CODES = [i.code for i in PACK.indicators()]


def test_it_has_35_indicators_in_9_aspects_as_transcribed():
    got = tuple((d.name, d.weight, tuple((i.name, i.weight) for i in d.children)) for d in PACK.dimensions)
    assert got == INSTRUMENT
    assert len(CODES) == 35 and CODES == [f"ind{n:02d}" for n in range(1, 36)]
    assert sum(i.weight for i in PACK.indicators()) == 100
    assert all(not i.children for d in PACK.dimensions for i in d.children)  # aspects hold indicators


def test_it_names_level_3_terstandarisasi_and_measures_aspect_9_as_user_satisfaction():
    for dim in PACK.dimensions[:8]:
        for ind in dim.children:
            assert [t.split(":")[0] for _, t in ind.levels] == [
                "Rintisan",
                "Terkelola",
                "Terstandarisasi",
                "Terintegrasi/Terpadu dan Terukur",
                "Optimum",
            ]
    satisfaction = PACK.dimensions[8]
    assert satisfaction.name.startswith("Kepuasan Pengguna") and satisfaction.weight == 20
    assert PACK.node("ind33").level_text(1).startswith("Sangat Buruk") and "-2,4" in PACK.node(
        "ind33"
    ).level_text(1)
    assert PACK.node("ind33").level_text(5).startswith("Sangat Baik")


def test_it_is_marked_as_a_reconstruction_citing_its_sources():
    assert PACK.status == "reconstructed" and PACK.bands_status == "reconstructed"
    for cited in ("B/66/PD.02/2025", "tidak dibaca langsung", "pemdi.baritotimurkab.go.id", "intro-pemdi.md"):
        assert cited in PACK.source.replace("\n", " ")
    assert (PACK.scale_min, PACK.scale_max, PACK.weight_basis, PACK.missing_policy) == (
        1,
        5,
        "percent_of_index",
        "refuse",
    )


def test_it_applies_from_the_2026_evaluation():
    assert (PACK.valid_from, PACK.valid_to) == (2026, None)
    assert not PACK.valid_for(2025) and PACK.valid_for(2026) and PACK.valid_for(2028)
    spbe = get_pack("spbe-2020")
    assert spbe.valid_to is not None and spbe.valid_to + 1 == PACK.valid_from


@pytest.mark.parametrize(
    ("levels", "index"),
    [
        ({}, "1"),
        ({"aspek3.teknologi_digital": 5}, "1.8"),
        ({"aspek9.kepuasan_pengguna": 5, "aspek3.teknologi_digital": 5}, "2.6"),
    ],
)
def test_it_weighs_the_aspects_as_the_instrument_does(levels, index):
    given = {d.code: 1 for d in PACK.dimensions} | levels
    assert score(PACK, {}, given).index == Decimal(index)


def test_it_scores_an_answer_sheet_by_indicator_weight():
    answers = {c: 1 for c in CODES} | {"ind33": 5, "ind34": 4, "ind35": 3}
    # 80 % at level 1, then 10 % x 5 + 5 % x 4 + 5 % x 3 = 0.8 + 0.5 + 0.2 + 0.15
    result = score(PACK, answers)
    assert result.index == Decimal("1.65")
    with pytest.raises(ValueError, match="ind35"):
        score(PACK, {c: 3 for c in CODES[:-1]})

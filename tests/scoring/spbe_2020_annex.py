"""Domains, aspects and indicator names of the SPBE evaluation as PermenPANRB 59/2020 publishes them.

Transcribed from the regulation's official copy ("SALINAN", Berita Negara RI 2020 No. 994, with its
Lampiran): domain names from Tabel 7 (Bobot Domain), aspect names from Tabel 8 (Bobot Aspek), indicator
names from Tabel 9 (Bobot Indikator), the grouping from Tabel 3-6 and Gambar 1 (indicators 1-10, 11-14,
15-18, 19-20, 21-28, 29-31, 32-41, 42-47).  The per-indicator sheets later in the Lampiran repeat every
name and the "Domain n : ... / Aspek n : ..." heading exactly as here.  Spelling is the regulation's.

Variants inside the Lampiran itself, not followed: Tabel 3-6 write indicators 1-10 and 17-20 in lower
case and call indicator 9 "tingkat kematangan kebijakan internal audit teknologi informasi dan
komunikasi" (Tabel 9 and the sheet: "... Audit TIK"); Tabel 3 and Tabel 12 call domain 1 "Kebijakan SPBE"
(Tabel 7 and the sheets: "Kebijakan Internal SPBE").  Later technical guidelines and the applications
built on them use other wordings ("Kebijakan Internal terkait Tata Kelola SPBE", "Layanan Publik
Sektoral 1", "Kompetensi Sumber Daya Manusia"); those are not the regulation's.

The pack's level criteria are the sheets' text as printed, including one oddity: the sheet of indicator 3
prints the "Kondisi" of level 2 in the row of level 3, and in the row of level 4 the criterion that the
other sheets give level 3 ("Kriteria tingkat 2 telah terpenuhi ..."); the pack keeps the rows as printed.
"""

from __future__ import annotations

SOURCE = "PermenPANRB Nomor 59 Tahun 2020, Lampiran, Tabel 3-9 and indicator sheets 1-47"

# (domain code in the pack, domain name) - Tabel 7
DOMAINS = (
    ("kebijakan_internal", "Kebijakan Internal SPBE"),
    ("tata_kelola", "Tata Kelola SPBE"),
    ("manajemen", "Manajemen SPBE"),
    ("layanan", "Layanan SPBE"),
)

# (aspect number, domain code, aspect name) - Tabel 8, grouping of Tabel 3-6
ASPECTS = (
    (1, "kebijakan_internal", "Kebijakan Internal Tata Kelola SPBE"),
    (2, "tata_kelola", "Perencanaan Strategis SPBE"),
    (3, "tata_kelola", "Teknologi Informasi dan Komunikasi"),
    (4, "tata_kelola", "Penyelenggara SPBE"),
    (5, "manajemen", "Penerapan Manajemen SPBE"),
    (6, "manajemen", "Pelaksanaan Audit TIK"),
    (7, "layanan", "Layanan Administrasi Pemerintahan Berbasis Elektronik"),
    (8, "layanan", "Layanan Publik Berbasis Elektronik"),
)

IPPD = "Instansi Pusat/Pemerintah Daerah"

# (indicator number, aspect number, name) - Tabel 9
INDICATORS = (
    (1, 1, f"Tingkat Kematangan Kebijakan Internal Arsitektur SPBE {IPPD}"),
    (2, 1, f"Tingkat Kematangan Kebijakan Internal Peta Rencana SPBE {IPPD}"),
    (3, 1, "Tingkat Kematangan Kebijakan Internal Manajemen Data"),
    (4, 1, "Tingkat Kematangan Kebijakan Internal Pembangunan Aplikasi SPBE"),
    (5, 1, "Tingkat Kematangan Kebijakan Internal Layanan Pusat Data"),
    (6, 1, f"Tingkat Kematangan Kebijakan Internal Layanan Jaringan Intra {IPPD}"),
    (7, 1, f"Tingkat Kematangan Kebijakan Internal Penggunaan Sistem Penghubung Layanan {IPPD}"),
    (8, 1, "Tingkat Kematangan Kebijakan Internal Manajemen Keamanan Informasi"),
    (9, 1, "Tingkat Kematangan Kebijakan Internal Audit TIK"),
    (10, 1, f"Tingkat Kematangan Kebijakan Internal Tim Koordinasi SPBE {IPPD}"),
    (11, 2, f"Tingkat Kematangan Arsitektur SPBE {IPPD}"),
    (12, 2, f"Tingkat Kematangan Peta Rencana SPBE {IPPD}"),
    (13, 2, "Tingkat Kematangan Keterpaduan Rencana dan Anggaran SPBE"),
    (14, 2, "Tingkat Kematangan Inovasi Proses Bisnis SPBE"),
    (15, 3, "Tingkat Kematangan Pembangunan Aplikasi SPBE"),
    (16, 3, "Tingkat Kematangan Layanan Pusat Data"),
    (17, 3, f"Tingkat Kematangan Layanan Jaringan Intra {IPPD}"),
    (18, 3, f"Tingkat Kematangan Penggunaan Sistem Penghubung Layanan {IPPD}"),
    (19, 4, f"Tingkat Kematangan Pelaksanaan Tim Koordinasi SPBE {IPPD}"),
    (20, 4, "Tingkat Kematangan Kolaborasi Penerapan SPBE"),
    (21, 5, "Tingkat Kematangan Penerapan Manajemen Risiko SPBE"),
    (22, 5, "Tingkat Kematangan Penerapan Manajemen Keamanan Informasi"),
    (23, 5, "Tingkat Kematangan Penerapan Manajemen Data"),
    (24, 5, "Tingkat Kematangan Penerapan Manajemen Aset TIK"),
    (25, 5, "Tingkat Kematangan Penerapan Kompetensi Sumber Daya Manusia"),
    (26, 5, "Tingkat Kematangan Penerapan Manajemen Pengetahuan"),
    (27, 5, "Tingkat Kematangan Penerapan Manajemen Perubahan"),
    (28, 5, "Tingkat Kematangan Penerapan Manajemen Layanan SPBE"),
    (29, 6, "Tingkat Kematangan Pelaksanaan Audit Infrastruktur SPBE"),
    (30, 6, "Tingkat Kematangan Pelaksanaan Audit Aplikasi SPBE"),
    (31, 6, "Tingkat Kematangan Pelaksanaan Audit Keamanan SPBE"),
    (32, 7, "Tingkat Kematangan Layanan Perencanaan"),
    (33, 7, "Tingkat Kematangan Layanan Penganggaran"),
    (34, 7, "Tingkat Kematangan Layanan Keuangan"),
    (35, 7, "Tingkat Kematangan Layanan Pengadaan Barang dan Jasa"),
    (36, 7, "Tingkat Kematangan Layanan Kepegawaian"),
    (37, 7, "Tingkat Kematangan Layanan Kearsipan Dinamis"),
    (38, 7, "Tingkat Kematangan Layanan Pengelolaan Barang Milik Negara/Daerah"),
    (39, 7, "Tingkat Kematangan Layanan Pengawasan Internal Pemerintah"),
    (40, 7, "Tingkat Kematangan Layanan Akuntabilitas Kinerja Organisasi"),
    (41, 7, "Tingkat Kematangan Layanan Kinerja Pegawai"),
    (42, 8, "Tingkat Kematangan Layanan Pengaduan Pelayanan Publik"),
    (43, 8, "Tingkat Kematangan Layanan Data Terbuka"),
    (44, 8, "Tingkat Kematangan Jaringan Dokumentasi dan Informasi Hukum (JDIH)"),
    (45, 8, "Tingkat Kematangan Layanan Publik Sektor 1"),
    (46, 8, "Tingkat Kematangan Layanan Publik Sektor 2"),
    (47, 8, "Tingkat Kematangan Layanan Publik Sektor 3"),
)

# A few level criteria typed from the indicator sheets, to check the pack's descriptors are the annex's.
LEVEL_SAMPLES = {
    (1, 1): "Konsep kebijakan internal terkait Arsitektur SPBE Instansi Pusat/Pemerintah Daerah belum atau "
    "telah tersedia.",
    (19, 2): "Kriteria tingkat 1 telah terpenuhi dan tugas/program kerja Tim Koordinasi SPBE Instansi "
    "Pusat/Pemerintah Daerah telah dilaksanakan sesuai perencanaan. Kondisi: tugas/program kerja Tim "
    "Koordinasi SPBE Instansi Pusat/Pemerintah Daerah tidak/belum dilaksanakan seluruhnya.",
    (32, 1): "Layanan Perencanan Berbasis Elektronik hanya memberikan layanan informasi terkait perencanaan "
    "kegiatan pemerintah.",
    (45, 1): "Layanan Publik Sektoral Berbasis Elektronik hanya memberikan layanan informasi terkait Publik "
    "Sektoral kegiatan pemerintah.",
}

# Names of pack version 2020.1 that differ from the annex.
CHANGED_FROM_2020_1 = (1, 2, 6, 7, 9, 10, 11, 12, 17, 18, 19, *range(21, 32), 38, 44, 45, 46, 47)

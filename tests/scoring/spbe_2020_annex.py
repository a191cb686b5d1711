"""Indicator names and aspect grouping of the SPBE evaluation, PermenPANRB 59/2020 (Lampiran), as transcribed.

Provenance, stated plainly: the annex PDF itself could not be read here.  The structure (4 domains, 8
aspects, 47 indicators; 10/4/4/2/8/3/10/6 indicators per aspect) is from KemenPANRB's own presentation
"Sekilas Peraturan Menteri PANRB No. 59 Tahun 2020" (Perwita Sari, KemenPANRB, 19-20 November 2020,
id.scribd.com/document/501484908).  The names are transcribed from independent public copies of the
annex's per-indicator sheets ("INDIKATOR n: Tingkat Kematangan ...", with the annex's explanation,
assessment and evidence text) in SPBE self-assessment applications on GitHub: lembanoyoga/spbe
(application/views/domain_*), fadilai/spbe (resources/views/spbe/domain_spbe/domain.blade.php),
kakaalma27/project-dela (resources/views/user/DataEvidence/indikator.blade.php) and three Laravel
seeders that copy the sheets' text (repositories not identified by the code index).  Where those
copies disagree, ``DISPUTED`` says which reading was kept and why; everything else is the same in every
copy that carries the full sheet.  So: verified against several transcriptions of the annex, not
against the annex itself.
"""

from __future__ import annotations

# (domain code, domain name)
DOMAINS = (
    ("kebijakan_internal", "Kebijakan Internal SPBE"),
    ("tata_kelola", "Tata Kelola SPBE"),
    ("manajemen", "Manajemen SPBE"),
    ("layanan", "Layanan SPBE"),
)

# (aspect number, domain code, aspect name)
ASPECTS = (
    (1, "kebijakan_internal", "Kebijakan Internal terkait Tata Kelola SPBE"),
    (2, "tata_kelola", "Perencanaan Strategis SPBE"),
    (3, "tata_kelola", "Teknologi Informasi dan Komunikasi"),
    (4, "tata_kelola", "Penyelenggara SPBE"),
    (5, "manajemen", "Penerapan Manajemen SPBE"),
    (6, "manajemen", "Audit TIK"),
    (7, "layanan", "Layanan Administrasi Pemerintahan Berbasis Elektronik"),
    (8, "layanan", "Layanan Publik Berbasis Elektronik"),
)

IPPD = "Instansi Pusat/Pemerintah Daerah"

# (indicator number, aspect number, name)
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
    (19, 4, f"Tingkat Kematangan Tim Koordinasi SPBE {IPPD}"),
    (20, 4, "Tingkat Kematangan Kolaborasi Penerapan SPBE"),
    (21, 5, "Tingkat Kematangan Penerapan Manajemen Risiko SPBE"),
    (22, 5, "Tingkat Kematangan Penerapan Manajemen Keamanan Informasi"),
    (23, 5, "Tingkat Kematangan Penerapan Manajemen Data"),
    (24, 5, "Tingkat Kematangan Penerapan Manajemen Aset TIK"),
    (25, 5, "Tingkat Kematangan Kompetensi Sumber Daya Manusia"),
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
    (44, 8, "Tingkat Kematangan Layanan Jaringan Dokumentasi dan Informasi Hukum (JDIH)"),
    (45, 8, "Tingkat Kematangan Layanan Publik Sektoral 1"),
    (46, 8, "Tingkat Kematangan Layanan Publik Sektoral 2"),
    (47, 8, "Tingkat Kematangan Layanan Publik Sektoral 3"),
)

# Readings on which the transcriptions differ; the kept one is in INDICATORS / ASPECTS / DOMAINS.
DISPUTED = {
    "domain 1": "'Kebijakan Internal SPBE' (KemenPANRB presentation, one seeder) vs 'Kebijakan SPBE' (three "
    "applications' headings); kept the presentation's.",
    "aspect 1": "'Kebijakan Internal terkait Tata Kelola SPBE' in every 2020 transcription; 'Kebijakan Internal "
    "Tata Kelola SPBE' is the PermenPANRB 5/2018 aspect.",
    13: "'Keterpaduan Rencana dan Anggaran SPBE' (sheet copies; the sheet's assessment text says 'Keterpaduan "
    "Rencana dan Anggaran SPBE') vs 'Rencana dan Anggaran SPBE' (two seeders).",
    25: "'Kompetensi Sumber Daya Manusia' (sheet headers in three copies) vs 'Penerapan Kompetensi Sumber Daya "
    "Manusia' (navigation labels and short lists).",
    39: "'Layanan Pengawasan Internal Pemerintah' (three copies) vs 'Layanan Pengawasan Internal terkait "
    "Pemerintah' (one).",
    45: "'Layanan Publik Sektoral 1/2/3' (sheet headers in three copies) vs 'Layanan Publik Sektor 1/2/3' "
    "(navigation labels, short lists).",
}

# The 25 names of pack version 2020.1 that differ from the transcription (the count).
CHANGED_FROM_2020_1 = (1, 2, 6, 7, 9, 10, 11, 12, 17, 18, 19, *range(21, 25), *range(26, 32), 38, 45, 46, 47)

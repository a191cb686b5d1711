"""The evaluation worksheet's layout: sheet names, columns (what people see and what the import reads),
and the texts both directions compare."""

from __future__ import annotations

from openpyxl.styles import Font, PatternFill

from kotacerdas.core.provenance import DEMO_SHEET
from kotacerdas.scoring.packs import Node, Pack

HEADER_FILL = PatternFill("solid", fgColor="DCE6F0")
LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
INPUT_FILL = PatternFill("solid", fgColor="FFFBE6")
GROUP_FILL = PatternFill("solid", fgColor="E8EEF5")
DIMENSION_FILL = PatternFill("solid", fgColor="C9DAEC")
BOLD = Font(bold=True)
META_SHEET = "Petunjuk"
SUMMARY_SHEET = "Ringkasan"
PROGRAMME_SHEET = "Program"
# Column order of a dimension sheet; the header text is what people see (and what the import finds the
# columns by), the key what the import reads.
COLUMNS: list[tuple[str, str, int]] = [
    ("code", "Kode indikator", 30),
    ("name", "Indikator", 44),
    ("weight", "Bobot (% indeks)", 10),
    ("level", "Tingkat", 9),
    ("levels", "Deskripsi tingkat (rujukan)", 60),
    ("justification", "Penjelasan / catatan", 44),
    ("programme", "Program terkait (kode)", 18),
    ("evidence", "Bukti dukung (satu tautan per baris)", 40),
    ("version", "Versi", 7),
    ("value", "Nilai (rumus)", 11),
]
COL = {key: i + 1 for i, (key, _h, _w) in enumerate(COLUMNS)}
TITLES = {key: title for key, title, _w in COLUMNS}
EDITABLE = ("level", "justification", "programme", "evidence")
REQUIRED = ("code", "level", "justification", "programme", "evidence", "version")
READ_ONLY_REFERENCE = ("name", "weight", "levels")  # checked when the file has them (older files do not)
RULE_TEXT = {
    "weighted_mean": "Rata-rata berbobot dari baris di bawahnya",
    "mean": "Rata-rata dari baris di bawahnya",
    "max": "Nilai tertinggi dari baris di bawahnya",
    "min": "Nilai terendah dari baris di bawahnya",
}
RESERVED = (META_SHEET, SUMMARY_SHEET, PROGRAMME_SHEET, DEMO_SHEET)



def sheet_title(name: str, used: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique.
    clean = "".join(c for c in name if c not in "[]:*?/\\")[:31] or "Dimensi"
    title, n = clean, 2
    while title.lower() in used:
        title = f"{clean[:28]} {n}"
        n += 1
    used.add(title.lower())
    return title


def dimension_titles(pack: Pack) -> dict[str, Node]:
    """Sheet title -> dimension, the same on export and import."""
    used = {t.lower() for t in RESERVED}
    return {sheet_title(dim.name, used): dim for dim in pack.dimensions}


def levels_text(node: Node) -> str:
    return "\n".join(f"{lvl}: {text}" for lvl, text in node.levels)


def same_text(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return "\n".join(line.strip() for line in s.replace("\r\n", "\n").replace("\r", "\n").split("\n")).strip()
    return norm(a) == norm(b)


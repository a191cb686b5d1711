"""Excel interchange: the evaluation worksheet of a region (export and validated import), the national
ranking and the raw data of a cycle.

The worksheet has one sheet per dimension with one row per indicator. Importing it back is
all-or-nothing: every row is checked first and errors name the sheet, row and column; only when the
whole file is clean are the changed rows saved, each through `evaluations.actions.do_save_answer` so
permissions, locking, stale-edit detection and the audit trail apply exactly as in the web form.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from kotacerdas.catalogue.models import Programme
from kotacerdas.core.errors import ActionError
from kotacerdas.core.provenance import built_from_demo, mark_workbook, region_label
from kotacerdas.core.sheets import cell_text as _text
from kotacerdas.evaluations import actions, queries
from kotacerdas.evaluations.choices import EvidenceKind
from kotacerdas.evaluations.models import Answer, Cycle, Evidence, Result, Submission
from kotacerdas.lib.cells import append as put_row
from kotacerdas.lib.cells import workbook_bytes

HEADER_FILL = PatternFill("solid", fgColor="DCE6F0")
LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
BOLD = Font(bold=True)
META_SHEET = "Petunjuk"
# Column order of a dimension sheet; the header text is what people see, the key what import reads.
COLUMNS: list[tuple[str, str, int]] = [
    ("code", "Kode indikator", 34),
    ("name", "Indikator", 48),
    ("level", "Tingkat", 9),
    ("justification", "Penjelasan / catatan", 50),
    ("programme", "Program terkait (kode)", 18),
    ("evidence", "Bukti dukung (satu tautan per baris)", 50),
    ("version", "Versi", 7),
    ("levels", "Deskripsi tingkat (rujukan)", 60),
]
COL = {key: i + 1 for i, (key, _h, _w) in enumerate(COLUMNS)}
EDITABLE = {"level", "justification", "programme", "evidence"}


def _sheet_title(name: str, used: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique.
    clean = "".join(c for c in name if c not in "[]:*?/\\")[:31] or "Dimensi"
    title, n = clean, 2
    while title.lower() in used:
        title = f"{clean[:28]} {n}"
        n += 1
    used.add(title.lower())
    return title


def _to_bytes(wb: Workbook) -> bytes:
    return workbook_bytes(wb)  # no text becomes a formula (lib/cells)


def _header(ws: Worksheet, headers: list[str], widths: list[int] | None = None) -> None:
    put_row(ws, headers)
    for i, _h in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        if widths:
            ws.column_dimensions[get_column_letter(i)].width = widths[i - 1]
    ws.freeze_panes = "A2"


# --- the evaluation worksheet ------------------------------------------------------------------------

def export_worksheet(submission: Submission) -> bytes:
    cycle = submission.cycle
    pack = queries.cycle_pack(cycle)
    answers = {a.indicator: a for a in Answer.objects.filter(submission=submission).select_related("programme")}
    evidence: dict[str, list[str]] = {}
    for e in Evidence.objects.filter(submission=submission, archived_at__isnull=True).order_by("id"):
        line = e.url if e.kind != EvidenceKind.FILE else f"[berkas] {e.original_name} ({e.sha256[:12]})"
        evidence.setdefault(e.indicator, []).append(line)

    wb = Workbook()
    meta = wb.active
    meta.title = META_SHEET
    rows = [
        ("Lembar kerja evaluasi Smart City", ""),
        ("Wilayah", f"{submission.region_id} {region_label(submission.region)}"),
        ("Tahun", cycle.year),
        ("Tahap", submission.get_stage_display()),
        ("Status", submission.get_status_display()),
        ("Paket rubrik", f"{pack.code}@{pack.version}"),
        ("ID pengajuan", submission.pk),
        ("Diekspor", timezone.localtime().strftime("%d-%m-%Y %H:%M")),
        ("Skala tingkat", f"{pack.scale_min}–{pack.scale_max}"),
        ("", ""),
        ("Cara mengisi", "Isi kolom Tingkat, Penjelasan, Program terkait dan tautan Bukti dukung pada tiap lembar "
                         "dimensi. Jangan ubah Kode indikator dan Versi. Unggah kembali berkas ini: semua baris "
                         "diperiksa dulu; bila ada satu kesalahan, tidak ada yang disimpan."),
        ("", "Berkas bukti (PDF, gambar) diunggah lewat aplikasi; di sini hanya tercantum namanya."),
    ]
    for row in rows:
        put_row(meta, list(row))
    meta["A1"].font = Font(bold=True, size=13)
    meta.column_dimensions["A"].width = 18
    meta.column_dimensions["B"].width = 100
    for r in range(2, 12):
        meta.cell(row=r, column=1).font = BOLD
    meta["B11"].alignment = Alignment(wrap_text=True, vertical="top")

    used = {META_SHEET.lower()}
    if built_from_demo(submission.region, cycle):
        mark_workbook(wb)
    for dim in pack.dimensions:
        ws = wb.create_sheet(_sheet_title(dim.name, used))
        _header(ws, [h for _k, h, _w in COLUMNS], [w for _k, _h, w in COLUMNS])
        validation = DataValidation(type="whole", operator="between", formula1=str(pack.scale_min),
                                    formula2=str(pack.scale_max), allow_blank=True, showErrorMessage=True,
                                    errorTitle="Tingkat", error=f"Tingkat {pack.scale_min}–{pack.scale_max}")
        ws.add_data_validation(validation)
        for ind in dim.indicators():
            a = answers.get(ind.code)
            put_row(ws, [
                ind.code, ind.name, a.level if a else None, a.justification if a else "",
                a.programme.code if a and a.programme else "", "\n".join(evidence.get(ind.code, [])),
                a.version if a else 0,
                "\n".join(f"{lvl}: {text}" for lvl, text in ind.levels),
            ])
            r = ws.max_row
            validation.add(f"{get_column_letter(COL['level'])}{r}")
            for key in ("code", "name", "version", "levels"):
                ws.cell(row=r, column=COL[key]).fill = LOCKED_FILL
            for key in ("name", "justification", "evidence", "levels"):
                ws.cell(row=r, column=COL[key]).alignment = Alignment(wrap_text=True, vertical="top")
        ws.auto_filter.ref = ws.dimensions
    return _to_bytes(wb)


@dataclass
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.sheet}!{self.column}{self.row}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportReport:
    """What an import did (or would have done): rows read, answers changed, links added, errors."""

    rows: int = 0
    changed: int = 0
    unchanged: int = 0
    links_added: int = 0
    errors: list[RowError] = field(default_factory=list)
    # What changed (or would change in a dry run), row by row: {"row", "code", "title", "action", "fields"}.
    changes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "rows": self.rows, "changed": self.changed, "unchanged": self.unchanged,
                "links_added": self.links_added, "errors": [e.to_dict() for e in self.errors],
                "changes": self.changes}


class ImportFailed(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__("; ".join(str(e) for e in report.errors[:5]))
        self.report = report


@dataclass
class _Row:
    sheet: str
    row: int
    code: str
    level: int | None
    justification: str
    programme: Programme | None
    links: list[str]
    version: int


def _letter(key: str) -> str:
    return get_column_letter(COL[key])


def _read_rows(wb: Any, submission: Submission, report: ImportReport) -> list[_Row]:
    pack = queries.cycle_pack(submission.cycle)
    programmes = {p.code: p for p in Programme.objects.filter(region_id=submission.region_id)}
    dims_by_title: dict[str, Any] = {}
    used = {META_SHEET.lower()}
    for dim in pack.dimensions:
        dims_by_title[_sheet_title(dim.name, used)] = dim
    meta = wb[META_SHEET] if META_SHEET in wb.sheetnames else None
    if meta is not None:
        sub_id = meta["B7"].value
        if sub_id not in (None, "") and str(sub_id) != str(submission.pk):
            report.errors.append(RowError(META_SHEET, 7, "B", _(
                "Berkas ini milik pengajuan %(file)s, bukan %(submission)s (%(region)s %(year)s)") % {
                "file": sub_id, "submission": submission.pk, "region": submission.region_id,
                "year": submission.cycle.year}))
    missing = [t for t in dims_by_title if t not in wb.sheetnames]
    if missing:
        report.errors.append(RowError(missing[0], 1, "A", _("Lembar dimensi tidak ada: %(sheets)s")
                                      % {"sheets": ", ".join(missing)}))
    seen: dict[str, tuple[str, int]] = {}
    out: list[_Row] = []
    for title, dim in dims_by_title.items():
        if title not in wb.sheetnames:
            continue
        ws = wb[title]
        header = [_text(c.value) for c in ws[1]]
        expected = [h for _k, h, _w in COLUMNS]
        if header[: len(expected)] != expected:
            report.errors.append(RowError(title, 1, "A", _("Judul kolom berubah; pakai berkas hasil ekspor")))
            continue
        codes = {n.code for n in dim.indicators()}
        for r, values in enumerate(ws.iter_rows(min_row=2, max_col=len(COLUMNS), values_only=True), start=2):
            cells = dict(zip([k for k, _h, _w in COLUMNS], values, strict=False))
            code = _text(cells.get("code"))
            if not code and not any(_text(cells.get(k)) for k in EDITABLE):
                continue
            report.rows += 1

            def err(key: str, message: str, r: int = r, title: str = title) -> None:
                report.errors.append(RowError(title, r, _letter(key), message))

            if code not in codes:
                err("code", _("Kode indikator %(code)r tidak ada pada dimensi %(dimension)s")
                    % {"code": code, "dimension": dim.name})
                continue
            if code in seen:
                err("code", _("Indikator %(code)s ganda (juga di %(sheet)s baris %(row)s)")
                    % {"code": code, "sheet": seen[code][0], "row": seen[code][1]})
                continue
            seen[code] = (title, r)
            raw_level = cells.get("level")
            level: int | None = None
            if _text(raw_level) != "":
                try:
                    as_float = float(str(raw_level).replace(",", "."))
                except ValueError:
                    err("level", _("Tingkat %(value)r bukan angka") % {"value": raw_level})
                    continue
                if not as_float.is_integer():
                    err("level", _("Tingkat %(value)r harus bilangan bulat") % {"value": raw_level})
                    continue
                level = int(as_float)
                if not pack.scale_min <= level <= pack.scale_max:
                    err("level", _("Tingkat %(level)s di luar skala %(min)s–%(max)s")
                        % {"level": level, "min": pack.scale_min, "max": pack.scale_max})
                    continue
            programme = None
            pcode = _text(cells.get("programme"))
            if pcode:
                programme = programmes.get(pcode)
                if programme is None:
                    err("programme", _("Program %(code)r tidak ada di katalog wilayah ini") % {"code": pcode})
                    continue
            links = []
            for line in _text(cells.get("evidence")).splitlines():
                line = line.strip()
                if not line or line.startswith("[berkas]"):
                    continue
                if not line.startswith(("http://", "https://")):
                    err("evidence", _("Tautan bukti harus diawali http:// atau https:// (%(value)r)") % {"value": line[:40]})
                    break
                links.append(line)
            raw_version = cells.get("version")
            try:
                version = int(float(_text(raw_version))) if _text(raw_version) else 0
            except (TypeError, ValueError):
                err("version", _("Versi %(value)r bukan bilangan bulat") % {"value": raw_version})
                continue
            out.append(_Row(title, r, code, level, _text(cells.get("justification")), programme, links, version))
    return out


def import_worksheet(actor: Any, submission: Submission, source: bytes | IO[bytes], *,
                     dry_run: bool = False) -> ImportReport:
    """Validate the whole workbook, then save every changed row through `do_save_answer` in one
    transaction. Raises `ImportFailed` (nothing saved) when any row is wrong."""
    report = ImportReport()
    try:
        wb = load_workbook(io.BytesIO(source) if isinstance(source, bytes) else source, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a non-workbook
        report.errors.append(RowError("-", 0, "-", _("Bukan berkas Excel (.xlsx) yang bisa dibaca: %(error)s") % {"error": exc}))
        raise ImportFailed(report) from exc
    rows = _read_rows(wb, submission, report)
    if report.errors:
        raise ImportFailed(report)
    answers = {a.indicator: a for a in Answer.objects.filter(submission=submission).select_related("programme")}
    names = {n.code: n.name for n in queries.cycle_pack(submission.cycle).indicators()}
    existing_links = set(Evidence.objects.filter(submission=submission, archived_at__isnull=True)
                         .exclude(url="").values_list("indicator", "url"))
    try:
        with transaction.atomic():
            for row in rows:
                current = answers.get(row.code)
                same = (current is not None and current.level == row.level
                        and current.justification == row.justification
                        and current.programme_id == (row.programme.pk if row.programme else None)) or (
                    current is None and row.level is None and not row.justification and row.programme is None)
                new_links = [u for u in row.links if (row.code, u) not in existing_links]
                if same and not new_links:
                    report.unchanged += 1
                    continue
                change: dict[str, Any] = {}
                if not same:
                    old_level = current.level if current is not None else None
                    old_text = current.justification if current is not None else ""
                    old_prog = current.programme_id if current is not None else None
                    if old_level != row.level:
                        change["level"] = [old_level, row.level]
                    if old_text != row.justification:
                        change["justification"] = [old_text, row.justification]
                    if old_prog != (row.programme.pk if row.programme else None):
                        change["programme"] = [str(current.programme) if current and current.programme_id else None,
                                               str(row.programme) if row.programme else None]
                if new_links:
                    change["links"] = [None, new_links]
                report.changes.append({"row": row.row, "sheet": row.sheet, "code": row.code,
                                       "title": names.get(row.code, row.code),
                                       "action": "create" if current is None else "update", "fields": change})
                try:
                    if not same:
                        actions.do_save_answer(actor, submission, row.code, row.level, row.justification,
                                               expected_version=row.version, programme=row.programme)
                        report.changed += 1
                    for url in new_links:
                        actions.do_add_evidence_link(actor, submission, row.code, url,
                                                     description="Impor lembar kerja")
                        existing_links.add((row.code, url))
                        report.links_added += 1
                except ActionError as exc:
                    field_name = str(exc.context.get("field", "level"))
                    column = field_name if field_name in COL else ("evidence" if "url" in field_name else "level")
                    report.errors.append(RowError(row.sheet, row.row, _letter(column), exc.message))
                    raise ImportFailed(report) from exc
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


class _DryRun(Exception):
    pass


# --- national ranking and raw data ---------------------------------------------------------------------

def _result_rows(cycle: Cycle, published_only: bool) -> list[Result]:
    qs = Result.objects.filter(cycle=cycle).select_related("region", "region__parent").defer("trace")
    if published_only:
        qs = qs.filter(is_published=True)
    return sorted(qs, key=lambda r: (r.rank is None, r.rank or 0, r.region_id))


def export_ranking(cycle: Cycle, *, published_only: bool = True) -> bytes:
    pack = queries.cycle_pack(cycle)
    classes = dict(cycle.participants.values_list("region_id", "region_class"))
    wb = Workbook()
    ws = wb.active
    ws.title = "Peringkat"
    dims = [d for d in pack.dimensions]
    headers = ["Peringkat", "Kode", "Kabupaten/Kota", "Provinsi", "Kelas", "Indeks", "Predikat", "Peningkatan",
               *[d.name for d in dims], *[p.name for p in pack.pillars], "Diterbitkan"]
    _header(ws, headers, [10, 9, 32, 26, 7, 9, 14, 12, *[12] * len(dims), *[14] * len(pack.pillars), 12])
    for r in _result_rows(cycle, published_only):
        put_row(ws, [
            r.rank, r.region_id, r.display_name, r.region.parent.name if r.region.parent else "",
            classes.get(r.region_id, ""), float(r.index), r.published_predicate.label or "",
            float(r.improvement) if r.improvement is not None else None,
            *[r.dimensions.get(d.code) for d in dims], *[(r.pillars or {}).get(p.code) for p in pack.pillars],
            "ya" if r.is_published else "belum",
        ])
    for row in ws.iter_rows(min_row=2, min_col=6, max_col=8 + len(dims) + len(pack.pillars)):
        for cell in row:
            cell.number_format = "0.00"
    ws.auto_filter.ref = ws.dimensions
    if cycle.is_demo:
        mark_workbook(wb)
    return _to_bytes(wb)


def export_raw(cycle: Cycle) -> bytes:
    """Everything behind a cycle's results, for analysts: results with exact values, submissions,
    every answer and the consensus/assessor levels (national-admin data)."""
    from kotacerdas.evaluations.models import AssessmentScore, ConsensusScore

    wb = Workbook()
    ws = wb.active
    ws.title = "Hasil"
    _header(ws, ["Kode", "Wilayah", "Indeks", "Indeks (tanpa pembulatan)", "Rata-rata", "Predikat", "Peringkat",
                 "Indeks tahun lalu", "Peningkatan", "Dimensi (JSON)", "Pilar (JSON)", "Paket", "Sidik paket",
                 "Dihitung", "Diterbitkan"])
    import json

    for r in _result_rows(cycle, published_only=False):
        put_row(ws, [r.region_id, r.display_name, float(r.index), r.index_raw,
                   float(r.mean) if r.mean is not None else None, r.published_predicate.label or "", r.rank,
                   float(r.previous_index) if r.previous_index is not None else None,
                   float(r.improvement) if r.improvement is not None else None,
                   json.dumps(r.dimensions, ensure_ascii=False), json.dumps(r.pillars, ensure_ascii=False),
                   f"{r.pack_code}@{r.pack_version}", r.pack_digest,
                   timezone.localtime(r.computed_at).strftime("%Y-%m-%d %H:%M"), r.is_published])
    subs = wb.create_sheet("Pengajuan")
    _header(subs, ["ID", "Kode", "Tahap", "Status", "Dikirim", "Versi"])
    for s in Submission.objects.filter(cycle=cycle).order_by("region_id", "stage"):
        put_row(subs, [s.pk, s.region_id, s.stage, s.status,
                     timezone.localtime(s.submitted_at).strftime("%Y-%m-%d %H:%M") if s.submitted_at else None,
                     s.version])
    ans = wb.create_sheet("Jawaban")
    _header(ans, ["ID pengajuan", "Kode", "Tahap", "Indikator", "Tingkat", "Skor diberikan", "Penjelasan"])
    for a in (Answer.objects.active().filter(submission__cycle=cycle).select_related("submission")
              .order_by("submission__region_id", "submission__stage", "indicator").iterator(chunk_size=2000)):
        put_row(ans, [a.submission_id, a.submission.region_id, a.submission.stage, a.indicator, a.level,
                    float(a.given_score) if a.given_score is not None else None, a.justification])
    sc = wb.create_sheet("Skor asesor")
    _header(sc, ["ID pengajuan", "Kode", "Asesor", "Indikator", "Tingkat"])
    for s in (AssessmentScore.objects.active().filter(assessment__submission__cycle=cycle)
              .select_related("assessment__submission").order_by("assessment__submission__region_id",
                                                                 "assessment__assessor_id", "indicator")
              .iterator(chunk_size=2000)):
        put_row(sc, [s.assessment.submission_id, s.assessment.submission.region_id, s.assessment.assessor_id,
                   s.indicator, s.level])
    cs = wb.create_sheet("Konsensus")
    _header(cs, ["ID pengajuan", "Kode", "Indikator", "Tingkat"])
    for c in ConsensusScore.objects.active().filter(submission__cycle=cycle).select_related("submission").order_by(
            "submission__region_id", "indicator"):
        put_row(cs, [c.submission_id, c.submission.region_id, c.indicator, c.level])
    if cycle.is_demo:
        mark_workbook(wb)
    return _to_bytes(wb)


def export_worksheet_for(region_code: str, cycle: Cycle) -> bytes:
    sub = queries.stage_submission(cycle, region_code)
    if sub is None:
        raise LookupError(f"Wilayah {region_code} tidak punya pengajuan pada siklus {cycle.year}")
    return export_worksheet(sub)

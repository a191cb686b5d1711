"""The KPI upload pages, in three steps: choose a file (CSV/Excel) → map its columns and choose how it
writes numbers (pre-selected from its header titles and its cells) → preview (every row checked, the
counts of new/changed/unchanged rows, nothing written) → apply. The import runs while you wait (small
files) or in the background with a progress bar (large files). A template file (xlsx, csv) shows
the expected columns with an example row."""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kotacerdas.accounts.types import AuthenticatedHttpRequest
from kotacerdas.core.errors import ActionError
from kotacerdas.core.files import field_path
from kotacerdas.core.models import JobStatus
from kotacerdas.lib import cells, formatting
from kotacerdas.regions.models import Region

from . import actions, queries
from .choices import Frequency, KpiUnit, NumberFormat
from .importer import CANONICAL, localised_job_message, localised_message, sketch_file
from .models import IngestJob, Kpi

# What each column of the file is, in the order of the form; required ones marked.
FIELDS = (
    ("programme", gettext_lazy("Program"), gettext_lazy("kode atau nama program; kosong bila berkas untuk satu program")),
    ("kpi", gettext_lazy("KPI"), gettext_lazy("kode atau nama KPI")),
    ("period", gettext_lazy("Periode"), gettext_lazy("bulan 2024-03, triwulan 2024-Q1 atau tahun 2024")),
    ("region", gettext_lazy("Wilayah"), gettext_lazy("kode kabupaten, kecamatan atau desa; kosong = kabupaten")),
    ("value", gettext_lazy("Nilai"), gettext_lazy("angka")),
    ("target", gettext_lazy("Target"), gettext_lazy("angka, opsional")),
)
REQUIRED = ("kpi", "period", "value")
# The template's header row: titles the importer recognises by themselves.
TEMPLATE_HEADER = ("Program", "Kode KPI", "Periode", "Kode Wilayah", "Nilai", "Target")


def _region_for(request: AuthenticatedHttpRequest, code: str) -> tuple[Region, list[Any]]:
    region = get_object_or_404(Region.objects.without_geometry(), code=code, level="kabkota")
    programmes = actions.editable_programmes(request.user, region)
    if not programmes:
        raise Http404(code)  # neither coordinator, operator of a unit here, nor admin
    return region, programmes


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    region, programmes = _region_for(request, code)
    error, form = "", request.POST
    if request.method == "POST":
        upload_file = request.FILES.get("file")
        chosen = next((p for p in programmes if p.code == request.POST.get("programme")), None)
        if upload_file is None:
            error = _("Pilih berkas CSV atau Excel")
        else:
            year = request.POST.get("year", "").strip()
            try:
                job = actions.do_upload_kpi_file(
                    request.user, region=region, upload=upload_file, name=upload_file.name or "upload.csv",
                    programme=chosen, encoding=request.POST.get("encoding", "").strip(),
                    year=int(year) if year.isdigit() else None)
                return redirect("monitoring:columns", code=region.code, job_id=job.pk)
            except ActionError as exc:
                error = exc.message
    return render(request, "monitoring/upload.html", {"region": region, "programmes": programmes,
                                                      "error": error, "form": form})


def _own_job(request: HttpRequest, code: str, job_id: int) -> IngestJob:
    job = IngestJob.objects.select_related("job", "region", "programme").filter(pk=job_id, region_id=code).first()
    if job is None or job.created_by_id != request.user.pk:
        raise Http404(str(job_id))
    return job


@login_required
@require_http_methods(["GET", "POST"])
def columns(request: AuthenticatedHttpRequest, code: str, job_id: int) -> HttpResponse:
    """Step 2: which column is which, and how the file writes numbers."""
    _region_for(request, code)
    job = _own_job(request, code, job_id)
    if not (job.job_id is None or (job.dry_run and job.finished and not (job.report or {}).get("applied_as"))):
        return redirect("monitoring:job", code=code, job_id=job.pk)
    posted = request.method == "POST"
    mapping = {c: request.POST.get(f"col-{c}", "") for c in CANONICAL} if posted else (job.mapping or None)
    with field_path(job.file) as local:  # a temporary copy when the file is in object storage
        sketch = sketch_file(local, file_format=job.file_format, encoding=job.encoding or None, mapping=mapping)
    decimal = request.POST.get("decimal", "") if posted else (job.decimal or sketch.guess.decimal)
    if not posted and not decimal and not sketch.guess.must_choose:
        decimal = NumberFormat.INDONESIAN  # nothing in the file depends on it: the default notation
    if mapping is None:
        mapping = {c: sketch.headers[i] for c, i in sketch.columns.items()}
    errors: list[str] = []
    if posted and not sketch.error:
        labels = {c: str(label) for c, label, _help in FIELDS}
        errors += [_("Pilih kolom untuk %(field)s") % {"field": labels[c]} for c in REQUIRED if not mapping.get(c)]
        if job.programme is None and not mapping.get("programme"):
            errors.append(_("Pilih kolom Program, atau kembali dan pilih satu program untuk seluruh berkas"))
        chosen = [h for h in mapping.values() if h]
        errors += [_("Kolom %(name)s dipilih lebih dari sekali") % {"name": h}
                   for h in sorted({h for h in chosen if chosen.count(h) > 1})]
        if unknown := [h for h in chosen if h not in sketch.headers]:
            errors.append(_("Kolom tidak ada di berkas: %(names)s") % {"names": ", ".join(unknown)})
        if decimal not in (NumberFormat.INDONESIAN, NumberFormat.ENGLISH):
            errors.append(_needs_choice(sketch.guess.example))
        if not errors:
            try:
                preview = actions.do_preview_kpi_import(request.user, job, mapping=mapping, decimal=decimal)
                return redirect("monitoring:job", code=code, job_id=preview.pk)
            except ActionError as exc:
                errors.append(exc.message)
    return render(request, "monitoring/columns.html", {
        "region": job.region, "job": job, "sketch": sketch, "errors": errors, "decimal": decimal,
        "fields": [{"key": c, "label": label, "help": help_text, "required": c in REQUIRED, "chosen": mapping.get(c, "")}
                   for c, label, help_text in FIELDS],
        "formats": [(NumberFormat.INDONESIAN, NumberFormat.INDONESIAN.label),
                    (NumberFormat.ENGLISH, NumberFormat.ENGLISH.label)],
        "detected": _detected(sketch.guess),
    })


def _needs_choice(example: str) -> str:
    if example:
        return _("Berkas berisi angka seperti %(example)s yang terbaca dua cara (ribuan dalam format Indonesia, "
                 "pecahan dalam format Inggris): pilih format angka berkas") % {"example": example}
    return _("Pilih format angka berkas")


def _detected(guess: Any) -> str:
    """What the form says about the notation it found in the file."""
    if guess.decimal == NumberFormat.INDONESIAN:
        return _("Terdeteksi dari isi berkas: format Indonesia (%(n)d sel menunjukkannya)") % {"n": guess.comma}
    if guess.decimal == NumberFormat.ENGLISH:
        return _("Terdeteksi dari isi berkas: format Inggris (%(n)d sel menunjukkannya)") % {"n": guess.point}
    if guess.must_choose:
        return _needs_choice(guess.example) + (
            " " + _("(berkas memuat kedua format)") if guess.conflict else "")
    return _("Angka di berkas terbaca sama dalam kedua format")


@login_required
@require_POST
def apply(request: AuthenticatedHttpRequest, code: str, job_id: int) -> HttpResponse:
    """Step 4: import the previewed file for real."""
    _region_for(request, code)
    job = _own_job(request, code, job_id)
    try:
        done = actions.do_apply_kpi_import(request.user, job)
    except ActionError as exc:
        return render(request, "monitoring/job.html", {**_job_context(request, job), "error": exc.message},
                      status=409)
    return redirect("monitoring:job", code=code, job_id=done.pk)


def _shown_number(text: str) -> str:
    try:
        d = Decimal(text)
    except (InvalidOperation, ValueError):
        return text
    d = d.normalize()
    return formatting.format_number(d, max(0, -int(d.as_tuple().exponent)), get_language() or "id")


def _job_context(request: HttpRequest, job: IngestJob) -> dict[str, Any]:
    report = job.report or {}
    sample = [{**r, "value": _shown_number(r["value"]), "target": _shown_number(r["target"]) if r["target"] else ""}
              for r in report.get("sample", [])]
    return {"region": job.region, "job": job, "live": queries.ingest_progress(job),
            "row_errors": [{**e, "message": localised_message(e)} for e in (job.errors or [])],
            "job_message": localised_job_message(job.message, job.error_count, job.total_rows),
            "sample": sample, "decimal_label": NumberFormat(job.decimal).label if job.decimal else "",
            "can_apply": (job.dry_run and job.status == JobStatus.DONE and not report.get("applied_as")
                          and job.created_by_id == request.user.pk),
            "can_remap": (job.dry_run and job.finished and not report.get("applied_as")
                          and job.created_by_id == request.user.pk),
            "applied_as": report.get("applied_as")}


@login_required
def job_status(request: HttpRequest, code: str, job_id: int) -> HttpResponse:
    job = IngestJob.objects.select_related("job", "region", "programme").filter(pk=job_id, region_id=code).first()
    if job is None or not queries.can_see_job(request.user, job):
        raise Http404(str(job_id))
    if job.job_id is None and job.created_by_id == request.user.pk:
        return redirect("monitoring:columns", code=code, job_id=job.pk)
    template = "monitoring/_job.html" if request.htmx else "monitoring/job.html"  # type: ignore[attr-defined]
    return render(request, template, _job_context(request, job))


# --- the template file --------------------------------------------------------------------------------

def _example_row(programmes: list[Any]) -> list[Any]:
    """One row a reader can copy: a real programme and KPI of the region, a period in the KPI's form."""
    kpi = Kpi.objects.active().filter(programme__in=programmes).select_related("programme").order_by(
        "programme__code", "order", "code").first()
    if kpi is None:
        return ["kode-program", "kode-kpi", "2024-03", "16.07.01", 1250, ""]
    value = {KpiUnit.PERSEN.value: Decimal("87.5"), KpiUnit.SKOR.value: Decimal("3.25")}.get(str(kpi.unit), 1250)
    period = {Frequency.QUARTERLY.value: "2024-Q1", Frequency.YEARLY.value: "2024"}.get(str(kpi.frequency), "2024-03")
    area = kpi.programme.region_id
    if kpi.area_level != "region":
        sub = Region.objects.without_geometry().filter(parent_id=area).order_by("code").values_list(
            "code", flat=True).first()
        area = sub or area
    return [kpi.programme.code, kpi.code, period, area, value, ""]


@login_required
def template_file(request: AuthenticatedHttpRequest, code: str, fmt: str) -> HttpResponse:
    """The expected columns with an example row: .xlsx (numbers as numbers) or .csv (";"-separated,
    as Indonesian Excel writes it, numbers in Indonesian notation)."""
    region, programmes = _region_for(request, code)
    if fmt not in ("xlsx", "csv"):
        raise Http404(fmt)
    row = _example_row(programmes)
    name = f"templat-nilai-kpi-{region.code}"
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "Nilai KPI"
        ws.append(cells.xlsx_row(TEMPLATE_HEADER))
        ws.append(cells.xlsx_row([*row[:4], float(row[4]), row[5]]))
        for col, width in zip("ABCDEF", (18, 22, 12, 16, 12, 12), strict=True):
            ws.column_dimensions[col].width = width
        response = HttpResponse(cells.workbook_bytes(wb),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
        writer.writerow(cells.row(TEMPLATE_HEADER))
        value = Decimal(row[4]).normalize()
        shown = formatting.format_number(value, max(0, -int(value.as_tuple().exponent)), "id")
        writer.writerow(cells.row([*row[:4], shown, row[5]]))
        response = HttpResponse(("\ufeff" + buf.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response

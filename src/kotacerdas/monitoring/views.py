"""The KPI upload page: choose a file (CSV/Excel), optional programme, encoding and column mapping; the
import runs while you wait (small files) or in the background with a progress bar (large files)."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kotacerdas.core.errors import ActionError
from kotacerdas.regions.models import Region

from . import actions, queries
from .importer import localised_job_message, localised_message
from .models import IngestJob


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, code: str) -> HttpResponse:
    region = get_object_or_404(Region.objects.without_geometry(), code=code, level="kabkota")
    programmes = actions.editable_programmes(request.user, region)
    if not programmes:
        raise Http404(code)  # neither coordinator, operator of a unit here, nor admin
    error, form = "", request.POST
    if request.method == "POST":
        upload_file = request.FILES.get("file")
        chosen = next((p for p in programmes if p.code == request.POST.get("programme")), None)
        try:
            mapping = json.loads(request.POST["mapping"]) if request.POST.get("mapping", "").strip() else {}
            if not isinstance(mapping, dict):
                raise ValueError
        except ValueError:
            error = _('Pemetaan kolom harus JSON, mis. {"kpi": "Indikator", "value": "Nilai"}')
        if not error and upload_file is None:
            error = _("Pilih berkas CSV atau Excel")
        if not error and upload_file is not None:
            year = request.POST.get("year", "").strip()
            try:
                job = actions.do_start_kpi_import(
                    request.user, region=region, upload=upload_file, name=upload_file.name or "upload.csv",
                    programme=chosen, mapping=mapping, encoding=request.POST.get("encoding", "").strip(),
                    year=int(year) if year.isdigit() else None)
                return redirect("monitoring:job", code=region.code, job_id=job.pk)
            except ActionError as exc:
                error = exc.message
    return render(request, "monitoring/upload.html", {"region": region, "programmes": programmes,
                                                      "error": error, "form": form})


@login_required
def job_status(request: HttpRequest, code: str, job_id: int) -> HttpResponse:
    job = IngestJob.objects.select_related("region").filter(pk=job_id, region_id=code).first()
    if job is None or not queries.can_see_job(request.user, job):
        raise Http404(str(job_id))
    template = "monitoring/_job.html" if request.htmx else "monitoring/job.html"  # type: ignore[attr-defined]
    row_errors = [{**e, "message": localised_message(e)} for e in (job.errors or [])]
    return render(request, template, {"region": job.region, "job": job, "live": queries.ingest_progress(job),
                                      "row_errors": row_errors,
                                      "job_message": localised_job_message(job.message, job.error_count,
                                                                           job.total_rows)})

"""The region's report page: pick a year, press "Unduh PDF" or "Unduh Excel", watch the progress bar
(htmx polling) and download the file when the background worker is done."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kotacerdas.accounts.types import AuthenticatedHttpRequest
from kotacerdas.core.errors import ActionError, InvalidInput
from kotacerdas.core.models import Job, JobStatus
from kotacerdas.evaluations.models import Cycle
from kotacerdas.regions.models import Region

from . import actions, webimport
from .models import ReportJob
from .rules import can_report_region, can_request_report


def _region(request: HttpRequest, code: str) -> Region:
    region = Region.objects.filter(code=code, level="kabkota").first()
    if region is None or not can_report_region.test(request.user, region):
        raise Http404(code)
    return region


@login_required
def report_page(request: HttpRequest, code: str) -> HttpResponse:
    region = _region(request, code)
    cycles = list(Cycle.objects.order_by("-year"))
    jobs = list(ReportJob.objects.filter(region=region).select_related("cycle", "job")[:10])
    kinds = [(k, label) for k, label in IMPORT_KINDS()
             if webimport.can_import(request.user, region, k, cycles[0] if cycles and k == "worksheet" else None)]
    imports = list(Job.objects.filter(kind=webimport.JOB_KIND, region_code=region.code, created_by=request.user)
                   .order_by("-created_at")[:5]) if kinds else []
    return render(request, "reports/web/page.html", {"region": region, "cycles": cycles, "jobs": jobs,
                                                      "import_kinds": kinds, "imports": imports,
                                                      "can_request": can_request_report.test(request.user, region)})


@login_required
@require_POST
def report_start(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    region = _region(request, code)
    cycle = Cycle.objects.filter(pk=request.POST.get("cycle") or 0).first()
    if cycle is None:
        raise Http404("cycle")
    try:
        job = actions.do_request_report(request.user, region, cycle, request.POST.get("format", "pdf"),
                                        request.POST.get("language", "id"))
    except ActionError as exc:
        return HttpResponse(exc.message, status=exc.status)
    if getattr(request, "htmx", False):
        return render(request, "reports/web/_job.html", {"job": job, "state": job.state()})
    return redirect("web:reports", code=region.code)


def _job(request: HttpRequest, pk: int) -> ReportJob:
    job = ReportJob.objects.select_related("region", "cycle", "job").filter(pk=pk).first()
    if job is None or not can_report_region.test(request.user, job.region):
        raise Http404(str(pk))
    return job


@login_required
def report_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(request, "reports/web/_job.html", {"job": job, "state": job.state()})


@login_required
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _job(request, pk)
    if job.status != JobStatus.DONE or not job.file:
        raise Http404(str(pk))
    ctype = "application/pdf" if job.format == "pdf" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename, content_type=ctype)


# --- importing the worksheet or the programme catalogue -------------------------------------------------

def _import_job(request: HttpRequest, region: Region, job_id: int) -> Job:
    from kotacerdas.accounts import roles

    job = Job.objects.filter(pk=job_id, kind=webimport.JOB_KIND, region_code=region.code).first()
    if job is None or (job.created_by_id != request.user.pk and not roles.is_national_admin(request.user)):
        raise Http404(str(job_id))
    return job


@login_required
@require_POST
def import_start(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    from django.contrib import messages
    from django.utils.translation import get_language

    region = _region(request, code)
    upload = request.FILES.get("file")
    kind = request.POST.get("kind", "")
    cycle = Cycle.objects.filter(pk=request.POST.get("cycle") or 0).first() if kind == "worksheet" else None
    try:
        if upload is None:
            raise InvalidInput(_("Pilih berkas untuk diimpor"), field="file")
        job = webimport.start(request.user, region, kind, cycle, upload.name or "", upload.read(),
                              language=get_language() or "id")
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("web:reports", args=[region.code]) + "#impor")
    return redirect("web:report_import_job", code=region.code, job_id=job.pk)


def _import_ctx(region: Region, job: Job) -> dict[str, Any]:
    from kotacerdas.core.jobs import live_progress

    state = live_progress(job)
    result = job.result or {}
    applied = None
    if job.params.get("dry_run"):
        applied = Job.objects.filter(kind=webimport.JOB_KIND, params__preview=job.pk).first()
    return {"region": region, "job": job, "state": state, "result": result, "params": job.params,
            "applied": applied, "kind_label": dict(IMPORT_KINDS()).get(job.params.get("kind"), "")}


def IMPORT_KINDS() -> list[tuple[str, str]]:  # noqa: N802
    return [("worksheet", _("Lembar kerja evaluasi (.xlsx)")), ("programmes", _("Katalog program (.xlsx/.csv)"))]


@login_required
def import_job(request: HttpRequest, code: str, job_id: int) -> HttpResponse:
    region = _region(request, code)
    job = _import_job(request, region, job_id)
    ctx = _import_ctx(region, job)
    if getattr(request, "htmx", False):
        return render(request, "reports/web/_import_job.html", ctx)
    return render(request, "reports/web/import.html", ctx)


@login_required
@require_POST
def import_apply(request: AuthenticatedHttpRequest, code: str, job_id: int) -> HttpResponse:
    from django.contrib import messages

    region = _region(request, code)
    preview = _import_job(request, region, job_id)
    try:
        job = webimport.apply(request.user, preview)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("web:report_import_job", code=region.code, job_id=preview.pk)
    return redirect("web:report_import_job", code=region.code, job_id=job.pk)

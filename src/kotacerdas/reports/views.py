"""The region's report page: pick a year, press "Unduh PDF" or "Unduh Excel", watch the progress bar
(htmx polling) and download the file when the background worker is done."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kotacerdas.evaluations.errors import ActionError
from kotacerdas.evaluations.models import Cycle
from kotacerdas.regions.models import Region

from . import actions
from .models import ReportJob
from .rules import can_report_region


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
    return render(request, "reports/web/page.html", {"region": region, "cycles": cycles, "jobs": jobs})


@login_required
@require_POST
def report_start(request: HttpRequest, code: str) -> HttpResponse:
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
    if job.status != "done" or not job.file:
        raise Http404(str(pk))
    ctype = "application/pdf" if job.format == "pdf" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename, content_type=ctype)

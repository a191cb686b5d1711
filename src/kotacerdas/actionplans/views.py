"""Thin web views for the rencana aksi pages: parse, call one action or query, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kotacerdas.accounts.types import AuthenticatedHttpRequest
from kotacerdas.catalogue.models import Pillar, Unit
from kotacerdas.core.errors import ActionError, StaleEdit
from kotacerdas.evaluations.models import Cycle
from kotacerdas.regions.models import Region

from . import actions, excel, jobs, queries
from . import filters as item_filters
from . import rules as perms
from .choices import ActionStatus
from .forms import ImportForm, ItemForm
from .models import ActionItem, ImportJob


def _region_cycle(request: HttpRequest, code: str) -> tuple[Region, Cycle, list[int]]:
    region = Region.objects.without_geometry().filter(code=code, level="kabkota").first()
    if region is None:
        raise Http404(code)
    if not perms.can_view_plan.test(request.user, region):
        raise PermissionDenied(_("Anda tidak berhak melihat rencana aksi wilayah ini"))
    years = queries.plan_years()
    year = request.GET.get("tahun") or request.POST.get("tahun")
    chosen = int(year) if year and year.isdigit() and int(year) in years else (years[0] if years else None)
    cycle = queries.plan_cycle(chosen) if chosen else None
    if cycle is None:
        raise Http404("Belum ada siklus evaluasi")
    return region, cycle, years


def _plan_url(region: Region, cycle: Cycle) -> str:
    return reverse("web:actionplans:plan", args=[region.code]) + f"?tahun={cycle.year}"


@login_required
def plan(request: HttpRequest, code: str) -> HttpResponse:
    region, cycle, years = _region_cycle(request, code)
    g = request.GET
    all_items = list(queries.plan_items(region.code, cycle))
    items = list(item_filters.items(queries.plan_items(region.code, cycle), g))  # actionplans.filters
    filters = item_filters.chosen(g)
    job = None
    if g.get("impor", "").isdigit():
        job = ImportJob.objects.defer("content").select_related("job").filter(pk=int(g["impor"]),
                                                                              region=region).first()
    return render(request, "actionplans/plan.html", {
        "region": region, "cycle": cycle, "years": years, "items": items, "filters": filters,
        "total": len(all_items), "categories": queries.achievement_by_category(cycle, all_items),
        "pillars": queries.achievement_by_pillar(all_items), "overall": queries.overall(all_items),
        "category_names": queries.category_labels(cycle), "statuses": ActionStatus.choices,
        "units": Unit.objects.active().filter(region=region), "pillar_list": Pillar.objects.all(),
        "can_manage": perms.can_manage_plan.test(request.user, region),
        "can_import": perms.can_import.test(request.user, region), "import_form": ImportForm(), "job": job,
        "overdue_count": sum(1 for i in all_items if i.overdue), "q": g.get("q", ""),
    })


@login_required
def export_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    region, cycle, _years = _region_cycle(request, code)
    content = excel.export_plan(region, cycle, queries.plan_items(region.code, cycle))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="rencana-aksi-{region.code}-{cycle.year}-{stamp}.xlsx"'
    return response


@login_required
def import_upload(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    region, cycle, _years = _region_cycle(request, code)
    if request.method != "POST":
        return redirect(_plan_url(region, cycle))
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        if "file" in form.errors:
            messages.error(request, _("Pilih berkas .xlsx untuk diimpor"))
        else:
            messages.error(request, " ".join(f"{form.fields[name].label}: {' '.join(str(e) for e in errors)}"
                                             for name, errors in form.errors.items()))
        return redirect(_plan_url(region, cycle))
    upload = form.cleaned_data["file"]
    try:
        job = jobs.start_import(request.user, region, cycle, upload.read(), upload.name,
                                decimal=form.cleaned_data["decimal"])
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect(_plan_url(region, cycle))
    if getattr(request, "htmx", False):
        return render(request, "actionplans/_job.html", {"job": job, "region": region, "cycle": cycle})
    return redirect(_plan_url(region, cycle) + f"&impor={job.pk}#impor")


@login_required
def import_status(request: HttpRequest, code: str, job_id: int) -> HttpResponse:
    region = get_object_or_404(Region.objects.without_geometry(), code=code)
    if not perms.can_view_plan.test(request.user, region):
        raise PermissionDenied(_("Anda tidak berhak melihat rencana aksi wilayah ini"))
    job = get_object_or_404(ImportJob.objects.defer("content").select_related("cycle", "job"), pk=job_id,
                            region=region)
    return render(request, "actionplans/_job.html", {"job": job, "region": region, "cycle": job.cycle})


def _item_or_404(request: HttpRequest, code: str, pk: int) -> ActionItem:
    item = (ActionItem.objects.select_related("region", "cycle", "owner", "pillar", "programme", "recommendation")
            .filter(pk=pk, region_id=code).first())
    if item is None:
        raise Http404
    if not perms.can_view_plan.test(request.user, item):
        raise PermissionDenied(_("Anda tidak berhak melihat rencana aksi wilayah ini"))
    return item


def _initial(item: ActionItem) -> dict[str, Any]:
    return actions.current_values(item)


@login_required
def item_detail(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    item = _item_or_404(request, code, pk)
    allowed = actions.allowed_fields(request.user, item) if item.archived_at is None else ()
    form = ItemForm(initial=_initial(item), region_code=item.region_id, cycle=item.cycle, allowed=allowed)
    status = 200
    if request.method == "POST":
        what = request.POST.get("do")
        try:
            if what == "comment":
                actions.do_comment(request.user, item, request.POST.get("text", ""))
                messages.success(request, _("Komentar disimpan"))
                return redirect(request.path + "#komentar")
            if what == "archive":
                actions.do_archive_item(request.user, item, request.POST.get("reason", ""))
                messages.success(request, _("%(code)s diarsipkan") % {"code": item.code})
                return redirect(_plan_url(item.region, item.cycle))
            form = ItemForm(request.POST, region_code=item.region_id, cycle=item.cycle, allowed=allowed)
            if form.is_valid():
                actions.do_update_item(request.user, item, int(request.POST.get("version") or 0), form.changes())
                messages.success(request, _("%(code)s disimpan") % {"code": item.code})
                return redirect(request.path)
            status = 422
        except StaleEdit as exc:
            # Keep what the person typed, show the fresh values next to it.
            messages.error(request, exc.message)
            item = _item_or_404(request, code, pk)
            status = 409
        except ActionError as exc:
            if exc.context.get("field") and exc.context["field"] in form.fields:
                form.add_error(str(exc.context["field"]), exc.message)
            else:
                messages.error(request, exc.message)
            status = 422
    return render(request, "actionplans/item.html", {
        "item": item, "form": form, "can_edit": bool(allowed),
        "can_manage": perms.can_manage_plan.test(request.user, item),
        "can_comment": perms.can_comment.test(request.user, item),
        "category_name": queries.category_labels(item.cycle).get(item.category, item.category),
        "comments": item.comments.select_related("author"), "history": [queries.describe(e) for e in queries.history(item)[:50]],
    }, status=status)


@login_required
def item_new(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    region, cycle, _years = _region_cycle(request, code)
    if not perms.can_manage_plan.test(request.user, region):
        raise PermissionDenied(_("Hanya koordinator daerah yang menambah rencana aksi"))
    form = ItemForm(request.POST or None, region_code=region.code, cycle=cycle, allowed=actions.COORDINATOR_FIELDS,
                    initial={"status": ActionStatus.NOT_STARTED, "progress_mode": "status"})
    if request.method == "POST" and form.is_valid():
        try:
            item = actions.do_create_item(request.user, region, cycle, form.changes())
            messages.success(request, _("%(code)s ditambahkan") % {"code": item.code})
            return redirect("web:actionplans:item", code=region.code, pk=item.pk)
        except ActionError as exc:
            field = str(exc.context.get("field", ""))
            form.add_error(field if field in form.fields else None, exc.message)
    return render(request, "actionplans/item_new.html", {"region": region, "cycle": cycle, "form": form})

"""Editing a region's catalogue on the web: programmes (coordinator: every unit; operator: own unit) and
units (coordinator). Thin: each form calls one catalogue action."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kotacerdas.accounts import roles
from kotacerdas.accounts.types import AuthenticatedHttpRequest
from kotacerdas.catalogue import actions
from kotacerdas.catalogue import rules as perms
from kotacerdas.catalogue.forms import ProgrammeForm, UnitForm
from kotacerdas.catalogue.models import Programme, Unit
from kotacerdas.core.errors import ActionError, StaleEdit
from kotacerdas.regions.models import Region


def _region(code: str) -> Region:
    region = Region.objects.without_geometry().filter(code=code).first()
    if region is None:
        raise Http404(code)
    return region


def _units_for(user: Any, region: Region) -> Any:
    units = Unit.objects.active().filter(region=region).order_by("name")
    if perms.can_manage_catalogue.test(user, region):
        return units
    return units.filter(pk__in=roles.units_for(user))


def _form_error(form: Any, exc: ActionError) -> None:
    errors: Any = exc.context.get("errors") or {str(exc.context.get("field", "")): exc.message}
    for field, message in errors.items():
        form.add_error(field if field in form.fields else None, message)


@login_required
def programme_new(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    region = _region(code)
    if not perms.can_add_programme.test(request.user, region):
        raise PermissionDenied(_("Hanya koordinator daerah atau operator unit yang menambah program"))
    units = _units_for(request.user, region)
    form = ProgrammeForm(request.POST or None, region_code=code, units=units, initial={
        "status": "running", "sector": "pemerintahan", "area_scope": "whole",
        "owner": units.first() if units.count() == 1 else None})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                p = actions.do_create_programme(request.user, region, form.cleaned_data["code"], form.values())
                messages.success(request, _("Program %(title)s ditambahkan") % {"title": p.title})
                return redirect("web:programme", code=code, programme=p.code)
            except ActionError as exc:
                _form_error(form, exc)
        status = 422
    return render(request, "web/programme_form.html", {"region": region, "form": form, "p": None}, status=status)


def _programme(code: str, slug: str, *, archived: bool = False) -> Programme:
    qs = Programme.objects.select_related("owner", "pillar", "subdimension", "region")
    qs = qs.filter(archived_at__isnull=False) if archived else qs.active()
    return get_object_or_404(qs, region_id=code, code=slug)


@login_required
def programme_edit(request: AuthenticatedHttpRequest, code: str, programme: str) -> HttpResponse:
    p = _programme(code, programme)
    if not perms.can_edit_programme.test(request.user, p):
        raise PermissionDenied(_("Anda hanya boleh mengubah program milik unit Anda"))
    initial = actions.programme_values(p)
    form = ProgrammeForm(request.POST or None, region_code=code, units=_units_for(request.user, p.region),
                         editing=True, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.do_update_programme(request.user, p, int(request.POST.get("version") or 0), form.values())
                messages.success(request, _("Program %(title)s disimpan") % {"title": form.cleaned_data["title"]})
                return redirect("web:programme", code=code, programme=p.code)
            except StaleEdit as exc:
                messages.error(request, exc.message)
                p = _programme(code, programme)
                status = 409
            except ActionError as exc:
                _form_error(form, exc)
                status = 422
        else:
            status = 422
    return render(request, "web/programme_form.html", {"region": p.region, "form": form, "p": p}, status=status)


@require_POST
@login_required
def programme_archive(request: AuthenticatedHttpRequest, code: str, programme: str) -> HttpResponse:
    p = _programme(code, programme)
    try:
        actions.do_archive_programme(request.user, p, request.POST.get("reason", ""))
    except ActionError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
        return redirect("web:programme_edit", code=code, programme=p.code)
    messages.success(request, _("Program %(title)s diarsipkan") % {"title": p.title})
    return redirect("web:programmes", code=code)


@require_POST
@login_required
def programme_restore(request: AuthenticatedHttpRequest, code: str, programme: str) -> HttpResponse:
    p = _programme(code, programme, archived=True)
    try:
        actions.do_restore_programme(request.user, p, request.POST.get("reason", ""))
    except ActionError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
        return redirect("web:units", code=code)
    messages.success(request, _("Program %(title)s dipulihkan") % {"title": p.title})
    return redirect("web:programme", code=code, programme=p.code)


@login_required
def units(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The region's units and archived programmes; coordinators add units here."""
    region = _region(code)
    manage = perms.can_manage_catalogue.test(request.user, region)
    if not (manage or perms.can_add_programme.test(request.user, region)):
        raise PermissionDenied(_("Hanya koordinator daerah dan operator unit yang mengelola katalog"))
    form = UnitForm(request.POST or None, initial={"kind": "opd"})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                unit = actions.do_create_unit(request.user, region, form.cleaned_data)
                messages.success(request, _("Unit %(name)s ditambahkan") % {"name": unit.name})
                return redirect("web:units", code=code)
            except ActionError as exc:
                if exc.status == 403:
                    raise PermissionDenied(exc.message) from exc
                _form_error(form, exc)
        status = 422
    from django.db.models import Count, Q

    unit_rows = (Unit.objects.filter(region=region).annotate(n=Count("programmes", filter=Q(
        programmes__archived_at__isnull=True))).order_by("archived_at", "name"))
    archived = Programme.objects.filter(region=region, archived_at__isnull=False).select_related("owner")
    if not manage:
        archived = archived.filter(owner_id__in=roles.units_for(request.user))
    return render(request, "web/units.html", {"region": region, "form": form, "units": unit_rows, "manage": manage,
                                              "archived": archived.order_by("-archived_at")}, status=status)


@login_required
def unit_edit(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    region = _region(code)
    unit = get_object_or_404(Unit, region=region, pk=pk)
    if not perms.can_manage_catalogue.test(request.user, unit):
        raise PermissionDenied(_("Hanya koordinator daerah yang mengubah unit kerja"))
    form = UnitForm(request.POST or None, initial={"name": unit.name, "short_name": unit.short_name, "kind": unit.kind})
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("do") == "archive":
                actions.do_archive_unit(request.user, unit, request.POST.get("reason", ""))
                messages.success(request, _("Unit %(name)s diarsipkan") % {"name": unit.name})
                return redirect("web:units", code=code)
            if form.is_valid():
                actions.do_update_unit(request.user, unit, form.cleaned_data)
                messages.success(request, _("Unit %(name)s disimpan") % {"name": form.cleaned_data["name"]})
                return redirect("web:units", code=code)
        except ActionError as exc:
            _form_error(form, exc)
        status = 422
    return render(request, "web/unit_form.html", {"region": region, "unit": unit, "form": form}, status=status)

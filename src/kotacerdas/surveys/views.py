"""Thin web views: the public form (no login, phone-first, Indonesian), the coordinator's design and
progress page, paper entry, exports and the published summary."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from kotacerdas.accounts.types import AuthenticatedHttpRequest
from kotacerdas.actionplans.queries import plan_cycle, plan_years
from kotacerdas.catalogue.models import Programme
from kotacerdas.core.errors import ActionError
from kotacerdas.regions.models import Region

from . import actions, queries
from . import rules as perms
from .actions import RateLimited, ResponseInput, WindowClosed
from .choices import LIKERT_LABELS, AgeBand, Gender, SurveyStatus
from .models import Survey, SurveyService


def _client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is spoofable unless a trusted proxy rewrites it.
    return str(request.META.get("REMOTE_ADDR", ""))


def _public_url(request: HttpRequest, survey: Survey) -> str:
    return request.build_absolute_uri(reverse("web:surveys:public_form", args=[survey.token]))


def qr_svg(url: str, scale: int = 4) -> str:
    """The QR code of `url` as an inline SVG (generated locally, no network)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=scale, xmldecl=False, svgns=True,
                                     title="QR code", desc=url)
    return out.getvalue().decode("utf-8")


# -------------------------------------------------------------------------------------------- public


def _public_survey(token: str) -> Survey:
    survey = Survey.objects.select_related("region", "cycle").filter(token=token).first()
    if survey is None or survey.status == SurveyStatus.DRAFT:
        raise Http404
    return survey


def _services_by_pillar(survey: Survey) -> list[tuple[str, list[SurveyService]]]:
    pack = queries.survey_pack(survey)
    names = queries.pillar_names(pack)
    services = list(queries.active_services(survey))
    return [(names[p.code], [s for s in services if s.pillar == p.code]) for p in pack.pillars
            if any(s.pillar == p.code for s in services)]


def _input_from_post(post: Any, service_id: int | None, items: list[Any]) -> ResponseInput:
    answers = {}
    for item in items:
        raw = post.get(f"q_{item.code}", "")
        if raw.isdigit():
            answers[item.code] = int(raw)
    return ResponseInput(service=service_id, kecamatan=post.get("kecamatan", ""), age_band=post.get("age_band", ""),
                         gender=post.get("gender", ""), answers=answers, contact_name=post.get("contact_name", "").strip(),
                         contact_phone=post.get("contact_phone", "").strip(), code=post.get("code", ""),
                         paper_ref=post.get("paper_ref", "").strip())


def _form_context(survey: Survey, service: SurveyService | None) -> dict[str, Any]:
    pack = queries.survey_pack(survey)
    items = queries.items_by_subdimension(pack).get(service.subdimension, []) if service else []
    return {
        "survey": survey, "service": service, "items": items, "groups": _services_by_pillar(survey),
        "kecamatan": queries.kecamatan_of(survey.region_id), "ages": AgeBand.choices, "genders": Gender.choices,
        "likert": [(v, LIKERT_LABELS.get(v, v)) for v in range(pack.survey_scale_min, pack.survey_scale_max + 1)],
        "subdimension_name": queries.subdimension_names(pack).get(service.subdimension, "") if service else "",
    }


@never_cache
def public_form(request: HttpRequest, token: str) -> HttpResponse:
    survey = _public_survey(token)
    if not survey.window_open():
        return render(request, "surveys/closed.html", {"survey": survey}, status=200 if request.method == "GET" else 409)
    raw = request.POST.get("service") or request.GET.get("layanan") or ""
    service = queries.active_services(survey).filter(pk=int(raw)).first() if raw.isdigit() else None
    ctx = _form_context(survey, service)
    if service is None:
        return render(request, "surveys/public_choose.html", ctx)
    if request.method == "POST":
        data = _input_from_post(request.POST, service.pk, ctx["items"])
        try:
            actions.do_submit_public(survey, data, ip=_client_ip(request), honeypot=request.POST.get("website", ""))
            return redirect("web:surveys:public_thanks", token=survey.token)
        except RateLimited as exc:
            return render(request, "surveys/closed.html", {"survey": survey, "message": exc.message}, status=429)
        except WindowClosed as exc:
            return render(request, "surveys/closed.html", {"survey": survey, "message": exc.message}, status=409)
        except ActionError as exc:
            errors: Any = exc.context.get("errors") or {str(exc.context.get("field", "")): exc.message}
            ctx.update({"errors": errors, "data": data, "error_count": len(errors)})
            return render(request, "surveys/public_form.html", ctx, status=422)
    return render(request, "surveys/public_form.html", ctx)


def public_thanks(request: HttpRequest, token: str) -> HttpResponse:
    survey = _public_survey(token)
    return render(request, "surveys/thanks.html", {"survey": survey})


def public_summary(request: HttpRequest, token: str) -> HttpResponse:
    survey = Survey.objects.select_related("region", "cycle").filter(token=token).first()
    if survey is None or not (survey.is_published or perms.can_view_survey.test(request.user, survey)):
        raise Http404
    return render(request, "surveys/summary.html", {
        "survey": survey, "results": queries.results(survey), "progress": queries.progress(survey)})


def public_qr(request: HttpRequest, token: str) -> HttpResponse:
    survey = _public_survey(token)
    response = HttpResponse(qr_svg(_public_url(request, survey), scale=8), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="survei-{survey.region_id}-{survey.cycle.year}-qr.svg"'
    return response


# ----------------------------------------------------------------------------------------- management


def _region(request: HttpRequest, code: str) -> Region:
    region = Region.objects.without_geometry().filter(code=code, level="kabkota").first()
    if region is None:
        raise Http404(code)
    if not perms.can_view_survey.test(request.user, region):
        raise PermissionDenied(_("Anda tidak berhak melihat survei wilayah ini"))
    return region


def _parse_dt(value: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        return timezone.make_aware(dt.datetime.fromisoformat(value))
    except ValueError:
        return None


@login_required
def manage(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    region = _region(request, code)
    years = plan_years()
    year = request.GET.get("tahun") or request.POST.get("tahun") or ""
    chosen = int(year) if year.isdigit() and int(year) in years else (years[0] if years else None)
    cycle = plan_cycle(chosen) if chosen else None
    if cycle is None:
        raise Http404("Belum ada siklus evaluasi")
    survey = Survey.objects.filter(region=region, cycle=cycle).select_related("region", "cycle").first()
    can_manage = perms.can_manage_survey.test(request.user, region)
    if request.method == "POST":
        return _manage_post(request, region, cycle, survey)
    ctx: dict[str, Any] = {"region": region, "cycle": cycle, "years": years, "survey": survey,
                           "can_manage": can_manage}
    if survey is not None:
        pack = queries.survey_pack(survey)
        sub_names = queries.subdimension_names(pack)
        services = list(survey.services.select_related("programme"))
        programmes = Programme.objects.active().filter(region=region).order_by("title")
        options = {s.subdimension: [p for p in programmes if p.subdimension_id == s.subdimension] for s in services}
        url = _public_url(request, survey)
        ctx.update({
            "design": [(s, sub_names.get(s.subdimension, s.subdimension), options[s.subdimension],
                        queries.items_by_subdimension(pack).get(s.subdimension, [])) for s in services],
            "progress": queries.progress(survey), "results": queries.results(survey),
            "suggestions": list(queries.impact_evidence(region.code, cycle).values()),
            "public_url": url, "qr": mark_safe(qr_svg(url)),  # noqa: S308  (SVG generated by segno from our URL)
            "can_enter": perms.can_enter_responses.test(request.user, survey),
            "can_personal": perms.can_view_personal.test(request.user, survey),
            "codes_left": survey.codes.filter(used_at__isnull=True).count(),
        })
    return render(request, "surveys/manage.html", ctx)


def _manage_post(request: AuthenticatedHttpRequest, region: Region, cycle: Any, survey: Survey | None) -> HttpResponse:
    what = request.POST.get("do", "")
    back = reverse("web:surveys:manage", args=[region.code]) + f"?tahun={cycle.year}"
    try:
        if what == "create":
            actions.do_create_survey(request.user, region, cycle, title=request.POST.get("title", "").strip())
            messages.success(request, _("Survei dibuat; pilih program untuk setiap sub-dimensi"))
            return redirect(back)
        if survey is None:
            raise Http404
        if what == "choose":
            for s in survey.services.all():
                raw = request.POST.get(f"programme_{s.subdimension}", None)
                if raw is None:
                    continue
                programme = Programme.objects.filter(pk=int(raw), region=region).first() if raw.isdigit() else None
                actions.do_choose_programme(request.user, survey, s.subdimension, programme)
            messages.success(request, _("Pilihan program disimpan"))
        elif what == "settings":
            changes = {
                "opens_at": _parse_dt(request.POST.get("opens_at", "")),
                "closes_at": _parse_dt(request.POST.get("closes_at", "")),
                "target_per_pillar": int(request.POST.get("target_per_pillar") or survey.target_per_pillar),
                "min_per_subdimension": int(request.POST.get("min_per_subdimension") or survey.min_per_subdimension),
                "branding_per_subdimension": request.POST.get("branding_per_subdimension") == "1",
                "requires_code": request.POST.get("requires_code") == "1",
            }
            actions.do_update_survey(request.user, survey, int(request.POST.get("version") or 0), changes)
            messages.success(request, _("Pengaturan survei disimpan"))
        elif what == "open":
            actions.do_open_survey(request.user, survey)
            messages.success(request, _("Survei dibuka"))
        elif what == "close":
            actions.do_close_survey(request.user, survey)
            messages.success(request, _("Survei ditutup"))
        elif what in ("publish", "unpublish"):
            actions.do_publish_summary(request.user, survey, what == "publish")
            messages.success(request, _("Ringkasan diterbitkan") if what == "publish" else _("Ringkasan ditarik"))
        elif what == "codes":
            codes = actions.do_generate_codes(request.user, survey, int(request.POST.get("count") or 0))
            return render(request, "surveys/codes.html", {"survey": survey, "codes": codes,
                                                          "public_url": _public_url(request, survey)})
        elif what == "import_paper":
            upload = request.FILES.get("file")
            if upload is None:
                messages.error(request, _("Pilih berkas .xlsx"))
            else:
                n = actions.do_import_paper(request.user, survey, upload.read())
                messages.success(request, ngettext("%(n)d kuesioner kertas diimpor", "%(n)d kuesioner kertas diimpor", n) % {"n": n})
        else:
            messages.error(request, _("Perintah tidak dikenal"))
    except ActionError as exc:
        errors = exc.context.get("errors")
        if isinstance(errors, list):
            return render(request, "surveys/import_errors.html", {"survey": survey, "errors": errors, "back": back,
                                                                  "message": exc.message}, status=422)
        messages.error(request, exc.message)
    except ValueError:
        messages.error(request, _("Isian tidak valid"))
    return redirect(back)


@login_required
def paper_entry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey.objects.select_related("region", "cycle"), pk=pk)
    if not perms.can_enter_responses.test(request.user, survey):
        raise PermissionDenied(_("Hanya koordinator daerah dan operator unit wilayah ini yang memasukkan jawaban kertas"))
    raw = request.POST.get("service") or request.GET.get("layanan") or ""
    service = queries.active_services(survey).filter(pk=int(raw)).first() if raw.isdigit() else None
    ctx = _form_context(survey, service)
    ctx["paper"] = True
    if service is None:
        return render(request, "surveys/public_choose.html", ctx)
    if request.method == "POST":
        data = _input_from_post(request.POST, service.pk, ctx["items"])
        day = request.POST.get("submitted_on", "")
        try:
            data.submitted_at = timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(12))) \
                if day else None
            actions.do_enter_paper_response(request.user, survey, data)
            messages.success(request, _("Kuesioner kertas disimpan; lanjut lembar berikutnya"))
            return redirect(reverse("web:surveys:paper", args=[survey.pk]) + f"?layanan={service.pk}")
        except ValueError:
            ctx.update({"errors": {"submitted_on": _("Tanggal tidak valid")}, "data": data, "error_count": 1})
        except ActionError as exc:
            found: Any = exc.context.get("errors") or {str(exc.context.get("field", "")): exc.message}
            ctx.update({"errors": found, "data": data, "error_count": len(found)})
        return render(request, "surveys/public_form.html", ctx, status=422)
    return render(request, "surveys/public_form.html", ctx)


@login_required
def export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey.objects.select_related("region", "cycle"), pk=pk)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    personal = request.GET.get("pribadi") == "1"
    try:
        content = actions.export_responses(request.user, survey, fmt=fmt, include_personal=personal)
    except ActionError as exc:
        raise PermissionDenied(exc.message) from exc
    kind = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx"
            else "text/csv; charset=utf-8")
    response = HttpResponse(content, content_type=kind)
    suffix = "-dengan-data-pribadi" if personal else ""
    response["Content-Disposition"] = (f'attachment; filename="survei-{survey.region_id}-{survey.cycle.year}'
                                       f'{suffix}.{fmt}"')
    return response


@login_required
def paper_template(request: HttpRequest, pk: int) -> HttpResponse:
    from .excel import paper_template as build

    survey = get_object_or_404(Survey.objects.select_related("region", "cycle"), pk=pk)
    if not perms.can_enter_responses.test(request.user, survey):
        raise PermissionDenied(_("Hanya koordinator daerah dan operator unit wilayah ini yang memasukkan jawaban kertas"))
    response = HttpResponse(build(survey),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="kuesioner-kertas-{survey.region_id}-{survey.cycle.year}.xlsx"'
    return response

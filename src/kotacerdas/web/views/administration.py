"""The national team's screens under /nasional/kelola/: people, cycles and participants, panels and
assignments, the Tahap II schedule, progress, publishing. Thin: each POST names one action (field
"action"), calls one `do_*` through `perform` (refusals become messages) and redirects back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kotacerdas.accounts import actions as people
from kotacerdas.accounts import filters as people_filters
from kotacerdas.accounts.choices import Role
from kotacerdas.accounts.imports import UserImportFailed, import_users
from kotacerdas.accounts.models import Membership
from kotacerdas.accounts.types import AuthenticatedHttpRequest
from kotacerdas.catalogue.models import Unit
from kotacerdas.core.errors import ActionError, InvalidInput
from kotacerdas.evaluations import actions, queries
from kotacerdas.evaluations import filters as participant_filters
from kotacerdas.evaluations import transitions as T
from kotacerdas.evaluations.choices import RegionClass, Stage, TimeZone
from kotacerdas.evaluations.filters import progress_rows
from kotacerdas.evaluations.models import Cycle, Meeting, Panel, Participation, Submission
from kotacerdas.evaluations.participants import read_participants
from kotacerdas.regions import filters as region_filters
from kotacerdas.regions.models import Region
from kotacerdas.scoring.packs import available_packs

from .. import access
from .common import perform

MAX_UPLOAD = 5 * 1024 * 1024


def _admin(request: HttpRequest) -> None:
    access.require(access.is_admin(request.user))


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise InvalidInput(_("Tanggal tidak sah: %(value)s") % {"value": value}) from exc


def _moment(value: str | None) -> dt.datetime | None:
    from django.utils import timezone

    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(_("Waktu tidak sah: %(value)s") % {"value": value}) from exc
    return parsed if parsed.tzinfo else timezone.make_aware(parsed)


def _upload(request: HttpRequest) -> tuple[bytes, str]:
    f = request.FILES.get("file")
    if f is None:
        raise InvalidInput(_("Pilih berkas .xlsx atau .csv"), field="file")
    if f.size and f.size > MAX_UPLOAD:
        raise InvalidInput(_("Berkas lebih dari 5 MB"), field="file")
    return f.read(MAX_UPLOAD + 1), f.name or ""


def _cycles_nav(cycle: Cycle | None) -> list[dict[str, Any]]:
    if cycle is None:
        return []
    return [{"url": reverse(name, args=[cycle.pk]), "label": label, "name": name} for name, label in (
        ("web:admin_cycle", _("Siklus dan peserta")), ("web:admin_panels", _("Panel dan penugasan")),
        ("web:admin_schedule", _("Jadwal Tahap II")), ("web:admin_progress", _("Kemajuan")),
        ("web:admin_publish", _("Penerbitan")))]


def _page(request: HttpRequest, template: str, ctx: dict[str, Any]) -> HttpResponse:
    cycle = ctx.get("cycle")
    nav = _cycles_nav(cycle)
    for item in nav:
        item["current"] = item["url"] == request.path
    keep = request.GET.copy()
    keep.pop("hal", None)
    keep.pop("format", None)
    ctx.setdefault("keep", keep.urlencode())
    return render(request, template, {**ctx, "cycle_nav": nav,
                                      "cycles": Cycle.objects.order_by("-year", "pack_code")})


# --- home: cycles and opening one ---------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def admin_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    _admin(request)
    if request.method == "POST":
        p = request.POST

        def call() -> Cycle:
            pack, _sep, version = p.get("pack", "").partition("@")
            threshold = None
            if p.get("class_a_min_index"):
                try:
                    threshold = Decimal(p["class_a_min_index"].replace(",", "."))
                except InvalidOperation as exc:
                    raise InvalidInput(_("Ambang Kelas A harus angka"), field="class_a_min_index") from exc
            year = p.get("year", "")
            if not year.isdigit() or not 2018 <= int(year) <= 2100:
                raise InvalidInput(_("Tahun 2018–2100"), field="year")
            return actions.do_open_cycle(
                request.user, year=int(year), pack_code=pack, pack_version=version, name=p.get("name", "").strip(),
                opens_on=_date(p.get("opens_on")), self_assessment_deadline=_moment(p.get("self_assessment_deadline")),
                tahap_1_on=_date(p.get("tahap_1_on")), tahap_2_on=_date(p.get("tahap_2_on")),
                assessment_starts=_moment(p.get("assessment_starts")), assessment_ends=_moment(p.get("assessment_ends")),
                final_on=_date(p.get("final_on")), publish_on=_date(p.get("publish_on")),
                class_a_min_index=threshold, coi_same_province=p.get("coi_same_province") == "on",
                validity_override_reason=p.get("validity_override_reason", ""))

        _done, opened = perform(request, call, _("Siklus dibuka"))
        return redirect("web:admin_cycle", opened.pk) if opened is not None else redirect("web:admin_home")
    packs = [{"value": f"{p.code}@{p.version}", "label": f"{p.name} — {p.code} {p.version}", "status": p.status,
              "bands_status": p.bands_status, "years": p.validity_text} for p in available_packs()]
    rows = [{"cycle": c, "participants": c.participants.count(), "panels": c.panels.count()}
            for c in Cycle.objects.order_by("-year", "pack_code")]
    return _page(request, "web/admin/home.html", {"packs": packs, "rows": rows})


# --- people ----------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def admin_people(request: AuthenticatedHttpRequest) -> HttpResponse:
    _admin(request)
    User = get_user_model()
    if request.method == "POST":
        p = request.POST
        action = p.get("action")
        if action == "invite":
            perform(request, lambda: people.do_invite(
                request.user, p.get("email", ""), role=p.get("role", ""), region=p.get("region") or None,
                unit=p.get("unit") or None, experience=p.get("experience", ""), name=p.get("name", "")),
                lambda u: _("Undangan dikirim ke %(email)s") % {"email": u.email})
        elif action == "import":
            try:
                data, name = _upload(request)
                report = import_users(request.user, data, name, dry_run=p.get("dry_run") == "on")
            except (UserImportFailed, ActionError) as exc:
                from django.contrib import messages

                if isinstance(exc, UserImportFailed):
                    for e in exc.report.errors[:30]:
                        messages.error(request, str(e))
                    messages.error(request, _("Impor dibatalkan, tidak ada yang disimpan"))
                else:
                    messages.error(request, exc.message)
            else:
                from django.contrib import messages

                messages.success(request, _("%(rows)s baris dibaca, %(n)s orang diundang")
                                 % {"rows": report.rows, "n": report.created})
        elif action in ("grant", "revoke", "deactivate", "activate"):
            target = get_object_or_404(User, pk=p.get("user") or 0)
            if action == "grant":
                perform(request, lambda: people.do_grant_role(
                    request.user, target, p.get("role", ""), region=p.get("region") or None,
                    unit=p.get("unit") or None, experience=p.get("experience", "")), _("Peran diberikan"))
            elif action == "revoke":
                m = get_object_or_404(Membership, pk=p.get("membership") or 0, user=target)
                perform(request, lambda: people.do_revoke_role(request.user, m, p.get("reason", "")),
                        _("Peran dicabut"))
            else:
                perform(request, lambda: people.do_set_active(request.user, target, action == "activate",
                                                              p.get("reason", "")),
                        _("Akun diaktifkan") if action == "activate" else _("Akun dinonaktifkan"))
        return redirect(request.get_full_path())
    q = request.GET.get("q", "").strip()
    role = request.GET.get("peran", "")
    # The same FilterSet as GET /api/v1/users (accounts.filters); an unknown role is ignored.
    qs = people_filters.users(User.objects.prefetch_related("memberships__region", "memberships__unit")
                              .order_by("email"), {"q": q, "peran": role})
    page = Paginator(qs, 50).get_page(request.GET.get("hal"))
    return _page(request, "web/admin/people.html", {
        "page": page, "q": q, "role": role, "roles": Role.choices,
        "units": Unit.objects.filter(archived_at__isnull=True).order_by("region_id", "name")[:500],
        "experience": [("", "–"), ("A", "A"), ("B", "B"), ("AB", "A+B")]})


# --- one cycle: stage, calendar, participants ----------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def admin_cycle(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    cycle = get_object_or_404(Cycle, pk=pk)
    if request.method == "POST":
        p = request.POST
        action = p.get("action")
        if action == "advance":
            perform(request, lambda: actions.do_advance_stage(request.user, cycle, p.get("to_stage", ""),
                                                              p.get("reason", "")),
                    lambda c: _("Tahap sekarang: %(stage)s") % {"stage": c.get_stage_display()})
        elif action == "add":
            codes = p.getlist("region")
            klass = p.get("region_class", "")
            perform(request, lambda: actions.do_add_participants(request.user, cycle, dict.fromkeys(codes, klass)),
                    lambda n: _("%(n)s peserta ditambahkan") % {"n": n})
        elif action == "upload":
            def call() -> int:
                data, name = _upload(request)
                try:
                    rows, errors = read_participants(data, name)
                except ValueError as exc:
                    raise InvalidInput(str(exc), field="file") from exc
                if errors:
                    raise InvalidInput("; ".join(str(e) for e in errors[:10]), field="file")
                return actions.do_add_participants(request.user, cycle, rows)

            perform(request, call, lambda n: _("%(n)s peserta ditambahkan") % {"n": n})
        return redirect(request.get_full_path())
    q = request.GET.get("q", "").strip()
    province = request.GET.get("provinsi", "").strip()
    params = {"q": q, "provinsi": province}
    # The same filters as GET /api/v1/cycles/{year}/participants (evaluations.filters, regions.filters).
    parts = participant_filters.participants(
        Participation.objects.filter(cycle=cycle).select_related("region__parent").defer(
            "region__geometry", "region__parent__geometry").order_by("region_id"), params)
    candidates = region_filters.regions(
        Region.objects.without_geometry().filter(level="kabkota").exclude(participations__cycle=cycle)
        .select_related("parent").order_by("code"), params)
    to, locks = queries.stage_locks(cycle)
    calendar = [(_("Dibuka"), cycle.opens_on), (_("Batas penilaian mandiri"), cycle.self_assessment_deadline),
                (_("Tahap I"), cycle.tahap_1_on), (_("Tahap II"), cycle.tahap_2_on),
                (_("Jendela penilaian"), cycle.assessment_starts), (_("Jendela penilaian berakhir"), cycle.assessment_ends),
                (_("Final"), cycle.final_on), (_("Terbit"), cycle.publish_on or cycle.published_at)]
    return _page(request, "web/admin/cycle.html", {
        "cycle": cycle, "pack": queries.cycle_pack(cycle), "next_stage": Stage(to) if to else None, "locks": locks,
        "calendar": calendar, "parts": Paginator(parts, 100).get_page(request.GET.get("hal")),
        "part_count": cycle.participants.count(),
        "candidates": list(candidates[:60]) if (q or province) else [], "q": q, "province": province,
        "provinces": Region.objects.without_geometry().filter(level="provinsi").order_by("name"),
        "classes": RegionClass.choices})


# --- panels, assignments, suggestion, load ------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def admin_panels(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    cycle = get_object_or_404(Cycle, pk=pk)
    User = get_user_model()
    suggestion = None
    if request.method == "POST":
        p = request.POST
        action = p.get("action")
        if action == "form":
            def form() -> Panel:
                ids = [int(i) for i in p.getlist("members") if i.isdigit()]
                lead = User.objects.filter(pk=p.get("lead") or 0).first()
                if lead is None:
                    raise InvalidInput(_("Pilih ketua panel"), field="lead")
                return actions.do_form_panel(request.user, cycle, name=p.get("name", "").strip(),
                                             region_class=p.get("region_class", ""), lead=lead,
                                             members=list(User.objects.filter(pk__in=ids)))

            perform(request, form, lambda panel: _("Panel %(name)s dibentuk") % {"name": panel.name})
        elif action == "assign":
            panel = get_object_or_404(Panel, pk=p.get("panel") or 0, cycle=cycle)
            perform(request, lambda: actions.do_assign(request.user, panel, p.get("region", "").strip()),
                    _("Wilayah ditugaskan"))
        elif action == "apply":
            perform(request, lambda: actions.do_apply_suggestion(request.user, cycle),
                    lambda s: _("%(n)s wilayah ditugaskan; %(u)s tidak tertempatkan")
                    % {"n": len(s.assignments), "u": len(s.unplaced)})
        if action != "suggest":
            return redirect(request.path)
        suggestion = actions.suggest_assignments(cycle)
    panels = list(Panel.objects.filter(cycle=cycle).select_related("lead").prefetch_related("members")
                  .order_by("name"))
    assigned: dict[int, list[str]] = {}
    for panel_id, region in cycle.panels.filter(assignments__active=True).values_list("pk", "assignments__region_id"):
        assigned.setdefault(panel_id, []).append(region)
    unassigned = list(Participation.objects.filter(cycle=cycle).exclude(
        region_id__in=[r for rs in assigned.values() for r in rs]).values_list("region_id", flat=True)
        .order_by("region_id"))
    assessors = User.objects.filter(memberships__role=Role.ASSESSOR, memberships__active=True, is_active=True) \
        .distinct().order_by("email")
    return _page(request, "web/admin/panels.html", {
        "cycle": cycle, "panels": [{"panel": pn, "regions": sorted(assigned.get(pn.pk, []))} for pn in panels],
        "unassigned": unassigned, "assessors": assessors, "load": queries.assessor_load(cycle),
        "suggestion": suggestion, "classes": RegionClass.choices})


# --- Tahap II schedule -----------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def admin_schedule(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    from kotacerdas.evaluations.notify import meeting_when

    _admin(request)
    cycle = get_object_or_404(Cycle, pk=pk)
    if request.method == "POST":
        p = request.POST

        def call() -> Meeting:
            date = _date(p.get("date"))
            try:
                time = dt.time.fromisoformat(p.get("time", ""))
            except ValueError as exc:
                raise InvalidInput(_("Jam tidak sah"), field="time") from exc
            if date is None:
                raise InvalidInput(_("Isi tanggal"), field="date")
            version = p.get("expected_version", "")
            return actions.do_schedule_meeting(request.user, cycle, p.get("region", ""), date=date, time=time,
                                               tz=p.get("timezone", "WIB"), meeting_url=p.get("meeting_url", ""),
                                               place=p.get("place", ""),
                                               expected_version=int(version) if version.isdigit() else None)

        perform(request, call, lambda m: _("Jadwal %(region)s: %(when)s; undangan dan berkas .ics terkirim")
                % {"region": m.region.name, "when": meeting_when(m)})
        return redirect(request.get_full_path())
    meetings = {m.region_id: m for m in Meeting.objects.filter(cycle=cycle)}
    q = request.GET.get("q", "").strip()
    parts = participant_filters.participants(  # the participants' FilterSet, as on the cycle screen
        Participation.objects.filter(cycle=cycle).select_related("region").defer("region__geometry")
        .order_by("region_id"), {"q": q})
    page = Paginator(parts, 50).get_page(request.GET.get("hal"))
    rows = [{"part": pt, "meeting": meetings.get(pt.region_id),
             "when": meeting_when(meetings[pt.region_id]) if pt.region_id in meetings else ""} for pt in page]
    return _page(request, "web/admin/schedule.html", {"cycle": cycle, "page": page, "rows": rows, "q": q,
                                                     "zones": TimeZone.choices})


# --- progress, reminders, reopen, export ---------------------------------------------------------------

def _progress_rows(request: HttpRequest, cycle: Cycle) -> tuple[list[dict[str, Any]], dict[str, str]]:
    g = request.GET
    params = {k: g.get(k, "").strip() for k in ("status", "provinsi", "panel", "q")}
    if params["status"] not in queries.PROGRESS_GROUPS:
        params["status"] = ""
    rows, _fs = progress_rows(cycle, params)  # the same FilterSet as GET /api/v1/cycles/{year}/progress
    status, province, panel, q = params["status"], params["provinsi"], params["panel"], params["q"]
    reopen = T.step("reopen")  # the page is the national admin's: the status decides
    for r in rows:
        r["can_reopen"] = bool(r["submission"]) and reopen.allowed_from(r["status"])
    return rows, {"status": status, "province": province, "panel": panel, "q": q}


@login_required
@require_http_methods(["GET", "POST"])
def admin_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    cycle = get_object_or_404(Cycle, pk=pk)
    if request.method == "POST":
        p = request.POST
        if p.get("action") == "remind":
            regions = p.getlist("region") or None
            perform(request, lambda: actions.do_remind(request.user, cycle, regions),
                    lambda n: _("%(n)s email pengingat terkirim") % {"n": n})
        elif p.get("action") == "reopen":
            sub = get_object_or_404(Submission, pk=p.get("submission") or 0, cycle=cycle)
            perform(request, lambda: actions.do_reopen(request.user, sub, p.get("reason", "")),
                    _("Pengajuan dibuka kembali"))
        return redirect(request.get_full_path())
    rows, filters = _progress_rows(request, cycle)
    if request.GET.get("format") == "xlsx":
        return _progress_xlsx(cycle, rows)
    from collections import Counter

    counts = Counter(r["status"] for r in queries.progress(cycle))
    groups = [(key, label, sum(counts[s] for s in queries.PROGRESS_GROUPS[key])) for key, label in (
        ("draft", _("Draf")), ("submitted", _("Dikirim")), ("returned", _("Dikembalikan")),
        ("assessment", _("Sedang dinilai")), ("concluded", _("Selesai dinilai / final")))]
    page = Paginator(rows, 50).get_page(request.GET.get("hal"))
    return _page(request, "web/admin/progress.html", {
        "cycle": cycle, "page": page, "count": len(rows), "groups": groups, **filters,
        "provinces": Region.objects.without_geometry().filter(level="provinsi").order_by("name"),
        "panels": list(cycle.panels.order_by("name").values_list("name", flat=True)),
        "query": request.GET.urlencode()})


def _progress_xlsx(cycle: Cycle, rows: list[dict[str, Any]]) -> HttpResponse:
    from openpyxl import Workbook

    from kotacerdas.evaluations.notify import meeting_when
    from kotacerdas.lib import cells

    wb = Workbook()
    ws = wb.active
    ws.title = "Kemajuan"
    cells.append(ws, ["Kode", "Kabupaten/Kota", "Provinsi", "Kelas", "Tahap", "Status", "Panel", "Penilaian selesai",
               "Jadwal Tahap II"])
    for r in rows:
        cells.append(ws, [r["code"], r["region"].name, r["province"].name if r["province"] else "", r["region_class"],
                   str(Stage(r["stage"]).label) if r["stage"] else "", str(r["status_label"]), r["panel"], r["assessments"],
                   meeting_when(r["meeting"]) if r["meeting"] else ""])
    ws.auto_filter.ref = ws.dimensions
    if cycle.is_demo:
        from kotacerdas.core.provenance import mark_workbook

        mark_workbook(wb)
    response = HttpResponse(cells.workbook_bytes(wb), content_type="application/vnd.openxmlformats-officedocument."
                                                         "spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="kemajuan-{cycle.year}.xlsx"'
    return response


# --- publishing and corrections ------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def admin_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    cycle = get_object_or_404(Cycle, pk=pk)
    phrase = queries.publish_phrase(cycle)
    if request.method == "POST":
        p = request.POST
        action = p.get("action")
        if action == "finalise":
            perform(request, lambda: actions.do_finalise_cycle(request.user, cycle, p.get("reason", "")),
                    lambda n: _("%(n)s hasil difinalkan") % {"n": n})
        elif action == "publish":
            def publish() -> int:
                if p.get("confirm", "").strip() != phrase:
                    raise InvalidInput(_("Ketik %(phrase)s persis untuk menerbitkan") % {"phrase": phrase},
                                       field="confirm")
                return actions.do_publish(request.user, cycle, p.get("reason", ""))

            perform(request, publish, lambda n: _("%(n)s hasil diterbitkan") % {"n": n})
        elif action == "correct":
            sub = get_object_or_404(Submission, pk=p.get("submission") or 0, cycle=cycle)

            def correct() -> Any:
                level = p.get("level", "")
                if not level.lstrip("-").isdigit():
                    raise InvalidInput(_("Tingkat harus bilangan bulat"), field="level")
                return actions.do_correct_result(request.user, sub, {p.get("indicator", "").strip(): int(level)},
                                                 p.get("reason", ""))

            perform(request, correct, lambda r: _("Hasil %(region)s dikoreksi: versi %(v)s, indeks %(i)s")
                    % {"region": r.region_id, "v": r.version, "i": r.index})
        return redirect(request.path)
    preview = queries.publication_preview(cycle)
    published_subs = dict(Submission.objects.filter(cycle=cycle, status="published").values_list("region_id", "pk"))
    assessed = Submission.objects.filter(cycle=cycle, status="assessed").count()
    return _page(request, "web/admin/publish.html", {
        "cycle": cycle, "preview": preview, "phrase": phrase, "assessed": assessed,
        "new": sum(1 for r in preview if r["new"]), "published_subs": published_subs,
        "indicators": queries.indicator_codes(queries.cycle_pack(cycle))})


# --- a region's own people: the coordinator invites its operators and executive -----------------------

@login_required
@require_http_methods(["GET", "POST"])
def region_people(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The region's accounts; its coordinator (or a national admin) invites unit operators and the
    executive here, and takes those roles away. Other roles are the national team's (accounts.actions)."""
    from kotacerdas.accounts import roles

    region = get_object_or_404(Region.objects.without_geometry(), code=code, level="kabkota")
    access.require(access.is_admin(request.user) or code in roles.regions_for(request.user, Role.COORDINATOR))
    if request.method == "POST":
        p = request.POST
        if p.get("action") == "invite":
            role = p.get("role", "")
            perform(request, lambda: people.do_invite(
                request.user, p.get("email", ""), role=role, region=code,
                unit=p.get("unit") or None if role == Role.OPERATOR else None, name=p.get("name", "")),
                lambda u: _("Undangan dikirim ke %(email)s") % {"email": u.email})
        elif p.get("action") == "revoke":
            m = get_object_or_404(Membership, pk=p.get("membership") or 0, region_id=code)
            perform(request, lambda: people.do_revoke_role(request.user, m, p.get("reason", "")), _("Peran dicabut"))
        return redirect(request.path)
    members = Membership.objects.filter(region_id=code).select_related("user", "unit").order_by("role", "user__email")
    return render(request, "web/admin/region_people.html", {
        "region": region, "members": members,
        "roles": [(Role.OPERATOR.value, Role.OPERATOR.label), (Role.EXECUTIVE.value, Role.EXECUTIVE.label)],
        "units": Unit.objects.filter(region_id=code, archived_at__isnull=True).order_by("name"),
        "may_revoke": set(people.COORDINATOR_MAY_GRANT) if not access.is_admin(request.user) else set(Role.values)})

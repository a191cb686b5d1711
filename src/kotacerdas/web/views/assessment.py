"""Self-assessment (region) and assessment (panel) screens. Every change goes through one evaluations
action; an ActionError becomes a message in Indonesian and the user's input is kept on the page."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kotacerdas.accounts.types import AuthenticatedHttpRequest
from kotacerdas.catalogue.models import Programme
from kotacerdas.core import packtext
from kotacerdas.core.errors import ActionError, StaleEdit
from kotacerdas.evaluations import actions, queries
from kotacerdas.evaluations import rules as perms
from kotacerdas.evaluations import transitions as T
from kotacerdas.evaluations.choices import AssessmentStatus, EvidenceKind, NoteKind
from kotacerdas.evaluations.models import (
    Answer,
    Assessment,
    AssessmentScore,
    ConsensusScore,
    Evidence,
    Feedback,
    IndicatorNote,
    Submission,
)
from kotacerdas.scoring import agreement

from .. import access
from .common import perform


def anchor(code: str) -> str:
    return "i-" + code.replace(".", "-").replace("_", "-")


def _submission(request: HttpRequest, pk: int) -> Submission:
    sub = get_object_or_404(Submission.objects.select_related("cycle", "region"), pk=pk)
    access.require(perms.can_view_submission.test(request.user, sub),
                   _("Pengajuan ini hanya untuk pengguna wilayahnya, asesor yang ditugaskan dan admin nasional"))
    return sub


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False)) or request.headers.get("X-Requested-With") == "fetch"


def _layout(pack: Any) -> list[dict[str, Any]]:
    """Dimensions, each with its groups and indicators in pack order (groups as sub-headings)."""
    out = []
    for dim in pack.dimensions:
        items: list[dict[str, Any]] = []

        def visit(node: Any, depth: int, items: list[dict[str, Any]] = items) -> None:
            for child in node.children:
                if child.is_indicator:
                    items.append({"kind": "indicator", "node": child})
                else:
                    items.append({"kind": "group", "node": child, "depth": depth})
                    visit(child, depth + 1)

        visit(dim, 0)
        out.append({"dim": dim, "items": items, "anchor": anchor(dim.code)})
    return out


def _evidence_by_indicator(sub: Submission) -> dict[str, list[Evidence]]:
    grouped: dict[str, list[Evidence]] = defaultdict(list)
    for ev in (Evidence.objects.filter(submission=sub, archived_at__isnull=True).select_related("programme", "submission")
               .order_by("uploaded_at")):
        grouped[ev.indicator].append(ev)
    return grouped


def _notes_by_indicator(sub: Submission) -> dict[str, list[IndicatorNote]]:
    grouped: dict[str, list[IndicatorNote]] = defaultdict(list)
    for note in IndicatorNote.objects.filter(submission=sub).select_related("author"):
        grouped[note.indicator].append(note)
    return grouped


def _indicator_ctx(sub: Submission, node: Any, answer: Answer | None, evidence: list[Evidence],
                   notes: list[IndicatorNote]) -> dict[str, Any]:
    return {
        "node": node, "code": node.code, "anchor": anchor(node.code), "answer": answer,
        "level": answer.level if answer else None, "justification": answer.justification if answer else "",
        "version": answer.version if answer else 0, "evidence": evidence,
        "notes": notes, "open_return": [n for n in notes if n.kind == NoteKind.RETURN and n.resolved_at is None],
        "needs_evidence": bool(node.evidence) and not evidence,
    }


def _edit_flags(request: HttpRequest, sub: Submission) -> dict[str, Any]:
    can_add = T.can(request.user, sub, "add_evidence")
    return {"can_edit": T.can(request.user, sub, "edit_answers"),
            "can_add_evidence": can_add,
            # the unit rule: what this person may file evidence under (None = no programme, coordinator only)
            "evidence_unowned": can_add and perms.can_write_evidence.test(request.user, sub),
            "evidence_programmes": [p for p in _programmes(sub) if perms.can_write_evidence.test(request.user, p)]
            if can_add else []}


def _archivable(request: HttpRequest, sub: Submission, evidence: list[Evidence]) -> None:
    editable = T.can(request.user, sub, "add_evidence")
    for ev in evidence:
        ev.can_archive = editable and perms.can_write_evidence.test(request.user, ev)  # type: ignore[attr-defined]


def _programmes(sub: Submission) -> list[Programme]:
    return list(Programme.objects.active().filter(region_id=sub.region_id).only("id", "code", "title", "owner_id",
                                                                                "region_id").order_by("title"))


@login_required
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sub = _submission(request, pk)
    pack = queries.cycle_pack(sub.cycle)
    answers = {a.indicator: a for a in Answer.objects.filter(submission=sub)}
    evidence = _evidence_by_indicator(sub)
    for group in evidence.values():
        _archivable(request, sub, group)
    notes = _notes_by_indicator(sub)
    layout = _layout(pack)
    suggestions = _suggestions(sub, pack)
    for block in layout:
        for item in block["items"]:
            if item["kind"] == "indicator":
                code = item["node"].code
                item["ind"] = _indicator_ctx(sub, item["node"], answers.get(code), evidence.get(code, []),
                                             notes.get(code, []))
                item["ind"]["suggestion"] = suggestions.get(code)
        block["answered"] = sum(1 for i in block["items"] if i["kind"] == "indicator" and i["ind"]["level"]
                                is not None)
        block["total"] = sum(1 for i in block["items"] if i["kind"] == "indicator")
    ctx = {
        "sub": sub, "pack": pack, "layout": layout, "chain": queries.status_chain(sub),
        "completeness": queries.completeness(sub),
        "programmes": _programmes(sub), "scale": range(pack.scale_min, pack.scale_max + 1),
        "is_assessor": perms.is_assigned_assessor.test(request.user, sub) or access.is_admin(request.user),
        "dim_counts": [{"anchor": b["anchor"], "name": packtext.name(b["dim"]), "answered": b["answered"], "total": b["total"]}
                       for b in layout],
        **_checks_ctx(request, sub, pack), **_edit_flags(request, sub), **_meeting_ctx(sub),
    }
    return render(request, "web/assessment/submission.html", ctx)


def _meeting_ctx(sub: Submission) -> dict[str, Any]:
    """The region's Tahap II meeting, when the national team has scheduled it (shown to the region and
    its panel on their pages)."""
    from kotacerdas.evaluations.models import Meeting
    from kotacerdas.evaluations.notify import meeting_when

    meeting = Meeting.objects.filter(cycle_id=sub.cycle_id, region_id=sub.region_id).first()
    return {"meeting": meeting, "meeting_when": meeting_when(meeting) if meeting else ""}


def _suggestions(sub: Submission, pack: Any, code: str = "") -> dict[str, Any]:
    """The survey's suggested levels for the survey-based Impact indicators (all, or only `code`)."""
    if code and not code.startswith("impact.survei."):
        return {}
    if not any(n.code.startswith("impact.survei.") for n in pack.indicators()):
        return {}
    return queries.survey_suggestions(sub)


def _checks_ctx(request: HttpRequest, sub: Submission, pack: Any) -> dict[str, Any]:
    """The pre-submit checks with indicator names (linked to their card) instead of bare codes."""
    checks = queries.pre_submit_checks(sub)
    names = packtext.names(pack)
    linked = {"missing_answers", "missing_evidence"}
    rows = []
    for c in checks:
        items = [{"name": names.get(i, i), "code": i, "anchor": anchor(i)} if c.code in linked
                 else {"name": i, "code": "", "anchor": ""} for i in c.items]
        rows.append({"check": c, "items": items})
    return {"checks": checks, "check_rows": rows, "blocking": any(c.severity == "error" for c in checks),
            "can_submit": T.can(request.user, sub, "submit")}


def _dim_counts(sub: Submission, pack: Any) -> list[dict[str, Any]]:
    answered = set(Answer.objects.filter(submission=sub, level__isnull=False).values_list("indicator", flat=True))
    out = []
    for dim in pack.dimensions:
        codes = [n.code for n in dim.indicators()]
        out.append({"anchor": anchor(dim.code), "name": packtext.name(dim), "answered": sum(1 for c in codes if c in answered),
                    "total": len(codes)})
    return out


def _render_indicator(request: HttpRequest, sub: Submission, code: str, **extra: Any) -> HttpResponse:
    pack = queries.cycle_pack(sub.cycle)
    node = pack.node(code)
    answer = Answer.objects.filter(submission=sub, indicator=code).first()
    ev = list(Evidence.objects.filter(submission=sub, indicator=code, archived_at__isnull=True)
              .select_related("programme", "submission").order_by("uploaded_at"))
    _archivable(request, sub, ev)
    notes = list(IndicatorNote.objects.filter(submission=sub, indicator=code).select_related("author"))
    ind = _indicator_ctx(sub, node, answer, ev, notes)
    ind["suggestion"] = _suggestions(sub, pack, code).get(code)
    ind.update(extra)
    ctx = {"sub": sub, "ind": ind, "programmes": _programmes(sub), "scale": range(pack.scale_min, pack.scale_max + 1),
           "completeness": queries.completeness(sub), "oob": True, "dim_counts": _dim_counts(sub, pack),
           **_checks_ctx(request, sub, pack), **_edit_flags(request, sub)}
    return render(request, "web/assessment/_indicator.html", ctx)


def _back(sub: Submission, code: str = "", screen: str = "web:submission") -> HttpResponse:
    url = reverse(screen, args=[sub.pk])
    return redirect(url + (f"#{anchor(code)}" if code else ""))


def _int_or_none(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.lstrip("-").isdigit() else None


@login_required
@require_POST
def save_answer(request: AuthenticatedHttpRequest, pk: int, code: str) -> HttpResponse:
    sub = _submission(request, pk)
    level = _int_or_none(request.POST.get("level"))
    justification = request.POST.get("justification", "").strip()
    # No version means "I saw no answer": never a silent overwrite of one someone saved meanwhile.
    expected = _int_or_none(request.POST.get("expected_version")) or 0
    prog_id = _int_or_none(request.POST.get("programme"))
    programme = Programme.objects.filter(pk=prog_id).first() if prog_id else None
    try:
        actions.do_save_answer(request.user, sub, code, level, justification, expected_version=expected,
                               programme=programme)
    except StaleEdit as exc:
        # Keep what the user typed; show what is stored now; the next save is against the current version.
        current = Answer.objects.filter(submission=sub, indicator=code).select_related("updated_by").first()
        extra = {"error": exc.message, "stale": current, "level": level, "justification": justification,
                 "version": current.version if current else 0}
        if _is_htmx(request):
            sub.refresh_from_db()
            return _render_indicator(request, sub, code, **extra)
        messages.error(request, exc.message)
        return _back(sub, code)
    except ActionError as exc:
        if _is_htmx(request):
            return _render_indicator(request, sub, code, error=exc.message, level=level,
                                     justification=justification)
        messages.error(request, exc.message)
        return _back(sub, code)
    if _is_htmx(request):
        sub.refresh_from_db()
        return _render_indicator(request, sub, code, saved=True)
    messages.success(request, _("Jawaban %(code)s tersimpan.") % {"code": code})
    return _back(sub, code)


@login_required
@require_POST
def apply_survey_level(request: AuthenticatedHttpRequest, pk: int, code: str) -> HttpResponse:
    """Take the level the region's impact survey suggests for a survey-based Impact indicator (an audited
    do_save_answer; the level is recomputed here, never taken from the form)."""
    sub = _submission(request, pk)
    suggestion = _suggestions(sub, queries.cycle_pack(sub.cycle), code).get(code)
    if suggestion is None:
        error = _("Survei dampak belum memberi saran untuk indikator ini")
        if _is_htmx(request):
            return _render_indicator(request, sub, code, error=error)
        messages.error(request, error)
        return _back(sub, code)
    current = Answer.objects.filter(submission=sub, indicator=code).first()
    basis = _("Tingkat %(level)s dari survei dampak %(year)s: %(formula)s") % {
        "level": suggestion.level, "year": sub.cycle.year, "formula": suggestion.formula}
    text = current.justification if current and current.justification else ""
    justification = text if basis in text else (f"{text}\n{basis}" if text else basis)
    try:
        actions.do_save_answer(request.user, sub, code, suggestion.level, justification,
                               expected_version=_int_or_none(request.POST.get("expected_version")),
                               programme=current.programme if current else None, source="survey")
    except ActionError as exc:
        if _is_htmx(request):
            return _render_indicator(request, sub, code, error=exc.message)
        messages.error(request, exc.message)
        return _back(sub, code)
    if _is_htmx(request):
        sub.refresh_from_db()
        return _render_indicator(request, sub, code, saved=True)
    messages.success(request, _("Jawaban %(code)s tersimpan.") % {"code": code})
    return _back(sub, code)


def _evidence_response(request: HttpRequest, sub: Submission, code: str, error: str = "",
                       status: int = 200, done: str = "") -> HttpResponse:
    """The indicator after an evidence action: the refusal, or what was done ("saved", "archived") —
    never a success line for a refused action."""
    if _is_htmx(request):
        response = _render_indicator(request, sub, code, error=error, evidence_done="" if error else done)
        response.status_code = status
        return response
    if error:
        messages.error(request, error)
    elif done == "archived":
        messages.success(request, _("Bukti dukung diarsipkan."))
    elif done:
        messages.success(request, _("Bukti dukung tersimpan."))
    return _back(sub, code)


def _evidence_programme(request: HttpRequest, sub: Submission) -> Programme | None:
    prog_id = _int_or_none(request.POST.get("programme"))
    return Programme.objects.filter(pk=prog_id, region_id=sub.region_id).first() if prog_id else None


@login_required
@require_POST
def add_evidence_file(request: AuthenticatedHttpRequest, pk: int, code: str) -> HttpResponse:
    sub = _submission(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        return _evidence_response(request, sub, code, _("Pilih berkas yang akan diunggah"), 422)
    try:
        actions.do_add_evidence_file(request.user, sub, code, upload.read(), upload.name or "berkas",
                                     description=request.POST.get("description", ""),
                                     programme=_evidence_programme(request, sub))
    except ActionError as exc:
        return _evidence_response(request, sub, code, exc.message, exc.status)
    return _evidence_response(request, sub, code, done="saved")


@login_required
@require_POST
def add_evidence_link(request: AuthenticatedHttpRequest, pk: int, code: str) -> HttpResponse:
    sub = _submission(request, pk)
    kind = EvidenceKind.VIDEO if request.POST.get("kind") == EvidenceKind.VIDEO else EvidenceKind.LINK
    try:
        actions.do_add_evidence_link(request.user, sub, code, request.POST.get("url", "").strip(), kind=kind,
                                     duration_seconds=_int_or_none(request.POST.get("duration_seconds")),
                                     description=request.POST.get("description", ""),
                                     programme=_evidence_programme(request, sub))
    except ActionError as exc:
        return _evidence_response(request, sub, code, exc.message, exc.status)
    return _evidence_response(request, sub, code, done="saved")


@login_required
@require_POST
def archive_evidence(request: AuthenticatedHttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    sub = _submission(request, pk)
    ev = get_object_or_404(Evidence, pk=evidence_id, submission=sub)
    try:
        actions.do_archive_evidence(request.user, ev)
    except ActionError as exc:
        return _evidence_response(request, sub, ev.indicator, exc.message, exc.status)
    return _evidence_response(request, sub, ev.indicator, done="archived")


@login_required
@require_POST
def submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sub = _submission(request, pk)
    perform(request, lambda: actions.do_submit(request.user, sub, request.POST.get("reason", "")),
            _("Pengajuan terkirim ke panel asesor."))
    return _back(sub)


# --- assessor screen -------------------------------------------------------------------------------

def _assessor_ctx(request: HttpRequest, sub: Submission) -> dict[str, Any]:
    user = request.user
    pack = queries.cycle_pack(sub.cycle)
    is_lead = perms.is_panel_lead.test(user, sub)
    is_admin = access.is_admin(user)
    mine = Assessment.objects.filter(submission=sub, assessor=user).first()
    my_scores = {s.indicator: s for s in AssessmentScore.objects.filter(assessment=mine)} if mine else {}
    answers = {a.indicator: a for a in Answer.objects.filter(submission=sub)}
    evidence = _evidence_by_indicator(sub)
    consensus = {c.indicator: c for c in ConsensusScore.objects.filter(submission=sub)}
    sees_panel = is_lead or is_admin
    sheets = queries.assessor_sheets(sub) if sees_panel else {}
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=list(sheets))} if sheets else {}
    spread = agreement.indicator_spread({str(k): v for k, v in sheets.items()}) if sheets else {}
    can_score = T.can(user, sub, "score") and (mine is None or mine.status != AssessmentStatus.COMPLETE)
    rows = []
    for node in pack.indicators():
        code = node.code
        others = [(users[aid], sheet[code]) for aid, sheet in sheets.items() if code in sheet and aid in users]
        rows.append({
            "node": node, "code": code, "anchor": anchor(code), "answer": answers.get(code),
            "evidence": evidence.get(code, []), "score": my_scores.get(code), "consensus": consensus.get(code),
            "others": others, "spread": spread.get(code), "typed_level": None, "typed_note": None,
        })
    ctx: dict[str, Any] = {
        "sub": sub, "pack": pack, "rows": rows, "mine": mine, "is_lead": is_lead, "is_admin": is_admin,
        "can_score": can_score, "scale": range(pack.scale_min, pack.scale_max + 1),
        "scored": len(my_scores), "total": len(rows), "chain": queries.status_chain(sub),
        # the workflow's buttons: exactly what the transition table allows this person in this status
        "can_start": T.can(user, sub, "start_assessment"),
        "can_return": T.can(user, sub, "return"),
        "can_conclude": T.can(user, sub, "conclude"),
        "can_consensus": T.can(user, sub, "set_consensus"),
        "programmes": list(Programme.objects.active().filter(region_id=sub.region_id)
                           .select_related("pillar").order_by("pillar__order", "title")),
        "window_open": sub.cycle.assessment_open(),
    }
    fb = Feedback.objects.filter(submission=sub).select_related("programme", "assessor")
    if not sees_panel:
        fb = fb.filter(assessor=user)
    ctx["feedback"] = list(fb)
    if sees_panel and sheets:
        ratings = {sub.region_id: {users[a].get_full_name() or users[a].username: s
                                   for a, s in sheets.items() if a in users}}
        alpha = agreement.panel_alpha(ratings) if len(sheets) > 1 else math.nan
        flags = agreement.outliers(ratings, threshold=1.0)
        overall = {f.assessor: f.deviation for f in flags if f.indicator is None}
        per_assessor: dict[str, list[Any]] = defaultdict(list)
        for f in flags:
            if f.indicator is not None:
                per_assessor[f.assessor].append(f)
        ctx["agreement"] = {
            "alpha": None if math.isnan(alpha) else alpha, "assessors": len(sheets),
            "by_assessor": [{"name": name, "overall": overall.get(name), "flags": per_assessor.get(name, [])}
                            for name in sorted(ratings[sub.region_id])],
            "disagreements": sum(1 for sp in spread.values() if sp.range >= 1),
        }
    return ctx


@login_required
def assessor_screen(request: HttpRequest, pk: int) -> HttpResponse:
    sub = _submission(request, pk)
    access.require(perms.is_assigned_assessor.test(request.user, sub) or access.is_admin(request.user),
                   _("Hanya asesor panel yang ditugaskan ke wilayah ini yang menilai pengajuannya"))
    return render(request, "web/assessment/assessor.html", {**_assessor_ctx(request, sub), **_meeting_ctx(sub)})


@login_required
@require_POST
def save_score(request: AuthenticatedHttpRequest, pk: int, code: str) -> HttpResponse:
    sub = _submission(request, pk)
    level = _int_or_none(request.POST.get("level"))
    note = request.POST.get("note", "").strip()
    error = ""
    stale = None
    if level is None:
        error = _("Pilih tingkat terlebih dahulu")
    else:
        try:
            actions.do_score(request.user, sub, code, level, note,
                             expected_version=_int_or_none(request.POST.get("expected_version")) or 0)
        except StaleEdit as exc:
            error = exc.message
            stale = AssessmentScore.objects.filter(assessment__submission=sub, assessment__assessor_id=request.user.pk,
                                                   indicator=code).first()
        except ActionError as exc:
            error = exc.message
    if not _is_htmx(request):
        if error:
            messages.error(request, error)
        return _back(sub, code, "web:assess")
    ctx = _assessor_ctx(request, sub)
    row = next(r for r in ctx["rows"] if r["code"] == code)
    row.update({"error": error, "saved": not error, "stale": stale})
    if error:
        row["typed_level"], row["typed_note"] = level, note
    return render(request, "web/assessment/_score_row.html", {**ctx, "r": row, "oob": True})


@login_required
@require_POST
def complete_assessment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sub = _submission(request, pk)
    perform(request, lambda: actions.do_complete_assessment(request.user, sub),
            _("Penilaian Anda ditandai selesai."))
    return _back(sub, screen="web:assess")


@login_required
@require_POST
def save_feedback(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sub = _submission(request, pk)
    programme = get_object_or_404(Programme, pk=_int_or_none(request.POST.get("programme")) or 0)
    ok, _saved = perform(
        request, lambda: actions.do_feedback(request.user, sub, programme,
                                             strengths=request.POST.get("strengths", "").strip(),
                                             weaknesses=request.POST.get("weaknesses", "").strip(),
                                             recommendation=request.POST.get("recommendation", "").strip()),
        _("Umpan balik untuk %(title)s tersimpan.") % {"title": programme.title})
    if ok:
        request.session.pop("feedback_draft", None)
    else:
        request.session["feedback_draft"] = {k: request.POST.get(k, "") for k in
                                             ("programme", "strengths", "weaknesses", "recommendation")}
    return redirect(reverse("web:assess", args=[sub.pk]) + "#umpan-balik")


@login_required
@require_POST
def set_consensus(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sub = _submission(request, pk)
    levels = {k[2:]: int(v) for k, v in request.POST.items()
              if k.startswith("c-") and isinstance(v, str) and v.strip().isdigit()}
    perform(request, lambda: actions.do_set_consensus(request.user, sub, levels, request.POST.get("note", "")),
            lambda changed: _("Konsensus ditetapkan untuk %(n)d indikator.") % {"n": changed})
    return redirect(reverse("web:assess", args=[sub.pk]) + "#konsensus")


@login_required
@require_POST
def start_assessment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sub = _submission(request, pk)
    perform(request, lambda: actions.do_start_assessment(request.user, sub),
            _("Penilaian dimulai."))
    return _back(sub, screen="web:assess")


@login_required
@require_POST
def return_submission(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sub = _submission(request, pk)
    notes = {k[5:]: v.strip() for k, v in request.POST.items()
             if k.startswith("note-") and isinstance(v, str) and v.strip()}
    code = request.POST.get("indicator", "")
    if code and request.POST.get("text", "").strip():
        notes[code] = request.POST["text"].strip()
    perform(request, lambda: actions.do_return(request.user, sub, notes, request.POST.get("reason", "")),
            _("Pengajuan dikembalikan ke daerah dengan catatan."))
    return _back(sub, screen="web:assess")


@login_required
@require_POST
def conclude(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sub = _submission(request, pk)
    perform(request, lambda: actions.do_conclude(request.user, sub, request.POST.get("reason", "")),
            _("Penilaian ditutup; hasil dihitung."))
    return _back(sub, screen="web:assess")

"""Self-assessment against a pack scored per innovation (Indeks Inovasi Daerah): the region's own
indicators once, the per-innovation indicators once for every catalogue programme flagged as an
innovation, and the index the engine gives for them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kotacerdas.core import packtext
from kotacerdas.core.errors import ActionError
from kotacerdas.evaluations import actions, queries
from kotacerdas.evaluations import rules as perms
from kotacerdas.evaluations.models import InnovationAnswer
from kotacerdas.regions.queries import region_with_counts
from kotacerdas.scoring.packs import Node, Pack
from kotacerdas.scoring.predicates import published_predicate


def _en() -> bool:
    return packtext.is_english()


def predicate_label(pack: Pack, index: Any) -> str:
    """The predicate that may be shown (scoring.predicates: none unless the pack's bands are official)."""
    return published_predicate(pack, index).text("en" if _en() else "id")


def _level(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    if raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        return -1  # refused by the action's scale check, with its message


def _rows(pack: Pack, nodes: list[Node], levels: dict[str, int], prefix: str) -> list[dict[str, Any]]:
    """Form rows in the guideline's numbering (a pack lists a node's groups before its indicators, so
    indicator 1 would come after group 2: codes sort as the guideline numbers them)."""
    out: list[dict[str, Any]] = []
    for node in sorted(nodes, key=lambda n: n.code):
        if node.is_indicator:
            out.append({"node": node, "field": f"{prefix}{node.code}", "level": levels.get(node.code),
                        "options": list(node.levels), "weight": node.weight})
        elif not node.is_count and node.repeat is None:
            if node.kind != "dimension":
                out.append({"header": packtext.name(node)})
            out.extend(_rows(pack, list(node.children), levels, prefix))
    return out


def iid_page(request: HttpRequest, code: str) -> HttpResponse:
    region = region_with_counts(code)
    if region is None:
        raise Http404(code)
    year = request.GET.get("tahun")
    cycle = queries.iid_cycle(code, int(year) if year and year.isdigit() else None)
    submission = None if cycle is None else queries.stage_submission(cycle, code)
    if submission is None:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        return render(request, "web/iid.html", {"region": region, "cycle": cycle, "submission": None})
    assert cycle is not None
    submission.cycle = cycle
    if not perms.can_view_submission.test(request.user, submission):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        raise PermissionDenied(_("Penilaian mandiri IID hanya untuk pengguna wilayahnya, asesor panel yang "
                                 "ditugaskan dan admin nasional"))
    pack = queries.cycle_pack(cycle)
    if request.method == "POST":
        _save(request, submission, pack)
        return redirect(request.get_full_path())
    return _render(request, region, cycle, submission, pack)


def _save(request: HttpRequest, submission: Any, pack: Pack) -> None:
    repeated = pack.repeated_codes()
    answers = {n.code: _level(request.POST.get(f"a:{n.code}")) for n in pack.indicators()
               if n.code not in repeated and f"a:{n.code}" in request.POST}
    innovations: dict[str, dict[str, int | None]] = {}
    for key, value in request.POST.items():
        if key.startswith("i:") and isinstance(value, str):
            _prefix, prog, indicator = key.split(":", 2)
            innovations.setdefault(prog, {})[indicator] = _level(value)
    user = request.user
    if not user.is_authenticated:  # iid_page lets only members, their assessors and admins get this far
        raise PermissionDenied
    try:
        changed = actions.do_save_iid(user, submission, answers, innovations)
    except ActionError as exc:
        messages.error(request, exc.message)
        return
    messages.success(request, _("Penilaian mandiri IID disimpan (%(n)s perubahan)") % {"n": changed})


def _render(request: HttpRequest, region: Any, cycle: Any, submission: Any, pack: Pack) -> HttpResponse:
    repeated = pack.repeated_codes()
    own = {k: v for k, v in queries.self_answers(submission).items() if k not in repeated}
    groups = pack.repeats()
    per: dict[int, dict[str, int]] = {}
    for pid, indicator, level in InnovationAnswer.objects.filter(submission=submission).values_list(
            "programme_id", "indicator", "level"):
        if level is not None:
            per.setdefault(pid, {})[indicator] = level
    innovation_rows: list[dict[str, Any]] = []
    for p in queries.innovations(region.code):
        rows = [r for g in groups for r in _rows(pack, list(g.children), per.get(p.pk, {}), f"i:{p.code}:")]
        innovation_rows.append({"programme": p, "rows": rows})
    spd_rows = [r for d in pack.dimensions if any(i.code not in repeated for i in d.indicators())
                for r in _rows(pack, [d], own, "a:")]
    result = queries.iid_score(submission)
    per_score = {key: nodes.get(groups[0].code) for key, nodes in
                 result.instances.get(queries.INNOVATION, {}).items()} if groups else {}
    for item in innovation_rows:
        item["score"] = per_score.get(item["programme"].code)
    dims = [{"code": d.code, "name": packtext.name(d),
             "value": result.dimensions.get(d.code)} for d in pack.dimensions]
    can_edit = perms.can_edit_answers.test(request.user, submission)
    predicate = predicate_label(pack, result.index)
    return render(request, "web/iid.html", {
        "region": region, "cycle": cycle, "submission": submission, "pack": pack, "result": result,
        "spd_rows": spd_rows, "predicate": predicate, "innovations": innovation_rows, "dims": dims,
        "can_edit": can_edit, "index_max": pack.index_scale[1], "maximum": pack.index_maximum,
        "formula": result.step("index").formula_text,
    })

"""The what-if page: change indicator levels on screen and see the index, the five dimensions, the
predicate and the cheapest path to +0.10 change. A GET form (htmx swaps the result), nothing is saved."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET

from kotacerdas.evaluations import rules as eval_rules
from kotacerdas.evaluations.scenarios import UNANSWERED, ScoringError, scenario
from kotacerdas.regions.queries import region_with_counts

from .. import access
from .common import region_submission


def _refusal() -> str:
    return gettext("Simulasi hanya untuk koordinator daerah dan kepala daerah (bupati/wali kota) wilayah ini")


@require_GET  # a what-if changes nothing: no other method is accepted
def whatif_page(request: HttpRequest, code: str) -> HttpResponse:
    region = region_with_counts(code)
    if region is None:
        raise Http404(code)
    access.require(bool(eval_rules.can_play_whatif.test(request.user, code)), _refusal())
    sub = region_submission(code)
    ctx: dict[str, object] = {"region": region, "submission": sub}
    if sub is not None:
        try:
            sc = scenario(sub, request.GET, english=(get_language() or "id").startswith("en"))
        except ScoringError as exc:
            ctx["error"] = str(exc)
        else:
            ctx["s"] = sc
            ctx["path_query"] = _query(sc.path_levels())
            ctx["reset_query"] = ""
    partial = bool(getattr(request, "htmx", False))
    ctx["oob"] = partial  # the phone's index bar travels with the result
    template = "web/whatif/_result.html" if partial else "web/whatif/page.html"
    return render(request, template, ctx)


def _query(levels: dict[str, int | None]) -> str:
    return urlencode({c: UNANSWERED if v is None else v for c, v in levels.items()})

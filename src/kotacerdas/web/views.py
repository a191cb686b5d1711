from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from kotacerdas.catalogue.models import Pillar
from kotacerdas.catalogue.queries import public_programmes
from kotacerdas.regions.queries import region_with_counts


def home(request: HttpRequest) -> HttpResponse:
    banyuasin = region_with_counts("16.07")
    return render(request, "web/home.html", {"featured": banyuasin})


def programme_list(request: HttpRequest, code: str) -> HttpResponse:
    region = region_with_counts(code)
    if region is None:
        raise Http404(code)
    pillar = request.GET.get("pilar") or None
    programmes = public_programmes(region=code, pillar=pillar, q=request.GET.get("q") or None)
    return render(request, "web/programmes.html", {
        "region": region, "programmes": programmes.select_related("pillar", "subdimension"),
        "pillars": Pillar.objects.all(), "pillar": pillar, "q": request.GET.get("q", ""),
    })

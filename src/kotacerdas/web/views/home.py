from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kotacerdas.accounts import roles
from kotacerdas.accounts.choices import Role
from kotacerdas.regions.models import Region
from kotacerdas.regions.queries import region_with_counts

from ..sections import survey_links
from .common import assigned_submissions, current_cycle, region_submission


def home(request: HttpRequest) -> HttpResponse:
    """A landing page that sends each role to its work; the public to the portal."""
    user = request.user
    ctx: dict[str, Any] = {"featured": region_with_counts("16.07"), "survey_links": survey_links()[:3]}
    if user.is_authenticated:
        cycle = current_cycle()
        ctx["cycle"] = cycle
        ctx["is_admin"] = roles.is_national_admin(user)
        ctx["is_assessor"] = roles.has_role(user, Role.ASSESSOR)
        if ctx["is_assessor"]:
            ctx["assigned"] = assigned_submissions(user, cycle)
        memberships = list(user.memberships.filter(active=True).values_list("role", "region_id"))
        mine = []
        names = dict(Region.objects.filter(code__in=roles.regions_for(user)).values_list("code", "name"))
        for code in sorted(names):
            held = [r for r, reg in memberships if reg == code]
            mine.append({
                "code": code, "name": names[code],
                "roles": sorted({str(Role(r).label) for r in held}),
                "coordinator": Role.COORDINATOR in held, "operator": Role.OPERATOR in held,
                "executive": Role.EXECUTIVE in held,
                "submission": region_submission(code) if (Role.COORDINATOR in held or Role.OPERATOR in held)
                else None,
            })
        ctx["my_regions"] = [m for m in mine if not (ctx["is_assessor"] and not (m["coordinator"] or m["operator"]
                                                                                or m["executive"]))]
        ctx["role_labels"] = sorted({str(Role(r).label) for r, _reg in memberships})
    return render(request, "web/home.html", ctx)

"""Installation-wide state changes: archiving the demo."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from kotacerdas.accounts import roles
from kotacerdas.accounts.actions import record_event
from kotacerdas.core import provenance

if TYPE_CHECKING:
    from django.contrib.auth.models import User

REMOVE_ACTION = "demo.remove"


def demo_removed_at() -> Any:
    """When the demo was archived (the latest `demo.remove` audit event), or None."""
    from kotacerdas.accounts.models import AuditEvent

    return AuditEvent.objects.filter(action=REMOVE_ACTION).order_by("-at").values_list("at", flat=True).first()


@transaction.atomic
def do_remove_demo(actor: User | None = None) -> dict[str, int]:
    """Archive every row the demo loaded, so a pilot installation starts clean; nothing is deleted.

    * demo cycles (2021, 2023, 2024) get ``archived_at``: with them every participation, submission,
      answer, piece of evidence, panel, assessment, result, survey and response in them leaves every page,
      ranking, export and the API (``Cycle.objects`` and the managers of rows in a cycle skip archived cycles);
    * demo programmes, KPIs and action-plan items get ``archived_at``; the reach of demo programmes is
      withdrawn from the public;
    * units from the demo file that own no programme of this installation get ``archived_at``;
    * demo accounts (``*.test``, known password) are deactivated and their memberships ended.

    ``actor`` None = the installation's operator at the terminal (`kotacerdas demo --remove`); from
    anywhere else only a national admin may."""
    if actor is not None and not roles.is_national_admin(actor):
        raise PermissionError(_("Hanya admin nasional yang mengarsipkan data demo"))
    from kotacerdas.accounts.models import Membership
    from kotacerdas.actionplans.models import ActionItem
    from kotacerdas.catalogue.models import Programme, Unit
    from kotacerdas.evaluations.models import Cycle
    from kotacerdas.monitoring.models import Kpi, ReachPublication

    from .demo import read_demo

    now = timezone.now()
    data = read_demo()
    demo_programmes = Programme.objects.active().filter(is_demo=True)
    counts = {
        "cycles": Cycle.objects.filter(is_demo=True).update(archived_at=now),
        "action_items": ActionItem.objects.active().filter(is_demo=True).update(archived_at=now),
        "kpis": Kpi.objects.active().filter(is_demo=True).update(archived_at=now),
    }
    ReachPublication.objects.filter(programme__in=demo_programmes, published=True).update(published=False)
    counts["programmes"] = demo_programmes.update(archived_at=now)
    own = Programme.objects.active().filter(owner=OuterRef("pk"))
    counts["units"] = (Unit.objects.active().filter(region_id=data["region"], name__in=[u["name"] for u in data["units"]])
                       .exclude(Exists(own)).update(archived_at=now))
    users = get_user_model().objects.filter(username__in=[u["username"] for u in data["users"]])
    counts["memberships"] = Membership.objects.filter(user__in=users, active=True).update(active=False)
    counts["accounts"] = users.filter(is_active=True).update(is_active=False)
    record_event(actor, REMOVE_ACTION, object_type="core.demo", object_id="banyuasin", to_state="archived",
                 data=counts)
    provenance.forget()
    return counts

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import RequestFactory

from kotacerdas.accounts.actions import record_event
from kotacerdas.accounts.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_it_refuses_to_change_or_delete_audit_events(actors) -> None:
    event = record_event(actors.alice, "test.thing", object_type="x", object_id="1", region_code="16.07")
    event.reason = "diubah"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    model_admin = admin.site._registry[AuditEvent]
    request = RequestFactory().get("/")
    request.user = actors.alice
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    assert not model_admin.has_add_permission(request)


def test_it_exports_the_audit_trail_as_csv(actors, tmp_path: Path) -> None:
    record_event(actors.citra, "evaluations.submit", object_type="evaluations.submission", object_id="9",
                 region_code="16.07", from_state="draft", to_state="submitted", data={"catatan": "ok"})
    record_event(actors.mira, "evaluations.submit", object_type="evaluations.submission", object_id="10",
                 region_code="16.06", from_state="draft", to_state="submitted")
    out = tmp_path / "audit.csv"
    call_command("auditexport", output=str(out), region="16.07", action="evaluations.submit")
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["actor"], r["from_state"], r["to_state"], r["object_id"]) for r in rows] == [
        ("citra@test.id", "draft", "submitted", "9")]
    assert '"catatan": "ok"' in rows[0]["data"]

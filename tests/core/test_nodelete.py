"""Nothing is ever hard-deleted: every model of the project refuses instance and bulk deletes, through
its default manager and through related managers, and the admin offers no delete."""
from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.test import RequestFactory

from kotacerdas.core.nodelete import HardDeleteRefused

PROJECT_MODELS = [m for m in apps.get_models() if m.__module__.startswith("kotacerdas.")]


def test_the_project_has_models_to_check() -> None:
    assert len(PROJECT_MODELS) >= 30


@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda m: m._meta.label)
def test_every_model_refuses_instance_delete(model: type[models.Model]) -> None:
    with pytest.raises(PermissionError):
        model().delete()


@pytest.mark.django_db
@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda m: m._meta.label)
def test_every_model_refuses_bulk_delete_and_keeps_its_rows(model: type[models.Model]) -> None:
    before = model._default_manager.count()
    with pytest.raises(PermissionError):
        model._default_manager.all().delete()
    assert model._default_manager.count() == before


@pytest.mark.django_db
def test_related_manager_cannot_delete_either() -> None:
    from kotacerdas.regions.models import Region
    kab = Region.objects.get(code="16.07")
    children = kab.children.count()
    assert children > 0
    with pytest.raises(HardDeleteRefused):
        kab.children.all().delete()
    assert kab.children.count() == children


def test_refusals_name_the_reason() -> None:
    from kotacerdas.accounts.models import ApiToken, AuditEvent
    from kotacerdas.catalogue.models import Programme
    with pytest.raises(HardDeleteRefused, match="append-only"):
        AuditEvent().delete()
    with pytest.raises(HardDeleteRefused, match="revoked"):
        ApiToken().delete()
    with pytest.raises(HardDeleteRefused, match="hard-deleted"):
        Programme().delete()


@pytest.mark.parametrize("model", [m for m in PROJECT_MODELS if admin.site.is_registered(m)],
                         ids=lambda m: m._meta.label)
def test_admin_offers_no_delete(model: type[models.Model]) -> None:
    request = RequestFactory().get("/admin/")
    request.user = type("Super", (), {"is_active": True, "is_staff": True, "is_superuser": True,
                                      "has_perm": lambda *a, **k: True})()
    model_admin = admin.site._registry[model]
    assert model_admin.has_delete_permission(request) is False
    assert "delete_selected" not in model_admin.get_actions(request)

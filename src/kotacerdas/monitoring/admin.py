from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kotacerdas.core.admin import NoDeleteAdmin

from .models import IngestJob, Kpi, KpiValue, ReachPublication


@admin.register(Kpi)
class KpiAdmin(NoDeleteAdmin):
    list_display = ("name", "code", "programme", "unit", "direction", "target", "frequency", "evidence_for",
                    "archived_at")
    list_filter = ("unit", "frequency", "evidence_for", "programme__region")
    search_fields = ("name", "code", "programme__title")
    raw_id_fields = ("programme",)


@admin.register(KpiValue)
class KpiValueAdmin(NoDeleteAdmin):
    list_display = ("kpi", "period", "area", "value", "target", "source", "updated_at")
    list_filter = ("source",)
    raw_id_fields = ("kpi", "area", "ingest_job")
    date_hierarchy = "period"


@admin.register(IngestJob)
class IngestJobAdmin(NoDeleteAdmin):
    list_display = ("id", "kind", "job_status", "region", "original_name", "created_count", "updated_count",
                    "error_count", "created_by", "created_at")
    list_filter = ("kind", "job__status")
    raw_id_fields = ("job", "region", "programme", "created_by")
    readonly_fields = ("errors", "report")
    list_select_related = ("job", "region", "created_by")

    @admin.display(description=_("status"), ordering="job__status")
    def job_status(self, obj: IngestJob) -> str:
        return obj.status_label


@admin.register(ReachPublication)
class ReachPublicationAdmin(NoDeleteAdmin):
    list_display = ("programme", "published", "published_at", "published_by")
    raw_id_fields = ("programme", "published_by")

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kotacerdas.core.admin import ReadOnlyAdmin

from .models import ActionComment, ActionItem, ImportJob


@admin.register(ActionItem)
class ActionItemAdmin(ReadOnlyAdmin):
    list_display = ("code", "title", "region", "cycle", "category", "owner", "status", "due_on", "version")
    list_filter = ("cycle", "category", "status")
    search_fields = ("code", "title")


@admin.register(ActionComment)
class ActionCommentAdmin(ReadOnlyAdmin):
    list_display = ("item", "author", "created_at")


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ("filename", "region", "cycle", "job_status", "created_at")
    list_filter = ("job__status",)
    list_select_related = ("region", "cycle", "job")
    exclude = ("content",)

    @admin.display(description=_("status"), ordering="job__status")
    def job_status(self, obj: ImportJob) -> str:
        return obj.job.get_status_display() if obj.job is not None else "-"

from __future__ import annotations

from django.contrib import admin

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
    list_display = ("filename", "region", "cycle", "status", "progress", "total", "created_at")
    exclude = ("content",)

from __future__ import annotations

from django.contrib import admin

from .models import ActionComment, ActionItem, ImportJob


class ReadOnlyAdmin(admin.ModelAdmin):
    """State changes go through actions (with audit); the admin only shows them."""

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


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

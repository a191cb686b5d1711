from __future__ import annotations

from typing import Any

from django.contrib import admin


class NoDeleteAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Admin without delete (nothing is hard-deleted, see `core.nodelete`): no delete button, no bulk
    delete action, no delete view."""

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(NoDeleteAdmin):
    """State changes go through actions (with audit); the admin only shows them."""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

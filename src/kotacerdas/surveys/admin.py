from __future__ import annotations

from django.contrib import admin

from .models import AccessCode, Response, Survey, SurveyService


class ReadOnlyAdmin(admin.ModelAdmin):
    """State changes go through actions (with audit); the admin only shows them."""

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ("title", "region", "cycle", "status", "opens_at", "closes_at")


@admin.register(SurveyService)
class SurveyServiceAdmin(ReadOnlyAdmin):
    list_display = ("survey", "subdimension", "programme")


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    # Personal fields are left out: viewing them goes through the audited export.
    list_display = ("pk", "survey", "service", "kecamatan", "channel", "submitted_at")
    exclude = ("contact_name", "contact_phone", "ip_hash")


@admin.register(AccessCode)
class AccessCodeAdmin(ReadOnlyAdmin):
    list_display = ("survey", "code", "used_at")

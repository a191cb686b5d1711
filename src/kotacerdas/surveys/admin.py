from __future__ import annotations

from django.contrib import admin

from kotacerdas.core.admin import ReadOnlyAdmin

from .models import AccessCode, Response, Survey, SurveyService


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

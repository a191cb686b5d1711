from __future__ import annotations

from django.contrib import admin

from kotacerdas.core.admin import NoDeleteAdmin

from .models import AuditEvent, Membership


@admin.register(Membership)
class MembershipAdmin(NoDeleteAdmin):
    list_display = ("user", "role", "region", "unit", "active")
    list_filter = ("role", "active")
    raw_id_fields = ("region", "unit")


@admin.register(AuditEvent)
class AuditEventAdmin(NoDeleteAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id", "region_code", "from_state", "to_state")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "region_code", "reason")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

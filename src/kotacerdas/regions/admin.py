from __future__ import annotations

from django.contrib import admin

from kotacerdas.core.admin import NoDeleteAdmin

from .models import Region


@admin.register(Region)
class RegionAdmin(NoDeleteAdmin):
    list_display = ("code", "name", "level", "kind", "parent", "population")
    list_filter = ("level", "kind")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).defer("geometry")

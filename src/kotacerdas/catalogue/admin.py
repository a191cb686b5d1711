from __future__ import annotations

from django.contrib import admin

from kotacerdas.core.admin import NoDeleteAdmin

from .models import Pillar, Programme, SubDimension, Unit


class SubDimensionInline(admin.TabularInline):
    model = SubDimension
    extra = 0


@admin.register(Pillar)
class PillarAdmin(NoDeleteAdmin):
    list_display = ("code", "name", "order")
    inlines = [SubDimensionInline]


@admin.register(Unit)
class UnitAdmin(NoDeleteAdmin):
    list_display = ("name", "short_name", "kind", "region", "archived_at")
    list_filter = ("kind",)
    search_fields = ("name", "short_name")
    raw_id_fields = ("region",)


@admin.register(Programme)
class ProgrammeAdmin(NoDeleteAdmin):
    list_display = ("title", "region", "pillar", "subdimension", "owner", "status", "quick_win", "is_application")
    list_filter = ("pillar", "status", "quick_win", "is_application", "sector")
    search_fields = ("title", "code", "description")
    raw_id_fields = ("region", "owner")
    filter_horizontal = ("kecamatan",)
    readonly_fields = ("created_at", "updated_at", "version")

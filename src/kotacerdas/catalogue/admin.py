from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from kotacerdas.core.admin import NoDeleteAdmin
from kotacerdas.core.errors import ActionError

from . import actions
from . import rules as perms
from .models import Pillar, Programme, SubDimension, Unit


class SubDimensionInline(admin.TabularInline):
    model = SubDimension
    extra = 0


@admin.register(Pillar)
class PillarAdmin(NoDeleteAdmin):
    list_display = ("code", "name", "order")
    inlines = [SubDimensionInline]


# Units and programmes change only through catalogue.actions (permission check and audit event), here too:
# the forms validate with the actions' own checks, saving calls the action, archiving is an admin action.

class UnitAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Unit
        fields = ("region", "name", "short_name", "kind")


@admin.register(Unit)
class UnitAdmin(NoDeleteAdmin):
    form = UnitAdminForm
    list_display = ("name", "short_name", "kind", "region", "archived_at")
    list_filter = ("kind",)
    search_fields = ("name", "short_name")
    raw_id_fields = ("region",)
    actions = ["archive"]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> tuple[str, ...]:
        return ("region", "archived_at") if obj is not None else ("archived_at",)

    def save_model(self, request: Any, obj: Unit, form: Any, change: bool) -> None:
        values = {k: form.cleaned_data[k] for k in actions.UNIT_FIELDS if k in form.cleaned_data}
        if change:
            saved = actions.do_update_unit(request.user, Unit.objects.get(pk=obj.pk), values, source="admin")
        else:
            saved = actions.do_create_unit(request.user, form.cleaned_data["region"], values, source="admin")
        obj.pk, obj._state.adding = saved.pk, False

    @admin.action(description=_("Arsipkan unit terpilih"))
    def archive(self, request: Any, queryset: Any) -> None:
        for unit in queryset:
            try:
                actions.do_archive_unit(request.user, unit, source="admin")
            except ActionError as exc:
                self.message_user(request, exc.message, messages.ERROR)


class ProgrammeAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    url = forms.URLField(label=_("alamat aplikasi"), required=False, assume_scheme="https")

    class Meta:
        model = Programme
        fields = ("region", "code", "title", "owner", "pillar", "subdimension", "sector", "start_year", "status",
                  "is_application", "url", "platform", "hosting", "quick_win", "target_group", "area_scope",
                  "kecamatan", "description", "masterplan_ref")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        region = data.get("region") or getattr(self.instance, "region", None)
        if region is None or self.errors:
            return data
        values = actions._normalise({k: v for k, v in data.items() if k in actions.PROGRAMME_FIELDS})
        merged = {**(actions.programme_values(self.instance) if self.instance.pk else actions._defaults()), **values}
        for name, message in actions.check_programme(merged, region.code).items():
            self.add_error(name if name in self.fields else None, message)
        return data


@admin.register(Programme)
class ProgrammeAdmin(NoDeleteAdmin):
    form = ProgrammeAdminForm
    list_display = ("title", "region", "pillar", "subdimension", "owner", "status", "quick_win", "is_application",
                    "archived_at")
    list_filter = ("pillar", "status", "quick_win", "is_application", "sector")
    search_fields = ("title", "code", "description")
    raw_id_fields = ("region", "owner")
    filter_horizontal = ("kecamatan",)
    actions = ["archive", "restore"]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> tuple[str, ...]:
        always = ("created_at", "updated_at", "version", "archived_at", "is_demo")
        return ("region", "code", *always) if obj is not None else always

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        if obj is not None and not perms.can_edit_programme.test(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request: Any, obj: Programme, form: Any, change: bool) -> None:
        values = {k: form.cleaned_data[k] for k in actions.PROGRAMME_FIELDS if k in form.cleaned_data}
        if change:
            current = Programme.objects.get(pk=obj.pk)
            saved = actions.do_update_programme(request.user, current, current.version, values, source="admin")
        else:
            saved = actions.do_create_programme(request.user, form.cleaned_data["region"], form.cleaned_data["code"],
                                                values, source="admin")
        obj.pk, obj._state.adding = saved.pk, False

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        # kecamatan were saved by the action (and recorded in its audit event); only inline formsets remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description=_("Arsipkan program terpilih"))
    def archive(self, request: Any, queryset: Any) -> None:
        for programme in queryset:
            try:
                actions.do_archive_programme(request.user, programme, source="admin")
            except ActionError as exc:
                self.message_user(request, exc.message, messages.ERROR)

    @admin.action(description=_("Pulihkan program terpilih dari arsip"))
    def restore(self, request: Any, queryset: Any) -> None:
        for programme in queryset:
            try:
                actions.do_restore_programme(request.user, programme, source="admin")
            except ActionError as exc:
                self.message_user(request, exc.message, messages.ERROR)

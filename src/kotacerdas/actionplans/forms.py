from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kotacerdas.catalogue.models import Pillar, Programme, Unit
from kotacerdas.core.choices import NumberFormat
from kotacerdas.evaluations.models import Cycle, Feedback

from . import queries
from .choices import ActionStatus, ProgressMode

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ItemForm(forms.Form):
    """Edit form of an action item; fields the user may not change are removed by the view."""

    title = forms.CharField(label=_("Kegiatan"), max_length=200)
    category = forms.ChoiceField(label=_("Kategori"))
    owner = forms.ModelChoiceField(label=_("Unit pemilik"), queryset=Unit.objects.none())
    pillar = forms.ModelChoiceField(label=_("Pilar"), queryset=Pillar.objects.all(), required=False)
    programme = forms.ModelChoiceField(label=_("Program"), queryset=Programme.objects.none(), required=False)
    recommendation = forms.ModelChoiceField(label=_("Rekomendasi asesor"), queryset=Feedback.objects.none(),
                                            required=False)
    target = forms.CharField(label=_("Target"), max_length=200, required=False)
    progress_mode = forms.ChoiceField(label=_("Cara hitung capaian"), choices=ProgressMode.choices)
    target_value = forms.DecimalField(label=_("Target angka"), max_digits=14, decimal_places=2, required=False,
                                      min_value=0)
    realised_value = forms.DecimalField(label=_("Realisasi"), max_digits=14, decimal_places=2, required=False,
                                        min_value=0)
    measure_unit = forms.CharField(label=_("Satuan"), max_length=40, required=False)
    start_on = forms.DateField(label=_("Mulai"), required=False, widget=DATE)
    due_on = forms.DateField(label=_("Tenggat"), required=False, widget=DATE)
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    evidence_url = forms.URLField(label=_("Bukti (tautan)"), required=False, max_length=500, assume_scheme="https")
    evidence_note = forms.CharField(label=_("Keterangan bukti"), max_length=300, required=False)
    description = forms.CharField(label=_("Keterangan"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, region_code: str, cycle: Cycle, allowed: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = list(queries.category_labels(cycle).items())  # type: ignore[attr-defined]
        self.fields["owner"].queryset = Unit.objects.active().filter(region_id=region_code)  # type: ignore[attr-defined]
        self.fields["programme"].queryset = Programme.objects.active().filter(region_id=region_code)  # type: ignore[attr-defined]
        self.fields["recommendation"].queryset = (  # type: ignore[attr-defined]
            Feedback.objects.filter(submission__region_id=region_code).exclude(recommendation="")
            .select_related("programme"))
        self.fields["recommendation"].label_from_instance = (  # type: ignore[attr-defined]
            lambda f: f"#{f.pk} {f.programme}: {f.recommendation[:80]}")
        if not self.fields["recommendation"].queryset.exists():  # type: ignore[attr-defined]
            # Say why the list is empty instead of offering an empty drop-down.
            self.fields["recommendation"].empty_label = _("— belum ada rekomendasi asesor untuk wilayah ini —")  # type: ignore[attr-defined]
            self.fields["recommendation"].help_text = _(
                "Rekomendasi muncul di sini setelah panel asesor menulis umpan balik per program.")
            self.fields["recommendation"].disabled = True
        for name in list(self.fields):
            if name not in allowed:
                del self.fields[name]

    def changes(self) -> dict[str, Any]:
        """Cleaned values keyed like actions.COORDINATOR_FIELDS (foreign keys as ids)."""
        out: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if name in ("owner", "pillar", "programme", "recommendation"):
                out[name] = value.pk if value is not None else None
            elif isinstance(value, str):
                out[name] = value.strip()
            else:
                out[name] = value
        return out


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Berkas Excel (.xlsx)"))
    decimal = forms.ChoiceField(
        label=_("Format angka yang diketik sebagai teks"), required=False,
        choices=[("", _("Tidak ditentukan: angka yang terbaca dua cara (3.650) ditolak")),
                 *[(value, label) for value, label in NumberFormat.choices if value]])

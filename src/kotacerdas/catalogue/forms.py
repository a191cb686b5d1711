from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kotacerdas.regions.models import Region

from .choices import AreaScope, Hosting, ProgrammeStatus, Sector, UnitKind
from .models import SubDimension, Unit


def _subdimension_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for s in SubDimension.objects.select_related("pillar"):
        groups.setdefault(s.pillar.name, []).append((s.code, s.name))
    return list(groups.items())


class ProgrammeForm(forms.Form):
    """Create/edit form of a programme; values go to catalogue.actions, which validates them again."""

    code = forms.SlugField(label=_("Kode"), max_length=60,
                           help_text=_("Huruf kecil, angka dan tanda hubung; tidak bisa diubah kemudian"))
    title = forms.CharField(label=_("Nama program"), max_length=200)
    owner = forms.ModelChoiceField(label=_("Unit pemilik"), queryset=Unit.objects.none())
    subdimension = forms.ChoiceField(label=_("Pilar · sub-dimensi"))
    sector = forms.ChoiceField(label=_("Sektor"), choices=Sector.choices)
    start_year = forms.IntegerField(label=_("Tahun mulai"), min_value=1990, max_value=2100)
    status = forms.ChoiceField(label=_("Status"), choices=ProgrammeStatus.choices)
    quick_win = forms.BooleanField(label=_("Quick Win (program percepatan)"), required=False)
    is_innovation = forms.BooleanField(
        label=_("Inovasi daerah (dinilai dalam IID)"), required=False,
        help_text=_("Dilaporkan sebagai inovasi daerah: dinilai per inovasi pada Indeks Inovasi Daerah"))
    is_application = forms.BooleanField(label=_("Berupa aplikasi"), required=False)
    url = forms.URLField(label=_("Alamat aplikasi"), required=False, max_length=200, assume_scheme="https")
    platform = forms.CharField(label=_("Platform"), max_length=80, required=False,
                               help_text=_("mis. web, Android, iOS"))
    hosting = forms.ChoiceField(label=_("Hosting"), choices=Hosting.choices, required=False)
    target_group = forms.CharField(label=_("Kelompok sasaran"), max_length=200, required=False)
    area_scope = forms.ChoiceField(label=_("Wilayah layanan"), choices=AreaScope.choices,
                                   widget=forms.RadioSelect)
    kecamatan = forms.MultipleChoiceField(label=_("Kecamatan yang dilayani"), required=False,
                                          widget=forms.CheckboxSelectMultiple,
                                          help_text=_("Hanya bila layanan untuk kecamatan tertentu"))
    masterplan_ref = forms.CharField(label=_("Rujukan masterplan"), max_length=200, required=False)
    description = forms.CharField(label=_("Deskripsi"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, region_code: str, units: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = units  # type: ignore[attr-defined]
        self.fields["subdimension"].choices = _subdimension_choices()  # type: ignore[attr-defined]
        self.fields["kecamatan"].choices = list(  # type: ignore[attr-defined]
            Region.objects.without_geometry().filter(parent_id=region_code).order_by("name")
            .values_list("code", "name"))
        if editing:
            del self.fields["code"]

    def values(self) -> dict[str, Any]:
        """Cleaned values keyed like catalogue.actions.PROGRAMME_FIELDS."""
        data = dict(self.cleaned_data)
        data.pop("code", None)
        data["owner"] = data["owner"].pk if data.get("owner") is not None else None
        data["hosting"] = data.get("hosting") or ""
        if data.get("area_scope") != AreaScope.LISTED:
            data["kecamatan"] = []
        return data


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Nama unit"), max_length=160)
    short_name = forms.CharField(label=_("Singkatan"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_("Jenis"), choices=UnitKind.choices)

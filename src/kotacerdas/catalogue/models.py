from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kotacerdas.core.nodelete import ArchivableQuerySet, NoDeleteModel
from kotacerdas.lib.text import TEXT

from .choices import AreaScope, Hosting, ProgrammeStatus, Sector, UnitKind


class Pillar(NoDeleteModel):
    """One of the six Smart City pillars (Smart Governance … Smart Environment)."""

    code = models.SlugField(_("kode"), max_length=20, primary_key=True)
    name = models.CharField(_("nama"), max_length=80)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("pilar")
        verbose_name_plural = _("pilar")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class SubDimension(NoDeleteModel):
    """One of the three elements of a pillar, e.g. Layanan Publik under Smart Governance."""

    code = models.CharField(_("kode"), max_length=40, primary_key=True)
    pillar = models.ForeignKey(Pillar, verbose_name=_("pilar"), on_delete=models.PROTECT,
                               related_name="subdimensions")
    name = models.CharField(_("nama"), max_length=120)
    name_en = models.CharField(_("nama (Inggris)"), max_length=120)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("sub-dimensi")
        verbose_name_plural = _("sub-dimensi")
        ordering = ["pillar__order", "order"]

    def __str__(self) -> str:
        return self.name


class Unit(NoDeleteModel):
    """A unit of the regional government that owns programmes: an OPD (dinas/badan), a BUMD or a PDAM."""

    region = models.ForeignKey("regions.Region", verbose_name=_("wilayah"), on_delete=models.PROTECT,
                               related_name="units")
    name = models.CharField(_("nama"), max_length=160)
    short_name = models.CharField(_("singkatan"), max_length=40, blank=True)
    kind = models.CharField(_("jenis"), max_length=10, choices=UnitKind.choices, default=UnitKind.OPD)
    archived_at = models.DateTimeField(_("diarsipkan pada"), null=True, blank=True)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit kerja")
        verbose_name_plural = _("unit kerja")
        ordering = ["region", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="unit_unique_name_per_region")]

    def __str__(self) -> str:
        return self.short_name or self.name



class Programme(NoDeleteModel):
    """A Smart City programme, innovation or application of a region (e.g. JAM KUNCI of Disdukcapil),
    placed in one pillar and sub-dimension and owned by one unit."""

    region = models.ForeignKey("regions.Region", verbose_name=_("wilayah"), on_delete=models.PROTECT,
                               related_name="programmes")
    code = models.SlugField(_("kode"), max_length=60, help_text=_("Kode singkat unik per wilayah, mis. jam-kunci"))
    title = models.CharField(_("nama program"), max_length=200)
    owner = models.ForeignKey(Unit, verbose_name=_("unit pemilik"), on_delete=models.PROTECT,
                              related_name="programmes")
    pillar = models.ForeignKey(Pillar, verbose_name=_("pilar"), on_delete=models.PROTECT, related_name="programmes")
    subdimension = models.ForeignKey(SubDimension, verbose_name=_("sub-dimensi"), on_delete=models.PROTECT,
                                     related_name="programmes")
    sector = models.CharField(_("sektor"), max_length=20, choices=Sector.choices, default=Sector.PEMERINTAHAN)
    start_year = models.PositiveSmallIntegerField(_("tahun mulai"))
    status = models.CharField(_("status"), max_length=10, choices=ProgrammeStatus.choices,
                              default=ProgrammeStatus.RUNNING)
    is_application = models.BooleanField(_("berupa aplikasi"), default=False)
    url = models.URLField(_("alamat aplikasi"), blank=True)
    platform = models.CharField(_("platform"), max_length=80, blank=True, help_text=_("mis. web, Android, iOS"))
    hosting = models.CharField(_("hosting"), max_length=10, choices=Hosting.choices, blank=True, default="")
    quick_win = models.BooleanField(_("Quick Win (program percepatan)"), default=False)
    is_innovation = models.BooleanField(
        _("inovasi daerah (dinilai dalam IID)"), default=False,
        help_text=_("Dilaporkan sebagai inovasi daerah: dinilai per inovasi pada Indeks Inovasi Daerah"))
    target_group = models.CharField(_("kelompok sasaran"), max_length=200, blank=True)
    area_scope = models.CharField(_("wilayah layanan"), max_length=10, choices=AreaScope.choices,
                                  default=AreaScope.WHOLE)
    kecamatan = models.ManyToManyField("regions.Region", verbose_name=_("kecamatan yang dilayani"), blank=True,
                                       related_name="served_by", limit_choices_to={"level": "kecamatan"})
    description = models.TextField(_("deskripsi"), blank=True, max_length=TEXT)
    masterplan_ref = models.CharField(_("rujukan masterplan"), max_length=200, blank=True)
    is_demo = models.BooleanField(_("data demo"), default=False)
    created_at = models.DateTimeField(_("dibuat pada"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("diubah pada"), auto_now=True)
    archived_at = models.DateTimeField(_("diarsipkan pada"), null=True, blank=True)
    version = models.PositiveIntegerField(_("versi"), default=1, editable=False)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        verbose_name = _("program/inovasi")
        verbose_name_plural = _("program/inovasi")
        ordering = ["region", "pillar__order", "title"]
        constraints = [models.UniqueConstraint(fields=["region", "code"], name="programme_unique_code_per_region")]
        indexes = [models.Index(fields=["region", "pillar", "status"])]

    def __str__(self) -> str:
        return self.title


from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kotacerdas.core.nodelete import NoDeleteModel, NoDeleteQuerySet

from .choices import Kind, Level


class RegionQuerySet(NoDeleteQuerySet["Region"]):
    def without_geometry(self) -> RegionQuerySet:
        return self.defer("geometry")

    def kabkota(self) -> RegionQuerySet:
        return self.filter(level=Level.KABKOTA)


class Region(NoDeleteModel):
    """An administrative area of Indonesia (provinsi, kabupaten/kota, kecamatan or desa/kelurahan),
    identified by its Kemendagri code such as ``16.07`` (Kabupaten Banyuasin)."""

    code = models.CharField(_("kode Kemendagri"), max_length=13, primary_key=True)
    level = models.CharField(_("tingkat"), max_length=10, choices=Level.choices, db_index=True)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("wilayah induk"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("nama"), max_length=120, db_index=True)
    population = models.PositiveIntegerField(_("jumlah penduduk"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("tahun data penduduk"), null=True, blank=True)
    area_km2 = models.DecimalField(_("luas (km²)"), max_digits=12, decimal_places=3, null=True, blank=True)
    bps_code = models.CharField(_("kode BPS"), max_length=12, blank=True)
    lat = models.FloatField(_("lintang"), null=True, blank=True)
    lon = models.FloatField(_("bujur"), null=True, blank=True)
    geometry = models.JSONField(_("geometri (GeoJSON)"), null=True, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "code"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def province_code(self) -> str:
        return self.code.split(".")[0]

    def ancestor_codes(self) -> list[str]:
        parts = self.code.split(".")
        return [".".join(parts[:i]) for i in range(1, len(parts))]

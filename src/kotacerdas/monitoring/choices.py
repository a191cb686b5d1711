from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kotacerdas.core.choices import NumberFormat as NumberFormat  # shared with the other importers


class KpiUnit(models.TextChoices):
    DOKUMEN = "dokumen", _("dokumen")
    IZIN = "izin", _("izin")
    RUPIAH = "rupiah", _("Rupiah")
    WAJIB_PAJAK = "wajib_pajak", _("wajib pajak")
    PENGGUNA = "pengguna", _("pengguna")
    TRANSAKSI = "transaksi", _("transaksi")
    ADUAN = "aduan", _("aduan")
    PERSEN = "persen", _("persen (%)")
    SKOR = "skor", _("skor")
    HARI = "hari", _("hari")
    LAINNYA = "lainnya", _("lainnya")


# Units that count things: a value of 12.5 documents is a typing error, not a measurement.
COUNT_UNITS = frozenset({KpiUnit.DOKUMEN, KpiUnit.IZIN, KpiUnit.WAJIB_PAJAK, KpiUnit.PENGGUNA,
                         KpiUnit.TRANSAKSI, KpiUnit.ADUAN})


class Direction(models.TextChoices):
    HIGHER = "higher", _("makin tinggi makin baik")
    LOWER = "lower", _("makin rendah makin baik")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("bulanan")
    QUARTERLY = "quarterly", _("triwulanan")
    YEARLY = "yearly", _("tahunan")


class Aggregation(models.TextChoices):
    """How periods of one year combine into the year's figure (for year-over-year evidence)."""

    SUM = "sum", _("dijumlahkan (arus, mis. dokumen terbit)")
    MEAN = "mean", _("dirata-rata (mis. kepuasan, persentase)")
    LAST = "last", _("nilai terakhir (stok, mis. wajib pajak terdaftar)")


class KpiSource(models.TextChoices):
    MANUAL = "manual", _("isian manual / unggah berkas")
    API = "api", _("dikirim sistem lewat API")
    EVENTS = "events", _("dihitung dari transaksi layanan")


class EvidenceFor(models.TextChoices):
    NONE = "", _("—")
    OUTPUT = "output", _("Output")
    OUTCOME = "outcome", _("Outcome")
    IMPACT = "impact", _("Impact")


class ValueSource(models.TextChoices):
    UPLOAD = "upload", _("unggah berkas")
    API = "api", _("API")
    MANUAL = "manual", _("isian manual")


class IngestKind(models.TextChoices):
    KPI_VALUES = "kpi_values", _("nilai KPI (CSV/Excel)")
    EVENTS = "events", _("transaksi layanan")


class AreaLevel(models.TextChoices):
    """The finest area a KPI is reported for; coarser rows (the kabupaten total) are always allowed."""

    REGION = "region", _("kabupaten/kota saja")
    KECAMATAN = "kecamatan", _("sampai kecamatan")
    DESA = "desa", _("sampai desa/kelurahan")

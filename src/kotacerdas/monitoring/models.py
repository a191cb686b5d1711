from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kotacerdas.core.nodelete import ArchivableQuerySet, NoDeleteModel
from kotacerdas.lib.text import TEXT

from .choices import (
    Aggregation,
    AreaLevel,
    Direction,
    EvidenceFor,
    Frequency,
    IngestKind,
    KpiSource,
    KpiUnit,
    NumberFormat,
    ValueSource,
)


class MonitoringModel(NoDeleteModel):
    objects = ArchivableQuerySet.as_manager()

    class Meta:
        abstract = True


class Kpi(MonitoringModel):
    """A key performance indicator of one programme, e.g. "dokumen kependudukan terbit" of JAM KUNCI:
    what is counted, in which unit, which way is better, the target, where the numbers come from and
    how often they are reported."""

    programme = models.ForeignKey("catalogue.Programme", verbose_name=_("program"), on_delete=models.PROTECT,
                                  related_name="kpis")
    code = models.SlugField(_("kode"), max_length=60, help_text=_("Kode singkat unik per program, mis. dokumen-terbit"))
    name = models.CharField(_("nama indikator"), max_length=200)
    description = models.TextField(_("definisi"), blank=True, max_length=TEXT)
    unit = models.CharField(_("satuan"), max_length=20, choices=KpiUnit.choices)
    direction = models.CharField(_("arah"), max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    target = models.DecimalField(_("target per periode"), max_digits=20, decimal_places=4, null=True, blank=True,
                                 help_text=_("Target bawaan tiap periode; target per baris data mengalahkannya"))
    source = models.CharField(_("sumber data"), max_length=10, choices=KpiSource.choices, default=KpiSource.MANUAL)
    source_detail = models.CharField(_("keterangan sumber"), max_length=200, blank=True,
                                     help_text=_("mis. SIAK Disdukcapil, laporan bulanan loket"))
    frequency = models.CharField(_("frekuensi"), max_length=10, choices=Frequency.choices,
                                 default=Frequency.MONTHLY)
    aggregation = models.CharField(_("cara menggabung per tahun"), max_length=5, choices=Aggregation.choices,
                                   default=Aggregation.SUM)
    area_level = models.CharField(_("rincian wilayah"), max_length=10, choices=AreaLevel.choices,
                                  default=AreaLevel.REGION)
    evidence_for = models.CharField(_("bukti untuk dimensi"), max_length=10, choices=EvidenceFor.choices,
                                    blank=True, default=EvidenceFor.NONE)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    is_demo = models.BooleanField(_("data demo"), default=False)
    # Bumped by every change of the definition: the API's optimistic lock (expected_version / If-Match).
    version = models.PositiveIntegerField(_("versi"), default=1, editable=False)
    created_at = models.DateTimeField(_("dibuat pada"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("diubah pada"), auto_now=True)
    archived_at = models.DateTimeField(_("diarsipkan pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("indikator kinerja (KPI)")
        verbose_name_plural = _("indikator kinerja (KPI)")
        ordering = ["programme", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="kpi_unique_code_per_programme")]

    def __str__(self) -> str:
        return self.name

    @property
    def region_id(self) -> str:
        # Lets the accounts rules predicates (which look for region_id / owner_id) judge a KPI.
        return str(self.programme.region_id)

    @property
    def owner_id(self) -> int:
        return int(self.programme.owner_id)


class KpiValue(MonitoringModel):
    """The value of a KPI in one period (the first day of the month, quarter or year) for one area:
    the whole kabupaten/kota, a kecamatan or a desa. Natural key: (KPI, period, area)."""

    # No database FK constraints on this fact table (millions of rows): PostgreSQL checks deferred FKs
    # with one trigger call per row and FK, which made a 1M-row import 10x slower than its COPY. Every
    # row is written by the importer after checking KPI and area against the catalogue, and neither
    # is ever deleted (models refuse delete), so the constraint would only re-check what is known.
    kpi = models.ForeignKey(Kpi, verbose_name=_("KPI"), on_delete=models.PROTECT, related_name="values",
                            db_constraint=False, db_index=False)  # the natural-key index starts with kpi
    period = models.DateField(_("periode"), help_text=_("Hari pertama bulan/triwulan/tahun"))
    area = models.ForeignKey("regions.Region", verbose_name=_("wilayah"), on_delete=models.PROTECT,
                             related_name="kpi_values", db_constraint=False, db_index=False)
    value = models.DecimalField(_("nilai"), max_digits=20, decimal_places=4)
    target = models.DecimalField(_("target"), max_digits=20, decimal_places=4, null=True, blank=True)
    source = models.CharField(_("sumber"), max_length=10, choices=ValueSource.choices, default=ValueSource.UPLOAD)
    ingest_job = models.ForeignKey("IngestJob", verbose_name=_("impor"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", db_constraint=False,
                                   db_index=False)
    created_at = models.DateTimeField(_("dibuat pada"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("diubah pada"), default=timezone.now)

    class Meta:
        verbose_name = _("nilai KPI")
        verbose_name_plural = _("nilai KPI")
        ordering = ["kpi", "period", "area"]
        constraints = [models.UniqueConstraint(fields=["kpi", "period", "area"], name="kpivalue_natural_key")]

    def __str__(self) -> str:
        return f"{self.kpi} {self.period:%Y-%m} {self.area_id}: {self.value}"


class IngestJob(MonitoringModel):
    """One import: a CSV/Excel file of KPI values or a batch of service transactions, with its row-level
    report. All-or-nothing: an import either writes every row or none. Its status, progress and timing
    are those of its background job (`core.Job`); an upload still waiting for its column mapping has no
    job yet (status "draft")."""

    kind = models.CharField(_("jenis"), max_length=12, choices=IngestKind.choices, default=IngestKind.KPI_VALUES)
    job = models.ForeignKey("core.Job", verbose_name=_("pekerjaan latar"), null=True, blank=True,
                            on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name=_("wilayah"), on_delete=models.PROTECT,
                               related_name="+")
    programme = models.ForeignKey("catalogue.Programme", verbose_name=_("program"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("diunggah oleh"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("berkas"), upload_to="monitoring/imports/%Y/%m/", blank=True)
    original_name = models.CharField(_("nama berkas asli"), max_length=255, blank=True)
    file_format = models.CharField(_("format"), max_length=10, blank=True)
    encoding = models.CharField(_("pengodean teks"), max_length=20, blank=True,
                                help_text=_("Kosong = UTF-8; isi windows-1252 untuk CSV dari Excel lama"))
    mapping = models.JSONField(_("pemetaan kolom"), default=dict, blank=True)
    decimal = models.CharField(_("format angka"), max_length=1, blank=True, choices=NumberFormat.choices,
                               default=NumberFormat.UNSET)
    dry_run = models.BooleanField(_("pratinjau"), default=False,
                                  help_text=_("Hanya diperiksa dan dihitung, tidak ada yang ditulis"))
    year = models.PositiveSmallIntegerField(_("tahun data"), null=True, blank=True,
                                            help_text=_("Bila diisi, setiap periode harus di tahun ini"))
    total_rows = models.PositiveIntegerField(_("jumlah baris"), default=0)
    created_count = models.PositiveIntegerField(_("baris baru"), default=0)
    updated_count = models.PositiveIntegerField(_("baris diubah"), default=0)
    unchanged_count = models.PositiveIntegerField(_("baris tetap"), default=0)
    error_count = models.PositiveIntegerField(_("jumlah galat"), default=0)
    errors = models.JSONField(_("galat per baris"), default=list, blank=True)
    report = models.JSONField(_("laporan"), default=dict, blank=True)
    is_demo = models.BooleanField(_("data demo"), default=False)
    created_at = models.DateTimeField(_("dibuat pada"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("impor data pemantauan")
        verbose_name_plural = _("impor data pemantauan")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} {self.original_name}"

    # Read through the job (select_related("job") in lists).
    @property
    def status(self) -> str:
        """The job's status (`core.models.JobStatus`), or "draft": an upload that is not a job yet."""
        return str(self.job.status) if self.job is not None else DRAFT

    @property
    def status_label(self) -> str:
        from kotacerdas.core.models import JobStatus

        return str(JobStatus(self.job.status).label) if self.job is not None else str(DRAFT_LABEL)

    @property
    def finished(self) -> bool:
        return self.job is not None and self.job.finished

    @property
    def percent(self) -> int:
        return self.job.percent if self.job is not None else 0

    @property
    def processed_rows(self) -> int:
        """Rows read so far: all of them once finished (while it runs the job's message says how many)."""
        return self.total_rows if self.finished else 0

    @property
    def message(self) -> str:
        """The outcome in a sentence (stored in Indonesian): the job's error when refused, else its message."""
        if self.job is None:
            return ""
        return str(self.job.error or self.job.message) if self.job.status == "failed" else str(self.job.message)

    @property
    def started_at(self) -> Any:
        return self.job.started_at if self.job is not None else None

    @property
    def finished_at(self) -> Any:
        return self.job.finished_at if self.job is not None else None


# An upload waiting for its column mapping: not a job yet.
DRAFT = "draft"
DRAFT_LABEL = _("menunggu pemetaan kolom")


class ReachPublication(MonitoringModel):
    """Whether the reach of a programme (users per kecamatan, Gini) is open to the public. Absent or
    withdrawn = visible only to the region's own people and national admins."""

    programme = models.OneToOneField("catalogue.Programme", verbose_name=_("program"), on_delete=models.PROTECT,
                                     related_name="reach_publication")
    published = models.BooleanField(_("terbuka untuk publik"), default=False)
    published_at = models.DateTimeField(_("diterbitkan pada"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("diterbitkan oleh"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("publikasi jangkauan program")
        verbose_name_plural = _("publikasi jangkauan program")

    def __str__(self) -> str:
        return f"{self.programme} · {'publik' if self.published else 'internal'}"

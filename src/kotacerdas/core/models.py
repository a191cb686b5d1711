from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .nodelete import NoDeleteModel


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Menunggu")
    RUNNING = "running", _("Berjalan")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")


class Job(NoDeleteModel):
    """A piece of long work (a report, an import, a recomputation) run by `kotacerdas worker` outside the
    request: the one table that holds every background job's status, progress, lease and heartbeat. The
    records a job works on (a report file, an uploaded workbook, a KPI file) point at their Job and keep only
    their own data. A worker that dies loses its lease; the job is then retried once by another worker. The
    job's effect and its final status commit together (`core.jobs.finishing`)."""

    kind = models.CharField(_("jenis"), max_length=120, db_index=True)
    params = models.JSONField(_("parameter"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED,
                              db_index=True)
    progress = models.PositiveIntegerField(_("kemajuan"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    message = models.CharField(_("pesan"), max_length=300, blank=True)
    result = models.JSONField(_("hasil"), default=dict, blank=True)
    error = models.TextField(_("galat"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("percobaan maksimum"), default=2)
    lease_until = models.DateTimeField(_("sewa hingga"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("detak terakhir"), null=True, blank=True)
    worker = models.CharField(_("pekerja"), max_length=80, blank=True)
    region_code = models.CharField(_("kode wilayah"), max_length=13, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("dibuat oleh"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("dibuat pada"), default=timezone.now)
    started_at = models.DateTimeField(_("mulai"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)

    class Meta:
        verbose_name = _("pekerjaan latar")
        verbose_name_plural = _("pekerjaan latar")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status in (JobStatus.DONE, JobStatus.FAILED):
            return 100
        return min(99, round(100 * self.progress / self.total)) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)



class WorkerBeat(NoDeleteModel):
    """The heartbeat of one `kotacerdas worker` process, in the database so that every web process on
    every host sees it (`/healthz`, job status). Updated every few seconds while idle and, from a
    separate thread, while a job runs (on SQLite a job's final transaction holds the write lock, so beats
    wait until it ends; on the one host SQLite has, the worker's process id stands in meanwhile)."""

    name = models.CharField(_("pekerja"), max_length=80, unique=True)
    started_at = models.DateTimeField(_("mulai"), default=timezone.now)
    beat_at = models.DateTimeField(_("detak terakhir"), default=timezone.now, db_index=True)
    job_id = models.BigIntegerField(_("pekerjaan sekarang"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("berhenti"), null=True, blank=True)

    class Meta:
        verbose_name = _("detak pekerja latar")
        verbose_name_plural = _("detak pekerja latar")

    def __str__(self) -> str:
        return self.name


class DataVersion(NoDeleteModel):
    """How many committed changes the pages of one scope have seen (core.dataversion): ``*`` for every
    page (national ranking and every region's pages), a region code for only that region's pages, and
    ``epoch`` (a random token in ``token``) renewed when the whole database is replaced (restore, demo).
    Bumped by an UPDATE inside the writing transaction, so a version is visible exactly when its data is."""

    scope = models.CharField(_("cakupan"), max_length=16, primary_key=True)
    version = models.BigIntegerField(_("versi"), default=0)
    token = models.CharField(_("token"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("versi data")
        verbose_name_plural = _("versi data")

    def __str__(self) -> str:
        return f"{self.scope}={self.version}"

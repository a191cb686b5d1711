from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kotacerdas.core.nodelete import NoDeleteModel

from .choices import JobStatus, ReportFormat, ReportLanguage


def report_path(instance: ReportJob, filename: str) -> str:
    return f"reports/{instance.region_id}/{instance.cycle.year}/{filename}"


class ReportJob(NoDeleteModel):
    """A request to produce a region's evaluation report (PDF or Excel) for one cycle, built in the
    background; people watch its progress and download the file when it is done."""

    region = models.ForeignKey("regions.Region", verbose_name=_("wilayah"), on_delete=models.PROTECT,
                               related_name="report_jobs")
    cycle = models.ForeignKey("evaluations.Cycle", verbose_name=_("siklus"), on_delete=models.PROTECT,
                              related_name="report_jobs")
    format = models.CharField(_("format"), max_length=4, choices=ReportFormat.choices, default=ReportFormat.PDF)
    language = models.CharField(_("bahasa"), max_length=2, choices=ReportLanguage.choices,
                                default=ReportLanguage.ID)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED,
                              db_index=True)
    progress = models.PositiveSmallIntegerField(_("kemajuan (%)"), default=0)
    step = models.CharField(_("langkah"), max_length=120, blank=True)
    error = models.TextField(_("galat"), blank=True)
    file = models.FileField(_("berkas"), upload_to=report_path, blank=True, max_length=200)
    size = models.PositiveIntegerField(_("ukuran (bita)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    pages = models.PositiveIntegerField(_("jumlah halaman"), null=True, blank=True)
    job = models.ForeignKey("core.Job", verbose_name=_("pekerjaan latar"), null=True, blank=True,
                            on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("diminta oleh"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("dibuat pada"), default=timezone.now)
    started_at = models.DateTimeField(_("mulai pada"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("pekerjaan laporan")
        verbose_name_plural = _("pekerjaan laporan")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.region_id} {self.cycle.year} {self.format} ({self.status})"


    def state(self) -> dict[str, Any]:
        """What the progress bar shows: the background job's live progress while it runs."""
        if self.status in (JobStatus.DONE, JobStatus.FAILED) or self.job_id is None:
            return {"status": self.status, "percent": self.progress, "step": self.step, "error": self.error}
        from kotacerdas.core.jobs import live_progress

        job = self.job
        assert job is not None
        live = live_progress(job)
        status = {"queued": JobStatus.QUEUED, "running": JobStatus.RUNNING, "failed": JobStatus.FAILED}.get(
            live["status"], self.status)
        return {"status": status, "percent": live["percent"], "step": live["message"], "error": live["error"]}

    @property
    def filename(self) -> str:
        suffix = "" if self.language == ReportLanguage.ID else "-en"
        name = "laporan-hasil-evaluasi" if self.format == ReportFormat.PDF else "lembar-kerja-evaluasi"
        return f"{name}-{self.region_id}-{self.cycle.year}{suffix}.{self.format}"

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kotacerdas.core.jobs import live_progress
from kotacerdas.core.models import JobStatus
from kotacerdas.core.nodelete import NoDeleteModel

from .choices import ReportFormat, ReportLanguage


def report_path(instance: ReportJob, filename: str) -> str:
    return f"reports/{instance.region_id}/{instance.cycle.year}/{filename}"


class ReportJob(NoDeleteModel):
    """A request to produce a region's evaluation report (PDF or Excel) for one cycle, built in the
    background; people watch its progress and download the file when it is done. The report keeps its own
    data (what was asked, the file); its status, progress, error and timing are those of its `core.Job`."""

    region = models.ForeignKey("regions.Region", verbose_name=_("wilayah"), on_delete=models.PROTECT,
                               related_name="report_jobs")
    cycle = models.ForeignKey("evaluations.Cycle", verbose_name=_("siklus"), on_delete=models.PROTECT,
                              related_name="report_jobs")
    format = models.CharField(_("format"), max_length=4, choices=ReportFormat.choices, default=ReportFormat.PDF)
    language = models.CharField(_("bahasa"), max_length=2, choices=ReportLanguage.choices,
                                default=ReportLanguage.ID)
    file = models.FileField(_("berkas"), upload_to=report_path, blank=True, max_length=200)
    size = models.PositiveIntegerField(_("ukuran (bita)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    pages = models.PositiveIntegerField(_("jumlah halaman"), null=True, blank=True)
    job = models.ForeignKey("core.Job", verbose_name=_("pekerjaan latar"), null=True, blank=True,
                            on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("diminta oleh"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("dibuat pada"), default=timezone.now)

    class Meta:
        verbose_name = _("pekerjaan laporan")
        verbose_name_plural = _("pekerjaan laporan")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.region_id} {self.cycle.year} {self.format} ({self.status})"

    # Read through the Job (list queries use select_related("job")). A report is given its Job in the
    # transaction that creates it, so one without a Job is one being requested right now: queued.

    @property
    def status(self) -> str:
        """The stored status of the report's Job (`core.models.JobStatus`)."""
        return self.job.status if self.job is not None else JobStatus.QUEUED

    @property
    def finished(self) -> bool:
        return self.job is not None and self.job.finished

    @property
    def percent(self) -> int:
        return self.job.percent if self.job is not None else 0

    @property
    def step(self) -> str:
        return self.job.message if self.job is not None else ""

    @property
    def error(self) -> str:
        return self.job.error if self.job is not None else ""

    @property
    def started_at(self) -> dt.datetime | None:
        return self.job.started_at if self.job is not None else None

    @property
    def finished_at(self) -> dt.datetime | None:
        return self.job.finished_at if self.job is not None else None

    def state(self) -> dict[str, Any]:
        """What the progress bar shows: the Job's live progress (a job whose worker died shows as waiting,
        or failed when it has no attempt left)."""
        if self.job is None:
            return {"status": JobStatus.QUEUED, "percent": 0, "step": "", "error": ""}
        live = live_progress(self.job)
        return {"status": live["status"], "percent": live["percent"], "step": live["message"],
                "error": live["error"]}

    @property
    def filename(self) -> str:
        suffix = "" if self.language == ReportLanguage.ID else "-en"
        name = "laporan-hasil-evaluasi" if self.format == ReportFormat.PDF else "lembar-kerja-evaluasi"
        return f"{name}-{self.region_id}-{self.cycle.year}{suffix}.{self.format}"

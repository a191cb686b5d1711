from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from kotacerdas.core.jobs import job_message, localised
from kotacerdas.core.models import JobStatus
from kotacerdas.core.nodelete import ArchivableQuerySet, NoDeleteModel
from kotacerdas.lib.text import COMMENT, TEXT

from .choices import ActionStatus, ProgressMode

# Status-based progress (methodology §7: typed percentages go stale). Override per installation with
# settings.ACTIONPLAN_STATUS_PERCENT = {"in_progress": 40, ...}.
DEFAULT_STATUS_PERCENT: dict[str, int] = {
    ActionStatus.NOT_STARTED: 0, ActionStatus.IN_PROGRESS: 50, ActionStatus.DONE: 100,
}
HUNDRED = Decimal(100)


def status_percent() -> dict[str, int]:
    return {**DEFAULT_STATUS_PERCENT, **getattr(settings, "ACTIONPLAN_STATUS_PERCENT", {})}


def fmt_num(value: Decimal | float | int, places: int = 2) -> str:
    """Indonesian number: decimal comma, dot thousands (89,13; 1.234,5). Trailing zeros kept to `places`."""
    q = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) if places else \
        Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    text = f"{q:,.{places}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def fmt_plain(value: Decimal | float | int) -> str:
    """A number as written by people: no trailing zeros (40, 12,5)."""
    d = Decimal(str(value)).normalize()
    text = f"{d:f}"
    return text.replace(".", ",")


class ActionItem(NoDeleteModel):
    """One action of a region's *rencana aksi* for an evaluation year: what will be done to follow up an
    assessor recommendation or strengthen a programme/pillar, by which unit, by when, and how far it got."""

    cycle = models.ForeignKey("evaluations.Cycle", verbose_name=_("siklus"), on_delete=models.PROTECT,
                              related_name="action_items")
    region = models.ForeignKey("regions.Region", verbose_name=_("wilayah"), on_delete=models.PROTECT,
                               related_name="action_items")
    code = models.CharField(_("kode"), max_length=20,
                            help_text=_("Kode unik per wilayah dan tahun, mis. RA-2024-007"))
    title = models.CharField(_("kegiatan"), max_length=200)
    description = models.TextField(_("keterangan"), blank=True, max_length=TEXT)
    category = models.CharField(_("kategori"), max_length=40,
                                help_text=_("Kode kategori dari paket rubrik siklus (action_plan_categories)"))
    recommendation = models.ForeignKey("evaluations.Feedback", verbose_name=_("rekomendasi asesor"), null=True,
                                       blank=True, on_delete=models.PROTECT, related_name="action_items")
    programme = models.ForeignKey("catalogue.Programme", verbose_name=_("program"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="action_items")
    pillar = models.ForeignKey("catalogue.Pillar", verbose_name=_("pilar"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="action_items")
    owner = models.ForeignKey("catalogue.Unit", verbose_name=_("unit pemilik"), on_delete=models.PROTECT,
                              related_name="action_items")
    target = models.CharField(_("target"), max_length=200, blank=True, help_text=_("mis. 120 ASN terlatih"))
    progress_mode = models.CharField(_("cara hitung capaian"), max_length=10, choices=ProgressMode.choices,
                                     default=ProgressMode.STATUS)
    target_value = models.DecimalField(_("target angka"), max_digits=14, decimal_places=2, null=True, blank=True)
    realised_value = models.DecimalField(_("realisasi"), max_digits=14, decimal_places=2, null=True, blank=True)
    measure_unit = models.CharField(_("satuan"), max_length=40, blank=True)
    start_on = models.DateField(_("mulai"), null=True, blank=True)
    due_on = models.DateField(_("tenggat"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ActionStatus.choices,
                              default=ActionStatus.NOT_STARTED, db_index=True)
    evidence_url = models.URLField(_("bukti (tautan)"), blank=True, max_length=500)
    evidence_note = models.CharField(_("keterangan bukti"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("versi"), default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("dibuat oleh"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("dibuat pada"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("diubah pada"), auto_now=True)
    archived_at = models.DateTimeField(_("diarsipkan pada"), null=True, blank=True)
    is_demo = models.BooleanField(_("data demo"), default=False)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        verbose_name = _("rencana aksi")
        verbose_name_plural = _("rencana aksi")
        ordering = ["region", "cycle", "code"]
        constraints = [models.UniqueConstraint(fields=["region", "cycle", "code"], name="action_item_unique_code")]
        indexes = [models.Index(fields=["region", "cycle", "category"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


    @property
    def percent(self) -> Decimal:
        return progress(self.progress_mode, self.status, self.target_value, self.realised_value)[0]

    @property
    def percent_formula(self) -> str:
        return progress(self.progress_mode, self.status, self.target_value, self.realised_value)[1]

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return (self.due_on is not None and self.due_on < today and self.status != ActionStatus.DONE
                and self.archived_at is None)

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    @property
    def effective_pillar_id(self) -> str | None:
        if self.pillar_id:
            return str(self.pillar_id)
        if self.programme_id and self.programme is not None:
            return str(self.programme.pillar_id)
        return None


def progress(mode: str, status: str, target: Decimal | None, realised: Decimal | None) -> tuple[Decimal, str]:
    """An item's % achieved and the formula behind it (shown next to the number)."""
    if mode == ProgressMode.MEASURED and target:
        real = realised or Decimal(0)
        pct = min(HUNDRED, max(Decimal(0), real / target * HUNDRED))
        pct = pct.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        capped = gettext(" (maks. 100)") if real / target * HUNDRED > HUNDRED else ""
        return pct, gettext("realisasi %(real)s / target %(target)s × 100 = %(pct)s%%%(capped)s") % {
            "real": fmt_plain(real), "target": fmt_plain(target), "pct": fmt_num(pct), "capped": capped}
    pct = Decimal(status_percent().get(status, 0))
    label = ActionStatus(status).label if status in ActionStatus.values else status
    return pct, gettext("status %(label)s = %(pct)s%%") % {"label": label, "pct": fmt_plain(pct)}


class ActionComment(NoDeleteModel):
    """A remark on an action item (progress note, question from an assessor, answer from the unit)."""

    item = models.ForeignKey(ActionItem, verbose_name=_("rencana aksi"), on_delete=models.PROTECT,
                             related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("penulis"), null=True,
                               on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("komentar"), max_length=COMMENT)
    created_at = models.DateTimeField(_("dibuat pada"), default=timezone.now)

    class Meta:
        verbose_name = _("komentar rencana aksi")
        verbose_name_plural = _("komentar rencana aksi")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.item.code}: {self.text[:40]}"



class ImportJob(NoDeleteModel):
    """One upload of an action-plan workbook: the stored file and the final report (row/column errors or
    counts). Its status, progress, phase and timing live on its background job (`core.Job`, `job`); the
    read properties below give them through the job, as the progress bar shows them."""

    region = models.ForeignKey("regions.Region", verbose_name=_("wilayah"), on_delete=models.PROTECT,
                               related_name="+")
    cycle = models.ForeignKey("evaluations.Cycle", verbose_name=_("siklus"), on_delete=models.PROTECT,
                              related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("diunggah oleh"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("nama berkas"), max_length=200)
    content = models.BinaryField(_("isi berkas"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    report = models.JSONField(_("laporan"), default=dict, blank=True)
    created_at = models.DateTimeField(_("dibuat pada"), default=timezone.now)
    is_demo = models.BooleanField(_("data demo"), default=False)
    job = models.ForeignKey("core.Job", verbose_name=_("pekerjaan latar"), null=True, blank=True,
                            on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("impor rencana aksi")
        verbose_name_plural = _("impor rencana aksi")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.job.get_status_display() if self.job else '-'})"

    # The phases the import stores as its job's message (Indonesian, as stored); `phase_label` shows them
    # translated.
    PHASES = (job_message(gettext_noop("Memeriksa baris")), job_message(gettext_noop("Menyimpan")))

    @cached_property
    def live(self) -> dict[str, Any]:
        """What the progress bar shows: the job as `core.jobs.live_progress` sees it (a job whose worker is
        gone reads as waiting or failed). An upload whose job is not stored yet reads as queued."""
        if self.job is None:
            return {"status": JobStatus.QUEUED, "progress": 0, "total": 0, "message": "", "percent": 0,
                    "error": "", "result": {}, "stalled": False, "no_worker": False}
        from kotacerdas.core.jobs import live_progress

        return live_progress(self.job)

    @property
    def status(self) -> str:
        return str(self.live["status"])

    def get_status_display(self) -> str:
        return str(JobStatus(self.status).label)

    @property
    def progress(self) -> int:
        return int(self.live["progress"] or 0)

    @property
    def total(self) -> int:
        return int(self.live["total"] or 0)

    @property
    def percent(self) -> int:
        return int(self.live["percent"] or 0)

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def phase(self) -> str:
        """The step the job last reported (its message, stored in Indonesian)."""
        return self.job.message if self.job is not None else ""

    @property
    def phase_label(self) -> str:
        """The stored phase in the active language (core.jobs.localised: undeclared text is shown as stored)."""
        return localised(self.phase)

    @property
    def notice(self) -> str:
        """Why a job is not moving (no worker running, or its worker stopped), already translated."""
        data = self.live
        return str(data["message"]) if data["stalled"] or data["no_worker"] else ""

    @property
    def started_at(self) -> dt.datetime | None:
        return self.job.started_at if self.job is not None else None

    @property
    def finished_at(self) -> dt.datetime | None:
        return self.job.finished_at if self.job is not None else None

    @property
    def errors(self) -> list[dict[str, Any]]:
        """The report's row/column errors; a job that failed without a report (its worker gave up) gives its
        error as the one line."""
        errors = list((self.report or {}).get("errors") or [])
        if not errors and self.status == JobStatus.FAILED:
            errors = [{"row": 0, "column": "", "value": "", "message": str(self.live["error"] or "")}]
        return errors

    @property
    def error_count(self) -> int:
        return int((self.report or {}).get("error_count") or len(self.errors))

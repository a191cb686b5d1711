from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from kotacerdas.core.nodelete import ArchivableQuerySet, NoDeleteModel
from kotacerdas.lib.text import COMMENT, TEXT

from .choices import ActionStatus, JobStatus, ProgressMode

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
    """One upload of an action-plan workbook, processed in the background: the stored file, how far the
    check has got (for the progress bar) and the final report (row/column errors or counts)."""

    region = models.ForeignKey("regions.Region", verbose_name=_("wilayah"), on_delete=models.PROTECT,
                               related_name="+")
    cycle = models.ForeignKey("evaluations.Cycle", verbose_name=_("siklus"), on_delete=models.PROTECT,
                              related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("diunggah oleh"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("nama berkas"), max_length=200)
    content = models.BinaryField(_("isi berkas"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED,
                              db_index=True)
    phase = models.CharField(_("tahap"), max_length=40, blank=True)
    progress = models.PositiveIntegerField(_("baris diproses"), default=0)
    total = models.PositiveIntegerField(_("jumlah baris"), default=0)
    report = models.JSONField(_("laporan"), default=dict, blank=True)
    created_at = models.DateTimeField(_("dibuat pada"), default=timezone.now)
    started_at = models.DateTimeField(_("mulai diproses"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai diproses"), null=True, blank=True)
    is_demo = models.BooleanField(_("data demo"), default=False)

    class Meta:
        verbose_name = _("impor rencana aksi")
        verbose_name_plural = _("impor rencana aksi")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    # The phases the import stores in `phase` (Indonesian, as stored); `phase_label` shows them translated.
    PHASES = (gettext_noop("Memeriksa baris"), gettext_noop("Menyimpan"))

    @property
    def phase_label(self) -> str:
        """The stored phase in the active language (a phase not in PHASES is shown as stored)."""
        return gettext(self.phase) if self.phase in self.PHASES else self.phase


    @property
    def percent(self) -> int:
        if self.status in (JobStatus.DONE, JobStatus.FAILED):
            return 100
        return round(100 * self.progress / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

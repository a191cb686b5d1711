from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from kotacerdas.core.nodelete import ArchivableQuerySet, NoDeleteManager, NoDeleteModel, NoDeleteQuerySet
from kotacerdas.core.provenance import Provenance
from kotacerdas.lib.text import LONG_TEXT, SHORT_TEXT, TEXT
from kotacerdas.scoring.predicates import PublishedPredicate, published_predicate

from .choices import AssessmentStatus, EvidenceKind, NoteKind, RegionClass, Stage, SubmissionStatus, TimeZone


class ActiveCycleManager(NoDeleteManager[Any]):
    """`Cycle.objects`: cycles not archived. An archived cycle (the demo's, after `kotacerdas demo --remove`)
    and everything in it is out of every page, export and ranking; `all_objects` (the default manager:
    admin, backup, related objects) still has it."""

    def get_queryset(self) -> NoDeleteQuerySet[Any]:
        return super().get_queryset().filter(archived_at__isnull=True)


class InActiveCycleManager(NoDeleteManager[Any]):
    """`objects` of rows that belong to a cycle: only those of cycles not archived."""

    def get_queryset(self) -> NoDeleteQuerySet[Any]:
        return super().get_queryset().filter(cycle__archived_at__isnull=True)


class Cycle(NoDeleteModel):
    """One yearly evaluation run under one rubric pack version, e.g. "Evaluasi Smart City 2024"."""

    year = models.PositiveSmallIntegerField(_("tahun"))
    name = models.CharField(_("nama"), max_length=120)
    pack_code = models.CharField(_("kode paket rubrik"), max_length=40)
    pack_version = models.CharField(_("versi paket rubrik"), max_length=20)
    pack_digest = models.CharField(_("sidik paket"), max_length=64, blank=True)
    stage = models.CharField(_("tahap"), max_length=20, choices=Stage.choices, default=Stage.SELF_ASSESSMENT)
    opens_on = models.DateField(_("dibuka"), null=True, blank=True)
    self_assessment_deadline = models.DateTimeField(_("batas penilaian mandiri"), null=True, blank=True)
    tahap_1_on = models.DateField(_("tanggal Tahap I"), null=True, blank=True)
    tahap_2_on = models.DateField(_("tanggal Tahap II"), null=True, blank=True)
    assessment_starts = models.DateTimeField(_("jendela penilaian mulai"), null=True, blank=True)
    assessment_ends = models.DateTimeField(_("jendela penilaian berakhir"), null=True, blank=True)
    final_on = models.DateField(_("tanggal final"), null=True, blank=True)
    publish_on = models.DateField(_("tanggal terbit"), null=True, blank=True)
    published_at = models.DateTimeField(_("diterbitkan pada"), null=True, blank=True)
    class_a_min_index = models.DecimalField(
        _("ambang Kelas A"), max_digits=4, decimal_places=2, null=True, blank=True,
        help_text=_("peserta tanpa kelas: indeks terbit terakhir ≥ ambang ini menjadi Kelas A, selainnya Kelas B"))
    coi_same_province = models.BooleanField(
        _("konflik kepentingan satu provinsi"), default=False,
        help_text=_("asesor tidak menilai wilayah di provinsi tempat ia menjadi anggota"))
    is_demo = models.BooleanField(_("data demo"), default=False)
    archived_at = models.DateTimeField(_("diarsipkan pada"), null=True, blank=True)

    all_objects = NoDeleteManager()
    objects = ActiveCycleManager()

    class Meta:
        verbose_name = _("siklus evaluasi")
        verbose_name_plural = _("siklus evaluasi")
        ordering = ["-year"]
        default_manager_name = "all_objects"
        constraints = [models.UniqueConstraint(fields=["year", "pack_code"], name="cycle_unique_year_pack",
                                               condition=models.Q(archived_at__isnull=True))]

    def __str__(self) -> str:
        return self.name

    def assessment_open(self, now: Any = None) -> bool:
        now = now or timezone.now()
        if self.stage not in (Stage.TAHAP_1, Stage.TAHAP_2):
            return False
        if self.assessment_starts and now < self.assessment_starts:
            return False
        return not (self.assessment_ends and now > self.assessment_ends)


class Participation(NoDeleteModel):
    """A region taking part in a cycle, with its class (A/B) and cohort."""

    cycle = models.ForeignKey(Cycle, verbose_name=_("siklus"), on_delete=models.PROTECT, related_name="participants")
    region = models.ForeignKey("regions.Region", verbose_name=_("wilayah"), on_delete=models.PROTECT,
                               related_name="participations")
    region_class = models.CharField(_("kelas"), max_length=1, choices=RegionClass.choices, default=RegionClass.B)
    cohort = models.CharField(_("angkatan"), max_length=40, blank=True)
    provenance = models.CharField(_("asal data"), max_length=20, choices=Provenance.choices,
                                  default=Provenance.ENTERED)

    all_objects = NoDeleteManager()
    objects = InActiveCycleManager()

    class Meta:
        verbose_name = _("peserta")
        verbose_name_plural = _("peserta")
        default_manager_name = "all_objects"
        constraints = [models.UniqueConstraint(fields=["cycle", "region"], name="participation_unique")]

    def __str__(self) -> str:
        return f"{self.region_id} · {self.cycle}"


class Submission(NoDeleteModel):
    """A region's answers and evidence for one stage of a cycle (the self-assessment form)."""

    cycle = models.ForeignKey(Cycle, verbose_name=_("siklus"), on_delete=models.PROTECT, related_name="submissions")
    region = models.ForeignKey("regions.Region", verbose_name=_("wilayah"), on_delete=models.PROTECT,
                               related_name="submissions")
    stage = models.CharField(_("tahap"), max_length=20, choices=Stage.choices)
    status = models.CharField(_("status"), max_length=20, choices=SubmissionStatus.choices,
                              default=SubmissionStatus.DRAFT, db_index=True)
    submitted_at = models.DateTimeField(_("dikirim pada"), null=True, blank=True)
    deadline = models.DateTimeField(_("batas waktu"), null=True, blank=True)
    version = models.PositiveIntegerField(_("versi"), default=1)
    updated_at = models.DateTimeField(_("diubah pada"), auto_now=True)

    all_objects = NoDeleteManager()
    objects = InActiveCycleManager()

    class Meta:
        verbose_name = _("pengajuan")
        verbose_name_plural = _("pengajuan")
        default_manager_name = "all_objects"
        constraints = [models.UniqueConstraint(fields=["cycle", "region", "stage"], name="submission_unique")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.cycle.year} {self.get_stage_display()}"


class Answer(NoDeleteModel):
    """The region's answer to one indicator (a level) or a given score for a group/dimension."""

    submission = models.ForeignKey(Submission, verbose_name=_("pengajuan"), on_delete=models.PROTECT,
                                   related_name="answers")
    indicator = models.CharField(_("kode indikator"), max_length=60)
    level = models.SmallIntegerField(_("tingkat"), null=True, blank=True)
    given_score = models.DecimalField(_("skor diberikan"), max_digits=6, decimal_places=3, null=True, blank=True)
    justification = models.TextField(_("penjelasan"), blank=True, max_length=LONG_TEXT)
    programme = models.ForeignKey("catalogue.Programme", verbose_name=_("program terkait"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="answers")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("diubah oleh"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("diubah pada"), auto_now=True)
    version = models.PositiveIntegerField(_("versi"), default=1)
    # Set when the indicator left the cycle's pack (e.g. quick_win.register_risiko in kominfo-2021 2021.2):
    # the row stays, readers use active() and skip it.
    archived_at = models.DateTimeField(_("diarsipkan pada"), null=True, blank=True)

    objects = ArchivableQuerySet.as_manager()  # active(): the rows not archived

    class Meta:
        verbose_name = _("jawaban")
        verbose_name_plural = _("jawaban")
        constraints = [models.UniqueConstraint(fields=["submission", "indicator"], name="answer_unique")]

    def __str__(self) -> str:
        return f"{self.indicator}={self.level if self.level is not None else self.given_score}"


class InnovationAnswer(NoDeleteModel):
    """The region's level for one indicator answered per innovation (IID 2023 indicators 16–35) for one
    catalogue programme flagged as an innovation."""

    submission = models.ForeignKey(Submission, verbose_name=_("pengajuan"), on_delete=models.PROTECT,
                                   related_name="innovation_answers")
    programme = models.ForeignKey("catalogue.Programme", verbose_name=_("inovasi"), on_delete=models.PROTECT,
                                  related_name="innovation_answers")
    indicator = models.CharField(_("kode indikator"), max_length=60)
    level = models.SmallIntegerField(_("tingkat"), null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("diubah oleh"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("diubah pada"), auto_now=True)
    version = models.PositiveIntegerField(_("versi"), default=1)

    class Meta:
        verbose_name = _("jawaban per inovasi")
        verbose_name_plural = _("jawaban per inovasi")
        constraints = [models.UniqueConstraint(fields=["submission", "programme", "indicator"],
                                               name="innovation_answer_unique")]

    def __str__(self) -> str:
        return f"{self.programme_id}:{self.indicator}={self.level}"


def evidence_path(instance: Evidence, filename: str) -> str:
    # The stored name is generated: the uploader's name is kept only as metadata.
    return f"evidence/{instance.submission.cycle.year}/{instance.submission.region_id}/{instance.sha256[:2]}/" \
           f"{instance.sha256}{instance.extension}"


class Evidence(NoDeleteModel):
    """A piece of *bukti dukung* for one indicator: an uploaded file (checked by content) or a link."""

    submission = models.ForeignKey(Submission, verbose_name=_("pengajuan"), on_delete=models.PROTECT,
                                   related_name="evidence")
    indicator = models.CharField(_("kode indikator"), max_length=60)
    kind = models.CharField(_("jenis"), max_length=10, choices=EvidenceKind.choices)
    file = models.FileField(_("berkas"), upload_to=evidence_path, blank=True, max_length=200)
    original_name = models.CharField(_("nama berkas asli"), max_length=200, blank=True)
    content_type = models.CharField(_("jenis isi"), max_length=120, blank=True)
    extension = models.CharField(_("ekstensi"), max_length=10, blank=True)
    size = models.PositiveIntegerField(_("ukuran (bita)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    url = models.URLField(_("tautan"), blank=True, max_length=500)
    duration_seconds = models.PositiveIntegerField(_("durasi video (detik)"), null=True, blank=True)
    description = models.CharField(_("keterangan"), max_length=300, blank=True)
    programme = models.ForeignKey("catalogue.Programme", verbose_name=_("program terkait"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="evidence")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("diunggah oleh"), null=True,
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("diunggah pada"), default=timezone.now)
    archived_at = models.DateTimeField(_("diarsipkan pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("bukti dukung")
        verbose_name_plural = _("bukti dukung")
        indexes = [models.Index(fields=["submission", "indicator"]), models.Index(fields=["submission", "sha256"])]

    def __str__(self) -> str:
        return self.original_name or self.url


class IndicatorNote(NoDeleteModel):
    """A note on one indicator of a submission: why it was returned, an assessor's remark, or a reply."""

    submission = models.ForeignKey(Submission, verbose_name=_("pengajuan"), on_delete=models.PROTECT,
                                   related_name="notes")
    indicator = models.CharField(_("kode indikator"), max_length=60)
    kind = models.CharField(_("jenis"), max_length=10, choices=NoteKind.choices)
    text = models.TextField(_("catatan"), max_length=TEXT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("penulis"), null=True,
                               on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("dibuat pada"), default=timezone.now)
    resolved_at = models.DateTimeField(_("diselesaikan pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("catatan indikator")
        verbose_name_plural = _("catatan indikator")
        ordering = ["created_at"]


class Panel(NoDeleteModel):
    """A panel of 4–5 assessors for one class of regions in a cycle, with a lead."""

    cycle = models.ForeignKey(Cycle, verbose_name=_("siklus"), on_delete=models.PROTECT, related_name="panels")
    name = models.CharField(_("nama"), max_length=80)
    region_class = models.CharField(_("kelas"), max_length=1, choices=RegionClass.choices)
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("ketua panel"), on_delete=models.PROTECT,
                             related_name="+")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("anggota"), related_name="panels")

    all_objects = NoDeleteManager()
    objects = InActiveCycleManager()

    class Meta:
        verbose_name = _("panel asesor")
        verbose_name_plural = _("panel asesor")
        default_manager_name = "all_objects"
        constraints = [models.UniqueConstraint(fields=["cycle", "name"], name="panel_unique_name")]

    def __str__(self) -> str:
        return self.name


class Assignment(NoDeleteModel):
    """A region assigned to a panel for a cycle."""

    panel = models.ForeignKey(Panel, verbose_name=_("panel"), on_delete=models.PROTECT, related_name="assignments")
    cycle = models.ForeignKey(Cycle, verbose_name=_("siklus"), on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name=_("wilayah"), on_delete=models.PROTECT,
                               related_name="assignments")
    active = models.BooleanField(_("aktif"), default=True)

    all_objects = NoDeleteManager()
    objects = InActiveCycleManager()

    class Meta:
        verbose_name = _("penugasan")
        verbose_name_plural = _("penugasan")
        default_manager_name = "all_objects"
        constraints = [models.UniqueConstraint(fields=["cycle", "region"], name="assignment_one_panel_per_region")]


class Assessment(NoDeleteModel):
    """One assessor's independent scoring of one submission."""

    submission = models.ForeignKey(Submission, verbose_name=_("pengajuan"), on_delete=models.PROTECT,
                                   related_name="assessments")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("asesor"), on_delete=models.PROTECT,
                                 related_name="assessments")
    status = models.CharField(_("status"), max_length=10, choices=AssessmentStatus.choices,
                              default=AssessmentStatus.DRAFT)
    completed_at = models.DateTimeField(_("selesai pada"), null=True, blank=True)
    version = models.PositiveIntegerField(_("versi"), default=1)

    class Meta:
        verbose_name = _("penilaian asesor")
        verbose_name_plural = _("penilaian asesor")
        constraints = [models.UniqueConstraint(fields=["submission", "assessor"], name="assessment_unique")]


class AssessmentScore(NoDeleteModel):
    """An assessor's level for one indicator, with a note."""

    assessment = models.ForeignKey(Assessment, verbose_name=_("penilaian"), on_delete=models.PROTECT,
                                   related_name="scores")
    indicator = models.CharField(_("kode indikator"), max_length=60)
    level = models.SmallIntegerField(_("tingkat"))
    note = models.TextField(_("catatan"), blank=True, max_length=TEXT)
    version = models.PositiveIntegerField(_("versi"), default=1)
    archived_at = models.DateTimeField(_("diarsipkan pada"), null=True, blank=True)

    objects = ArchivableQuerySet.as_manager()  # active(): the rows not archived

    class Meta:
        verbose_name = _("skor asesor")
        verbose_name_plural = _("skor asesor")
        constraints = [models.UniqueConstraint(fields=["assessment", "indicator"], name="assessment_score_unique")]


class ConsensusScore(NoDeleteModel):
    """The level the panel agreed for one indicator of a submission."""

    submission = models.ForeignKey(Submission, verbose_name=_("pengajuan"), on_delete=models.PROTECT,
                                   related_name="consensus")
    indicator = models.CharField(_("kode indikator"), max_length=60)
    level = models.SmallIntegerField(_("tingkat"))
    note = models.TextField(_("catatan"), blank=True, max_length=TEXT)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("ditetapkan oleh"), on_delete=models.PROTECT,
                               related_name="+")
    set_at = models.DateTimeField(_("ditetapkan pada"), default=timezone.now)
    archived_at = models.DateTimeField(_("diarsipkan pada"), null=True, blank=True)

    objects = ArchivableQuerySet.as_manager()  # active(): the rows not archived

    class Meta:
        verbose_name = _("skor konsensus")
        verbose_name_plural = _("skor konsensus")
        constraints = [models.UniqueConstraint(fields=["submission", "indicator"], name="consensus_unique")]


class Feedback(NoDeleteModel):
    """An assessor's feedback on one programme/application: Kekuatan, Kelemahan, Rekomendasi."""

    submission = models.ForeignKey(Submission, verbose_name=_("pengajuan"), on_delete=models.PROTECT,
                                   related_name="feedback")
    programme = models.ForeignKey("catalogue.Programme", verbose_name=_("program"), on_delete=models.PROTECT,
                                  related_name="feedback")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("asesor"), on_delete=models.PROTECT,
                                 related_name="+")
    strengths = models.TextField(_("kekuatan"), blank=True, max_length=LONG_TEXT)
    weaknesses = models.TextField(_("kelemahan"), blank=True, max_length=LONG_TEXT)
    recommendation = models.TextField(_("rekomendasi"), blank=True, max_length=LONG_TEXT)
    created_at = models.DateTimeField(_("dibuat pada"), default=timezone.now)

    class Meta:
        verbose_name = _("umpan balik")
        verbose_name_plural = _("umpan balik")
        ordering = ["programme__title", "created_at"]

    def __str__(self) -> str:
        return f"{self.programme} · {self.assessor}"


class Interview(NoDeleteModel):
    """An interview/clarification session (usually on Zoom) of a panel with a region."""

    submission = models.ForeignKey(Submission, verbose_name=_("pengajuan"), on_delete=models.PROTECT,
                                   related_name="interviews")
    at = models.DateTimeField(_("waktu"))
    meeting_url = models.URLField(_("tautan Zoom"), blank=True)
    minutes = models.TextField(_("notulen"), blank=True, max_length=LONG_TEXT)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("dicatat oleh"),
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("wawancara")
        verbose_name_plural = _("wawancara")
        ordering = ["at"]


class Result(NoDeleteModel):
    """A region's computed index for a cycle, stored with the exact pack version that produced it;
    frozen once published."""

    cycle = models.ForeignKey(Cycle, verbose_name=_("siklus"), on_delete=models.PROTECT, related_name="results")
    region = models.ForeignKey("regions.Region", verbose_name=_("wilayah"), on_delete=models.PROTECT,
                               related_name="results")
    pack_code = models.CharField(_("kode paket"), max_length=40)
    pack_version = models.CharField(_("versi paket"), max_length=20)
    pack_digest = models.CharField(_("sidik paket"), max_length=64, blank=True)
    index = models.DecimalField(_("indeks"), max_digits=6, decimal_places=2)
    index_raw = models.CharField(_("indeks (tanpa pembulatan)"), max_length=40)
    mean = models.DecimalField(_("rata-rata dimensi"), max_digits=6, decimal_places=2, null=True)
    dimensions = models.JSONField(_("dimensi"), default=dict)
    # The unrounded dimension scores the index was computed from, as exact decimal strings (result letters
    # print dimensions rounded, so recomputing the index from ``dimensions`` can differ by 0.01).
    dimensions_raw = models.JSONField(_("dimensi (tanpa pembulatan)"), default=dict, blank=True)
    pillars = models.JSONField(_("pilar"), default=dict)
    predicate = models.CharField(_("predikat"), max_length=40, blank=True)
    previous_index = models.DecimalField(_("indeks tahun lalu"), max_digits=6, decimal_places=2, null=True,
                                         blank=True)
    improvement = models.DecimalField(_("peningkatan"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(_("peringkat nasional"), null=True, blank=True)
    trace = models.JSONField(_("jejak hitungan"), default=list)
    computed_at = models.DateTimeField(_("dihitung pada"), default=timezone.now)
    is_published = models.BooleanField(_("diterbitkan"), default=False, db_index=True)
    frozen_at = models.DateTimeField(_("dibekukan pada"), null=True, blank=True)
    is_demo = models.BooleanField(_("data demo"), default=False)
    version = models.PositiveIntegerField(_("versi hasil"), default=1)
    correction_reason = models.TextField(_("alasan koreksi"), blank=True, max_length=SHORT_TEXT)
    corrected_at = models.DateTimeField(_("dikoreksi pada"), null=True, blank=True)
    provenance = models.CharField(_("asal data"), max_length=20, choices=Provenance.choices,
                                  default=Provenance.ENTERED)

    all_objects = NoDeleteManager()
    objects = InActiveCycleManager()

    class Meta:
        verbose_name = _("hasil evaluasi")
        verbose_name_plural = _("hasil evaluasi")
        default_manager_name = "all_objects"
        ordering = ["cycle", "rank"]
        constraints = [models.UniqueConstraint(fields=["cycle", "region"], name="result_unique")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.cycle.year}: {self.index}"

    @property
    def index_decimal(self) -> Decimal:
        return Decimal(self.index)

    @cached_property
    def published_predicate(self) -> PublishedPredicate:
        """The predicate any page, report, export or API may show for this result: none unless the
        bands of the result's pack version are official (scoring.predicates). Read this, never
        ``predicate`` or the pack's bands."""
        from .queries import result_pack

        return published_predicate(result_pack(self), Decimal(self.index))

    @property
    def display_name(self) -> str:
        """The region's name beside these figures: "Kota Bandung (sintetis)" when they are synthetic."""
        from kotacerdas.core.provenance import display_name

        return display_name(self.region_id, self.region.name, self.provenance)


class ResultVersion(NoDeleteModel):
    """A published result as it stood before a correction: corrections after publishing make a new version
    of the result and keep the old one here, with the reason."""

    result = models.ForeignKey(Result, verbose_name=_("hasil"), on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("versi"))
    index = models.DecimalField(_("indeks"), max_digits=6, decimal_places=2)
    predicate = models.CharField(_("predikat"), max_length=40, blank=True)
    rank = models.PositiveIntegerField(_("peringkat nasional"), null=True, blank=True)
    dimensions = models.JSONField(_("dimensi"), default=dict)
    replaced_at = models.DateTimeField(_("diganti pada"), default=timezone.now)
    replaced_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("diganti oleh"), null=True,
                                    on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("alasan koreksi"), max_length=SHORT_TEXT)

    class Meta:
        verbose_name = _("versi hasil")
        verbose_name_plural = _("versi hasil")
        ordering = ["result", "version"]
        constraints = [models.UniqueConstraint(fields=["result", "version"], name="result_version_unique")]


class Meeting(NoDeleteModel):
    """The Tahap II meeting of a panel with a region: when (with its Indonesian time zone) and where (an
    online meeting link, a place, or both)."""

    cycle = models.ForeignKey(Cycle, verbose_name=_("siklus"), on_delete=models.PROTECT, related_name="meetings")
    region = models.ForeignKey("regions.Region", verbose_name=_("wilayah"), on_delete=models.PROTECT,
                               related_name="meetings")
    starts_at = models.DateTimeField(_("mulai"))
    duration_minutes = models.PositiveSmallIntegerField(_("durasi (menit)"), default=120)
    timezone = models.CharField(_("zona waktu"), max_length=4, choices=TimeZone.choices, default=TimeZone.WIB)
    meeting_url = models.URLField(_("tautan rapat daring"), blank=True, max_length=500)
    place = models.CharField(_("tempat"), max_length=200, blank=True)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("dijadwalkan oleh"),
                                     on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("diubah pada"), auto_now=True)
    version = models.PositiveIntegerField(_("versi"), default=1)

    class Meta:
        verbose_name = _("jadwal Tahap II")
        verbose_name_plural = _("jadwal Tahap II")
        ordering = ["starts_at"]
        constraints = [models.UniqueConstraint(fields=["cycle", "region"], name="meeting_unique_region")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.starts_at:%Y-%m-%d %H:%M}"

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kotacerdas.core.nodelete import NoDeleteManager, NoDeleteModel
from kotacerdas.evaluations.models import InActiveCycleManager

from .choices import AgeBand, Channel, Gender, SurveyStatus


class SurveyBaseModel(NoDeleteModel):
    class Meta:
        abstract = True


def new_token() -> str:
    return secrets.token_urlsafe(9)


class Survey(SurveyBaseModel):
    """A region's impact survey (*survei dampak*) for one evaluation cycle: which programme represents each
    sub-dimension, when the public form is open, and how many respondents are wanted."""

    region = models.ForeignKey("regions.Region", verbose_name=_("wilayah"), on_delete=models.PROTECT,
                               related_name="surveys")
    cycle = models.ForeignKey("evaluations.Cycle", verbose_name=_("siklus"), on_delete=models.PROTECT,
                              related_name="surveys")
    title = models.CharField(_("judul"), max_length=200)
    token = models.CharField(_("kode tautan publik"), max_length=24, unique=True, default=new_token)
    status = models.CharField(_("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT,
                              db_index=True)
    opens_at = models.DateTimeField(_("dibuka pada"), null=True, blank=True)
    closes_at = models.DateTimeField(_("ditutup pada"), null=True, blank=True)
    target_per_pillar = models.PositiveSmallIntegerField(
        _("target responden per pilar"), default=50,
        help_text=_("Pedoman: 50 responden per pilar (Smart Branding: per sub-dimensi)"))
    branding_per_subdimension = models.BooleanField(_("Smart Branding: target per sub-dimensi"), default=True)
    min_per_subdimension = models.PositiveSmallIntegerField(
        _("minimum responden per sub-dimensi"), default=15,
        help_text=_("Di bawah angka ini sub-dimensi diberi peringatan kurang sampel"))
    requires_code = models.BooleanField(_("wajib kode sekali pakai"), default=False)
    summary_published_at = models.DateTimeField(_("ringkasan diterbitkan pada"), null=True, blank=True)
    version = models.PositiveIntegerField(_("versi"), default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("dibuat oleh"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("dibuat pada"), default=timezone.now)
    is_demo = models.BooleanField(_("data demo"), default=False)

    all_objects = NoDeleteManager()
    objects = InActiveCycleManager()  # a survey of an archived (demo) cycle is archived with it

    class Meta:
        verbose_name = _("survei dampak")
        verbose_name_plural = _("survei dampak")
        default_manager_name = "all_objects"
        ordering = ["-cycle__year", "region"]
        constraints = [models.UniqueConstraint(fields=["region", "cycle"], name="survey_one_per_region_cycle")]

    def __str__(self) -> str:
        return self.title

    def window_open(self, now: Any = None) -> bool:
        now = now or timezone.now()
        if self.status != SurveyStatus.OPEN:
            return False
        if self.opens_at and now < self.opens_at:
            return False
        return not (self.closes_at and now > self.closes_at)

    def in_window(self, moment: Any) -> bool:
        """Whether a (paper) response collected at `moment` falls inside the survey window."""
        if self.opens_at and moment < self.opens_at:
            return False
        return not (self.closes_at and moment > self.closes_at)

    @property
    def is_published(self) -> bool:
        return self.summary_published_at is not None


class SurveyService(SurveyBaseModel):
    """The programme/service chosen by the coordinator to represent one sub-dimension in a survey;
    respondents are its beneficiaries."""

    survey = models.ForeignKey(Survey, verbose_name=_("survei"), on_delete=models.PROTECT, related_name="services")
    subdimension = models.CharField(_("sub-dimensi"), max_length=60,
                                    help_text=_("Kode sub-dimensi dari paket rubrik, mis. governance.layanan_publik"))
    pillar = models.CharField(_("pilar"), max_length=20)
    programme = models.ForeignKey("catalogue.Programme", verbose_name=_("program/layanan"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="survey_services")
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("layanan yang disurvei")
        verbose_name_plural = _("layanan yang disurvei")
        ordering = ["survey", "order"]
        constraints = [models.UniqueConstraint(fields=["survey", "subdimension"], name="survey_service_unique")]

    def __str__(self) -> str:
        return f"{self.subdimension}: {self.programme or '—'}"


class AccessCode(SurveyBaseModel):
    """A one-time code handed to a beneficiary (e.g. printed on a service receipt); used once."""

    survey = models.ForeignKey(Survey, verbose_name=_("survei"), on_delete=models.PROTECT, related_name="codes")
    code = models.CharField(_("kode"), max_length=12)
    created_at = models.DateTimeField(_("dibuat pada"), default=timezone.now)
    used_at = models.DateTimeField(_("dipakai pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("kode sekali pakai")
        verbose_name_plural = _("kode sekali pakai")
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="access_code_unique")]

    def __str__(self) -> str:
        return self.code


class Response(SurveyBaseModel):
    """One respondent's answers: profile (kecamatan, age band, gender, the service they used) and one
    Likert value per questionnaire item of that service's sub-dimension."""

    survey = models.ForeignKey(Survey, verbose_name=_("survei"), on_delete=models.PROTECT, related_name="responses")
    service = models.ForeignKey(SurveyService, verbose_name=_("layanan yang dimanfaatkan"), on_delete=models.PROTECT,
                                related_name="responses")
    kecamatan = models.ForeignKey("regions.Region", verbose_name=_("kecamatan"), on_delete=models.PROTECT,
                                  related_name="+")
    age_band = models.CharField(_("kelompok umur"), max_length=8, choices=AgeBand.choices)
    gender = models.CharField(_("jenis kelamin"), max_length=1, choices=Gender.choices)
    channel = models.CharField(_("kanal"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    submitted_at = models.DateTimeField(_("diisi pada"), default=timezone.now, db_index=True)
    contact_name = models.CharField(_("nama (opsional)"), max_length=120, blank=True)
    contact_phone = models.CharField(_("nomor telepon (opsional)"), max_length=30, blank=True)
    ip_hash = models.CharField(_("sidik alamat IP"), max_length=32, blank=True)
    access_code = models.ForeignKey(AccessCode, verbose_name=_("kode sekali pakai"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("dientri oleh"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    paper_ref = models.CharField(_("nomor lembar kertas"), max_length=40, blank=True)
    is_demo = models.BooleanField(_("data demo"), default=False)

    class Meta:
        verbose_name = _("tanggapan survei")
        verbose_name_plural = _("tanggapan survei")
        ordering = ["survey", "submitted_at", "id"]
        indexes = [models.Index(fields=["survey", "service"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.survey_id} {self.service.subdimension}"


class ResponseAnswer(SurveyBaseModel):
    """The Likert value (1–5) one respondent gave to one questionnaire item."""

    response = models.ForeignKey(Response, verbose_name=_("tanggapan"), on_delete=models.PROTECT,
                                 related_name="answers")
    item = models.CharField(_("butir"), max_length=80)
    value = models.PositiveSmallIntegerField(_("nilai"))

    class Meta:
        verbose_name = _("jawaban survei")
        verbose_name_plural = _("jawaban survei")
        constraints = [models.UniqueConstraint(fields=["response", "item"], name="response_answer_unique")]

    def __str__(self) -> str:
        return f"{self.item}={self.value}"

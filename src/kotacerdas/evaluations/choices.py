from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    SELF_ASSESSMENT = "self_assessment", _("Penilaian mandiri (pra-evaluasi)")
    TAHAP_1 = "tahap_1", _("Tahap I")
    TAHAP_2 = "tahap_2", _("Tahap II")
    FINAL = "final", _("Final")
    PUBLISHED = "published", _("Diterbitkan")


STAGE_ORDER = [s.value for s in Stage]


class RegionClass(models.TextChoices):
    A = "A", _("Kelas A")
    B = "B", _("Kelas B")


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    SUBMITTED = "submitted", _("Dikirim")
    RETURNED = "returned", _("Dikembalikan")
    RESUBMITTED = "resubmitted", _("Dikirim ulang")
    UNDER_ASSESSMENT = "under_assessment", _("Sedang dinilai")
    ASSESSED = "assessed", _("Selesai dinilai")
    FINAL = "final", _("Final")
    PUBLISHED = "published", _("Diterbitkan")


STATUS_CHAIN = [s.value for s in SubmissionStatus if s != SubmissionStatus.RETURNED]


class EvidenceKind(models.TextChoices):
    FILE = "file", _("Berkas")
    LINK = "link", _("Tautan")
    VIDEO = "video", _("Video (≤ 3 menit)")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    COMPLETE = "complete", _("Selesai")


class NoteKind(models.TextChoices):
    RETURN = "return", _("Catatan pengembalian")
    ASSESSOR = "assessor", _("Catatan asesor")
    REGION = "region", _("Tanggapan daerah")


class TimeZone(models.TextChoices):
    """Indonesia's three time zones, as meeting invitations name them."""

    WIB = "WIB", _("WIB (UTC+7)")
    WITA = "WITA", _("WITA (UTC+8)")
    WIT = "WIT", _("WIT (UTC+9)")


TZ_NAMES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}

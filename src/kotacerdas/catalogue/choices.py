from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    OPD = "opd", _("OPD (dinas/badan)")
    BUMD = "bumd", _("BUMD")
    PDAM = "pdam", _("PDAM")
    OTHER = "other", _("Lainnya")


class Sector(models.TextChoices):
    SOSIAL = "sosial", _("Sosial")
    INFRASTRUKTUR = "infrastruktur", _("Infrastruktur")
    EKONOMI = "ekonomi", _("Ekonomi")
    LINGKUNGAN = "lingkungan", _("Lingkungan")
    PEMERINTAHAN = "pemerintahan", _("Pemerintahan")
    KESEHATAN = "kesehatan", _("Kesehatan")
    PENDIDIKAN = "pendidikan", _("Pendidikan")


class ProgrammeStatus(models.TextChoices):
    PLANNED = "planned", _("Direncanakan")
    RUNNING = "running", _("Berjalan")
    STOPPED = "stopped", _("Berhenti")


class AreaScope(models.TextChoices):
    WHOLE = "whole", _("Seluruh wilayah")
    LISTED = "listed", _("Kecamatan tertentu")


class Hosting(models.TextChoices):
    NONE = "", _("—")
    PUSDATIN = "pemda", _("Server Pemda / PDN daerah")
    PDN = "pdn", _("Pusat Data Nasional")
    CLOUD = "cloud", _("Cloud komersial")
    VENDOR = "vendor", _("Vendor / pihak ketiga")

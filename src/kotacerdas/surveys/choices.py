from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Rancangan")
    OPEN = "open", _("Dibuka")
    CLOSED = "closed", _("Ditutup")


class Channel(models.TextChoices):
    ONLINE = "online", _("Daring")
    PAPER = "paper", _("Kertas (dientri petugas)")
    IMPORT = "import", _("Kertas (impor Excel)")


class AgeBand(models.TextChoices):
    A17 = "17-24", _("17–24 tahun")
    A25 = "25-34", _("25–34 tahun")
    A35 = "35-44", _("35–44 tahun")
    A45 = "45-54", _("45–54 tahun")
    A55 = "55+", _("55 tahun ke atas")


class Gender(models.TextChoices):
    MALE = "L", _("Laki-laki")
    FEMALE = "P", _("Perempuan")
    UNSAID = "X", _("Tidak ingin menyebutkan")


LIKERT_LABELS = {
    1: _("Sangat tidak setuju"),
    2: _("Tidak setuju"),
    3: _("Netral"),
    4: _("Setuju"),
    5: _("Sangat setuju"),
}

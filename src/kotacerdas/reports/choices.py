from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportFormat(models.TextChoices):
    PDF = "pdf", _("PDF (Laporan Hasil Evaluasi)")
    XLSX = "xlsx", _("Excel (lembar kerja evaluasi)")


class ReportLanguage(models.TextChoices):
    ID = "id", _("Bahasa Indonesia")
    EN = "en", _("English")

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from kotacerdas.core.jobs import job_message


class ReportFormat(models.TextChoices):
    PDF = "pdf", _("PDF (Laporan Hasil Evaluasi)")
    XLSX = "xlsx", _("Excel (lembar kerja evaluasi)")


class ReportLanguage(models.TextChoices):
    ID = "id", _("Bahasa Indonesia")
    EN = "en", _("English")


# The steps a report job writes on its row (stored in Indonesian, shown in the reader's language).
STEP_DATA = job_message(gettext_noop("Menyiapkan data"))
STEP_SECTION = job_message(gettext_noop("Menyusun bagian %(n)d dari %(total)d"))
STEP_PDF = job_message(gettext_noop("Menata halaman PDF"))
STEP_XLSX = job_message(gettext_noop("Menyusun lembar kerja Excel"))
STEP_DONE = job_message(gettext_noop("selesai"))

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Belum mulai")
    IN_PROGRESS = "in_progress", pgettext_lazy("action item status", "Berjalan")
    DONE = "done", _("Selesai")


class ProgressMode(models.TextChoices):
    STATUS = "status", _("Berdasarkan status")
    MEASURED = "measured", _("Target vs realisasi")


from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    NATIONAL_ADMIN = "national_admin", _("Admin nasional")
    ASSESSOR = "assessor", _("Asesor")
    COORDINATOR = "coordinator", _("Koordinator daerah")
    OPERATOR = "operator", _("Operator unit")
    EXECUTIVE = "executive", _("Pimpinan daerah")

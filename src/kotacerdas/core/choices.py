"""Choices shared by several apps (ground layer: no other kotacerdas app imported)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NumberFormat(models.TextChoices):
    """How a file writes numbers as text (:mod:`kotacerdas.lib.numbers`); empty = not chosen (then a number
    typed as text that reads two ways, "3.650", is refused, never guessed)."""

    UNSET = "", _("belum dipilih")
    INDONESIAN = ",", _("Indonesia: 1.234.567,5 (titik pemisah ribuan, koma desimal)")
    ENGLISH = ".", _("Inggris: 1,234,567.5 (koma pemisah ribuan, titik desimal)")

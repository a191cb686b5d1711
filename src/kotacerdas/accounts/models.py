from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kotacerdas.core.nodelete import NoDeleteModel, NoDeleteQuerySet
from kotacerdas.lib.text import SHORT_TEXT

from .choices import Role


class Membership(NoDeleteModel):
    """What a person may do where: a role, held in a region (coordinator, executive, assessor's home
    region) or a unit (operator), or nationally (admin, assessor)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("pengguna"), on_delete=models.PROTECT,
                             related_name="memberships")
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices)
    region = models.ForeignKey("regions.Region", verbose_name=_("wilayah"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="memberships")
    unit = models.ForeignKey("catalogue.Unit", verbose_name=_("unit kerja"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="memberships")
    active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(_("dibuat pada"), default=timezone.now)
    experience = models.CharField(_("pengalaman kelas"), max_length=2, blank=True, default="",
                                  help_text=_("asesor: kelas wilayah yang pernah dinilai (A, B atau AB)"))

    class Meta:
        verbose_name = _("keanggotaan")
        verbose_name_plural = _("keanggotaan")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "region", "unit"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        where = self.unit or self.region or _("nasional")
        return f"{self.user} · {self.get_role_display()} · {where}"


APPEND_ONLY = "Jejak audit hanya bisa ditambah / the audit trail is append-only"
REVOKE_NOT_DELETE = "Token dicabut, tidak dihapus / tokens are revoked, not deleted"


class AuditQuerySet(NoDeleteQuerySet["AuditEvent"]):
    delete_refused_message = APPEND_ONLY

    def update(self, **kwargs: Any) -> int:
        raise PermissionError(APPEND_ONLY)


class AuditEvent(NoDeleteModel):
    """One state change: who did what to which object, from which state to which, when and why.
    Append-only: rows are never updated or deleted."""

    at = models.DateTimeField(_("waktu"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("pelaku"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("tindakan"), max_length=60, db_index=True)
    object_type = models.CharField(_("jenis objek"), max_length=60)
    object_id = models.CharField(_("id objek"), max_length=64)
    region_code = models.CharField(_("kode wilayah"), max_length=13, blank=True, db_index=True)
    from_state = models.CharField(_("dari status"), max_length=40, blank=True)
    to_state = models.CharField(_("ke status"), max_length=40, blank=True)
    reason = models.TextField(_("alasan"), blank=True, max_length=SHORT_TEXT)
    data = models.JSONField(_("data"), default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("peristiwa audit")
        verbose_name_plural = _("jejak audit")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"

    delete_refused_message = APPEND_ONLY

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError(APPEND_ONLY)
        super().save(*args, **kwargs)


class ApiTokenQuerySet(NoDeleteQuerySet["ApiToken"]):
    delete_refused_message = REVOKE_NOT_DELETE


class ApiToken(NoDeleteModel):
    """A per-user token for systems that call the API (e.g. a Dukcapil server pushing KPI values).
    Only a hash is stored; the token is shown once. Revocable, with scopes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("pengguna"), on_delete=models.PROTECT,
                             related_name="api_tokens")
    name = models.CharField(_("nama"), max_length=80)
    prefix = models.CharField(_("awalan"), max_length=12, db_index=True)
    key_hash = models.CharField(_("hash kunci"), max_length=64, unique=True)
    scopes = models.JSONField(_("cakupan"), default=list, blank=True,
                              help_text=_("mis. [\"read\", \"write\"]; kosong = read"))
    created_at = models.DateTimeField(_("dibuat pada"), default=timezone.now)
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("dicabut pada"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("token API")
        verbose_name_plural = _("token API")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    delete_refused_message = REVOKE_NOT_DELETE

"""Nothing in kotacerdas is ever hard-deleted: rows are archived, revoked, deactivated or superseded.

One place says so for every model: `NoDeleteModel` (instance `delete()`), `NoDeleteQuerySet` (bulk
`delete()`, so a manager or a related manager cannot do it either), `ArchivableQuerySet` (the same with
`active()` for models that have `archived_at`); `core.admin.NoDeleteAdmin` takes the delete button and
action out of the admin. Managers only: no database schema depends on this module.
"""
from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from django.db import models

_M = TypeVar("_M", bound=models.Model)

NOTHING_IS_DELETED = "Tidak ada yang dihapus permanen; gunakan arsip / nothing is hard-deleted"


class HardDeleteRefused(PermissionError):
    """Raised when code tries to delete a row. A PermissionError, so callers that already catch that keep
    working."""


class NoDeleteQuerySet(models.QuerySet[_M]):
    delete_refused_message: ClassVar[str] = NOTHING_IS_DELETED

    def delete(self) -> Any:
        raise HardDeleteRefused(self.delete_refused_message)

    delete.queryset_only = True  # type: ignore[attr-defined]


class NoDeleteManager(models.Manager[_M]):
    def get_queryset(self) -> NoDeleteQuerySet[_M]:
        return NoDeleteQuerySet(self.model, using=self._db)


class ArchivableQuerySet(NoDeleteQuerySet[_M]):
    """For models with an `archived_at` column: archive instead of delete, list the active ones."""

    def active(self) -> ArchivableQuerySet[_M]:
        return self.filter(archived_at__isnull=True)


class NoDeleteModel(models.Model):
    """Abstract base: instance and bulk deletes are refused. Subclasses that need their own queryset
    (with `active()` or other helpers) give it as `objects = TheirQuerySet.as_manager()` where
    TheirQuerySet derives from `NoDeleteQuerySet`."""

    delete_refused_message: ClassVar[str] = NOTHING_IS_DELETED

    objects: Any = NoDeleteManager()

    class Meta:
        abstract = True

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise HardDeleteRefused(self.delete_refused_message)

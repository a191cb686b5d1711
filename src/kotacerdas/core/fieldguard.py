"""The last line for free text: before any of the project's models is saved, every text field people
fill (every CharField, and every TextField given a `max_length`) is checked for what no database should
hold (NUL, lone surrogates — lib/text) and against its `max_length`. A refusal is an `InvalidInput` naming the field, so the web,
the API (422) and the importers report it like any other wrong value instead of failing in the database
(PostgreSQL refuses NUL and over-long varchar; SQLite would store them silently).

`check_values(model, values)` does the same for values that go through `QuerySet.update()` (optimistic
locking), which sends no signal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.db.models.signals import pre_save
from django.utils.translation import gettext as _

from kotacerdas.lib.text import problem


def _text_fields(model: type[models.Model]) -> list[models.Field]:  # type: ignore[type-arg]
    cached = model.__dict__.get("_kc_text_fields")
    if cached is None:
        cached = [f for f in model._meta.concrete_fields
                  if isinstance(f, models.CharField | models.TextField) and getattr(f, "max_length", None)]
        model._kc_text_fields = cached  # type: ignore[attr-defined]
    return cached


def _check(model: type[models.Model], name: str, value: Any, field: Any) -> None:
    from kotacerdas.core.errors import InvalidInput

    if not isinstance(value, str):
        return
    label = str(getattr(field, "verbose_name", name))
    why = problem(value)
    if why is not None:
        raise InvalidInput(_("%(field)s: %(why)s") % {"field": label, "why": why}, field=name)
    limit = getattr(field, "max_length", None)
    if limit and len(value) > limit:
        raise InvalidInput(_("%(field)s terlalu panjang: %(length)s karakter, paling banyak %(max)s")
                           % {"field": label, "length": len(value), "max": limit}, field=name)


def check_values(model: type[models.Model], values: Mapping[str, Any]) -> None:
    by_name = {f.name: f for f in _text_fields(model)}
    for name, value in values.items():
        field = by_name.get(name)
        if field is not None:
            _check(model, name, value, field)


def _guard(sender: type[models.Model], instance: models.Model, raw: bool = False, **_: Any) -> None:
    if raw or not sender.__module__.startswith("kotacerdas."):
        return
    for field in _text_fields(sender):
        _check(sender, field.name, getattr(instance, field.attname, None), field)


def connect() -> None:
    pre_save.connect(_guard, dispatch_uid="kotacerdas.core.fieldguard")

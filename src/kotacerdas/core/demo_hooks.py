"""Demo loaders of later apps, in dependency order. Each takes a writable stream for progress."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

HOOKS: list[Callable[[IO[Any]], None]] = []

# Reminder hooks for `kotacerdas remind`: callables taking today's date, returning emails sent.
REMINDERS: list[Callable[[Any], int]] = []

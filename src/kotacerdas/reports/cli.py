"""Helpers shared by the `kotacerdas` commands that live in core/management/commands: exit codes,
actor and cycle lookup, and a plain progress bar on stderr."""

from __future__ import annotations

import os
import sys
import time
from typing import IO, Any

from django.core.management.base import CommandError

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


def data_error(message: str) -> CommandError:
    """Something in the data is wrong (unknown region, invalid file): exit code 1."""
    return CommandError(message, returncode=EXIT_DATA)


def usage_error(message: str) -> CommandError:
    """The command was called wrongly (missing option, bad combination): exit code 2."""
    return CommandError(message, returncode=EXIT_USAGE)


def actor(identifier: str | None, *, required: bool = True) -> Any:
    """The person a command acts as (--as EMAIL): permissions and the audit trail apply to them."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    if not identifier:
        identifier = os.environ.get("KOTACERDAS_ACTOR", "")
    if not identifier:
        if required:
            raise usage_error("--as EMAIL wajib: perintah ini bertindak atas nama seorang pengguna "
                              "(atau set KOTACERDAS_ACTOR) / --as EMAIL is required")
        return None
    user = get_user_model().objects.filter(Q(username=identifier) | Q(email=identifier), is_active=True).first()
    if user is None:
        raise data_error(f"Pengguna {identifier!r} tidak ditemukan / user not found")
    return user


def region(code: str) -> Any:
    from kotacerdas.regions.models import Region

    found = Region.objects.filter(code=code).first()
    if found is None:
        raise data_error(f"Kode wilayah {code!r} tidak dikenal / unknown region code")
    return found


def cycle(year: int, pack: str | None = None) -> Any:
    from kotacerdas.evaluations.models import Cycle

    qs = Cycle.objects.filter(year=year)
    if pack:
        qs = qs.filter(pack_code=pack)
    found = list(qs[:2])
    if not found:
        raise data_error(f"Tidak ada siklus evaluasi tahun {year} / no evaluation cycle for {year}")
    if len(found) > 1:
        # A year may hold an IID or SPBE cycle beside the Smart City one; a bare year names the Smart City one.
        smart_city = [c for c in qs if c.pack_code.startswith("kominfo-")]
        if len(smart_city) == 1:
            return smart_city[0]
        raise usage_error(f"Ada lebih dari satu siklus tahun {year}; pilih dengan --pack / choose with --pack")
    return found[0]


class Progress:
    """A one-line progress bar on a terminal; silent when output is not a terminal (scripts, CI)
    unless KOTACERDAS_PROGRESS=1."""

    def __init__(self, label: str, total: int = 100, stream: IO[str] | None = None) -> None:
        self.label, self.total = label, max(1, total)
        self.stream = stream or sys.stderr
        self.enabled = os.environ.get("KOTACERDAS_PROGRESS") == "1" or (
            hasattr(self.stream, "isatty") and self.stream.isatty())
        self.started = time.monotonic()
        self.last = -1

    def update(self, done: int, step: str = "") -> None:
        if not self.enabled:
            return
        pct = int(100 * min(done, self.total) / self.total)
        if pct == self.last and not step:
            return
        self.last = pct
        bar = "#" * (pct // 4) + "-" * (25 - pct // 4)
        self.stream.write(f"\r{self.label} [{bar}] {pct:3d}% {step[:40]:<40}")
        self.stream.flush()

    def __call__(self, pct: int, step: str = "") -> None:
        self.update(pct * self.total // 100, step)

    def close(self) -> None:
        if self.enabled:
            self.update(self.total)
            self.stream.write(f"  {time.monotonic() - self.started:.1f} s\n")
            self.stream.flush()

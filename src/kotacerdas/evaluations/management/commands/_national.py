"""Shared by the `cycle`, `panel` and `submission` commands: each subcommand calls one `do_*` action as the
person named by --as, so permissions and the audit trail are the web's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kotacerdas.core import commandline as cli

EXIT_HELP = "Kode keluar / exit codes: 0 ok, 1 galat data / data error, 2 salah pemakaian / usage error."


def date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise cli.usage_error(f"Tanggal {value!r} harus YYYY-MM-DD / date must be YYYY-MM-DD") from exc


def moment(value: str) -> dt.datetime:
    from django.utils import timezone

    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise cli.usage_error(f"Waktu {value!r} harus YYYY-MM-DD[THH:MM] / must be ISO 8601") from exc
    return parsed if parsed.tzinfo else timezone.make_aware(parsed)


class ActionCommand(BaseCommand):
    """A command with subcommands; every one needs --as and most a cycle (--year [--pack])."""

    def add_common(self, parser: CommandParser, *, cycle: bool = True) -> None:
        if cycle:
            parser.add_argument("--year", type=int, required=True, help="tahun siklus / cycle year")
            parser.add_argument("--pack", help="kode paket bila ada beberapa siklus setahun / pack code")
        parser.add_argument("--as", dest="actor", help="email pengguna yang bertindak / acting user's email "
                                                       "(atau KOTACERDAS_ACTOR)")

    def run(self, call: Any) -> Any:
        from kotacerdas.core.errors import ActionError

        try:
            return call()
        except ActionError as exc:
            raise cli.data_error(exc.message) from exc

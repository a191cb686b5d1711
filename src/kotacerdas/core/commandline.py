"""What every `kotacerdas` command shares, whichever app it lives in: exit codes (0 ok, 1 data error,
2 usage), the person a command acts as (--as), a plain progress bar on stderr, and `passthrough` for the
commands that hand their arguments to a plain CLI (the scoring CLIs).

Ground level: no app is imported here. Looking up a region or a cycle by what a person typed lives with
the app that owns it (`regions.management.lookup`, `evaluations.management.lookup`)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, Literal, TextIO, cast, overload

from django.core.management.base import BaseCommand, CommandError

if TYPE_CHECKING:
    from django.contrib.auth.models import User

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


def data_error(message: str) -> CommandError:
    """Something in the data is wrong (unknown region, invalid file): exit code 1."""
    return CommandError(message, returncode=EXIT_DATA)


def usage_error(message: str) -> CommandError:
    """The command was called wrongly (missing option, bad combination): exit code 2."""
    return CommandError(message, returncode=EXIT_USAGE)


@overload
def actor(identifier: str | None, *, required: Literal[True] = ...) -> User: ...
@overload
def actor(identifier: str | None, *, required: bool) -> User | None: ...
def actor(identifier: str | None, *, required: bool = True) -> User | None:
    """The person a command acts as (--as EMAIL): permissions and the audit trail apply to them."""
    from django.contrib.auth.models import User
    from django.db.models import Q

    if not identifier:
        identifier = os.environ.get("KOTACERDAS_ACTOR", "")
    if not identifier:
        if required:
            raise usage_error("--as EMAIL wajib: perintah ini bertindak atas nama seorang pengguna "
                              "(atau set KOTACERDAS_ACTOR) / --as EMAIL is required")
        return None
    user = User.objects.filter(Q(username=identifier) | Q(email=identifier), is_active=True).first()
    if user is None:
        raise data_error(f"Pengguna {identifier!r} tidak ditemukan / user not found")
    return user


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


# --- commands that hand their arguments to a plain CLI ----------------------------------------------

Main = Callable[[list[str], TextIO, TextIO], int]


def passthrough(name: str, main: Main, parser: Callable[[], argparse.ArgumentParser]) -> type[BaseCommand]:
    class Command(BaseCommand):
        help = parser().description or ""
        requires_system_checks: list[str] = []

        def run_from_argv(self, argv: list[str]) -> None:
            sys.exit(main(argv[2:], sys.stdout, sys.stderr))

        def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
            p = super().create_parser(prog_name, subcommand, **kwargs)
            p.add_argument("args", nargs="*")
            return p

        def handle(self, *args: str, **opts: Any) -> None:
            # call_command(name, ...) from Python: same behaviour, the exit code raised as CommandError.
            code = main(list(args), cast(TextIO, self.stdout._out), cast(TextIO, self.stderr._out))
            if code:
                raise CommandError(f"{name} exit {code}", returncode=code)

    Command.__doc__ = f"`kotacerdas {name}`: {main.__module__}.{main.__name__} with its own arguments."
    return Command

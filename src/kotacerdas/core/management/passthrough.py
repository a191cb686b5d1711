"""A Django command that hands its arguments unchanged to a plain CLI ``main(argv, stdout, stderr) -> int``
(the scoring CLIs), so `kotacerdas packs|score|simulate` keep that CLI's --help, output and exit codes
(0 ok, 1 data error, 2 usage)."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError

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

from __future__ import annotations

import sys
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand

from kotacerdas.scoring import cli as scoring_cli


class Command(BaseCommand):
    """Hands the arguments to kotacerdas.scoring.cli.simulate_main unchanged, so its --help, output and exit
    codes (0 ok, 1 data error, 2 usage) are what `kotacerdas simulate` gives."""

    help = scoring_cli._simulate_parser().description or ""
    requires_system_checks: list[str] = []

    def run_from_argv(self, argv: list[str]) -> None:
        code = scoring_cli.simulate_main(argv[2:], sys.stdout, sys.stderr)
        sys.exit(code)

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument("args", nargs="*")
        return parser

    def handle(self, *args: str, **opts: Any) -> None:
        # call_command("simulate", ...) from Python: same behaviour, exit code raised as CommandError.
        from django.core.management.base import CommandError

        code = scoring_cli.simulate_main(list(args), cast(TextIO, self.stdout._out), cast(TextIO, self.stderr._out))
        if code:
            raise CommandError(f"simulate exit {code}", returncode=code)

"""The `kotacerdas` command: every Django management command, plus a few friendly names.

`kotacerdas serve --port 8000` and `kotacerdas check --deploy` both work; anything that is not
an alias is handed to Django's own command runner unchanged.
"""

from __future__ import annotations

import os
import sys

ALIASES = {
    # friendly name -> management command
    "serve": "serve",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotacerdas.settings")
    from django.conf import settings

    settings.HOME.mkdir(parents=True, exist_ok=True)
    from django.core.management import execute_from_command_line

    if not argv:
        argv = ["help"]
    argv[0] = ALIASES.get(argv[0], argv[0])
    try:
        execute_from_command_line(["kotacerdas", *argv])
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

from __future__ import annotations

from kotacerdas.core.commandline import passthrough
from kotacerdas.scoring import cli as scoring_cli

Command = passthrough("packs", scoring_cli.packs_main, scoring_cli._packs_parser)

from __future__ import annotations

from kotacerdas.core.commandline import passthrough
from kotacerdas.scoring import cli as scoring_cli

Command = passthrough("score", scoring_cli.score_main, scoring_cli._score_parser)

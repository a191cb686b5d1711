from __future__ import annotations

from kotacerdas.core.commandline import passthrough
from kotacerdas.scoring import cli as scoring_cli

Command = passthrough("simulate", scoring_cli.simulate_main, scoring_cli._simulate_parser)

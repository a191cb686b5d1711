"""Scoring core of kotacerdas: rubric packs (data), the scoring engine, what-if and agreement.

Pure Python (no Django), so results can be reproduced from a pack file and an answer sheet alone.
``agreement`` (numpy), ``xlsx`` (openpyxl) and ``cli`` are imported from their modules, so that
importing the engine stays light and ``python -m kotacerdas.scoring.cli`` runs cleanly.
"""

from __future__ import annotations

from .engine import (
    MissingAnswer,
    Predicate,
    ScoreResult,
    ScoringError,
    TraceStep,
    aggregate_assessors,
    score,
)
from .packs import (
    Band,
    Node,
    Pack,
    PackError,
    PackIssue,
    PackNotFound,
    available_packs,
    dump_pack,
    get_pack,
    load_pack,
)
from .whatif import Improvement, best_improvements, simulate

__all__ = [
    "Band",
    "Improvement",
    "MissingAnswer",
    "Node",
    "Pack",
    "PackError",
    "PackIssue",
    "PackNotFound",
    "Predicate",
    "ScoreResult",
    "ScoringError",
    "TraceStep",
    "aggregate_assessors",
    "available_packs",
    "best_improvements",
    "dump_pack",
    "get_pack",
    "load_pack",
    "score",
    "simulate",
]

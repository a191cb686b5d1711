"""Scoring is pure: no module under kotacerdas.scoring imports Django or another kotacerdas app (only
``kotacerdas.lib``), so the maths runs and is tested without settings or a database."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SCORING = Path(__file__).resolve().parents[2] / "src" / "kotacerdas" / "scoring"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(("kotacerdas", "scoring", *path.relative_to(SCORING).parent.parts))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                out.add(".".join(base + ([node.module] if node.module else [])))
            elif node.module:
                out.add(node.module)
    return out


def test_no_scoring_module_imports_django_or_another_app() -> None:
    bad = {}
    for path in sorted(SCORING.rglob("*.py")):
        wrong = {m for m in _imports(path) if m.split(".")[0] == "django"
                 or (m.startswith("kotacerdas.") and not m.startswith(("kotacerdas.scoring", "kotacerdas.lib")))}
        if wrong:
            bad[str(path.relative_to(SCORING))] = sorted(wrong)
    assert bad == {}


def test_scoring_imports_without_django_settings() -> None:
    code = ("import sys, kotacerdas.scoring, kotacerdas.scoring.packs, kotacerdas.scoring.batch, "
            "kotacerdas.scoring.whatif, kotacerdas.scoring.agreement\n"
            "assert not [m for m in sys.modules if m == 'django' or m.startswith('django.')], 'django imported'\n"
            "p = kotacerdas.scoring.packs.get_pack('kominfo-2021')\n"
            "assert kotacerdas.scoring.batch.score_answers(p, [{}])[0].index is not None\n")
    env = {"PYTHONPATH": str(SCORING.parents[1]), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr

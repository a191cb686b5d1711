"""Every third-party module the application imports is a declared runtime dependency (Pillow was imported
without being declared), and test-only or dropped packages are not runtime dependencies."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "kotacerdas"


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~\[;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_name(r) for r in project["dependencies"]}
    optional = {_name(r) for reqs in project["optional-dependencies"].values() for r in reqs}
    return runtime, optional


def _imported_top_level_modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], path)
    return found


def _undeclared(declared: set[str]) -> list[str]:
    dists = packages_distributions()
    out = []
    for module, path in sorted(_imported_top_level_modules().items()):
        if module in sys.stdlib_module_names or module in ("kotacerdas", "__future__"):
            continue
        names = {d.lower().replace("_", "-") for d in dists.get(module, [module])}
        if not names & declared:
            out.append(f"{module} ({path.relative_to(ROOT)}) from {sorted(names)}")
    return out


def test_it_declares_every_third_party_module_the_application_imports() -> None:
    runtime, optional = _declared()
    undeclared = _undeclared(runtime | optional)
    assert undeclared == [], f"imported but not declared in pyproject.toml: {undeclared}"


def test_the_check_notices_an_undeclared_import() -> None:
    runtime, optional = _declared()
    assert any(u.startswith("PIL ") for u in _undeclared((runtime | optional) - {"pillow"}))


def test_test_only_and_dropped_packages_are_not_runtime_dependencies() -> None:
    runtime, optional = _declared()
    assert "krippendorff" not in runtime and "krippendorff" in optional
    assert "matplotlib" not in runtime | optional
    assert "pillow" in runtime

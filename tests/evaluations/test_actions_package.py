"""The evaluation actions are a package split by responsibility: every module stays small, and the package
still offers every `do_*` under `kotacerdas.evaluations.actions` (callers never name the submodule)."""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

from kotacerdas.evaluations import actions

PACKAGE = Path(actions.__file__).resolve().parent


def test_no_module_of_the_package_is_over_600_lines() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.glob("*.py")}
    assert len(sizes) > 3 and all(n <= 600 for n in sizes.values()), sizes


def test_every_public_action_of_every_module_is_offered_by_the_package() -> None:
    defined = set()
    for path in PACKAGE.glob("*.py"):
        if path.name == "__init__.py":
            continue
        module = importlib.import_module(f"kotacerdas.evaluations.actions.{path.stem}")
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            name = getattr(node, "name", "")
            if name.startswith("do_"):
                defined.add(name)
                assert getattr(actions, name) is getattr(module, name)
    assert len(defined) > 25 and defined <= set(actions.__all__)


def test_every_relative_import_in_the_package_resolves_even_inside_functions() -> None:
    # Imports inside functions run only when the function does: check them all now.
    missing = []
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                name = importlib.util.resolve_name("." * node.level + (node.module or ""),
                                                   "kotacerdas.evaluations.actions")
                if importlib.util.find_spec(name) is None:
                    missing.append(f"{path.name}:{node.lineno} {name}")
    assert missing == []

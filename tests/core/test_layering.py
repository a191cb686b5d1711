"""`core` is the ground floor: every app builds on it, it builds on no app. Read from the source with `ast`
(module-level and function-level imports alike, `import x` and `from x import y`, relative ones resolved),
so an import hidden inside a function to dodge a circle still counts.

`kotacerdas.lib` (pure helpers: text limits, number formatting, statistics; no Django, no app) lies below
core and may be used by it; it must itself import nothing of kotacerdas but lib."""

from __future__ import annotations

import ast
from pathlib import Path

import kotacerdas

PACKAGE_ROOT = Path(kotacerdas.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # `from kotacerdas import evaluations` names the app in the alias, not the module; the root
            # package's own attributes (`__version__`) are no app.
            if target == "kotacerdas":
                found.extend((node.lineno, f"kotacerdas.{alias.name}") for alias in node.names
                             if not alias.name.startswith("__"))
            else:
                found.append((node.lineno, target))
    return sorted(found)


def _violations(layer: str, allowed: tuple[str, ...]) -> list[str]:
    out = []
    for path in sorted((PACKAGE_ROOT / layer).rglob("*.py")):
        for line, name in _imports(path):
            if name == "kotacerdas" or name.startswith("kotacerdas."):
                if not any(name == a or name.startswith(a + ".") for a in allowed):
                    out.append(f"{path.relative_to(PACKAGE_ROOT)}:{line} imports {name}")
    return out


def test_core_imports_no_app() -> None:
    assert _violations("core", ("kotacerdas.core", "kotacerdas.lib")) == []


def test_lib_imports_nothing_of_kotacerdas_but_itself() -> None:
    assert _violations("lib", ("kotacerdas.lib",)) == []


def test_the_check_sees_function_level_and_relative_imports(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A fake package tree shaped like ours: the check must catch every way core could reach an app.
    root = tmp_path / "kotacerdas"
    (root / "core" / "sub").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "core" / "__init__.py").write_text("")
    (root / "core" / "sub" / "__init__.py").write_text("")
    (root / "core" / "ok.py").write_text("from kotacerdas.core import errors\nfrom . import jobs\nimport kotacerdas.lib.text\n")
    (root / "core" / "bad.py").write_text(
        "import kotacerdas.evaluations.models\n"
        "def f():\n    from kotacerdas.reports import cli\n"
        "from kotacerdas import accounts\n")
    (root / "core" / "sub" / "rel.py").write_text("def g():\n    from ...catalogue import models\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["x"]), "PACKAGE_ROOT", root)
    assert _violations("core", ("kotacerdas.core", "kotacerdas.lib")) == [
        "core/bad.py:1 imports kotacerdas.evaluations.models",
        "core/bad.py:3 imports kotacerdas.reports",
        "core/bad.py:4 imports kotacerdas.accounts",
        "core/sub/rel.py:2 imports kotacerdas.catalogue",
    ]

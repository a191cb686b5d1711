"""Who acts is typed: the state-changing functions take the user model, not ``Any``.

An ``actor: Any`` lets a caller hand an action anything (a user id, a request, a membership) and the type
checker says nothing; the refusal or the audit row then goes wrong at run time. The actions modules
(``<app>/actions.py`` and ``<app>/actions/*.py``) are read with ``ast``: the first parameter of every
``do_*`` function, and every parameter called ``actor``, must be annotated, and not with ``Any``
(``Any | None`` included).

Known exceptions are listed below, each with the reason; the test also fails when an entry is no longer
needed, so the list only shrinks.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = SRC / "kotacerdas"

# module: why its actors are still typed Any.
ALLOWED_ANY: dict[str, str] = {}


def _actions_modules() -> dict[str, Path]:
    paths = sorted({*ROOT.glob("*/actions.py"), *ROOT.glob("*/actions/*.py")})
    out = {}
    for path in paths:
        rel = path.relative_to(SRC).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        out[".".join(parts)] = path
    return out


def _mentions_any(annotation: ast.expr) -> bool:
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name) and node.id == "Any":
            return True
        if isinstance(node, ast.Attribute) and node.attr == "Any":
            return True
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.search(r"\bAny\b", node.value):
            return True
    return False


def _loose_actors(source: str) -> list[str]:
    """``function(parameter)`` for each actor parameter that is unannotated or typed with ``Any``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        params = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        actors = [p for p in params if p.arg == "actor"]
        if node.name.startswith("do_") and params and params[0] not in actors:
            actors.insert(0, params[0])
        found += [f"{node.name}({p.arg})" for p in actors if p.annotation is None or _mentions_any(p.annotation)]
    return found


def test_the_check_finds_loose_actors() -> None:
    source = '''
def do_a(actor: Any, x: int) -> None: ...
def do_b(actor: User | None = None) -> None: ...
def do_c(actor) -> None: ...
def do_d(survey: "typing.Any") -> None: ...
def helper(region: Region, *, actor: Any | None = None) -> None: ...
def do_e(actor: User, data: Any) -> None: ...
def other(user: Any) -> None: ...
'''
    assert _loose_actors(source) == ["do_a(actor)", "do_c(actor)", "do_d(survey)", "helper(actor)"]


def test_the_actions_modules_are_found() -> None:
    modules = _actions_modules()
    assert {"kotacerdas.accounts.actions", "kotacerdas.evaluations.actions",
            "kotacerdas.evaluations.actions.selfassessment"} <= set(modules)


def test_actions_take_a_typed_actor() -> None:
    loose = {name: found for name, path in _actions_modules().items()
             if (found := _loose_actors(path.read_text(encoding="utf-8")))}
    stale = [m for m in ALLOWED_ANY if m not in loose]
    assert stale == [], f"allow-list entries no longer needed: {stale}"
    left = {m: f for m, f in loose.items() if m not in ALLOWED_ANY}
    assert left == {}, f"actors typed Any or not at all (use the user model): {left}"


def test_no_module_takes_an_untyped_actor() -> None:
    """Beyond the actions: importers, jobs and helpers that pass an actor on to an action type it too."""
    loose = {}
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        found = [f for f in _loose_actors(source) if f.endswith("(actor)")]
        if found:
            loose[str(path.relative_to(SRC))] = found
    assert loose == {}, f"actor parameters typed Any or not at all: {loose}"

"""The shape of the source tree: no import circle among kotacerdas modules, no module over 650 lines.

An import circle means neither module can be read, tested or moved without the other, and which one
runs first depends on who imports whom first. The graph is built from the source with ``ast``: the
imports a module runs when it is loaded (its top level and class bodies, including ``try``/``if``
blocks, but not ``if TYPE_CHECKING:`` blocks and not function bodies, which run later). Importing a
submodule is not counted as importing its parent packages' ``__init__`` (Python has already started
those). Migrations are left out of both checks.

Known exceptions are listed below, each with the reason; the tests also fail when an entry is no longer
needed, so the lists only shrink.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = SRC / "kotacerdas"
MAX_LINES = 650

# (importer, imported): a module-level import that closes a known circle, and why it is still there.
# None today; an entry names both modules and says why, e.g.
#   ("kotacerdas.x.actions", "kotacerdas.x.excel"): "excel needs ResponseInput; move it to x/validation.py",
ALLOWED_IMPORTS: dict[tuple[str, str], str] = {
}

# module: why it is still over MAX_LINES. None today.
ALLOWED_LONG: dict[str, str] = {
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(SRC).with_suffix("")
        if "migrations" in rel.parts:
            continue
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        out[".".join(parts)] = path
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _load_time_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from _load_time_imports(node.body)
            yield from _load_time_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                yield from _load_time_imports(block)
        elif isinstance(node, ast.With):
            yield from _load_time_imports(node.body)
        elif isinstance(node, ast.ClassDef):
            yield from _load_time_imports(node.body)


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges: set[str] = set()
        for node in _load_time_imports(ast.parse(path.read_text(encoding="utf-8")).body):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                # "from pkg import sub" imports the submodule; "from mod import name" the module itself.
                subs = [f"{source}.{a.name}" for a in node.names if f"{source}.{a.name}" in modules]
                targets = subs + ([source] if len(subs) < len(node.names) else [])
            edges |= {t for t in targets if t in modules and t != name}
        graph[name] = edges
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle (a → … → a) through each strongly connected group of modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            connect(v)
    circles = []
    for group in groups:
        start = min(group)
        # breadth-first back to the start inside the group: the shortest circle through it
        trail = {start: [start]}
        queue = [start]
        found: list[str] | None = None
        while queue and found is None:
            v = queue.pop(0)
            for w in sorted(graph[v] & group):
                if w == start:
                    found = [*trail[v], start]
                    break
                if w not in trail:
                    trail[w] = [*trail[v], w]
                    queue.append(w)
        circles.append(found or sorted(group))
    return circles


def test_the_graph_sees_module_level_imports_only() -> None:
    graph = _graph()
    assert "kotacerdas.surveys.validation" in graph["kotacerdas.surveys.excel"]
    assert "kotacerdas.scoring.packs.dump" in graph["kotacerdas.scoring.packs.model"]
    # dump imports the model only for type checking: that is not an edge
    assert "kotacerdas.scoring.packs.model" not in graph["kotacerdas.scoring.packs.dump"]
    assert not any(m.startswith("kotacerdas.") and ".migrations" in m for m in graph)


def test_circles_are_found_and_named() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert _circles(graph) == [["a", "b", "c", "a"]]


def test_no_import_circle_among_kotacerdas_modules() -> None:
    graph = _graph()
    for (importer, imported), _reason in ALLOWED_IMPORTS.items():
        assert imported in graph.get(importer, set()), f"allow-list entry no longer needed: {importer} → {imported}"
        graph[importer].discard(imported)
    circles = _circles(graph)
    assert circles == [], "import circles:\n" + "\n".join(" → ".join(c) for c in circles)


def test_no_module_is_over_650_lines() -> None:
    long = {}
    for name, path in _modules().items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            long[name] = lines
    stale = [m for m in ALLOWED_LONG if m not in long]
    assert stale == [], f"allow-list entries no longer needed: {stale}"
    over = {m: n for m, n in long.items() if m not in ALLOWED_LONG}
    assert over == {}, f"modules over {MAX_LINES} lines: {over}"

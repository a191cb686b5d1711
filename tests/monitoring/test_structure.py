"""The importer's modules form layers: no module of the monitoring app imports one that imports it back
(fastcsv once imported the importer's private names while the importer imported fastcsv), and none of
them grows past ~600 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import kotacerdas.monitoring as monitoring

APP = Path(monitoring.__file__).parent


def _imports(path: Path) -> set[str]:
    """Sibling modules of the app that ``path`` imports, at module level or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:
                    found.update(a.name for a in node.names)
            elif node.module and node.module.startswith("kotacerdas.monitoring."):
                found.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[2] for a in node.names if a.name.startswith("kotacerdas.monitoring."))
    return found


def test_the_monitoring_modules_import_each_other_without_a_circle() -> None:
    graph = {p.stem: _imports(p) & {q.stem for q in APP.glob("*.py")} for p in APP.glob("*.py")}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            assert state.get(nxt) != 1, f"import circle: {' → '.join([*trail, node, nxt])}"
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    assert {"importer", "fastcsv", "validation"} <= set(graph)
    for name in sorted(graph):
        if name not in state:
            visit(name, [])


def test_no_importer_module_is_over_six_hundred_lines() -> None:
    for name in ("importer", "fastcsv", "validation", "parsing", "readers"):
        assert len((APP / f"{name}.py").read_text().splitlines()) <= 600, name

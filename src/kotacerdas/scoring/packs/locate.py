"""Where in the source a problem is: a locator maps a node code / table key to a TOML line (or, for a
pack read from Excel, to a sheet and row) so every validation issue can name its place."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

# --------------------------------------------------------------------------- locating lines

Where = tuple[str | None, int | None]  # (sheet or None for TOML, line/row)


class Locator(Protocol):
    """Maps a place in the raw pack data back to where a human wrote it."""

    def node(self, code: str, key: str | None = None, occurrence: int = 0) -> Where: ...

    def level(self, code: str, level: str, occurrence: int = 0, table: str = "levels") -> Where: ...

    def table(self, name: str, key: str | None = None, index: int | None = None) -> Where: ...


_HEADER_RE = re.compile(r"^\s*(\[\[?)\s*([^\]\[]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY_RE = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_\-]+)\s*=""")
_CODE_VALUE_RE = re.compile(r"""^\s*code\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')""")
_NODE_TABLES = ("dimensions", "groups", "indicators")


@dataclass
class _Block:
    header: str
    array: bool
    line: int
    keys: dict[str, int] = field(default_factory=dict)
    code: str | None = None


class TomlLocator:
    """tomllib reports no positions for values, so rebuild them by scanning the text.

    The scan only needs table headers, ``key =`` lines and each node's ``code = "..."`` line,
    which is enough to point at the offending node, weight or level descriptor.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.blocks: list[_Block] = [_Block("", False, 1)]
        in_multiline: str | None = None
        for n, line in enumerate(text.splitlines(), 1):
            if in_multiline:
                if in_multiline in line:
                    in_multiline = None
                continue
            header = _HEADER_RE.match(line)
            if header:
                name = re.sub(r"\s+", "", header.group(2))
                self.blocks.append(_Block(name, header.group(1) == "[[", n))
                continue
            key = _KEY_RE.match(line)
            if not key:
                continue
            block = self.blocks[-1]
            block.keys.setdefault(key.group(1).strip("\"'"), n)
            code = _CODE_VALUE_RE.match(line)
            if code and block.code is None:
                block.code = code.group(1) if code.group(1) is not None else code.group(2)
            rest = line[key.end() :]
            for quote in ('"""', "'''"):
                if rest.count(quote) == 1:
                    in_multiline = quote
        self._node_blocks: dict[str, list[int]] = {}
        for i, b in enumerate(self.blocks):
            if b.array and b.header.split(".")[-1] in _NODE_TABLES and b.code is not None:
                self._node_blocks.setdefault(b.code, []).append(i)

    def _node_block(self, code: str, occurrence: int) -> int | None:
        found = self._node_blocks.get(code, [])
        if not found:
            return None
        return found[min(occurrence, len(found) - 1)]

    def node(self, code: str, key: str | None = None, occurrence: int = 0) -> Where:
        i = self._node_block(code, occurrence)
        if i is None:
            return (None, None)
        block = self.blocks[i]
        if key is not None and key in block.keys:
            return (None, block.keys[key])
        if key is not None:
            sub = self._sub_block(i, key)
            if sub is not None:
                return (None, sub.line)
        return (None, block.keys.get("code", block.line))

    def _sub_block(self, i: int, suffix: str) -> _Block | None:
        # Sub-tables such as [dimensions.indicators.levels] follow their node until the next [[...]].
        for b in self.blocks[i + 1 :]:
            if b.array:
                return None
            if b.header.endswith("." + suffix):
                return b
        return None

    def level(self, code: str, level: str, occurrence: int = 0, table: str = "levels") -> Where:
        # ``table`` is "levels" or "levels_en" (the English descriptors beside them).
        i = self._node_block(code, occurrence)
        if i is None:
            return (None, None)
        sub = self._sub_block(i, table)
        if sub is not None:
            return (None, sub.keys.get(level, sub.line))
        return self.node(code, table, occurrence)

    def table(self, name: str, key: str | None = None, index: int | None = None) -> Where:
        matches = [b for b in self.blocks if b.header == name]
        if not matches:
            return self._inline(name, index)
        block = matches[min(index or 0, len(matches) - 1)]
        if key is not None and key in block.keys:
            return (None, block.keys[key])
        return (None, block.line)

    def _inline(self, name: str, index: int | None) -> Where:
        # tomli_w writes short arrays of tables inline: `bands = [ { ... }, ... ]`, one per line.
        parent, _, key = name.rpartition(".")
        for block in self.blocks:
            if block.header == parent and key in block.keys:
                start = block.keys[key]
                if index is None:
                    return (None, start)
                seen = -1
                for n, line in enumerate(self.lines[start:], start + 1):
                    if line.lstrip().startswith("{"):
                        seen += 1
                        if seen == index:
                            return (None, n)
                    elif line.strip().startswith("]"):
                        break
                return (None, start)
        return (None, None)


class NullLocator:
    def node(self, code: str, key: str | None = None, occurrence: int = 0) -> Where:
        return (None, None)

    def level(self, code: str, level: str, occurrence: int = 0, table: str = "levels") -> Where:
        return (None, None)

    def table(self, name: str, key: str | None = None, index: int | None = None) -> Where:
        return (None, None)


"""Loading packs: from TOML text or a file (parsed once per file version), the packs shipped in this
package's directory, and the newest (or a named) version of a pack."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from pathlib import Path

from .locate import TomlLocator
from .model import Pack, PackError, PackIssue, PackNotFound
from .validate import build_pack

PACKS_DIR = Path(__file__).parent  # the shipped *.toml packs live beside this package's modules

_TOML_ERR_RE = re.compile(r"\(at line (\d+), column (\d+)\)")


def _read(path_or_text: str | Path) -> tuple[str, str | None]:
    if isinstance(path_or_text, Path):
        return path_or_text.read_text(encoding="utf-8"), str(path_or_text)
    if "\n" not in path_or_text and path_or_text.endswith(".toml"):
        return Path(path_or_text).read_text(encoding="utf-8"), path_or_text
    return path_or_text, None


def load_pack(path_or_text: str | Path) -> Pack:
    """Load and validate a pack from a path (``Path`` or ``*.toml`` string) or TOML text."""
    text, source = _read(path_or_text)
    try:
        raw = tomllib.loads(text, parse_float=Decimal)  # Decimal: 16.5 % must stay exactly 16.5
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_ERR_RE.search(str(exc))
        line = int(m.group(1)) if m else None
        raise PackError([PackIssue(line, "", f"TOML syntax error: {exc}")], source) from None
    return build_pack(raw, TomlLocator(text), source)


# Packs are immutable, so a parsed file can be shared until the file changes on disk.
_FILE_CACHE: dict[Path, tuple[int, int, Pack]] = {}


def _load_file(path: Path) -> Pack:
    stat = path.stat()
    key = path.resolve()
    hit = _FILE_CACHE.get(key)
    if hit is not None and hit[:2] == (stat.st_mtime_ns, stat.st_size):
        return hit[2]
    pack = load_pack(path)
    _FILE_CACHE[key] = (stat.st_mtime_ns, stat.st_size, pack)
    return pack


def available_packs(directory: Path | None = None) -> list[Pack]:
    """All packs shipped in ``scoring/packs/`` (or ``directory``), sorted by code and version."""
    folder = directory or PACKS_DIR
    packs = [_load_file(p) for p in sorted(folder.glob("*.toml"))]
    return sorted(packs, key=lambda p: (p.code, _version_key(p.version)))


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    # "2021.10" must sort after "2021.9"; mixed parts still sort deterministically.
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.\-]", version))


def get_pack(code: str, version: str | None = None, directory: Path | None = None) -> Pack:
    """The pack ``code`` at ``version`` (default: the newest shipped version)."""
    matches = [p for p in available_packs(directory) if p.code == code]
    if version is not None:
        matches = [p for p in matches if p.version == version]
    if not matches:
        known = ", ".join(sorted({f"{p.code}@{p.version}" for p in available_packs(directory)}))
        wanted = f"{code}@{version}" if version else code
        raise PackNotFound(f"no rubric pack {wanted!r} (available: {known})")
    return matches[-1]

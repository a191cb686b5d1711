from __future__ import annotations

from pathlib import Path

import pytest

from kotacerdas.scoring.packs import Pack, get_pack, load_pack

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_home() -> None:
    """Override the project-wide autouse fixture: scoring is pure Python and needs no Django
    settings, so these tests also run with ``-p no:django``."""


@pytest.fixture(scope="session")
def kominfo() -> Pack:
    return get_pack("kominfo-2021")


@pytest.fixture(scope="session")
def spbe() -> Pack:
    return get_pack("spbe-2020")


@pytest.fixture(scope="session")
def mini() -> Pack:
    return load_pack(FIXTURES / "mini.toml")

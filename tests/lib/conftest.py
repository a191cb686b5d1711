from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _isolated_home() -> Iterator[None]:
    """Overrides the Django-settings isolation of tests/conftest.py for this package.

    These tests are Django-free (they must also pass with ``-p no:django``, where the parent
    fixture's ``settings`` dependency does not exist) and write only under ``tmp_path``.
    """
    yield

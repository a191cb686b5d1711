from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kotacerdas.analytics import backends
from kotacerdas.analytics.generator import write_generated

# Small on purpose: the whole analytics suite must stay well under 90 s on 2 cores.
N_PER_YEAR = 10_000


@pytest.fixture(scope="session")
def events_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two synthetic years (for year-over-year), written through append_events."""
    root = tmp_path_factory.mktemp("events")
    for year, seed in ((2023, 11), (2024, 12)):
        rep = write_generated(root, year=year, n_events=N_PER_YEAR, seed=seed)
        assert rep.written_rows == N_PER_YEAR, rep.quarantined_by_reason
    return root


@pytest.fixture(scope="session")
def duck_con():
    return backends.connect("duckdb", threads=2)


def _spark_missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install -e '.[spark]')"
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return "Java is not installed (PySpark needs a JRE 17+, set JAVA_HOME or put java on PATH)"
    return None


@pytest.fixture(scope="session")
def spark_con() -> Iterator[object]:
    """ONE SparkSession for the whole test run: starting one costs 10-25 s on 2 cores."""
    why = _spark_missing()
    if why:
        pytest.skip(why)
    session = backends.spark_session("local[2]", shuffle_partitions=2, app_name="kotacerdas-tests")
    try:
        yield backends.connect("pyspark", session=session)
    finally:
        session.stop()


@pytest.fixture(autouse=True)
def _isolated_home() -> Iterator[None]:
    """Overrides the Django-settings isolation of tests/conftest.py for this package.

    These tests are Django-free (they must also pass with ``-p no:django``, where the parent
    fixture's ``settings`` dependency does not exist) and write only under ``tmp_path``.
    """
    yield

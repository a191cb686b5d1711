from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from kotacerdas.analytics.generator import write_generated

FIXTURES = Path(__file__).parent / "fixtures"
# Small on purpose: the Spark leg runs every question twice.
EVENTS_PER_YEAR = 12_000


@pytest.fixture(autouse=True)
def _sync_imports(settings: Any) -> None:
    # Tests run inside a transaction another thread could not see: imports run while the test waits.
    settings.MONITORING_IMPORT_RUNNER = "sync"


@pytest.fixture(scope="session")
def events_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two synthetic years of Banyuasin events (2023 for year-over-year), through append_events."""
    root = tmp_path_factory.mktemp("monitoring-events")
    for year, seed in ((2023, 5), (2024, 6)):
        rep = write_generated(root, region="16.07", year=year, n_events=EVENTS_PER_YEAR, seed=seed)
        assert rep.written_rows == EVENTS_PER_YEAR, rep.quarantined_by_reason
    return root


@pytest.fixture
def with_events(settings: Any, events_dir: Path) -> Path:
    settings.EVENTS_ROOT = events_dir
    return events_dir


@pytest.fixture
def banyuasin(db: Any) -> Any:
    from kotacerdas.regions.models import Region

    return Region.objects.get(code="16.07")


@pytest.fixture
def programmes(db: Any) -> dict[str, Any]:
    from kotacerdas.catalogue.models import Programme

    return {p.code: p for p in Programme.objects.filter(region_id="16.07")}


def spark_missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install -e '.[spark]')"
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return "Java is not installed (PySpark needs a JRE 17+)"
    return None


@pytest.fixture(scope="session")
def spark_backend() -> Any:
    """The monitoring layer's own PySpark connection. SparkSession.getOrCreate returns the session
    the analytics suite already started, so the whole run shares ONE session (10–25 s each)."""
    why = spark_missing()
    if why:
        pytest.skip(why)
    from kotacerdas.monitoring import backend

    return backend.connection_for("pyspark")


@pytest.fixture
def actors(db: Any, settings: Any) -> Any:
    """tests/base.py's named actors, created with a fast password hasher: PBKDF2 costs ~1 s per user on
    a busy 2-core machine, 8 users per test."""
    from tests.base import make_actors

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_actors()

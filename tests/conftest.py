"""Shared fixtures: the test database is migrated once and loaded with regions and the Banyuasin
demo once per run; every test then runs inside a rolled-back transaction."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.utils import translation
from hypothesis import settings as hypothesis_settings

# `make test` keeps fuzzing short; `make fuzz` (--hypothesis-profile=long) digs deeper, still bounded.
hypothesis_settings.register_profile("default", max_examples=60, deadline=None)
hypothesis_settings.register_profile("long", max_examples=3000, deadline=None)
hypothesis_settings.load_profile("default")


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("demo", verbosity=0, stdout=open(os.devnull, "w"))
    yield


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, settings) -> Iterator[None]:
    # Uploaded files and Parquet events of a test never land in the developer's ./var.
    home = tmp_path_factory.mktemp("home")
    settings.MEDIA_ROOT = home / "media"
    settings.EVENTS_ROOT = home / "events"
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(home / "media")}}}
    # A fresh cache per test: rate limits and job progress of one test never leak into another.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": str(home)}}
    # Each test starts in the default language: a request with the English cookie leaves English active
    # in the thread afterwards, which would change the next test's messages.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def pytest_report_header(config: pytest.Config) -> str:
    db = settings.DATABASES["default"]
    return f"kotacerdas database: {db['ENGINE'].rsplit('.', 1)[-1]} ({'CI' if _in_ci() else 'local'})"


def pytest_configure(config: pytest.Config) -> None:
    # Real hashing costs ~0.3 s a user on these machines; tests check permissions, not hash strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if _in_ci() and os.environ.get("KOTACERDAS_REQUIRE_POSTGRES") and "postgresql" not in settings.DATABASES[
            "default"]["ENGINE"]:
        raise pytest.UsageError("CI asked for the PostgreSQL leg but DATABASE_URL is not PostgreSQL")


@pytest.fixture
def on_postgres() -> None:
    """Skip (outside CI) or fail (in CI) when the suite does not run on PostgreSQL."""
    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    if _in_ci() and os.environ.get("KOTACERDAS_REQUIRE_POSTGRES"):
        pytest.fail("PostgreSQL leg required in CI but the database is not PostgreSQL")
    pytest.skip("PostgreSQL-only test: runs in the PostgreSQL leg (DATABASE_URL=postgres://…); "
                "this run uses SQLite")


@pytest.fixture
def actors(db):
    from tests.base import make_actors

    return make_actors()

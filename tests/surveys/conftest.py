from __future__ import annotations

import pytest

from kotacerdas.surveys.models import Survey


@pytest.fixture
def survey(db) -> Survey:
    return Survey.objects.select_related("region", "cycle").get(region_id="16.07", cycle__year=2024)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # The rate limit lives in the cache: every test starts with no submissions counted.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    # The shared `actors` fixture creates eight users; a real password hash costs ~1 s each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

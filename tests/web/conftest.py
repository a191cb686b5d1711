from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from kotacerdas.evaluations.models import Submission


def demo_user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def client_for(username: str | None) -> Client:
    c = Client()
    if username:
        c.force_login(demo_user(username))
    return c


@pytest.fixture
def banyuasin_2024(db: Any) -> Submission:
    return Submission.objects.select_related("cycle").get(region_id="16.07", cycle__year=2024, stage="tahap_2")


@pytest.fixture
def peer_under_assessment(db: Any) -> Submission:
    sub = Submission.objects.select_related("cycle").filter(status="under_assessment").order_by("region_id").first()
    assert sub is not None, "the demo has a submission under assessment"
    return sub

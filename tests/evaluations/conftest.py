from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from kotacerdas.evaluations import actions
from kotacerdas.evaluations.choices import Stage
from kotacerdas.evaluations.models import Cycle, Submission
from kotacerdas.evaluations.queries import cycle_pack


@dataclass
class World:
    cycle: Cycle
    sub: Submission
    other: Submission
    panel: object
    indicators: list[str]


@pytest.fixture
def world(actors):
    """A fresh 2030 cycle (so it does not collide with the demo's) with Banyuasin and Musi Banyuasin,
    in Tahap II with an open assessment window and a panel of three assessors assigned to both."""
    now = timezone.now()
    cycle = actions.do_open_cycle(
        actors.alice, year=2030, pack_code="kominfo-2021", pack_version="2021.1",
        participants={"16.07": "B", "16.06": "B"}, self_assessment_deadline=now + dt.timedelta(days=5),
        assessment_starts=now - dt.timedelta(days=1), assessment_ends=now + dt.timedelta(days=20))
    actions.do_advance_stage(actors.alice, cycle, Stage.TAHAP_1)
    actions.do_advance_stage(actors.alice, cycle, Stage.TAHAP_2)
    from django.contrib.auth import get_user_model

    from kotacerdas.accounts.models import Membership

    extra = get_user_model().objects.create_user("adi@test.id", email="adi@test.id", password="x-long-password-1")
    Membership.objects.create(user=extra, role="assessor")
    panel = actions.do_form_panel(actors.alice, cycle, name="Panel uji", region_class="B", lead=actors.andi,
                                  members=[actors.ayu, extra])
    actions.do_assign(actors.alice, panel, "16.07")
    actions.do_assign(actors.alice, panel, "16.06")
    cycle.refresh_from_db()
    sub = Submission.objects.get(cycle=cycle, region_id="16.07", stage=Stage.TAHAP_2)
    other = Submission.objects.get(cycle=cycle, region_id="16.06", stage=Stage.TAHAP_2)
    return World(cycle, sub, other, panel, [n.code for n in cycle_pack(cycle).indicators()])


def fill(actor, sub, indicators, level=3):
    for code in indicators:
        actions.do_save_answer(actor, sub, code, level, f"penjelasan {code}")

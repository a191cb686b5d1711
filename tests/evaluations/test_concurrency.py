"""Two editors, two real database connections, one answer: the second is told, nothing is lost.

Transactional (committed data, threads with their own connections), so it sets up its own small world;
pytest-django runs such tests after the others, and they flush the database when done."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from kotacerdas.catalogue.reference import sync_pillars
from kotacerdas.core.errors import StaleEdit
from kotacerdas.evaluations import actions
from kotacerdas.evaluations.choices import Stage
from kotacerdas.evaluations.models import Answer, Submission
from kotacerdas.ops.demo import load_catalogue_demo
from kotacerdas.regions.loader import load_regions


@pytest.mark.django_db(transaction=True)
def test_it_tells_the_second_of_two_concurrent_editors(on_postgres) -> None:
    from kotacerdas.catalogue.models import Pillar, SubDimension
    from tests.base import make_actors

    load_regions()
    sync_pillars(Pillar, SubDimension)
    load_catalogue_demo()
    actors = make_actors()
    cycle = actions.do_open_cycle(actors.alice, year=2031, pack_code="kominfo-2021", pack_version="2021.1",
                                  participants={"16.07": "B"},
                                  self_assessment_deadline=timezone.now() + dt.timedelta(days=3))
    sub = Submission.objects.get(cycle=cycle, region_id="16.07", stage=Stage.SELF_ASSESSMENT)
    code = "output.kebijakan.masterplan"
    seen = actions.do_save_answer(actors.citra, sub, code, 2, "awal").version

    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def edit(level: int) -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                fresh = Submission.objects.select_related("cycle").get(pk=sub.pk)
                # Both editors read version `seen`; the row lock makes the later UPDATE see the
                # earlier one's version and match nothing.
                actions.do_save_answer(actors.citra, fresh, code, level, f"dari editor {level}",
                                       expected_version=seen)
            outcomes[level] = "saved"
        except StaleEdit:
            outcomes[level] = "stale"
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(level,)) for level in (3, 4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes.values()) == ["saved", "stale"], outcomes
    winner = next(level for level, o in outcomes.items() if o == "saved")
    answer = Answer.objects.get(submission=sub, indicator=code)
    assert (answer.level, answer.version) == (winner, seen + 1)
    assert answer.justification == f"dari editor {winner}"

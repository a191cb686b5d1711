"""A national recompute scores every region at once and stores what the engine would, one by one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kotacerdas.accounts.models import AuditEvent
from kotacerdas.core.errors import NotAllowed
from kotacerdas.evaluations import actions, queries, recompute
from kotacerdas.evaluations.models import Result
from kotacerdas.scoring import batch, engine

from .conftest import fill

pytestmark = pytest.mark.django_db


def _assess(world, actors, sub, shift: int) -> None:
    fill(actors.citra if sub.region_id == "16.07" else actors.mira, sub, world.indicators, level=3)
    actions.do_submit(actors.citra if sub.region_id == "16.07" else actors.mira, sub)
    sub.refresh_from_db()
    actions.do_start_assessment(actors.alice, sub)
    sub.refresh_from_db()
    for a, assessor in enumerate(world.panel.members.all()):
        for i, code in enumerate(world.indicators):
            actions.do_score(assessor, sub, code, (i * (a + 2) + shift) % 5)
        actions.do_complete_assessment(assessor, sub)
    actions.do_set_consensus(actors.andi, sub, {world.indicators[0]: 4})
    actions.do_conclude(actors.andi, sub)
    sub.refresh_from_db()


def test_it_recomputes_a_cycle_exactly_like_the_engine(world, actors) -> None:
    _assess(world, actors, world.sub, 0)
    _assess(world, actors, world.other, 2)
    before = {r.region_id: r for r in Result.objects.filter(cycle=world.cycle)}
    assert all(r.trace and r.trace[0]["node"] != batch.INPUTS_NODE for r in before.values())

    assert actions.do_recompute(actors.alice, world.cycle) == 2

    pack = queries.cycle_pack(world.cycle)
    after = {r.region_id: r for r in Result.objects.filter(cycle=world.cycle)}
    for region, old in before.items():
        new = after[region]
        assert new.pk == old.pk
        assert (new.index, new.mean, new.dimensions, new.pillars, new.predicate, new.previous_index,
                new.improvement) == (old.index, old.mean, old.dimensions, old.pillars, old.predicate,
                                     old.previous_index, old.improvement)
        assert abs(Decimal(new.index_raw) - Decimal(old.index_raw)) < Decimal("1e-9")
        # Unrounded dimensions are stored on both paths (engine: exact strings; batch: the same numbers).
        assert new.dimensions_raw.keys() == old.dimensions_raw.keys() == set(new.dimensions)
        for code, raw in old.dimensions_raw.items():
            assert abs(Decimal(new.dimensions_raw[code]) - Decimal(raw)) < Decimal("1e-20"), code
        assert batch.is_inputs_step(new.trace)  # stored as inputs ...
        assert queries.result_trace(new) == old.trace  # ... and rebuilt to the engine's full trace
        sub = queries.stage_submission(world.cycle, region)
        assert sub is not None
        expected = engine.score(pack, answers=queries.panel_levels(sub), previous=queries.previous_index(sub))
        assert new.index == expected.index
    ranks = sorted((r.rank, -r.index) for r in after.values())
    assert [rank for rank, _ in ranks] == ([1, 1] if ranks[0][1] == ranks[1][1] else [1, 2])
    events = AuditEvent.objects.filter(action="evaluations.compute_result", data__recompute=True)
    assert events.count() == 2
    assert AuditEvent.objects.filter(action="evaluations.recompute", object_id=str(world.cycle.pk)).exists()


def test_it_leaves_frozen_results_alone_when_recomputing(world, actors) -> None:
    _assess(world, actors, world.sub, 0)
    _assess(world, actors, world.other, 1)
    actions.do_finalise(actors.alice, world.sub)
    actions.do_publish(actors.alice, world.cycle)
    frozen = Result.objects.get(cycle=world.cycle, region_id="16.07")
    assert frozen.frozen_at is not None

    assert actions.do_recompute(actors.alice, world.cycle) == 1

    again = Result.objects.get(pk=frozen.pk)
    assert again.trace == frozen.trace and again.computed_at == frozen.computed_at and again.rank == 1
    other = Result.objects.get(cycle=world.cycle, region_id="16.06")
    assert other.rank is None  # ranked among the published results only, as rank_cycle does
    assert batch.is_inputs_step(other.trace)


def test_it_lets_only_the_national_admin_recompute(world, actors) -> None:
    with pytest.raises(NotAllowed):
        actions.do_recompute(actors.citra, world.cycle)


def test_the_national_read_gets_more_work_mem_for_its_own_transaction_only(on_postgres, world, actors) -> None:
    """PostgreSQL's default 4 MB made the GROUP BY of a 5,140-region cycle spill to disk (bench 1); the read
    raises work_mem for its GROUP BY with SET LOCAL (it ends with the transaction, never the connection's)."""
    from django.db import connection

    _assess(world, actors, world.sub, 0)
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        default = cursor.fetchone()[0]
    statements: list[str] = []
    seen: list[str] = []

    def spy(execute, sql, params, many, context):
        statements.append(sql)
        if "GROUP BY a.submission_id" in sql:
            with connection.cursor() as c:  # the setting the GROUP BY runs with
                c.execute("SHOW work_mem")
                seen.append(c.fetchone()[0])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        rows = recompute.read_cycle_rows(world.cycle)
    assert len(rows.regions) == 1
    assert seen == ["128MB"] and default != "128MB"
    assert [s for s in statements if "work_mem" in s and "SHOW" not in s] == ["SET LOCAL work_mem = '128MB'"]

"""The garbage-collector pauses around bulk work: off inside, the previous state back afterwards."""

from __future__ import annotations

import gc

import pytest

from kotacerdas.core.gcpause import collection_paused, old_objects_frozen


def test_collection_is_paused_inside_and_back_on_afterwards_also_after_an_error() -> None:
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collection_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_nested_pause_does_not_switch_the_collector_back_on_early() -> None:
    with collection_paused():
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # still inside the outer pause
    assert gc.isenabled()


def test_a_pause_leaves_a_collector_that_was_off_off() -> None:
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_old_objects_are_frozen_inside_and_unfrozen_afterwards() -> None:
    assert gc.get_freeze_count() == 0
    with old_objects_frozen():
        assert gc.get_freeze_count() > 0
        assert gc.isenabled()  # young garbage is still collected
    assert gc.get_freeze_count() == 0


def test_a_process_that_froze_its_own_objects_keeps_them_frozen() -> None:
    gc.freeze()
    try:
        assert gc.get_freeze_count() > 0
        with old_objects_frozen():
            pass
        # Not compared with the count before the block: a frozen object that dies meanwhile leaves the
        # permanent generation, so the count may drop by a few. An unfreeze would empty it.
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()

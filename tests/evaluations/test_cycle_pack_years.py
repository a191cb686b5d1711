"""Opening a cycle with a pack outside its evaluation years needs the admin's recorded reason."""

from __future__ import annotations

from typing import Any

import pytest

from kotacerdas.accounts.models import AuditEvent
from kotacerdas.core.errors import InvalidInput, NotAllowed
from kotacerdas.evaluations import actions
from kotacerdas.evaluations.models import Cycle

pytestmark = pytest.mark.django_db

SPBE: dict[str, Any] = {"pack_code": "spbe-2020", "pack_version": "2020.1"}


def _event(cycle: Cycle) -> AuditEvent:
    return AuditEvent.objects.get(action="evaluations.open_cycle", object_id=str(cycle.pk))


def test_it_opens_a_cycle_inside_the_pack_years_without_a_reason(actors) -> None:
    cycle = actions.do_open_cycle(actors.alice, year=2022, name="SPBE 2022", **SPBE)
    event = _event(cycle)
    assert event.reason == "" and "validity_override" not in event.data


@pytest.mark.parametrize("year", [2019, 2020, 2026, 2030])
def test_it_refuses_a_pack_outside_its_years(actors, year) -> None:
    with pytest.raises(InvalidInput) as err:
        actions.do_open_cycle(actors.alice, year=year, **SPBE)
    assert "2021\u20132025" in err.value.message and str(year) in err.value.message
    assert err.value.context["field"] == "validity_override_reason"
    assert not Cycle.objects.filter(year=year, pack_code="spbe-2020").exists()
    assert not AuditEvent.objects.filter(
        action="evaluations.open_cycle", data__pack="spbe-2020@2020.1"
    ).exists()


def test_it_refuses_a_blank_reason(actors) -> None:
    with pytest.raises(InvalidInput):
        actions.do_open_cycle(actors.alice, year=2026, validity_override_reason="   \n", **SPBE)
    assert not Cycle.objects.filter(year=2026, pack_code="spbe-2020").exists()


def test_it_opens_outside_the_years_with_a_reason_and_audits_it(actors) -> None:
    reason = "Simulasi ulang hasil 2026 dengan metode lama untuk perbandingan"
    cycle = actions.do_open_cycle(actors.alice, year=2026, validity_override_reason=f"  {reason} ", **SPBE)
    event = _event(cycle)
    assert event.actor == actors.alice and event.reason == reason
    assert event.data["validity_override"] == {
        "year": 2026,
        "valid_from": 2021,
        "valid_to": 2025,
        "reason": reason,
    }
    assert event.data["pack"] == "spbe-2020@2020.1" and event.data["digest"] == cycle.pack_digest


def test_it_still_refuses_an_override_from_someone_who_cannot_open_cycles(actors) -> None:
    with pytest.raises(NotAllowed):
        actions.do_open_cycle(actors.citra, year=2026, validity_override_reason="saya mau", **SPBE)


def test_it_opens_pemdi_from_2026_and_refuses_it_for_the_2025_transition_year(actors) -> None:
    pemdi: dict[str, Any] = {"pack_code": "pemdi-2025", "pack_version": "2025.1"}
    with pytest.raises(InvalidInput) as err:
        actions.do_open_cycle(actors.alice, year=2025, **pemdi)
    assert "2026\u2013" in err.value.message
    cycle = actions.do_open_cycle(actors.alice, year=2026, name="Indeks Pemerintah Digital 2026", **pemdi)
    assert cycle.pack_digest == _event(cycle).data["digest"]
    assert "validity_override" not in _event(cycle).data

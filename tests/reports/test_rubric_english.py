"""The PDF report names indicators and quotes the level descriptor in the report's language."""

from __future__ import annotations

from typing import Any

import pytest

from kotacerdas.evaluations.models import Cycle
from kotacerdas.regions.models import Region
from kotacerdas.reports import sections

pytestmark = pytest.mark.django_db


def _indicator_rows(language: str) -> dict[str, dict[str, Any]]:
    cycle = Cycle.objects.get(year=2023, pack_code="kominfo-2021")
    data = sections.collect(Region.objects.get(code="16.07"), cycle, language)
    ctx = sections.dimensions(data)
    assert ctx is not None
    return {r["code"]: r for d in ctx["dimensions"] for r in d["indicators"]}


def test_the_report_quotes_the_rubric_in_english_and_in_indonesian() -> None:
    english, indonesian = _indicator_rows("en"), _indicator_rows("id")
    answered = [c for c, r in indonesian.items() if r["level"] is not None]
    assert answered
    from kotacerdas.evaluations import queries

    pack = queries.cycle_pack(Cycle.objects.get(year=2023, pack_code="kominfo-2021"))
    for code in answered:
        node, level = pack.node(code), int(round(indonesian[code]["level"]))
        assert indonesian[code]["name"] == node.name and english[code]["name"] == node.name_en
        assert indonesian[code]["descriptor"] == dict(node.levels)[level]
        assert english[code]["descriptor"] == dict(node.levels_en)[level] != dict(node.levels)[level]

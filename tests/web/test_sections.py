"""Dashboard sections are pluggable: an app registers one; a placeholder gives way to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kotacerdas.web import sections
from kotacerdas.web.sections import Section, register, register_default

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def restore_registry() -> Iterator[None]:
    saved = dict(sections._REGISTRY)
    yield
    sections._REGISTRY.clear()
    sections._REGISTRY.update(saved)


def test_it_renders_a_section_registered_by_another_app(restore_registry: None) -> None:
    register(Section("demo-x", "Bagian uji", "web/sections/placeholder.html",
                     lambda ctx: {"pending": True, "installed": True, "what": f"uji {ctx.region.code}"}, order=1))
    body = client_for("admin@kotacerdas.test").get("/wilayah/16.07/dasbor/").content.decode()
    assert "Bagian uji" in body and "uji 16.07" in body


def test_it_hides_a_section_that_returns_none(restore_registry: None) -> None:
    register(Section("demo-y", "Tersembunyi", "web/sections/placeholder.html", lambda ctx: None))
    assert "Tersembunyi" not in client_for("admin@kotacerdas.test").get("/wilayah/16.07/dasbor/").content.decode()


def test_it_lets_a_real_section_win_over_a_default(restore_registry: None) -> None:
    real = register(Section("surveys", "Survei (aplikasi)", "x.html", lambda ctx: {}))
    kept = register_default(Section("surveys", "Survei (bawaan)", "y.html", lambda ctx: {}))
    assert kept is real
    placeholder = register(Section("kosong", "A", "a.html", lambda ctx: {}, placeholder=True))
    assert register_default(Section("kosong", "B", "b.html", lambda ctx: {})) is not placeholder


def test_the_survey_card_shows_every_warning(db) -> None:
    from django.utils.html import escape

    from kotacerdas.surveys import queries as survey_queries
    from kotacerdas.surveys.models import Survey

    warnings = survey_queries.progress(Survey.objects.get(region_id="16.07", cycle__year=2024)).warnings
    assert len(warnings) > 3
    body = client_for("koordinator@banyuasin.test").get("/wilayah/16.07/dasbor/").content.decode()
    card = body[body.index('id="bagian-surveys"'):]
    card = card[:card.index("</section>")]
    assert all(escape(w) in card for w in warnings) and f"{len(warnings)} peringatan" in card

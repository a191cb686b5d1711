"""Indicator names and rubric level descriptors follow the reader's language: English (the language
cookie) shows the pack's English where it has it (kominfo-2021 does), Indonesian shows the pack's own
text, and a pack without translations shows Indonesian to everyone."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from kotacerdas.evaluations import queries
from kotacerdas.scoring.packs import Node, Pack

from .conftest import client_for

pytestmark = pytest.mark.django_db
COORDINATOR, BUPATI = "koordinator@banyuasin.test", "bupati@banyuasin.test"
MEMBER = "asesor2@kotacerdas.test"

NAME_ID = "Peningkatan hasil evaluasi dibanding evaluasi sebelumnya"
NAME_EN = "Improvement over the previous evaluation"
LEVEL_ID = "Indeks naik 0,25 atau lebih, atau bertahan pada predikat tertinggi"
LEVEL_EN = "The index rose by 0.25 or more, or stayed at the highest rating"
FORUM_LEVEL_ID = "Forum Smart City belum dibentuk."
FORUM_LEVEL_EN = "No Smart City Forum has been formed."


def _client(who: str, language: str | None) -> Client:
    client = client_for(who)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _text(response: Any) -> str:
    assert response.status_code == 200
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return body.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")


def _untranslated(pack: Pack) -> Pack:
    """The same pack with every English name and descriptor taken away (a pack shipped without them)."""

    def bare(node: Node) -> Node:
        return dataclasses.replace(node, name_en=None, levels_en=(), children=tuple(bare(c) for c in node.children))

    return dataclasses.replace(pack, dimensions=tuple(bare(d) for d in pack.dimensions))


def test_the_self_assessment_rubric_is_in_english_for_an_english_reader(banyuasin_2024) -> None:
    url = f"/pengajuan/{banyuasin_2024.pk}/"
    english = _text(_client(COORDINATOR, "en").get(url))
    assert NAME_EN in english and LEVEL_EN in english and FORUM_LEVEL_EN in english
    assert NAME_ID not in english and LEVEL_ID not in english and FORUM_LEVEL_ID not in english
    indonesian = _text(_client(COORDINATOR, None).get(url))
    assert NAME_ID in indonesian and LEVEL_ID in indonesian and FORUM_LEVEL_ID in indonesian
    assert NAME_EN not in indonesian and LEVEL_EN not in indonesian


def test_the_pre_submit_list_names_missing_indicators_in_english(banyuasin_2024) -> None:
    missing = queries.completeness(banyuasin_2024).missing
    pack = queries.cycle_pack(banyuasin_2024.cycle)
    body = _client(COORDINATOR, "en").get(f"/pengajuan/{banyuasin_2024.pk}/").content.decode()
    checks = body[body.index('id="kirim-checks"'):]
    for code in missing[:3]:
        node = pack.node(code)
        assert node.name_en and node.name_en != node.name
        assert re.search(rf'>{re.escape(node.name_en)}</a> <small class="code">{re.escape(code)}</small>', checks), code
        assert f">{node.name}</a>" not in checks


def test_a_saved_answer_comes_back_in_english(banyuasin_2024) -> None:
    response = _client(COORDINATOR, "en").post(
        f"/pengajuan/{banyuasin_2024.pk}/jawaban/output.kelembagaan.forum/",
        {"level": "3", "justification": "Forum aktif.", "expected_version": str(
            banyuasin_2024.answers.get(indicator="output.kelembagaan.forum").version)},
        HTTP_HX_REQUEST="true")
    text = _text(response)
    assert "Smart City Forum" in text and FORUM_LEVEL_EN in text and FORUM_LEVEL_ID not in text


def test_a_pack_without_translations_stays_indonesian_in_english(banyuasin_2024, monkeypatch) -> None:
    real = queries.pack_for
    monkeypatch.setattr(queries, "pack_for", lambda code, version: _untranslated(real(code, version)))
    english = _text(_client(COORDINATOR, "en").get(f"/pengajuan/{banyuasin_2024.pk}/"))
    assert NAME_ID in english and LEVEL_ID in english and FORUM_LEVEL_ID in english
    assert NAME_EN not in english and LEVEL_EN not in english


def test_the_assessor_scoring_screen_shows_the_rubric_in_the_readers_language(peer_under_assessment) -> None:
    url = f"/pengajuan/{peer_under_assessment.pk}/nilai/"
    english = _text(_client(MEMBER, "en").get(url))
    assert NAME_EN in english and LEVEL_EN in english and LEVEL_ID not in english
    indonesian = _text(_client(MEMBER, None).get(url))
    assert NAME_ID in indonesian and LEVEL_ID in indonesian and LEVEL_EN not in indonesian


def test_the_what_if_page_names_indicators_in_english(banyuasin_2024) -> None:
    english = _text(_client(BUPATI, "en").get("/wilayah/16.07/simulasi/"))
    assert NAME_EN in english and NAME_ID not in english
    assert NAME_ID in _text(_client(BUPATI, None).get("/wilayah/16.07/simulasi/"))


def test_the_dashboard_top_five_names_indicators_in_english(banyuasin_2024) -> None:
    from kotacerdas.scoring.whatif import best_improvements

    pack = queries.cycle_pack(banyuasin_2024.cycle)
    top = best_improvements(pack, queries.self_answers(banyuasin_2024), previous=queries.previous_index(banyuasin_2024))
    assert top
    first = pack.node(top[0].code)
    assert first.name_en and first.name_en != first.name
    english = _text(_client(COORDINATOR, "en").get("/wilayah/16.07/dasbor/"))
    assert first.name_en in english
    indonesian = _text(_client(COORDINATOR, None).get("/wilayah/16.07/dasbor/"))
    assert first.name in indonesian and first.name_en not in indonesian

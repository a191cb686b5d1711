"""The what-if page: the coordinator and the bupati change levels on screen and see the engine's index,
dimensions, published predicate and cheapest path to +0.10; nothing is saved; nobody else may open it."""

from __future__ import annotations

import re
from decimal import Decimal as D
from typing import Any

import pytest

from kotacerdas.accounts.models import AuditEvent
from kotacerdas.evaluations import queries
from kotacerdas.evaluations.models import Answer
from kotacerdas.lib.formatting import format_number
from kotacerdas.scoring.engine import score
from kotacerdas.scoring.whatif import cheapest_path

from .conftest import client_for

pytestmark = pytest.mark.django_db
URL = "/wilayah/16.07/simulasi/"
COORDINATOR, BUPATI = "koordinator@banyuasin.test", "bupati@banyuasin.test"
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def _testid(body: str, name: str) -> str:
    found = re.search(rf'data-testid="{name}">(.*?)</', body, re.S)
    assert found is not None, name
    return found.group(1).strip()


def _engine(sub, changes):
    pack = queries.cycle_pack(sub.cycle)
    saved = queries.self_answers(sub)
    return pack, saved, score(pack, {**saved, **changes}, previous=queries.previous_index(sub))


@pytest.mark.parametrize("who", [COORDINATOR, BUPATI])
def test_it_shows_the_engines_index_and_dimensions_for_the_changed_levels(banyuasin_2024, who) -> None:
    pack, saved, _ = _engine(banyuasin_2024, {})
    # Lower one saved answer and raise an unanswered one: the page must be the engine's score of that sheet.
    lowered = next(c for c, v in sorted(saved.items()) if v >= 2)
    raised = next(n.code for n in pack.indicators() if n.code not in saved)
    _, _, want = _engine(banyuasin_2024, {lowered: 0, raised: 4})
    base = score(pack, saved, previous=queries.previous_index(banyuasin_2024))
    response = client_for(who).get(URL, {lowered: "0", raised: "4"})
    assert response.status_code == 200
    body = response.content.decode()
    assert _testid(body, "whatif-index") == format_number(want.index, 2, "id")
    delta = want.index - base.index
    assert _testid(body, "whatif-delta") == ("+" if delta > 0 else "") + format_number(delta, 2, "id")
    for code, value in want.dimensions.items():
        row = body[body.index(f'data-dimension="{code}"'):]
        row = row[:row.index("</tr>")]
        assert f"<strong>{format_number(value, 2, 'id')}</strong>" in row, code
    assert "," in _testid(body, "whatif-index")  # Indonesian notation: 2,44
    # The form shows the scenario's levels and marks the two changed rows.
    assert body.count('class="whatif-row changed"') == 2


def test_it_saves_nothing_and_accepts_no_post(banyuasin_2024) -> None:
    answers = list(Answer.objects.filter(submission=banyuasin_2024).values_list("pk", "indicator", "level", "version"))
    events = AuditEvent.objects.count()
    code = answers[0][1]
    for who in (COORDINATOR, BUPATI):
        assert client_for(who).get(URL, {code: "0"}).status_code == 200
        assert client_for(who).get(URL, {code: "4"}, **HTMX).status_code == 200
        assert client_for(who).post(URL, {code: "4"}).status_code == 405
    after = list(Answer.objects.filter(submission=banyuasin_2024).values_list("pk", "indicator", "level", "version"))
    assert after == answers and AuditEvent.objects.count() == events


def test_htmx_gets_only_the_result(banyuasin_2024) -> None:
    body = client_for(BUPATI).get(URL, {"output.kebijakan.masterplan": "0"}, **HTMX).content.decode()
    assert "<html" not in body and 'data-testid="whatif-index"' in body and "<select" not in body
    # The phone's index bar comes along out of band, with the scenario's index.
    bar = body[body.index('id="whatif-bar"'):]
    assert 'hx-swap-oob="true"' in bar[:80] and _testid(body, "whatif-index") in bar


@pytest.mark.parametrize("who", [None, "operator.dukcapil@banyuasin.test", "asesor1@kotacerdas.test",
                                 "admin@kotacerdas.test"])
def test_nobody_else_may_open_it(banyuasin_2024, who) -> None:
    response = client_for(who).get(URL)
    if who is None:
        assert response.status_code == 302 and "/akun/login/" in response["Location"]
    else:
        assert response.status_code == 403
        assert "Simulasi hanya untuk koordinator daerah" in response.content.decode()


def test_another_regions_coordinator_may_not(banyuasin_2024) -> None:
    from django.contrib.auth import get_user_model

    from kotacerdas.accounts.choices import Role
    from kotacerdas.accounts.models import Membership

    other = get_user_model().objects.create_user("lain@test.id", password="x-very-long-password-1")
    Membership.objects.create(user=other, role=Role.COORDINATOR, region_id="16.06")
    from django.test import Client

    c = Client()
    c.force_login(other)
    assert c.get(URL).status_code == 403


def test_the_predicate_is_only_what_published_predicate_allows(banyuasin_2024) -> None:
    pack = queries.cycle_pack(banyuasin_2024.cycle)
    assert pack.bands_status != "official"
    everything = {n.code: "4" for n in pack.indicators()}
    body = client_for(COORDINATOR).get(URL, everything).content.decode()
    assert _testid(body, "whatif-index") == "4,00"
    predicate = body[body.index('data-testid="whatif-predicate"'):]
    predicate = predicate[:predicate.index("</p>")]
    assert "tanpa predikat" in predicate
    for band in pack.bands:  # a provisional band's label is never shown as the predicate
        assert band.label not in predicate
    assert 'data-testid="path-none"' in body  # everything at the top: no path to +0.10


def test_the_cheapest_path_is_the_scorings_and_applying_it_reaches_plus_ten(banyuasin_2024) -> None:
    pack, saved, _ = _engine(banyuasin_2024, {})
    previous = queries.previous_index(banyuasin_2024)
    changes = {"output.kebijakan.masterplan": 1}
    path = cheapest_path(pack, {**saved, **changes}, previous=previous)
    c = client_for(COORDINATOR)
    body = c.get(URL, {k: str(v) for k, v in changes.items()}).content.decode()
    assert _testid(body, "path-steps") == f"{path.steps} langkah"
    assert _testid(body, "path-index") == format_number(path.result.index, 2, "id")
    assert [m.code for m in path.moves] == re.findall(r'<li data-code="([^"]+)"', body)
    assert "Terbukti paling sedikit" in body and path.exact
    link = re.search(r'href="\?([^"]+)" data-testid="apply-path"', body)
    assert link is not None
    applied = c.get(URL + "?" + link.group(1).replace("&amp;", "&")).content.decode()
    scenario_index = _testid(body, "whatif-index")
    new_index = D(_testid(applied, "whatif-index").replace(",", "."))
    assert new_index - D(scenario_index.replace(",", ".")) >= D("0.10")
    assert new_index == path.result.index


def test_it_ignores_values_off_the_scale_and_reads_english(banyuasin_2024) -> None:
    c = client_for(BUPATI)
    body = c.get(URL, {"output.kebijakan.masterplan": "9", "bukan.kode": "1"}).content.decode()
    assert "Diabaikan" in body and "output.kebijakan.masterplan" in body
    c.cookies["django_language"] = "en"
    body = c.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Index simulation" in body and "Cheapest path to +0.10" in body
    # Indicator names in the path are English where the pack has them, as in the form.
    pack = queries.cycle_pack(banyuasin_2024.cycle)
    english = {n.code: n.name_en for n in pack.indicators() if n.name_en}
    moves = re.findall(r'<li data-code="([^"]+)">([^<]+?) <span', body)
    assert moves and all(name == english.get(code, name) for code, name in moves)
    assert any(code in english for code, _ in moves)
    assert "." in _testid(body, "whatif-index") and "," not in _testid(body, "whatif-index")


def test_the_dashboard_offers_it_to_the_coordinator_and_the_bupati_only(banyuasin_2024) -> None:
    for who, shown in ((COORDINATOR, True), (BUPATI, True), ("operator.dukcapil@banyuasin.test", False)):
        body = client_for(who).get("/wilayah/16.07/dasbor/").content.decode()
        assert (f'href="{URL}"' in body) == shown, who

"""A region self-assesses its innovations against IID 2023 on the web; the dashboard shows the Smart City,
SPBE and IID indices side by side, each with its own scale, and a predicate only from official bands."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from kotacerdas.accounts.models import AuditEvent
from kotacerdas.catalogue.models import Programme
from kotacerdas.core.errors import InvalidInput, NotAllowed
from kotacerdas.evaluations import actions, queries
from kotacerdas.evaluations.models import InnovationAnswer

from .conftest import client_for, demo_user

pytestmark = pytest.mark.django_db
COORDINATOR = "koordinator@banyuasin.test"
URL = "/wilayah/16.07/iid/"


@pytest.fixture
def iid_sub():
    cycle = queries.iid_cycle("16.07")
    assert cycle is not None and cycle.pack_code == "iid-2023"
    sub = queries.stage_submission(cycle, "16.07")
    sub.cycle = cycle
    return sub


def _form(pack, spd: int, levels: dict[str, int]) -> dict[str, str]:
    repeated = pack.repeated_codes()
    data = {f"a:{i.code}": str(spd) for i in pack.indicators() if i.code not in repeated}
    for prog, level in levels.items():
        data.update({f"i:{prog}:{i.code}": str(level) for i in pack.indicators() if i.code in repeated})
    return data


def test_it_lists_the_flagged_innovations_and_scores_their_self_assessment(iid_sub) -> None:
    client = client_for(COORDINATOR)
    body = client.get(URL).content.decode()
    assert "JAM KUNCI" in body and "Antrean Online Puskesmas" in body
    assert body.count('name="i:jam-kunci:sid.') == 20 and body.count('name="a:spd.') == 20
    pack = queries.cycle_pack(iid_sub.cycle)
    response = client.post(URL, _form(pack, 2, {"jam-kunci": 3, "antrean-puskesmas": 1}), follow=True)
    body = response.content.decode()
    # The documented example: SPD 42, SID (111 + 37) / MAX(10, 2) + 0.76 = 15.56, IID 23.024 -> 23,02.
    assert re.search(r'data-testid="iid-index">23,02<', body)
    assert 'data-testid="iid-predicate">Kurang Inovatif<' in body
    assert queries.iid_score(iid_sub).index == Decimal("23.02")
    assert InnovationAnswer.objects.filter(submission=iid_sub).count() == 40
    event = AuditEvent.objects.filter(action="evaluations.save_iid").latest("id")
    assert event.region_code == "16.07" and event.data["changed"] == 60


def test_it_counts_every_flagged_innovation_and_none_once_unflagged(iid_sub) -> None:
    citra = demo_user(COORDINATOR)
    actions.do_save_iid(citra, iid_sub, {}, {"jam-kunci": {"sid.16": 3}})
    assert queries.iid_score(iid_sub).instance_counts == {"innovation": 2}
    Programme.objects.filter(region_id="16.07", code="antrean-puskesmas").update(is_innovation=False)
    result = queries.iid_score(iid_sub)
    assert result.instance_counts == {"innovation": 1} and result.nodes["sid.kematangan"] == Decimal("0.9")


def test_it_refuses_other_people_and_programmes_that_are_no_innovation(iid_sub) -> None:
    with pytest.raises(NotAllowed):
        actions.do_save_iid(demo_user("koordinator@muba.test"), iid_sub, {"spd.01": 3}, {})
    with pytest.raises(NotAllowed):
        actions.do_save_iid(demo_user("operator.dukcapil@banyuasin.test"), iid_sub, {"spd.01": 3}, {})
    citra = demo_user(COORDINATOR)
    with pytest.raises(InvalidInput, match="bukan inovasi daerah"):
        actions.do_save_iid(citra, iid_sub, {}, {"oss": {"sid.16": 3}})
    with pytest.raises(InvalidInput, match="di luar skala"):
        actions.do_save_iid(citra, iid_sub, {"spd.01": 4}, {})
    with pytest.raises(InvalidInput, match="tidak dinilai per inovasi"):
        actions.do_save_iid(citra, iid_sub, {}, {"jam-kunci": {"spd.01": 3}})
    assert client_for("koordinator@muba.test").get(URL).status_code == 403
    assert client_for(None).get(URL).status_code == 302


def test_it_shows_three_indices_side_by_side_with_their_own_scales(iid_sub) -> None:
    actions.do_save_iid(demo_user(COORDINATOR), iid_sub, {"spd.01": 3}, {})
    body = client_for(COORDINATOR).get("/wilayah/16.07/dasbor/").content.decode()
    section = body[body.index('data-testid="three-indices"'):]
    smart = section[section.index('data-testid="index-smart_city"'):section.index('data-testid="index-spbe"')]
    spbe = section[section.index('data-testid="index-spbe"'):section.index('data-testid="index-iid"')]
    iid = section[section.index('data-testid="index-iid"'):]
    assert "skala 0–4" in smart and "tanpa predikat" in smart  # kominfo-2021 bands are provisional
    assert 'class="chip predicate"' not in smart
    assert "Belum dinilai" in spbe
    assert "skala 0–100" in iid and "1,50" in iid  # (3 + 2 × 0.38) / 250 × 100 = 1.504 and "Kurang Inovatif" in iid and "penilaian mandiri" in iid


def test_formulas_are_written_in_the_readers_notation(db) -> None:  # type: ignore[no-untyped-def]
    """The engine writes its formulas with a decimal point; the IID page and the dashboard's "Rumus"
    boxes show them (and their inputs) with the Indonesian decimal comma, like every other number."""
    c = client_for(COORDINATOR)
    for url in (URL, "/wilayah/16.07/dasbor/"):
        html = c.get(url).content.decode()
        codes = re.findall(r"<code>(.*?)</code>", html, re.S)
        inputs = re.findall(r"</code> = ([^<]*)</li>", html)
        assert codes, url
        dotted = [t for t in codes + inputs if re.search(r"(?<![\w.,])\d+\.\d+(?![\w.])", t)]
        assert not dotted, (url, dotted[:3])
        assert any(re.search(r"\d,\d", t) for t in codes), url

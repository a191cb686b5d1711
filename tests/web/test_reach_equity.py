"""Equity on the reach map: the Gini and the lagging kecamatan are the numbers the `analytics reach` command
prints for the same programme and year, and a kecamatan opens its own monthly series."""

from __future__ import annotations

import io
import json
import re
from collections import Counter

import pytest
from django.core.management import call_command

from kotacerdas.lib.formatting import format_number
from kotacerdas.regions.models import Region

from .conftest import client_for

pytestmark = pytest.mark.django_db
MAP = "/wilayah/16.07/peta/"


@pytest.fixture
def oss_events(db):
    from kotacerdas.monitoring import actions as mon_actions

    mon_actions.generate_events(None, Region.objects.get(code="16.07"), n_events=4000, year=2021, seed=11,
                                programmes=["oss"], is_demo=True)


def _cli(*args: str) -> dict:
    out = io.StringIO()
    call_command("analytics", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_the_map_shows_the_clis_gini_and_lagging_kecamatan(oss_events) -> None:
    cli = _cli("reach", "--region", "16.07", "--programme", "oss", "--year", "2021")
    assert cli["gini"] is not None and cli["gini"] > 0
    names = {k["code"]: k["name"] for k in cli["kecamatan"]}
    for who, lang, sep in ((None, "id", ","), ("koordinator@banyuasin.test", "en", "."),
                           ("bupati@banyuasin.test", "id", ",")):
        c = client_for(who)
        if lang == "en":
            c.cookies["django_language"] = "en"
        body = c.get(MAP, {"metrik": "oss"}).content.decode()
        gini = re.search(r'data-testid="gini">([^<]+)<', body)
        assert gini is not None and gini.group(1) == format_number(cli["gini"], 3, lang)
        assert sep in gini.group(1)
        shown = re.findall(r'data-kecamatan="([^"]+)">([^<]+)</a>', body.split('data-testid="lagging">')[1].split("</span>")[0])
        assert [code for code, _ in shown] == cli["lagging"] and cli["lagging"]
        assert [name for _, name in shown] == [names[c] for c in cli["lagging"]]
        # The table marks the same kecamatan.
        assert body.count('<tr class="lagging">') == len(cli["lagging"])
    data = client_for(None).get(MAP + "data.json", {"metrik": "oss"}).json()
    assert data["gini"] == cli["gini"] and sorted(data["lagging"]) == sorted(cli["lagging"])
    assert data["year"] == 2021


def test_a_kecamatan_opens_its_monthly_series(oss_events) -> None:
    from kotacerdas.monitoring import queries as mq

    whole = {p["period"]: p["transactions"] for p in mq.activity_series("oss", kecamatan=None)}
    kecamatan = list(Region.objects.filter(parent_id="16.07").values_list("code", flat=True))
    summed: Counter[str] = Counter()
    c = client_for("bupati@banyuasin.test")
    for code in kecamatan:
        part = c.get(MAP, {"metrik": "oss", "bagian": "seri", "kecamatan": code}, HTTP_HX_REQUEST="true")
        assert part.status_code == 200
        body = part.content.decode()
        assert "<html" not in body
        rows = re.findall(r'<tr><th scope="row">(\d{4}-\d\d)</th><td class="num">([\d.]+)</td>', body)
        for period, n in rows:
            summed[period] += int(n.replace(".", ""))
        if rows:
            chart = json.loads(re.search(r'<script id="seri-chart" type="application/json">(.*?)</script>', body,
                                         re.S).group(1))  # type: ignore[union-attr]
            assert chart["xAxis"]["data"] == [p for p, _ in rows] and chart["kcDecimals"] == 0
    # Every kecamatan's months add up to the programme's: the filter neither loses nor repeats events.
    assert dict(summed) == {p: n for p, n in whole.items() if n} and sum(whole.values()) == 4000
    page = c.get(MAP, {"metrik": "oss", "kecamatan": kecamatan[0]}).content.decode()
    assert '<script src="/static/vendor/echarts/echarts.min.js"' in page and "Deret bulanan — Kecamatan" in page
    assert c.get(MAP, {"metrik": "oss", "kecamatan": "99.99.99"}).status_code == 404


def test_without_events_the_map_has_no_equity_and_says_how_to_open_a_series(db) -> None:
    body = client_for(None).get(MAP, {"metrik": "jam-kunci"}).content.decode()
    assert 'data-testid="equity"' not in body
    assert '<script src="/static/vendor/echarts/echarts.min.js"' not in body  # fetched only on a click
    assert "Klik kecamatan di peta" in body

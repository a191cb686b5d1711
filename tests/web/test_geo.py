from __future__ import annotations

import gzip
import json

import pytest

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_it_serves_the_national_map_compressed_with_caching_headers() -> None:
    response = client_for(None).get("/geo/kabkota.geojson", HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip" and "max-age" in response["Cache-Control"]
    assert len(response.content) < 1_000_000  # the 2 MB file, compressed
    assert len(json.loads(gzip.decompress(response.content))["features"]) == 514


def test_it_serves_one_province_and_answers_not_modified() -> None:
    c = client_for(None)
    response = c.get("/geo/kabkota.geojson?provinsi=16")
    features = json.loads(response.content)["features"]
    assert len(features) == 17 and all(f["properties"]["kode"].startswith("16.") for f in features)
    assert c.get("/geo/kabkota.geojson?provinsi=16", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_it_refuses_unknown_files_and_bad_provinces() -> None:
    c = client_for(None)
    assert c.get("/geo/secret.geojson").status_code == 404
    assert c.get("/geo/kabkota.geojson?provinsi=../x").status_code == 404

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kotacerdas.monitoring.models import IngestJob, KpiValue

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


def _post(client, name: str, content: bytes, **extra):
    data = {"file": SimpleUploadedFile(name, content, content_type="text/csv"), **extra}
    return client.post("/wilayah/16.07/kpi/impor/", data)


def test_it_reports_row_errors_on_the_page_and_writes_nothing(actors) -> None:
    client = actors.client(actors.citra)
    assert client.get("/wilayah/16.07/kpi/impor/").status_code == 200
    before = KpiValue.objects.count()
    r = _post(client, "bad.csv", (FIXTURES / "unknown_kecamatan.csv").read_bytes())
    assert r.status_code == 302
    page = client.get(r["Location"])
    body = page.content.decode()
    assert page.status_code == 200 and "16.07.99" in body and "<td>3</td>" in body
    assert KpiValue.objects.count() == before
    assert IngestJob.objects.latest("pk").status == "failed"


def test_it_imports_a_valid_file_and_shows_the_counts(actors) -> None:
    client = actors.client(actors.citra)
    good = b"programme,kpi,period,region,value,target\njam-kunci,dokumen-terbit,2022-01,16.07,2100,2600\n"
    r = _post(client, "good.csv", good)
    page = client.get(r["Location"])
    assert "1 baru" in page.content.decode() or "0 baru" in page.content.decode()
    assert IngestJob.objects.latest("pk").status == "succeeded"
    again = client.get(_post(client, "good.csv", good)["Location"]).content.decode()
    assert "0 baru, 0 diubah, 1 tetap" in again


def test_it_keeps_other_regions_and_readers_out(actors) -> None:
    assert actors.client(actors.mira).get("/wilayah/16.07/kpi/impor/").status_code == 404
    assert actors.client(actors.eka).get("/wilayah/16.07/kpi/impor/").status_code == 404
    assert actors.client(None).get("/wilayah/16.07/kpi/impor/").status_code == 302

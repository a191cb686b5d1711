"""Evidence, generated reports and backups with files in S3-compatible object storage (STORAGE_URL),
against a real S3 endpoint on 127.0.0.1 (moto's server mode): nothing lands on the local disk, downloads
come back as attachments with the same bytes, and a backup taken from one bucket restores into another
bucket and a fresh database."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from kotacerdas.evaluations import actions, queries
from kotacerdas.evaluations.demo import _pdf
from kotacerdas.evaluations.models import Cycle, Evidence
from kotacerdas.regions.models import Region

from .conftest import S3

pytestmark = pytest.mark.django_db
EXE = Path(sys.executable).parent / "kotacerdas"
INDICATOR = "output.kelembagaan.forum"


def _local_files() -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _banyuasin_2024() -> Any:
    sub = queries.stage_submission(Cycle.objects.get(year=2024), "16.07")
    assert sub is not None
    return sub


def test_settings_read_the_storage_url() -> None:
    from django.core.exceptions import ImproperlyConfigured

    from kotacerdas.settings import _file_storage

    embedded = _file_storage("")
    assert embedded["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    s3 = _file_storage("s3://AK:S%2FK@bukti-kota/kotacerdas/media?endpoint=https://minio.kominfo.local:9000&region=id-jkt-1")
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    assert s3["OPTIONS"] == {
        "bucket_name": "bukti-kota", "location": "kotacerdas/media", "file_overwrite": False, "default_acl": None,
        "querystring_auth": True, "endpoint_url": "https://minio.kominfo.local:9000", "region_name": "id-jkt-1",
        "addressing_style": None, "access_key": "AK", "secret_key": "S/K"}
    with pytest.raises(ImproperlyConfigured):
        _file_storage("ftp://bucket/x")


def test_evidence_goes_to_the_bucket_and_comes_back_as_an_attachment(actors, s3_server: S3, s3_bucket: str) -> None:
    content = _pdf("Notulen forum di S3")
    ev = actions.do_add_evidence_file(actors.citra, _banyuasin_2024(), INDICATOR, content, "notulen forum.pdf")
    stored = s3_server.objects(s3_bucket)
    assert stored[f"media/{ev.file.name}"] == content  # read straight from the endpoint, not via Django
    assert hashlib.sha256(content).hexdigest() == ev.sha256
    assert _local_files() == []

    response = _client(actors.citra).get(f"/api/v1/evidence/{ev.pk}/download")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "notulen" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == content  # type: ignore[attr-defined]

    # The same content again is recognised (content-addressed name), and no second object appears.
    with pytest.raises(Exception):  # noqa: B017 -- whichever refusal the action gives for a duplicate
        actions.do_add_evidence_file(actors.citra, _banyuasin_2024(), INDICATOR, content, "lagi.pdf")
    assert len(s3_server.objects(s3_bucket)) == len(stored)


def test_a_generated_report_is_stored_in_the_bucket_and_downloaded_as_an_attachment(
        actors, s3_server: S3, s3_bucket: str) -> None:
    from kotacerdas.core.jobs import run_job
    from kotacerdas.reports.actions import do_request_report

    report = do_request_report(actors.citra, Region.objects.get(code="16.07"), Cycle.objects.get(year=2024), "xlsx")
    assert report.job_id is not None
    run_job(report.job_id)
    report.refresh_from_db()
    assert report.status == "done"
    data = s3_server.objects(s3_bucket)[f"media/{report.file.name}"]
    assert data[:2] == b"PK" and hashlib.sha256(data).hexdigest() == report.sha256
    assert _local_files() == []

    response = _client(actors.citra).get(f"/laporan/{report.pk}/unduh/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;") and ".xlsx" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == data  # type: ignore[attr-defined]


def _copy_demo_files_into(s3_server: S3, bucket: str) -> None:
    """The session's demo wrote its evidence to the local media folder before this test chose S3."""
    import kotacerdas.settings as base
    from kotacerdas.reports.backup import referenced_files

    client = s3_server.client()
    for name in referenced_files():
        src = Path(base.MEDIA_ROOT) / name
        if src.is_file():
            client.put_object(Bucket=bucket, Key=f"media/{name}", Body=src.read_bytes())


def test_backup_from_one_bucket_restores_into_another_bucket_and_a_fresh_database(
        actors, s3_server: S3, s3_bucket: str, tmp_path: Path, fresh_database: dict[str, str]) -> None:
    _copy_demo_files_into(s3_server, s3_bucket)
    ev = actions.do_add_evidence_file(actors.citra, _banyuasin_2024(), INDICATOR, _pdf("Bukti cadangan S3"),
                                      "cadangan.pdf")
    archive = tmp_path / "cadangan.tar.gz"
    call_command("backup", "-o", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert f"media/{ev.file.name}" in manifest["members"] and manifest["missing_files"] == []

    target = s3_server.new_bucket()
    env = {**fresh_database, "STORAGE_URL": s3_server.url(target, "restored")}
    done = subprocess.run([str(EXE), "restore", str(archive)], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]

    objects = s3_server.objects(target)
    for e in Evidence.objects.exclude(file=""):
        assert hashlib.sha256(objects[f"restored/{e.file.name}"]).hexdigest() == e.sha256
    assert not Path(fresh_database["KOTACERDAS_MEDIA"]).exists() or not any(
        Path(fresh_database["KOTACERDAS_MEDIA"]).rglob("*.pdf"))

    # The restored installation reads its evidence back from its own bucket.
    check = subprocess.run([str(EXE), "shell", "-c",
                            "from kotacerdas.reports.backup import verify_evidence; print('checked', verify_evidence())"],
                           capture_output=True, text=True, env=env, timeout=300)
    assert check.returncode == 0, check.stderr[-2000:]
    assert f"checked {Evidence.objects.exclude(file='').exclude(sha256='').count()}" in check.stdout

    # A second restore is refused (not empty) and leaves the bucket as it was.
    again = subprocess.run([str(EXE), "restore", str(archive)], capture_output=True, text=True, env=env, timeout=600)
    assert again.returncode == 1 and "tidak kosong" in again.stderr
    assert s3_server.objects(target).keys() == objects.keys()


def test_a_failed_restore_leaves_the_bucket_empty(s3_server: S3, tmp_path: Path, fresh_database: dict[str, str],
                                                   s3_bucket: str) -> None:
    _copy_demo_files_into(s3_server, s3_bucket)
    archive = tmp_path / "cadangan.tar.gz"
    call_command("backup", "-o", str(archive), stdout=io.StringIO())
    # Tamper with one evidence file's bytes *and* its manifest checksum: the archive verifies, but the
    # file no longer matches the SHA-256 in its row, which the restore checks inside its transaction.
    broken = tmp_path / "rusak.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(broken, "w:gz") as dst:
        manifest = json.loads(src.extractfile("manifest.json").read())  # type: ignore[union-attr]
        victim = next(m for m in manifest["members"] if m.startswith("media/evidence/"))
        for member in src.getmembers():
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == victim:
                data = data + b"%tampered"
                manifest["members"][victim] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            if member.name == "manifest.json":
                continue
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
        body = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(body)
        dst.addfile(info, io.BytesIO(body))
    target = s3_server.new_bucket()
    env = {**fresh_database, "STORAGE_URL": s3_server.url(target)}
    failed = subprocess.run([str(EXE), "restore", str(broken)], capture_output=True, text=True, env=env, timeout=600)
    assert failed.returncode != 0
    assert "SHA-256" in failed.stderr or "tidak cocok" in failed.stderr, failed.stderr[-2000:]
    assert s3_server.objects(target) == {}
    assert os.path.isdir(fresh_database["KOTACERDAS_HOME"])

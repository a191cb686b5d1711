"""Real servers for the several-hosts tests: an S3 endpoint (moto's server mode) on 127.0.0.1, started
here as a subprocess and waited for by polling; buckets of their own per test."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.cli.test_backup_restore import fresh_database  # noqa: F401  (fixture: an empty database for a restore)

KEY, SECRET, REGION = "kotacerdas-test", "kotacerdas-test-secret", "us-east-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, seconds: float = 60, proc: subprocess.Popen[Any] | None = None) -> None:
    deadline = time.monotonic() + seconds
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError as exc:
            last = exc
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s: {last}")


@dataclass
class S3:
    endpoint: str

    def client(self) -> Any:
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=KEY,
                            aws_secret_access_key=SECRET, region_name=REGION)

    def new_bucket(self) -> str:
        name = f"kc-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def objects(self, bucket: str) -> dict[str, bytes]:
        c = self.client()
        keys = [o["Key"] for page in c.get_paginator("list_objects_v2").paginate(Bucket=bucket)
                for o in page.get("Contents", [])]
        return {k: c.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys}

    def url(self, bucket: str, prefix: str = "") -> str:
        return f"s3://{KEY}:{SECRET}@{bucket}/{prefix}?endpoint={self.endpoint}&region={REGION}"

    def storage(self, bucket: str, prefix: str = "") -> dict[str, Any]:
        """The STORAGES["default"] entry that settings.STORAGE_URL=self.url(...) makes."""
        from kotacerdas.settings import _file_storage

        return _file_storage(self.url(bucket, prefix))


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3]:
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "MOTO_PORT": str(port)})
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{endpoint}/moto-api/", 90, proc)
        yield S3(endpoint)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)


@pytest.fixture
def s3_bucket(s3_server: S3, settings: Any) -> str:
    """A new bucket, made the default storage of this test (as STORAGE_URL would)."""
    bucket = s3_server.new_bucket()
    settings.STORAGES = {**settings.STORAGES, "default": s3_server.storage(bucket, "media")}
    return bucket

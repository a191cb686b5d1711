"""Backup and restore: an archive of the database and the evidence files, restored into a FRESH database
(a new SQLite file, or a new PostgreSQL database on the PostgreSQL leg) by a separate `kotacerdas restore`
process, gives identical results and identical evidence checksums."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from kotacerdas.evaluations.models import Evidence, Result

pytestmark = pytest.mark.django_db
EXE = Path(sys.executable).parent / "kotacerdas"


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for a subprocess that sees an empty database of the same engine as this run."""
    home = tmp_path / "restored"
    home.mkdir()
    env = {**os.environ, "KOTACERDAS_HOME": str(home), "KOTACERDAS_MEDIA": str(home / "media"),
           "DJANGO_SETTINGS_MODULE": "kotacerdas.settings"}
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        env["DATABASE_URL"] = ""  # SQLite at $KOTACERDAS_HOME/kotacerdas.sqlite3, a new file
        yield env
        return
    import psycopg

    name = f"kotacerdas_restore_{uuid.uuid4().hex[:8]}"
    params: dict[str, Any] = {"host": db.get("HOST") or "127.0.0.1", "port": db.get("PORT") or 5432, "user": db.get("USER"),
              "password": db.get("PASSWORD") or None, "dbname": "postgres"}
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    env["DATABASE_URL"] = f"postgres://{db['USER']}{password}@{params['host']}:{params['port']}/{name}"
    try:
        yield env
    finally:
        with psycopg.connect(**params, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(autouse=True)
def _demo_files_in_media() -> None:
    """The session's demo wrote its evidence files before each test got its own MEDIA_ROOT: bring the
    referenced ones over, so the archive is complete."""
    import shutil

    import kotacerdas.settings as base
    from kotacerdas.reports.backup import referenced_files

    for name in referenced_files():
        src, dst = Path(base.MEDIA_ROOT) / name, Path(settings.MEDIA_ROOT) / name
        if src.is_file() and not dst.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, env=env, timeout=600)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_it_restores_a_backup_into_a_fresh_database(actors, tmp_path: Path, fresh_database) -> None:
    from kotacerdas.evaluations import actions, queries
    from kotacerdas.evaluations.models import Cycle
    from tests.base import PASSWORD  # noqa: F401  (actors exist in the archive too)

    sub = queries.stage_submission(Cycle.objects.get(year=2024), "16.07")
    assert sub is not None
    from kotacerdas.evaluations.demo import _pdf

    ev = actions.do_add_evidence_file(actors.citra, sub, "output.kelembagaan.forum", _pdf("Notulen forum"),
                                      "notulen.pdf")
    archive = tmp_path / "cadangan.tar.gz"
    call_command("backup", "-o", str(archive), stdout=io.StringIO())

    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert manifest["counts"]["evaluations.result"] == Result.objects.count()
    assert f"media/{ev.file.name}" in manifest["members"]

    restored = _run(fresh_database, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr[-3000:]

    # Identical results: the restored database dumps the same rows as this one.
    dumped = _run(fresh_database, "dumpdata", "evaluations.result", "evaluations.answer", "--natural-foreign")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    mine = io.StringIO()
    call_command("dumpdata", "evaluations.result", "evaluations.answer", "--natural-foreign", stdout=mine)
    theirs = {(o["model"], o["pk"]): o["fields"] for o in json.loads(dumped.stdout)}
    ours = {(o["model"], o["pk"]): o["fields"] for o in json.loads(mine.getvalue())}
    assert theirs.keys() == ours.keys(), sorted(set(theirs) ^ set(ours))[:5]
    differing = [(k, f, ours[k][f], theirs[k][f]) for k in ours for f in ours[k] if ours[k][f] != theirs[k][f]]
    assert not differing, differing[:5]

    # Identical evidence: every file's checksum equals the one recorded in its row, here and there.
    media = Path(fresh_database["KOTACERDAS_MEDIA"])
    for e in Evidence.objects.exclude(file=""):
        assert _sha(media / e.file.name) == e.sha256
    assert (media / ev.file.name).is_file()

    again = _run(fresh_database, "restore", str(archive))
    assert again.returncode == 1 and "tidak kosong" in again.stderr


def test_it_refuses_a_tampered_archive(tmp_path: Path, fresh_database) -> None:
    archive = tmp_path / "cadangan.tar.gz"
    call_command("backup", "-o", str(archive), stdout=io.StringIO())
    tampered = tmp_path / "rusak.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w:gz") as dst:
        for info in src.getmembers():
            data = src.extractfile(info).read()  # type: ignore[union-attr]
            if info.name == "db.json.gz":
                data = data[:-10] + b"0123456789"
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    with pytest.raises(CommandError) as caught:
        call_command("restore", str(tampered), "--verify-only", stdout=io.StringIO())
    assert caught.value.returncode == 1 and "Checksum" in str(caught.value)
    verified = io.StringIO()
    call_command("restore", str(archive), "--verify-only", stdout=verified)
    assert "cocok" in verified.getvalue()


def _craft(archive: Path, out: Path, *, extra: tuple[tuple[tarfile.TarInfo, bytes], ...] = (),
           replace: dict[str, bytes] | None = None) -> Path:
    """A copy of `archive` with members added or replaced and a manifest whose checksums match them:
    what someone who knows the format can build."""
    replace = replace or {}
    with tarfile.open(archive) as src:
        members = {i.name: src.extractfile(i).read() for i in src.getmembers()}  # type: ignore[union-attr]
    manifest = json.loads(members.pop("manifest.json"))
    members.update(replace)
    with tarfile.open(out, "w:gz") as dst:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
            manifest["members"].setdefault(name, {})["sha256"] = hashlib.sha256(data).hexdigest()
        for info, data in extra:
            dst.addfile(info, io.BytesIO(data) if info.isreg() else None)
            manifest["members"][info.name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        body = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(body)
        dst.addfile(info, io.BytesIO(body))
    return out


def _member(name: str, data: bytes = b"isi", kind: bytes = tarfile.REGTYPE) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type = kind
    if kind == tarfile.REGTYPE:
        info.size = len(data)
    else:
        info.linkname = "/etc/passwd"
        data = b""
    return info, data


UNSAFE = [
    _member("media//x"), _member("media/./x"), _member("media/a/../../x"), _member("/etc/x"),
    _member("media/"), _member("lain.txt"), _member("media/a\\b"), _member("media/a\nb"),
    _member("media/tautan", kind=tarfile.SYMTYPE), _member("media/keras", kind=tarfile.LNKTYPE),
    _member("media/dev", kind=tarfile.CHRTYPE), _member("media/fifo", kind=tarfile.FIFOTYPE),
    _member("media/dir", kind=tarfile.DIRTYPE),
]


def test_it_refuses_every_unsafe_member_while_verifying(tmp_path: Path) -> None:
    archive = tmp_path / "cadangan.tar.gz"
    call_command("backup", "-o", str(archive), stdout=io.StringIO())
    for i, member in enumerate(UNSAFE):
        crafted = _craft(archive, tmp_path / f"rakitan{i}.tar.gz", extra=(member,))
        with pytest.raises(CommandError) as caught:
            call_command("restore", str(crafted), "--verify-only", stdout=io.StringIO())
        assert caught.value.returncode == 1, member[0].name
        assert "tidak aman" in str(caught.value) or "bukan berkas biasa" in str(caught.value), member[0].name
    twice = _craft(archive, tmp_path / "ganda.tar.gz", extra=(_member("media/x", b"a"), _member("media/x", b"b")))
    with pytest.raises(CommandError, match="ganda"):
        call_command("restore", str(twice), "--verify-only", stdout=io.StringIO())


def test_it_leaves_the_target_as_it_was_when_a_restore_fails(tmp_path: Path, fresh_database) -> None:
    archive = tmp_path / "cadangan.tar.gz"
    call_command("backup", "-o", str(archive), stdout=io.StringIO())
    home, media = Path(fresh_database["KOTACERDAS_HOME"]), Path(fresh_database["KOTACERDAS_MEDIA"])

    def untouched() -> None:
        assert not [p for p in media.rglob("*") if not p.is_dir()] if media.exists() else True
        assert not [p.name for p in home.iterdir() if "restore" in p.name]

    # An unsafe name whose checksum matches: refused before the database or a file is written.
    bad_name = _craft(archive, tmp_path / "nama.tar.gz", extra=(_member("media//x"),))
    failed = _run(fresh_database, "restore", str(bad_name))
    assert failed.returncode == 1 and "tidak aman" in failed.stderr and "Traceback" not in failed.stderr
    untouched()

    # An evidence file whose bytes differ from the SHA-256 in its row (manifest made to match): found only
    # after the rows are loaded, when the files are staged; everything goes back.
    ev = Evidence.objects.exclude(file="").exclude(sha256="").first()
    assert ev is not None
    wrong_file = _craft(archive, tmp_path / "bukti.tar.gz", replace={f"media/{ev.file.name}": b"%PDF-1.4 palsu"})
    failed = _run(fresh_database, "restore", str(wrong_file))
    assert failed.returncode == 1 and "SHA-256" in failed.stderr and "Traceback" not in failed.stderr
    untouched()

    # The database is still empty: the real archive restores into it, files included.
    restored = _run(fresh_database, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr[-3000:]
    assert _sha(media / ev.file.name) == ev.sha256
    assert not [p.name for p in home.iterdir() if "restore" in p.name]

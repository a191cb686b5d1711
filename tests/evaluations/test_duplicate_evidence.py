"""Identical evidence is recognised by its content (SHA-256) per submission: the person is told it is
already attached, and no second copy of the bytes is ever stored (no `_XXXX` files)."""

from __future__ import annotations

import hashlib
import importlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kotacerdas.core.errors import DuplicateEvidence
from kotacerdas.evaluations import actions
from kotacerdas.evaluations.models import Evidence

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _stored_files() -> list[Path]:
    return sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


def test_it_tells_that_a_file_is_already_attached_and_stores_no_copy(world, actors) -> None:
    first, second = world.indicators[:2]
    ev = actions.do_add_evidence_file(actors.citra, world.sub, first, PDF, "perbup.pdf")
    with pytest.raises(DuplicateEvidence, match="sudah terlampir") as refused:
        actions.do_add_evidence_file(actors.citra, world.sub, first, PDF, "perbup-lagi.pdf")
    assert refused.value.context["evidence"] == ev.pk and refused.value.status == 409
    assert world.sub.evidence.count() == 1
    # the same document for another indicator is fine, and shares the stored bytes
    other = actions.do_add_evidence_file(actors.citra, world.sub, second, PDF, "perbup.pdf")
    assert other.file.name == ev.file.name
    # archived, then attached again: accepted, still one file on disk
    actions.do_archive_evidence(actors.citra, ev)
    again = actions.do_add_evidence_file(actors.citra, world.sub, first, PDF, "perbup.pdf")
    assert again.file.name == ev.file.name
    files = _stored_files()
    assert len(files) == 1 and "_" not in files[0].stem, files
    assert files[0].read_bytes() == PDF


def test_it_refuses_the_same_link_twice_on_one_indicator(world, actors) -> None:
    code = world.indicators[0]
    actions.do_add_evidence_link(actors.citra, world.sub, code, "https://contoh.go.id/perbup")
    with pytest.raises(DuplicateEvidence):
        actions.do_add_evidence_link(actors.citra, world.sub, code, "https://contoh.go.id/perbup")
    actions.do_add_evidence_link(actors.citra, world.sub, world.indicators[1], "https://contoh.go.id/perbup")
    assert world.sub.evidence.count() == 2


def test_it_says_so_on_the_web_and_in_the_api(world, actors) -> None:
    code = world.indicators[0]
    web = Client()
    web.force_login(actors.citra)
    url = f"/pengajuan/{world.sub.pk}/bukti/{code}/berkas/"
    assert web.post(url, {"file": SimpleUploadedFile("a.pdf", PDF)}, HTTP_HX_REQUEST="true").status_code == 200
    again = web.post(url, {"file": SimpleUploadedFile("b.pdf", PDF)}, HTTP_HX_REQUEST="true")
    body = again.content.decode()
    assert again.status_code == 409 and "sudah terlampir" in body and "Bukti dukung tersimpan" not in body
    follow = web.post(url, {"file": SimpleUploadedFile("c.pdf", PDF)}, follow=True)
    assert "sudah terlampir" in follow.content.decode()
    api = web.post(f"/api/v1/submissions/{world.sub.pk}/evidence/{code}", {"file": SimpleUploadedFile("d.pdf", PDF)})
    assert api.status_code == 409 and api.json()["code"] == "duplicate"
    assert world.sub.evidence.count() == 1 and len(_stored_files()) == 1


def test_it_backfills_the_hash_of_files_stored_before_it_was_recorded(world, actors) -> None:
    from django.apps import apps

    ev = actions.do_add_evidence_file(actors.citra, world.sub, world.indicators[0], PDF, "lama.pdf")
    link = actions.do_add_evidence_link(actors.citra, world.sub, world.indicators[0], "https://contoh.go.id")
    Evidence.objects.filter(pk=ev.pk).update(sha256="")
    migration = importlib.import_module("kotacerdas.evaluations.migrations.0009_evidence_sha256_backfill")
    migration.backfill(apps, None)
    ev.refresh_from_db()
    link.refresh_from_db()
    assert ev.sha256 == hashlib.sha256(PDF).hexdigest() and link.sha256 == ""
    assert Evidence.objects.filter(pk__in=[ev.pk, link.pk]).count() == 2  # nothing deleted
    with pytest.raises(DuplicateEvidence):
        actions.do_add_evidence_file(actors.citra, world.sub, world.indicators[0], PDF, "baru.pdf")

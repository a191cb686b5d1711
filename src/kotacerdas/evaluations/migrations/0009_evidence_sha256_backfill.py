"""Every stored evidence file gets its SHA-256 (rows from before it was recorded), so identical uploads can
be recognised per submission. Reads the files; changes nothing else and deletes nothing."""

from __future__ import annotations

import hashlib

from django.db import migrations


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    Evidence = apps.get_model("evaluations", "Evidence")
    todo = Evidence.objects.filter(kind="file", sha256="").exclude(file="")
    for ev in todo.iterator():
        storage = ev.file.storage
        if not storage.exists(ev.file.name):
            continue  # a missing file stays without a hash; nothing to compare it with
        digest = hashlib.sha256()
        with storage.open(ev.file.name, "rb") as fh:
            for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):
                digest.update(chunk)
        Evidence.objects.filter(pk=ev.pk).update(sha256=digest.hexdigest())


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0008_text_limits")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]

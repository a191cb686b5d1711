from __future__ import annotations

from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from kotacerdas.catalogue.reference import sync_pillars

    sync_pillars(apps.get_model("catalogue", "Pillar"), apps.get_model("catalogue", "SubDimension"))


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

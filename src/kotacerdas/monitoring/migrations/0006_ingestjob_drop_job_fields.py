"""The IngestJob columns that duplicated its core.Job (filled into the Jobs by 0005) go."""

from __future__ import annotations

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("monitoring", "0005_ingestjob_core_job"),
    ]

    operations = [
        migrations.RemoveField(model_name="ingestjob", name="status"),
        migrations.RemoveField(model_name="ingestjob", name="phase"),
        migrations.RemoveField(model_name="ingestjob", name="progress"),
        migrations.RemoveField(model_name="ingestjob", name="processed_rows"),
        migrations.RemoveField(model_name="ingestjob", name="message"),
        migrations.RemoveField(model_name="ingestjob", name="started_at"),
        migrations.RemoveField(model_name="ingestjob", name="finished_at"),
    ]

"""The upload's status, phase, progress and timing are its Job's now (0003 copied them there). A separate
migration so that on PostgreSQL the table is altered in a transaction of its own, after the rows updated
by 0003 have been committed."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("actionplans", "0003_importjob_job"),
    ]

    operations = [
        migrations.RemoveField(model_name="importjob", name="status"),
        migrations.RemoveField(model_name="importjob", name="phase"),
        migrations.RemoveField(model_name="importjob", name="progress"),
        migrations.RemoveField(model_name="importjob", name="total"),
        migrations.RemoveField(model_name="importjob", name="started_at"),
        migrations.RemoveField(model_name="importjob", name="finished_at"),
    ]

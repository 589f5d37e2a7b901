"""An event's creation time is set by the service (``now``, the time of the step), not by the database on insert,
so an event recorded through the services for a past day (the 2023 demo) reads as recorded then. Stored times
are kept as they are."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('outreach', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='outreachevent',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created'),
        ),
    ]

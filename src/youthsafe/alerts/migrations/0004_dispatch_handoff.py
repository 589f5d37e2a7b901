"""Dispatch becomes a core hand-off (issue 17): its shared note and report-back time take the hand-off's field
names (renamed, not dropped and added: every stored dispatch keeps its note and its time; the status values
are the same), and it gains the hand-off's optional report-back deadline. An alert opened by hand records who
opened it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("alerts", "0003_person_author_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="dispatch", old_name="shared_note", new_name="note"),
        migrations.RenameField(model_name="dispatch", old_name="reported_back_at", new_name="reported_at"),
        migrations.AlterField(
            model_name="dispatch",
            name="note",
            field=models.TextField(max_length=5000, verbose_name="what the unit should do"),
        ),
        migrations.AlterField(
            model_name="dispatch",
            name="sent_at",
            field=models.DateTimeField(db_index=True, verbose_name="sent at"),
        ),
        migrations.AlterField(
            model_name="dispatch",
            name="status",
            field=models.CharField(choices=[("sent", "Awaiting acknowledgement"), ("acknowledged", "Acknowledged"),
                                            ("reported", "Reported back")],
                                   db_index=True, default="sent", max_length=16, verbose_name="status"),
        ),
        migrations.AddField(
            model_name="dispatch",
            name="report_due_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="report back by"),
        ),
        migrations.AddField(
            model_name="alert",
            name="opened_by",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="opened by hand by"),
        ),
    ]

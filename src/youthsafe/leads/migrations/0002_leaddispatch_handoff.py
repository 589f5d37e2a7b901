"""A lead's dispatch becomes a core hand-off (issue 17): what the unit should do, its feedback and their times
take the hand-off's field names. Renamed, not dropped and added, so every stored dispatch keeps its text and
its times; the status "fed_back" becomes the hand-off's "reported" (and back, on reversal)."""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def _status(apps: StateApps, editor: BaseDatabaseSchemaEditor, old: str, new: str) -> None:
    dispatches = apps.get_model("leads", "LeadDispatch").objects.using(editor.connection.alias)
    dispatches.filter(status=old).update(status=new)


def fed_back_to_reported(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _status(apps, schema_editor, "fed_back", "reported")


def reported_to_fed_back(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _status(apps, schema_editor, "reported", "fed_back")


def _user_fk(**kw: Any) -> models.ForeignKey[Any, Any]:
    return models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                             to=settings.AUTH_USER_MODEL, **kw)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_status_change"),
        ("leads", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="leaddispatch", old_name="instructions", new_name="note"),
        migrations.RenameField(model_name="leaddispatch", old_name="feedback", new_name="report"),
        migrations.RenameField(model_name="leaddispatch", old_name="fed_back_at", new_name="reported_at"),
        migrations.RenameField(model_name="leaddispatch", old_name="feedback_due_at", new_name="report_due_at"),
        migrations.AlterField(
            model_name="leaddispatch", name="note",
            field=models.TextField(max_length=5000, verbose_name="what the unit should do")),
        migrations.AlterField(
            model_name="leaddispatch", name="report", field=models.TextField(blank=True, verbose_name="report")),
        migrations.AlterField(
            model_name="leaddispatch", name="reported_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="reported back at")),
        migrations.AlterField(
            model_name="leaddispatch", name="report_due_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="report back by")),
        migrations.AddField(model_name="leaddispatch", name="reported_by", field=_user_fk(blank=True)),
        migrations.AddField(
            model_name="leaddispatch", name="escalated_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="escalated at")),
        migrations.AlterField(
            model_name="leaddispatch", name="ack_due_at",
            field=models.DateTimeField(db_index=True, verbose_name="acknowledge by")),
        migrations.AlterField(model_name="leaddispatch", name="acknowledged_by", field=_user_fk(blank=True)),
        migrations.AlterField(model_name="leaddispatch", name="sent_by", field=_user_fk()),
        migrations.AlterField(
            model_name="leaddispatch", name="status",
            field=models.CharField(choices=[("sent", "Awaiting acknowledgement"), ("acknowledged", "Acknowledged"),
                                            ("reported", "Reported back")],
                                   db_index=True, default="sent", max_length=16, verbose_name="status")),
        migrations.AlterField(
            model_name="leaddispatch", name="to_jurisdiction",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="core.jurisdiction", verbose_name="to unit")),
        migrations.RunPython(fed_back_to_reported, reported_to_fed_back),
    ]

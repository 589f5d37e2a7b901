"""The alerts' status history moves to core's one history table (issue 17): every row is copied to
core.StatusChange under the machine "alert" (object_id = the alert's id) before the old table is dropped.
Reversed, the rows are copied back and removed from core's table."""

from typing import Any

from django.db import migrations

MACHINE = "alert"
FIELDS = ("from_status", "to_status", "actor_id", "actor_label", "reason", "at")
BATCH = 2000


def to_core(apps: Any, schema_editor: Any) -> None:
    old = apps.get_model("alerts", "StatusChange")
    new = apps.get_model("core", "StatusChange")
    rows = old.objects.order_by("id").values("alert_id", *FIELDS)
    batch = []
    for row in rows.iterator(chunk_size=BATCH):
        batch.append(new(machine=MACHINE, object_id=row.pop("alert_id"), **row))
        if len(batch) >= BATCH:
            new.objects.bulk_create(batch)
            batch = []
    new.objects.bulk_create(batch)


def from_core(apps: Any, schema_editor: Any) -> None:
    old = apps.get_model("alerts", "StatusChange")
    new = apps.get_model("core", "StatusChange")
    alerts = set(apps.get_model("alerts", "Alert").objects.values_list("id", flat=True))
    rows = new.objects.filter(machine=MACHINE).order_by("id").values("object_id", *FIELDS)
    old.objects.bulk_create([old(alert_id=row.pop("object_id"), **row) for row in rows if row["object_id"] in alerts],
                            batch_size=BATCH)
    new.objects.filter(machine=MACHINE).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("alerts", "0004_dispatch_handoff"),
        ("core", "0003_status_change"),
    ]

    operations = [
        migrations.RunPython(to_core, from_core),
        migrations.DeleteModel(name="StatusChange"),
    ]

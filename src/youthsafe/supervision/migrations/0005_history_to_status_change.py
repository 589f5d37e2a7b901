"""The supervision history moves to the one history table of the product (``core.StatusChange``): every row of
``supervision.StateChange`` is copied with its machine name (inspection, order, sanction, assessment, ladder,
platform_ladder), record, states, actor, reason and time. The next migration drops the old table.

Backwards: the rows of those machines are copied back and removed from ``core.StatusChange``."""

from __future__ import annotations

from typing import Any

from django.db import migrations

MACHINES = ("inspection", "order", "sanction", "assessment", "ladder", "platform_ladder")
FIELDS = ("machine", "object_id", "from_status", "to_status", "actor_id", "actor_label", "reason", "at")
CHUNK = 2000


def _copy(source: Any, target: Any) -> None:
    rows = source.objects.filter(machine__in=MACHINES).order_by("at", "id").values_list(*FIELDS)
    batch = []
    for row in rows.iterator(chunk_size=CHUNK):
        batch.append(target(**dict(zip(FIELDS, row, strict=True))))
        if len(batch) == CHUNK:
            target.objects.bulk_create(batch)
            batch = []
    target.objects.bulk_create(batch)


def forward(apps: Any, schema_editor: Any) -> None:
    _copy(apps.get_model("supervision", "StateChange"), apps.get_model("core", "StatusChange"))


def backward(apps: Any, schema_editor: Any) -> None:
    status_change = apps.get_model("core", "StatusChange")
    _copy(status_change, apps.get_model("supervision", "StateChange"))
    status_change.objects.filter(machine__in=MACHINES).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0004_file_hashes"), ("core", "0003_status_change")]

    operations = [migrations.RunPython(forward, backward)]

"""Recompute every item's MinHash signature from its stored text.

The first MinHash family of detection.dedup, ``(a*crc32 + b) mod p`` with small ``a`` and ``b``, was not
min-wise independent: the shingle with the smallest CRC was the minimum of almost every permutation, so two
items that shared that one shingle were grouped as one campaign. Signatures of the new family (splitmix64)
cannot be compared with the old ones, so a new item would no longer find the campaign of an item stored
before this change. Here each stored signature is recomputed with ``content.signatures.signatures``, the
helper the service uses when it records an item (same normalisation, same "" for texts that are too short),
so it always writes what the service of this code base would. Campaigns (``group``) already formed are left
as they are: they are case records reviewers have acted on.

Going back does nothing: the old family is gone, and the old code would not find near-duplicates among the
new signatures until they were recomputed again.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from youthsafe.content.signatures import signatures

BATCH = 1000


def recompute(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    item_model = apps.get_model("content", "ContentItem")
    items = item_model.objects.using(schema_editor.connection.alias)
    last = 0
    while True:  # pages by primary key: never writes the table while a cursor over it is open (SQLite)
        rows = list(items.filter(pk__gt=last).order_by("pk").values_list("pk", "text", "signature")[:BATCH])
        if not rows:
            return
        last = rows[-1][0]
        changed = [item_model(pk=pk, signature=new) for (pk, _, old), new
                   in zip(rows, signatures([text for _, text, _ in rows]), strict=True) if new != old]
        items.bulk_update(changed, ["signature"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [("content", "0002_evidence_immutable")]
    operations = [migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True)]

"""Database triggers that refuse UPDATE and DELETE on content evidence rows, on SQLite and PostgreSQL alike
(the same mechanism as the audit log's; see youthsafe/core/dbtriggers.py)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from youthsafe.core import dbtriggers


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    dbtriggers.install(schema_editor.connection, ["content_evidence"])


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    dbtriggers.drop(schema_editor.connection, ["content_evidence"])


class Migration(migrations.Migration):
    dependencies = [("content", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]

"""Database triggers that refuse UPDATE and DELETE on the audit log, on SQLite and PostgreSQL alike
(see youthsafe/core/dbtriggers.py)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from youthsafe.core import dbtriggers


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    dbtriggers.install(schema_editor.connection)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    dbtriggers.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]

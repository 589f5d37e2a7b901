"""Database triggers that make tables append-only: the audit log (installed by core migration 0002) and the
content evidence rows (content migration 0002). Both go through ``install`` and ``drop``, which the test
harness also calls around transactional tests.

The models refuse UPDATE and DELETE too; the triggers also stop raw SQL, queryset ``update()``/``delete()``
and other programs sharing the database. They are dropped only by a documented maintenance procedure (and by
the test harness between transactional tests, so Django can empty the tables). ``install`` skips a table that
does not exist yet (core's migration runs before the content app's tables are created).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

# table -> the message the database raises on UPDATE, DELETE (and, on PostgreSQL, TRUNCATE)
APPEND_ONLY: dict[str, str] = {
    "core_auditevent": "audit log is append-only",
    "content_evidence": "evidence is immutable",
}


def _create(vendor: str, table: str, message: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"""CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
               BEGIN SELECT RAISE(ABORT, '{message}'); END""",
            f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
               BEGIN SELECT RAISE(ABORT, '{message}'); END""",
        ]
    if vendor == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION {table}_refuse() RETURNS trigger AS $$
               BEGIN RAISE EXCEPTION '{message}'; END; $$ LANGUAGE plpgsql""",
            f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
            f"""CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
               FOR EACH ROW EXECUTE FUNCTION {table}_refuse()""",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
            f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
               FOR EACH STATEMENT EXECUTE FUNCTION {table}_refuse()""",
        ]
    return []


def _drop(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_refuse()",
        ]
    return []


def install(connection: BaseDatabaseWrapper, tables: list[str] | None = None) -> None:
    """Install the triggers on ``tables`` (default: every append-only table that exists)."""
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in tables or list(APPEND_ONLY):
            if table in existing:
                for sql in _create(connection.vendor, table, APPEND_ONLY[table]):
                    cursor.execute(sql)


def drop(connection: BaseDatabaseWrapper, tables: list[str] | None = None) -> None:
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in tables or list(APPEND_ONLY):
            if table in existing:
                for sql in _drop(connection.vendor, table):
                    cursor.execute(sql)

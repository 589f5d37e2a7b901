"""Database triggers that make the audit log append-only (used by migration 0002 and by the test harness).

The model refuses UPDATE and DELETE too; the triggers also stop raw SQL and other programs sharing the
database. They are dropped only by a documented maintenance procedure (and by the test harness between
transactional tests, so Django can empty the tables).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

_CREATE = {
    "sqlite": [
        """CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update BEFORE UPDATE ON core_auditevent
           BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
        """CREATE TRIGGER IF NOT EXISTS core_auditevent_no_delete BEFORE DELETE ON core_auditevent
           BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION core_auditevent_refuse() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql""",
        "DROP TRIGGER IF EXISTS core_auditevent_no_change ON core_auditevent",
        """CREATE TRIGGER core_auditevent_no_change BEFORE UPDATE OR DELETE ON core_auditevent
           FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse()""",
        "DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent",
        """CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent
           FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_refuse()""",
    ],
}
_DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS core_auditevent_no_update", "DROP TRIGGER IF EXISTS core_auditevent_no_delete"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS core_auditevent_no_change ON core_auditevent",
        "DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent",
        "DROP FUNCTION IF EXISTS core_auditevent_refuse()",
    ],
}


def install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for sql in _CREATE.get(connection.vendor, []):
            cursor.execute(sql)


def drop(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for sql in _DROP.get(connection.vendor, []):
            cursor.execute(sql)

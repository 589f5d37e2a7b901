"""Evidence rows are immutable: the model, the queryset and the database (triggers on SQLite and PostgreSQL)
refuse UPDATE and DELETE. No retention rule purges evidence, so nothing needs a way around the triggers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, transaction

from tests.conftest import Tree
from tests.content import factories
from youthsafe.content.models import Evidence
from youthsafe.core import dbtriggers, retention
from youthsafe.core.models import User


@pytest.fixture
def row(tree: Tree, make_user: Callable[..., User]) -> Evidence:
    # A transactional test earlier in the session may have dropped the triggers for its flush (tests/conftest.py);
    # install them again inside this test's transaction, which rolls them back with everything else.
    dbtriggers.install(connection)
    analyst = make_user("analyst")
    item = factories.item(analyst, tree.city, None)
    found = item.evidence.get()
    assert found.kind == Evidence.Kind.TEXT
    return found


def test_model_and_queryset_refuse_update_and_delete(row: Evidence) -> None:
    with pytest.raises(ValueError, match="immutable"):
        row.delete()
    with pytest.raises(ValueError, match="immutable"):
        Evidence.objects.filter(pk=row.pk).delete()
    with pytest.raises(ValueError, match="immutable"):
        Evidence.objects.filter(pk=row.pk).update(note="changed")
    row.note = "changed"
    with pytest.raises(ValueError, match="immutable"):
        row.save()
    assert Evidence.objects.get(pk=row.pk).note == ""


@pytest.mark.parametrize("sql", [
    "UPDATE content_evidence SET note = 'x'",
    "UPDATE content_evidence SET sha256 = '0000000000000000000000000000000000000000000000000000000000000000'",
    "DELETE FROM content_evidence",
])
def test_database_refuses_raw_update_and_delete(row: Evidence, sql: str) -> None:
    with pytest.raises(DatabaseError, match="evidence is immutable"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(sql)
    fresh = Evidence.objects.get(pk=row.pk)
    assert (fresh.note, fresh.sha256) == ("", row.sha256)


def test_database_refuses_a_delete_that_bypasses_the_queryset(row: Evidence) -> None:
    """``_raw_delete`` is what Django's deletion collector runs: only the database stops it."""
    with pytest.raises(DatabaseError), transaction.atomic():
        Evidence.objects.filter(pk=row.pk)._raw_delete(Evidence.objects.db)
    assert Evidence.objects.filter(pk=row.pk).exists()


def test_no_retention_rule_purges_evidence(row: Evidence) -> None:
    """If one is ever added, it must say how it gets past the triggers (this test then needs a real check)."""
    assert not [r for r in retention.all_rules() if r.key.startswith("content.")]
    retention.run(dry_run=False)  # every purge still works with the triggers in place
    assert Evidence.objects.filter(pk=row.pk).exists()

"""The audit log is append-only and hash-chained; verify finds tampering."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from tests.conftest import Tree
from youthsafe.core import audit
from youthsafe.core.models import AuditAction, AuditEvent, User


@pytest.fixture
def events(tree: Tree, make_user: Callable[..., User]) -> list[AuditEvent]:
    actor = make_user("analyst")
    return [
        audit.record(AuditAction.CREATE, actor=actor, obj=tree.north, after={"name": "江北区", "n": 1}),
        audit.record(AuditAction.CHANGE, actor=actor, obj=tree.north, before={"n": 1}, after={"n": 2}),
        audit.record(AuditAction.EXPORT, actor=None, object_type="x", object_repr="导出", reason="月报"),
    ]


def test_rows_link_to_their_predecessor(events: list[AuditEvent]) -> None:
    assert events[0].prev_hash == audit.GENESIS
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert list(audit.verify_chain()) == []


def test_rows_record_actor_object_and_jurisdiction(events: list[AuditEvent], tree: Tree) -> None:
    first = AuditEvent.objects.get(pk=events[0].pk)
    assert first.actor_label == "analyst-jc"
    assert first.object_type == "core.jurisdiction"
    assert first.object_id == str(tree.north.pk)
    assert first.jurisdiction_id == tree.north.pk
    assert first.after == {"name": "江北区", "n": 1}
    assert events[2].actor_label == "system"


def test_model_refuses_update_and_delete(events: list[AuditEvent]) -> None:
    row = AuditEvent.objects.get(pk=events[0].pk)
    row.reason = "changed"
    with pytest.raises(ValidationError):
        row.save()
    with pytest.raises(ValidationError):
        row.delete()


@pytest.mark.parametrize("sql", [
    "UPDATE core_auditevent SET reason = 'x'",
    "DELETE FROM core_auditevent",
])
def test_database_refuses_raw_update_and_delete(events: list[AuditEvent], sql: str) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEvent.objects.count() == 3


def _drop_triggers() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER core_auditevent_no_update")
            cursor.execute("DROP TRIGGER core_auditevent_no_delete")
        else:
            cursor.execute("DROP TRIGGER core_auditevent_no_change ON core_auditevent")


@pytest.mark.django_db(transaction=False)
def test_verify_detects_an_altered_row(events: list[AuditEvent]) -> None:
    _drop_triggers()  # an attacker with database access; the test transaction restores the triggers
    AuditEvent.objects.filter(pk=events[1].pk).update(after={"n": 999})
    problems = list(audit.verify_chain())
    assert [p.event_id for p in problems] == [events[1].pk]
    with pytest.raises(CommandError, match="audit chain broken"):
        call_command("audit", "verify")


def test_verify_detects_a_removed_row(events: list[AuditEvent]) -> None:
    _drop_triggers()
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    problems = list(audit.verify_chain())
    assert [p.event_id for p in problems] == [events[2].pk]


def test_verify_command_reports_an_intact_chain(events: list[AuditEvent], capsys: pytest.CaptureFixture[str]) -> None:
    call_command("audit", "verify")
    assert "3 events verified" in capsys.readouterr().out


def test_snapshot_and_diff(tree: Tree) -> None:
    snap = audit.snapshot(tree.north, ["name", "parent"])
    assert snap == {"name": "江北区", "parent": tree.city.pk}
    before, after = audit.diff(snap, {"name": "新江北", "parent": tree.city.pk})
    assert before == {"name": "江北区"}
    assert after == {"name": "新江北"}


def test_auditor_filters_and_exports_csv(
    events: list[AuditEvent], make_user: Callable[..., User], login: Callable[..., object],
) -> None:
    client = login(make_user("auditor"))
    page = client.get("/audit/?action=change").content.decode()  # type: ignore[attr-defined]
    assert "江北区" in page
    assert "导出" not in page.split("<table")[1]  # the filter narrowed the rows to the change
    response = client.get("/audit/export.csv?action=create")  # type: ignore[attr-defined]
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert lines[0].startswith("id,time,actor,action")
    assert len(lines) == 2
    assert ",create," in lines[1]
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, actor__role="auditor").count() == 1


def test_deferred_events_join_the_chain_in_one_append_at_the_end(tree: Tree) -> None:
    first = audit.record(AuditAction.CREATE, actor=None, obj=tree.north, actor_label="system")
    with transaction.atomic(), audit.deferred() as pending:
        later = [audit.record(AuditAction.CHANGE, actor=None, obj=tree.north, actor_label="system", after={"n": n})
                 for n in range(3)]
        assert AuditEvent.objects.count() == 1  # nothing written (and no chain lock taken) yet
        assert pending == later
    stored = list(AuditEvent.objects.order_by("id"))
    assert [e.pk for e in stored] == [first.pk] + [e.pk for e in later]
    assert [e.after for e in stored[1:]] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert stored[1].prev_hash == first.hash
    assert list(audit.verify_chain()) == []


def _record_then_fail(blocks: Callable[[], tuple[Any, Any]], tree: Tree, why: str) -> None:
    outer, inner = blocks()
    with outer, inner:
        audit.record(AuditAction.CHANGE, actor=None, obj=tree.north, actor_label="system", after={"step": "undone"})
        raise RuntimeError(why)


def test_deferred_events_of_a_rolled_back_savepoint_are_dropped(tree: Tree) -> None:
    with transaction.atomic(), audit.deferred():
        audit.record(AuditAction.CHANGE, actor=None, obj=tree.north, actor_label="system", after={"step": "kept"})
        with pytest.raises(RuntimeError):
            _record_then_fail(lambda: (transaction.atomic(), audit.dropped_on_error()), tree, "alerting failed")
        with audit.deferred():  # nested: the outer block appends
            audit.record(AuditAction.CHANGE, actor=None, obj=tree.north, actor_label="system", after={"step": "inner"})
        assert AuditEvent.objects.count() == 0
    assert [e.after for e in AuditEvent.objects.order_by("id")] == [{"step": "kept"}, {"step": "inner"}]
    assert list(audit.verify_chain()) == []


def test_a_deferred_block_that_raises_writes_nothing(tree: Tree) -> None:
    with pytest.raises(RuntimeError):
        _record_then_fail(lambda: (transaction.atomic(), audit.deferred()), tree, "batch failed")
    assert AuditEvent.objects.count() == 0
    # and the next event still starts the chain cleanly
    audit.record(AuditAction.CHANGE, actor=None, obj=tree.north, actor_label="system")
    assert list(audit.verify_chain()) == []

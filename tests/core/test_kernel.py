"""The workflow kernel (issue 17): the declarative machine, the stored transition, the service decorator.

The kernel is exercised on a record every installation has, a jurisdiction, moved through a machine on its
``kind`` field: what is checked (history row, audit row, one transaction, permissions, reasons, deadline
rules) does not depend on the app that declares the machine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tests.conftest import Tree
from youthsafe.core import audit, kernel
from youthsafe.core.models import AuditAction, AuditEvent, Jurisdiction, JurisdictionKind, StatusChange, User
from youthsafe.core.roles import Permission, Role
from youthsafe.core.workflow import InvalidTransition, Machine, Transition, machine

UNIT, STATION, DISTRICT = JurisdictionKind.UNIT, JurisdictionKind.STATION, JurisdictionKind.DISTRICT
PROMOTED_AT = "promoted_at"

KINDS = machine(
    "test_kind", {UNIT: {STATION}, STATION: {DISTRICT, UNIT}, DISTRICT: set(),
                  **{k: set() for k in JurisdictionKind.values if k not in {UNIT, STATION, DISTRICT}}},
    field="kind", permissions={DISTRICT: Permission.JURISDICTION_MANAGE}, reason_required=[(STATION, UNIT)],
    deadlines={STATION: lambda obj, now: {"name_en": f"since {now:%Y-%m-%d}"}})


# --- The pure machine --------------------------------------------------------------------------------------
def test_machine_table_and_terminal_states() -> None:
    assert KINDS.table[UNIT] == frozenset({STATION})
    assert DISTRICT in KINDS.terminal
    assert KINDS.can(UNIT, STATION)
    assert not KINDS.can(UNIT, DISTRICT)
    with pytest.raises(InvalidTransition) as exc:
        KINDS.check(UNIT, DISTRICT)
    assert (exc.value.machine, exc.value.current, exc.value.target) == ("test_kind", UNIT, DISTRICT)


def test_machine_refuses_unknown_states_and_double_declarations() -> None:
    with pytest.raises(ValueError, match="unknown state"):
        machine("bad", {"a": {"b"}})
    with pytest.raises(ValueError, match="declared twice"):
        Machine("bad", ("a", "b"), (Transition(frozenset({"a"}), "b"), Transition(frozenset({"a"}), "b")))


def test_a_required_reason_is_part_of_the_move() -> None:
    class Thing:
        kind = STATION

    with pytest.raises(InvalidTransition, match="reason"):
        KINDS.move(Thing(), UNIT, actor="x", now=timezone.now(), reason="  ")
    thing = Thing()
    flip = KINDS.move(thing, UNIT, actor="x", now=timezone.now(), reason="merged")
    assert (flip.from_status, flip.to_status, thing.kind) == (STATION, UNIT, UNIT)


# --- The stored transition ---------------------------------------------------------------------------------
@pytest.fixture
def unit(tree: Tree) -> Jurisdiction:
    return Jurisdiction.objects.create(code="JC-N-U", name="江北网安中队", kind=UNIT, parent=tree.north)


@pytest.fixture
def leader(make_user: Callable[..., User]) -> User:
    """Holds every permission, everywhere."""
    return make_user(Role.ADMINISTRATOR)


def test_transition_saves_and_writes_history_and_audit(unit: Jurisdiction, leader: User) -> None:
    when = timezone.now() - dt.timedelta(hours=1)
    change = kernel.transition(unit, STATION, actor=leader, machine=KINDS, now=when, reason="upgraded")
    unit.refresh_from_db()
    assert unit.kind == STATION
    assert unit.name_en == f"since {when:%Y-%m-%d}"  # the deadline rule's fields are stored with the move
    assert (change.machine, change.object_id, change.from_status, change.to_status) == ("test_kind", unit.pk, UNIT,
                                                                                         STATION)
    assert (change.actor, change.reason, change.at) == (leader, "upgraded", when)
    event = AuditEvent.objects.filter(action=AuditAction.TRANSITION, object_id=str(unit.pk)).get()
    assert event.before["kind"] == UNIT
    assert event.after["kind"] == STATION
    assert event.reason == "upgraded"
    assert event.time != when  # the audit row keeps the clock's time outside the demo loader


def test_an_impossible_move_is_a_validation_error_and_writes_nothing(unit: Jurisdiction, leader: User) -> None:
    with pytest.raises(ValidationError) as refused:
        kernel.transition(unit, DISTRICT, actor=leader, machine=KINDS, names={UNIT: "中队", DISTRICT: "区"},
                          noun="机构")
    assert "“中队”" in refused.value.messages[0]
    assert "“区”" in refused.value.messages[0]
    unit.refresh_from_db()
    assert unit.kind == UNIT
    assert not StatusChange.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.TRANSITION).exists()


def test_the_transition_permission_is_checked_for_people_not_for_the_system(
        unit: Jurisdiction, make_user: Callable[..., User], tree: Tree) -> None:
    kernel.transition(unit, STATION, actor=None, machine=KINDS)
    reviewer = make_user(Role.REVIEWER, tree.north)  # may not manage jurisdictions
    with pytest.raises(PermissionDenied):
        kernel.transition(unit, DISTRICT, actor=reviewer, machine=KINDS)
    unit.refresh_from_db()
    assert unit.kind == STATION
    kernel.transition(unit, DISTRICT, actor=None, machine=KINDS, reason="system step")
    assert StatusChange.objects.filter(object_id=unit.pk).count() == 2
    assert StatusChange.objects.last().actor_label == kernel.SYSTEM  # type: ignore[union-attr]


def test_a_stale_instance_is_moved_from_the_stored_state(unit: Jurisdiction, leader: User) -> None:
    stale = Jurisdiction.objects.get(pk=unit.pk)
    kernel.transition(unit, STATION, actor=leader, machine=KINDS)
    # ``stale`` still says "unit"; the kernel reads the locked row, so the table is checked against "station".
    kernel.transition(stale, DISTRICT, actor=leader, machine=KINDS)
    assert [c.to_status for c in StatusChange.objects.filter(object_id=unit.pk)] == [STATION, DISTRICT]


def test_history_lists_the_moves_with_state_names(unit: Jurisdiction, leader: User) -> None:
    kernel.transition(unit, STATION, actor=leader, machine=KINDS)
    rows = kernel.history("test_kind", unit.pk, {UNIT: "中队", STATION: "派出所"})
    assert [(r["from"], r["to"]) for r in rows] == [("中队", "派出所")]


def test_business_time_dates_the_audit_row_only_inside_the_demo_loader(unit: Jurisdiction, leader: User) -> None:
    then = dt.datetime(2023, 5, 4, 9, 30, tzinfo=dt.UTC)
    with audit.business_time():
        kernel.transition(unit, STATION, actor=leader, machine=KINDS, now=then)
    assert AuditEvent.objects.get(action=AuditAction.TRANSITION).time == then


# --- The service decorator ---------------------------------------------------------------------------------
@kernel.service(Permission.INSPECTION_PLAN, scope=lambda node, **_: node)
def do_promote(node: Jurisdiction, *, actor: User, fail: bool = False) -> None:
    kernel.transition(node, STATION, actor=actor, machine=KINDS)
    if fail:
        raise ValidationError("refused after the move")


@kernel.service(Permission.INSPECTION_PLAN, scope=lambda node, **_: node)
def do_promote_twice(node: Jurisdiction, *, actor: User) -> None:
    do_promote(node, actor=actor)  # a service calling a service joins its transaction
    kernel.transition(node, DISTRICT, actor=actor, machine=KINDS)


def test_service_checks_permission_and_jurisdiction_before_running(
        unit: Jurisdiction, make_user: Callable[..., User], tree: Tree) -> None:
    with pytest.raises(PermissionDenied):
        do_promote(unit, actor=make_user(Role.REVIEWER, tree.north))  # no permission to plan inspections
    with pytest.raises(PermissionDenied):
        do_promote(unit, actor=make_user(Role.ANALYST, tree.south))  # the permission, elsewhere
    assert not StatusChange.objects.exists()
    do_promote(unit, actor=make_user(Role.ANALYST, tree.north))
    assert StatusChange.objects.count() == 1
    assert do_promote.service_permission == Permission.INSPECTION_PLAN  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_service_is_one_durable_transaction(unit: Jurisdiction, leader: User) -> None:
    with pytest.raises(ValidationError):
        do_promote(unit, actor=leader, fail=True)
    unit.refresh_from_db()
    assert unit.kind == UNIT  # the move, its history and its audit row were rolled back together
    assert not StatusChange.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.TRANSITION).exists()
    do_promote_twice(unit, actor=leader)
    assert [c.to_status for c in StatusChange.objects.all()] == [STATION, DISTRICT]
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        do_promote(Jurisdiction.objects.get(pk=unit.pk), actor=leader)


@pytest.mark.django_db(transaction=True)
def test_batch_runs_many_services_in_one_transaction(tree: Tree, leader: User) -> None:
    units = [Jurisdiction.objects.create(code=f"U{i}", name=f"中队{i}", kind=UNIT, parent=tree.city) for i in range(3)]

    def two_in_one_batch() -> None:
        with kernel.batch():
            do_promote(units[0], actor=leader)
            do_promote(units[1], actor=leader, fail=True)

    with pytest.raises(ValidationError):
        two_in_one_batch()
    assert not StatusChange.objects.exists()  # nothing of the batch was kept
    with kernel.batch():
        for node in units:
            do_promote(node, actor=leader)
    assert StatusChange.objects.count() == 3

"""Work handed to another unit (网安预警、多警协作、跨地联动): one model and one set of steps for every app.

An app's concrete hand-off (an alert's dispatch, a lead's dispatch; later a takedown escalation or a platform
delivery) subclasses :class:`Handoff`, adds the foreign key to its record and names it in ``subject_field``.
The receiver acknowledges before ``ack_due_at`` and reports back (before ``report_due_at`` when the app sets
one); both steps go through the kernel, so each has its history row and audit row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from youthsafe.core import audit, kernel
from youthsafe.core.models import AuditAction, Jurisdiction, User
from youthsafe.core.workflow import Machine, machine

_H = TypeVar("_H", bound="Handoff")


class HandoffStatus(models.TextChoices):
    SENT = "sent", gettext_lazy("Awaiting acknowledgement")
    ACKNOWLEDGED = "acknowledged", gettext_lazy("Acknowledged receipt")
    REPORTED = "reported", gettext_lazy("Reported back")




def handoff_machine(name: str) -> Machine:
    """The hand-off machine under the name of one concrete hand-off (its history rows are kept apart)."""
    return machine(name, {
        HandoffStatus.SENT: {HandoffStatus.ACKNOWLEDGED, HandoffStatus.REPORTED},
        HandoffStatus.ACKNOWLEDGED: {HandoffStatus.REPORTED},
        HandoffStatus.REPORTED: set(),
    })


OK = "ok"
DUE_SOON = "due_soon"
OVERDUE = "overdue"
DONE = "done"


class HandoffQuerySet(models.QuerySet[_H]):
    def _place(self, user: User | AnonymousUser) -> str | None:
        if not isinstance(user, User) or not user.is_authenticated or user.jurisdiction is None:
            return None
        return user.jurisdiction.path

    def visible_to(self, user: User | AnonymousUser) -> HandoffQuerySet[_H]:
        """Hand-offs sent from or to the user's subtree."""
        if isinstance(user, User) and user.is_authenticated and user.reads_all_jurisdictions:
            return self
        path = self._place(user)
        if path is None:
            return self.none()
        subject = self.model.subject_field
        return self.filter(Q(**{f"{subject}__jurisdiction__path__startswith": path})
                           | Q(to_jurisdiction__path__startswith=path))

    def received_by(self, user: User | AnonymousUser) -> HandoffQuerySet[_H]:
        path = self._place(user)
        return self.none() if path is None else self.filter(to_jurisdiction__path__startswith=path)


class Handoff(models.Model):
    """A record handed to a unit in any jurisdiction, including another city. The receiver reads ``note``
    and what the app shares of the record, nothing else."""

    subject_field: ClassVar[str] = ""

    to_jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=gettext_lazy("to unit"), on_delete=models.PROTECT,
                                        related_name="+")
    note = models.TextField(gettext_lazy("what the unit should do"), max_length=5000)
    status = models.CharField(gettext_lazy("status"), max_length=16, choices=HandoffStatus.choices,
                              default=HandoffStatus.SENT, db_index=True)
    sent_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(gettext_lazy("sent at"), db_index=True)
    ack_due_at = models.DateTimeField(gettext_lazy("acknowledge by"), db_index=True)
    report_due_at = models.DateTimeField(gettext_lazy("report back by"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    acknowledged_at = models.DateTimeField(gettext_lazy("acknowledged at"), null=True, blank=True)
    reported_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reported_at = models.DateTimeField(gettext_lazy("reported back at"), null=True, blank=True)
    report = models.TextField(gettext_lazy("report"), blank=True)
    escalated_at = models.DateTimeField(gettext_lazy("escalated at"), null=True, blank=True)

    workflow: ClassVar[Machine]  # each concrete hand-off: handoff_machine("<its name>")

    class Meta:
        abstract = True

    @property
    def subject(self) -> Any:
        return getattr(self, self.subject_field)

    def ack_clock(self, now: dt.datetime, soon: dt.timedelta = dt.timedelta(hours=2)) -> str:
        return clock(self.ack_due_at, self.acknowledged_at, now, soon)

    def report_clock(self, now: dt.datetime, soon: dt.timedelta = dt.timedelta(hours=2)) -> str:
        if self.report_due_at is None:
            return DONE if self.reported_at else OK
        return clock(self.report_due_at, self.reported_at, now, soon)


def clock(due: dt.datetime, done_at: dt.datetime | None, now: dt.datetime,
          soon: dt.timedelta = dt.timedelta(hours=2)) -> str:
    """done once the step happened; overdue past ``due``; due_soon in the last ``soon``; else ok."""
    if done_at is not None:
        return DONE
    if now >= due:
        return OVERDUE
    return DUE_SOON if now >= due - soon else OK


def require_receiver(actor: User, handoff: Handoff) -> None:
    """Only the receiving unit (or a role that works everywhere) acknowledges and reports back."""
    place = actor.jurisdiction
    if not actor.writes_all_jurisdictions and (place is None or not handoff.to_jurisdiction.is_within(place)):
        raise PermissionDenied(_("This hand-off was sent to another unit."))


def send(model: type[_H], subject: models.Model, *, to: Jurisdiction, note: str, actor: User | None,
         now: dt.datetime, ack_due_at: dt.datetime, report_due_at: dt.datetime | None = None) -> _H:
    """Create the hand-off and its audit row (call inside the app's service, which checks who may send)."""
    handoff: _H = model._default_manager.create(
        **{model.subject_field: subject}, to_jurisdiction=to, note=note, sent_by=actor, sent_at=now,
        ack_due_at=ack_due_at, report_due_at=report_due_at)
    audit.record(AuditAction.CREATE, actor=actor, obj=handoff, jurisdiction=getattr(subject, "jurisdiction", None),
                 after={model.subject_field: subject.pk, "to": to.pk, "note": note}, at=now)
    return handoff


def acknowledge(handoff: _H, *, actor: User, now: dt.datetime) -> _H:
    """The receiver confirms it has the work; a second acknowledgement changes nothing."""
    require_receiver(actor, handoff)
    locked = kernel.lock(handoff, related=("to_jurisdiction",))
    if locked.acknowledged_at is not None:
        return locked
    kernel.transition(locked, HandoffStatus.ACKNOWLEDGED, actor=actor, now=now, locked=True,
                      changes={"acknowledged_at": now, "acknowledged_by": actor})
    return locked


def report_back(handoff: _H, *, actor: User, text: str, now: dt.datetime) -> _H:
    """The receiver tells the sender what it did (acknowledging on the way); a later report is appended."""
    require_receiver(actor, handoff)
    locked = kernel.lock(handoff, related=("to_jurisdiction",))
    report = f"{locked.report}\n\n{text}".strip() if locked.report else text
    changes: dict[str, Any] = {"report": report, "reported_at": now, "reported_by": actor}
    if locked.acknowledged_at is None:
        changes.update(acknowledged_at=now, acknowledged_by=actor)
    if locked.status == HandoffStatus.REPORTED:
        before = audit.snapshot(locked, ["report"])
        for key, value in changes.items():
            setattr(locked, key, value)
        locked.save()
        audit.record(AuditAction.CHANGE, actor=actor, obj=locked, before=before, after={"report": report},
                     jurisdiction=getattr(locked.subject, "jurisdiction", None), at=now)
        return locked
    kernel.transition(locked, HandoffStatus.REPORTED, actor=actor, now=now, locked=True, changes=changes)
    return locked

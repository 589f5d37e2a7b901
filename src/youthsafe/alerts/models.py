"""Alerts and their workflow records (issue 4, points 2-6).

An ``Alert`` is one incident: the posts that opened or joined it (``AlertPost``), the people at risk
(``AlertPerson``), hand-overs to responding units (``Dispatch``, a core hand-off), identity requests to
platforms (``IdentityRequest``, 调证), ``Outcome`` and ``FollowUp`` rows, reviewer ``ReviewLabel`` rows the
model can be retrained on, and the ``Notification`` outbox. Status history is core's ``StatusChange``
(machine "alert" and, for dispatches, "alert_dispatch").

Welfare data is sensitive (PIPL Arts. 28, 31; regulatory-reference 6.3 cautions): authors appear only by
pseudonym, and a receiving unit sees only what the dispatch shared (see ``AlertQuerySet.visible_to``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from youthsafe.alerts.workflow import ALERT
from youthsafe.core.handoff import Handoff, HandoffQuerySet, handoff_machine
from youthsafe.core.models import Jurisdiction, JurisdictionScopedQuerySet, User
from youthsafe.core.workflow import Machine

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class AlertStatus(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_INTERVENTION = "in_intervention", _("In intervention")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES: tuple[str, ...] = ("new", "acknowledged", "dispatched", "in_intervention")


class PersonRole(models.TextChoices):
    AUTHOR = "author", _("Author")
    RECRUITER = "recruiter", _("Recruiter")
    JOINER = "joiner", _("Joiner")


class AgeBand(models.TextChoices):
    """Whether a person at risk is a minor: the only personal attribute kept, for the statistics of minors
    protected. Set by a reviewer from what the case showed (a school, a guardian), never guessed by a model."""

    UNKNOWN = "unknown", _("Not known")
    MINOR = "minor", _("Minor (under 18)")
    ADULT = "adult", _("Adult")


class PostRole(models.TextChoices):
    TRIGGER = "trigger", _("Opened the alert")
    MEMBER = "member", _("At risk")
    CONTEXT = "context", _("Context")


class IdentityStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ANSWERED = "answered", _("Answered")
    REFUSED = "refused", _("Refused")


class OutcomeKind(models.TextChoices):
    REACHED_SAFE = "reached_safe", _("Reached and safe")
    COUNSELLING = "counselling", _("Referred to counselling")
    HOSPITAL = "hospital", _("Referred to hospital")
    GUARDIAN_INFORMED = "guardian_informed", _("Guardian informed")
    SCHOOL_INFORMED = "school_informed", _("School informed")
    FALSE_ALARM = "false_alarm", _("False alarm")
    UNREACHABLE = "unreachable", _("Unreachable")
    OTHER = "other", _("Other")


# Outcomes after which the person was reached: they resolve the alert and start follow-up checks.
RESOLVING_OUTCOMES: frozenset[str] = frozenset(
    {"reached_safe", "counselling", "hospital", "guardian_informed", "school_informed"}
)


class LabelKind(models.TextChoices):
    LEVEL = "level", _("Risk level")
    CATEGORY = "category", _("Category")


class Channel(models.TextChoices):
    WEBHOOK = "webhook", _("Webhook")
    EMAIL = "email", _("E-mail")


class AlertQuerySet(JurisdictionScopedQuerySet["Alert"]):
    """Object-level visibility (NetBox's ``.restrict``) with one addition: a unit that received a dispatch
    sees the alert too, but only through the receiver view (``Alert.owned_by_user`` tells which)."""

    def owned_by(self, user: User | AnonymousUser) -> AlertQuerySet:
        """Alerts of the user's subtree (all for global-read roles): the full record."""
        return super().visible_to(user)  # type: ignore[return-value]

    def visible_to(self, user: User | AnonymousUser) -> AlertQuerySet:
        """Owned alerts, and alerts dispatched to a unit in the user's subtree."""
        return self.owned_by(user) | self.filter(pk__in=Dispatch.objects.received_by(user).values("alert_id"))


class Alert(models.Model):
    """One incident: posts that crossed the alert level (or recruit for a suicide pact) and the posts that
    joined them by author or thread. ``level`` is the highest level of its posts; ``due_at`` is the deadline
    of the current step (workflow.current_due), stored so the queue sorts in the database."""

    status = models.CharField(_("status"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.NEW,
                              db_index=True)
    level = models.PositiveSmallIntegerField(_("risk level"), default=0, db_index=True)
    categories = models.JSONField(_("categories"), default=list)
    recruitment = models.BooleanField(_("group-suicide recruitment"), default=False)
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT,
                                     related_name="+")
    thread_key = models.CharField(_("thread"), max_length=200, blank=True, db_index=True)
    author_key = models.CharField(_("first author (pseudonym)"), max_length=32, blank=True, db_index=True)
    opened_at = models.DateTimeField(_("opened at"), db_index=True)
    last_post_at = models.DateTimeField(_("last post at"))
    level_raised_at = models.DateTimeField(_("level raised at"))
    ack_due_at = models.DateTimeField(_("acknowledge by"))
    act_due_at = models.DateTimeField(_("act by"), null=True, blank=True)
    due_at = models.DateTimeField(_("current step due"), null=True, blank=True, db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    claimed_by = models.ForeignKey(User, verbose_name=_("claimed by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    opened_by = models.ForeignKey(User, verbose_name=_("opened by hand by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    workflow: ClassVar[Machine] = ALERT  # its moves and their history: core.kernel.transition
    objects: ClassVar[AlertQuerySet] = AlertQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering: ClassVar[list[str]] = ["-opened_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} L{self.level}"

    def owned_by_user(self, user: User) -> bool:
        """True when ``user`` works this alert in full (its jurisdiction is theirs); False for a receiver."""
        return user.can_read_in(self.jurisdiction)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def welfare_only(self) -> bool:
        """Only W01 (a disclosure of distress): shown as "needs care", never as a violation (0.2 principle 3)."""
        return not [c for c in self.categories if c != "W01"]


class AlertPost(models.Model):
    """A post in an alert: the trigger, a post of a person at risk, or context (thread replies below the
    level). A post belongs to at most one alert, which makes ``on_post_scanned`` idempotent under races."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="posts")
    post = models.ForeignKey("pipeline.Post", on_delete=models.PROTECT, related_name="+")
    scan = models.ForeignKey("pipeline.ScanRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    role = models.CharField(_("role"), max_length=8, choices=PostRole.choices, default=PostRole.MEMBER)
    level = models.PositiveSmallIntegerField(_("risk level"), default=0)
    is_trigger = models.BooleanField(default=False)
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        ordering: ClassVar[list[str]] = ["added_at", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["alert", "post"], name="alerts_alertpost_once"),
            models.UniqueConstraint(fields=["post"], name="alerts_alertpost_one_alert"),
        ]

    def __str__(self) -> str:
        return f"{self.alert_id}:{self.post_id}"


class AlertPerson(models.Model):
    """A person at risk in an alert, by pseudonymous author key, with the highest level of their posts."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="people")
    author_key = models.CharField(_("author (pseudonym)"), max_length=32, db_index=True)
    max_level = models.PositiveSmallIntegerField(_("highest level"), default=0)
    role = models.CharField(_("role"), max_length=12, choices=PersonRole.choices, default=PersonRole.AUTHOR)
    first_seen_at = models.DateTimeField(_("first seen"))
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices, default=AgeBand.UNKNOWN)

    class Meta:
        ordering: ClassVar[list[str]] = ["-max_level", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["alert", "author_key"], name="alerts_person_once"),
        ]

    def __str__(self) -> str:
        return f"{self.author_key[:8]} L{self.max_level}"


class Dispatch(Handoff):
    """A hand-over to a responding unit in any jurisdiction, including another city (跨地联动). The receiver
    sees ``note`` (the note shared with it) and the alert's level, categories, evidence and post texts,
    nothing else."""

    subject_field = "alert"
    workflow = handoff_machine("alert_dispatch")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="dispatches")

    objects: ClassVar[HandoffQuerySet[Dispatch]] = HandoffQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering: ClassVar[list[str]] = ["sent_at", "id"]
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")

    def __str__(self) -> str:
        return f"{self.alert_id} -> {self.to_jurisdiction_id}"


class IdentityRequest(models.Model):
    """A request to a platform for the account holder's identity (调证), with its legal basis and answer."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="identity_requests")
    platform = models.ForeignKey("registry.Platform", verbose_name=_("platform"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    platform_name = models.CharField(_("platform name"), max_length=200, blank=True)
    author_key = models.CharField(_("author (pseudonym)"), max_length=32, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    status = models.CharField(_("status"), max_length=12, choices=IdentityStatus.choices,
                              default=IdentityStatus.PENDING)
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    response = models.TextField(_("response"), blank=True)
    responded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.alert_id}: {self.platform_name or self.platform_id}"


class Outcome(models.Model):
    """What happened to the person: reached and safe, referred, guardian or school informed, false alarm..."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(_("outcome"), max_length=20, choices=OutcomeKind.choices)
    note = models.TextField(_("note"), blank=True)
    unit = models.ForeignKey(Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering: ClassVar[list[str]] = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.alert_id}: {self.kind}"


class FollowUp(models.Model):
    """A check on the person 7 and 30 days after a resolving outcome."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="follow_ups")
    outcome = models.ForeignKey(Outcome, null=True, on_delete=models.CASCADE, related_name="follow_ups")
    due_at = models.DateTimeField(_("due"), db_index=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    result = models.TextField(_("result"), blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["due_at", "id"]

    def __str__(self) -> str:
        return f"{self.alert_id} @ {self.due_at:%Y-%m-%d}"


class ReviewLabel(models.Model):
    """A reviewer's decision on a post (a risk level or a category), kept so the model can be retrained on it
    (``youthsafe alerts labels --out FILE.jsonl``)."""

    post = models.ForeignKey("pipeline.Post", on_delete=models.CASCADE, related_name="+")
    scan = models.ForeignKey("pipeline.ScanRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="labels")
    kind = models.CharField(_("kind"), max_length=8, choices=LabelKind.choices)
    value = models.CharField(_("label"), max_length=16)
    reviewer = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("time"))

    class Meta:
        ordering: ClassVar[list[str]] = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.post_id}: {self.kind}={self.value}"


class Notification(models.Model):
    """Outbox row: written in the transaction that caused it, sent after commit, retried with backoff."""

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    target = models.CharField(_("target"), max_length=500)
    event = models.CharField(_("event"), max_length=32)
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    payload = models.JSONField(default=dict)
    signature = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar[list[str]] = ["id"]

    def __str__(self) -> str:
        return f"{self.channel}:{self.event}->{self.target}"

"""Accounts, jurisdictions and the audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from youthsafe.core.roles import GLOBAL_READ_ROLES, GLOBAL_WRITE_ROLES, Permission, Role, role_has

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

_M = TypeVar("_M", bound=models.Model)


class JurisdictionKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    COUNTY = "county", _("County")
    STATION = "station", _("Police station")
    UNIT = "unit", _("Unit")


class Jurisdiction(models.Model):
    """A node of the tree of places: city, districts and counties, police stations.

    ``path`` is a materialised path of zero-padded ids ("000001/000004/") so a subtree is one indexed
    prefix query; it is maintained on save and never edited by hand.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=JurisdictionKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["path"]
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")

    def __str__(self) -> str:
        """The name in the working language: the English name when the page is in English and one is set."""
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.parent_id is not None and self.pk is not None and self.parent_id == self.pk:
            raise ValidationError(_("A jurisdiction cannot be its own parent."))
        super().save(*args, **kwargs)
        parent_path = self.parent.path if self.parent is not None else ""
        new_path = f"{parent_path}{self.pk:06d}/"
        if new_path != self.path:
            old_path = self.path
            self.path = new_path
            self.depth = new_path.count("/") - 1
            type(self).objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)
            if old_path:
                # Re-root descendants when a node moves under another parent.
                for child in type(self).objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                    child.save()

    def subtree(self) -> models.QuerySet[Jurisdiction]:
        return Jurisdiction.objects.filter(path__startswith=self.path)

    def is_within(self, other: Jurisdiction) -> bool:
        """True when this node is ``other`` or lies below it."""
        return self.path.startswith(other.path)

    def ancestor_ids(self) -> list[int]:
        """This node and the nodes above it, root first, read off the path (no query)."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def ancestors(self) -> list[Jurisdiction]:
        ids = self.ancestor_ids()
        by_id = Jurisdiction.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]

    @property
    def label(self) -> str:
        return " / ".join(str(j) for j in self.ancestors())


class User(AbstractUser):
    """A person who works in YouthSafe. One role, one home jurisdiction."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.READONLY)
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="users",
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    objects: ClassVar[UserManager[User]] = UserManager()  # type: ignore[assignment]  # stubs type it as Self

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    def has_perm_name(self, permission: Permission) -> bool:
        """The one permission check of the platform (roles table), for active accounts only."""
        return self.is_active and role_has(self.role, permission)

    @property
    def reads_all_jurisdictions(self) -> bool:
        return self.role in GLOBAL_READ_ROLES

    @property
    def writes_all_jurisdictions(self) -> bool:
        return self.role in GLOBAL_WRITE_ROLES

    def can_read_in(self, jurisdiction: Jurisdiction | None) -> bool:
        if self.reads_all_jurisdictions:
            return True
        return jurisdiction is not None and self.jurisdiction is not None and jurisdiction.is_within(
            self.jurisdiction
        )

    def can_write_in(self, jurisdiction: Jurisdiction | None) -> bool:
        if self.writes_all_jurisdictions:
            return True
        return jurisdiction is not None and self.jurisdiction is not None and jurisdiction.is_within(
            self.jurisdiction
        )


class JurisdictionScopedQuerySet(models.QuerySet[_M]):
    """Object-level permission as a queryset filter (NetBox's ``.restrict``)."""

    jurisdiction_field = "jurisdiction"

    def visible_to(self, user: User | AnonymousUser) -> JurisdictionScopedQuerySet[_M]:
        if not user.is_authenticated or not isinstance(user, User):
            return self.none()
        if user.reads_all_jurisdictions:
            return self
        if user.jurisdiction is None:
            return self.none()
        return self.filter(**{f"{self.jurisdiction_field}__path__startswith": user.jurisdiction.path})

    def changeable_by(self, user: User | AnonymousUser) -> JurisdictionScopedQuerySet[_M]:
        if not user.is_authenticated or not isinstance(user, User):
            return self.none()
        if user.writes_all_jurisdictions:
            return self
        if user.jurisdiction is None:
            return self.none()
        return self.filter(**{f"{self.jurisdiction_field}__path__startswith": user.jurisdiction.path})


class AuditAction(models.TextChoices):
    CREATE = "create", _("Create")
    CHANGE = "change", _("Change")
    DELETE = "delete", _("Delete")
    TRANSITION = "transition", _("Transition")
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logout")
    PASSWORD_CHANGE = "password_change", _("Password change")
    VIEW = "view", _("View")
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")
    REVEAL = "reveal", _("Reveal identity")
    PURGE = "purge", _("Retention purge")


class AuditEvent(models.Model):
    """One append-only, hash-chained row of the audit log.

    ``hash`` = SHA-256 over the previous row's hash and this row's canonical content, so changing or
    deleting any row breaks every later link; ``youthsafe audit verify`` walks the chain. Database triggers
    (migration 0002) refuse UPDATE and DELETE on this table.
    """

    time = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    ip_address = models.CharField(_("address"), max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["object_type", "object_id", "id"])]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValidationError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError("Audit events are append-only.")


class StatusChange(models.Model):
    """One move of any record through its workflow (Healthchecks' Flip), written by ``core.kernel.transition``
    in the transaction of the move: which machine, which record, from where to where, who, when and why."""

    machine = models.CharField(max_length=32)
    object_id = models.BigIntegerField()
    from_status = models.CharField(_("from"), max_length=32, blank=True)
    to_status = models.CharField(_("to"), max_length=32)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(_("actor"), max_length=150)
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("time"))

    class Meta:
        ordering: ClassVar[list[str]] = ["at", "id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["machine", "object_id", "at"])]
        verbose_name = _("status change")

    def __str__(self) -> str:
        return f"{self.machine}:{self.object_id} {self.from_status}->{self.to_status}"

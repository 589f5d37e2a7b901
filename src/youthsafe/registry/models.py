"""Platforms and their baseline controls."""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from youthsafe.core.models import Jurisdiction, JurisdictionScopedQuerySet, User

# The longest notes (a TextField) the pages and the API accept.
NOTES_MAX_LENGTH = 5000


class PlatformKind(models.TextChoices):
    EDUCATION = "education", _("Education")
    GAME = "game", _("Online game")
    SOCIAL = "social", _("Social")
    LIVE = "live", _("Live streaming")
    VIDEO = "video", _("Video")
    ECOMMERCE = "ecommerce", _("E-commerce")
    FORUM = "forum", _("Forum")
    APP_STORE = "app_store", _("App store")
    OTHER = "other", _("Other")


class PlatformStatus(models.TextChoices):
    ACTIVE = "active", _("Operating")
    UNDER_RECTIFICATION = "rectifying", _("Under rectification")
    SUSPENDED = "suspended", _("Suspended")
    DISCONNECTED = "disconnected", _("Disconnected from the network")
    CLOSED = "closed", _("Closed")


class ControlStatus(models.TextChoices):
    UNKNOWN = "unknown", _("Not checked")
    IN_PLACE = "in_place", _("In place")
    PARTIAL = "partial", _("Partly in place")
    MISSING = "missing", _("Missing")
    NOT_APPLICABLE = "na", _("Not applicable")


icp_validator = RegexValidator(
    r"^[\u4e00-\u9fa5]{1,2}ICP[备证]\d{6,10}号(-\d{1,3})?$",
    _("Enter an ICP number such as 京ICP备12345678号 or 京ICP证123456号-1."),
)
phone_validator = RegexValidator(r"^[0-9+\-() ]{5,20}$", _("Enter a telephone number (digits, +, -, spaces)."))
credit_code_validator = RegexValidator(
    r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$",
    _("Enter an 18-character unified social credit code."),
)


class PlatformQuerySet(JurisdictionScopedQuerySet["Platform"]):
    pass


class Platform(models.Model):
    """An online service the unit supervises: education platform, game, local internet company..."""

    name = models.CharField(_("name"), max_length=200, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=PlatformKind.choices, db_index=True)
    operator = models.CharField(_("operator company"), max_length=200)
    operator_credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[credit_code_validator]
    )
    icp_number = models.CharField(_("ICP filing number"), max_length=40, blank=True, validators=[icp_validator])
    website = models.URLField(_("website"), blank=True)
    app_store_ids = models.CharField(
        _("app-store ids"), max_length=500, blank=True,
        help_text=_("Comma-separated, e.g. ios:id123456789, android:com.example.app"),
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="platforms"
    )
    registered_users = models.PositiveBigIntegerField(_("registered users"), default=0)
    minor_users = models.PositiveBigIntegerField(_("minor users"), default=0)
    locally_developed = models.BooleanField(_("developed locally"), default=False)
    locally_operated = models.BooleanField(_("operated locally"), default=False)
    public_opinion = models.BooleanField(
        _("public-opinion attributes"), default=False,
        help_text=_("Forums, comments, live streaming, groups and similar functions (2018 Provisions Art. 2)."),
    )
    security_officer = models.CharField(_("security officer"), max_length=100, blank=True)
    security_officer_phone = models.CharField(
        _("security officer phone"), max_length=20, blank=True, validators=[phone_validator]
    )
    security_officer_email = models.EmailField(_("security officer e-mail"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=PlatformStatus.choices, default=PlatformStatus.ACTIVE, db_index=True
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[PlatformQuerySet] = PlatformQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering: ClassVar[list[str]] = ["name", "id"]
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(minor_users__lte=models.F("registered_users")),
                name="registry_platform_minors_within_users",
                violation_error_message=_("Minor users cannot exceed registered users."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PlatformControl(models.Model):
    """The state of one baseline control (see controls.py) at one platform, with its evidence."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="controls")
    control_id = models.CharField(_("control"), max_length=32)
    status = models.CharField(
        _("status"), max_length=16, choices=ControlStatus.choices, default=ControlStatus.UNKNOWN
    )
    evidence = models.TextField(_("evidence"), blank=True)
    checked_at = models.DateField(_("checked on"), null=True, blank=True)
    checked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering: ClassVar[list[str]] = ["platform", "control_id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["platform", "control_id"], name="registry_control_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.platform_id}:{self.control_id}={self.status}"


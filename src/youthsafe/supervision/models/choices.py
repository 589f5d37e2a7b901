"""The choices of the supervision records (their values are the states and kinds of ``workflow``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from youthsafe.supervision import workflow as wf


class Risk(models.TextChoices):
    LOW = wf.PLATFORM_RISK_LOW, _("Low risk")
    MEDIUM = wf.PLATFORM_RISK_MEDIUM, _("Medium risk")
    HIGH = wf.PLATFORM_RISK_HIGH, _("High risk")


class InspectionStatus(models.TextChoices):
    PLANNED = wf.PLANNED, _("Planned")
    IN_PROGRESS = wf.IN_PROGRESS, _("In progress")
    COMPLETED = wf.COMPLETED, _("Awaiting signature")
    SIGNED = wf.SIGNED, _("Signed off")
    CANCELLED = wf.CANCELLED, _("Cancelled")


class ItemResult(models.TextChoices):
    UNCHECKED = "unchecked", _("Not checked yet")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    NOT_APPLICABLE = "na", _("Not applicable")


class Severity(models.TextChoices):
    LOW = "low", _("Minor")
    MEDIUM = "medium", _("Moderate")
    HIGH = "high", _("Serious")
    CRITICAL = "critical", _("Critical")


class OrderStatus(models.TextChoices):
    DRAFT = wf.DRAFT, _("Draft")
    ISSUED = wf.ISSUED, _("Issued")
    DELIVERED = wf.DELIVERED, _("Delivered, rectifying")
    OVERDUE = wf.OVERDUE, _("Past the deadline")
    EVIDENCE = wf.EVIDENCE, _("Evidence received, re-check pending")
    RECTIFIED = wf.RECTIFIED, _("Rectified")
    REFUSED = wf.REFUSED, _("Refused to rectify")
    WITHDRAWN = wf.WITHDRAWN, _("Withdrawn")


class SanctionKind(models.TextChoices):
    WARNING = wf.WARNING, _("Warning")
    FINE = wf.FINE, _("Fine")
    SUSPENSION = wf.SUSPENSION, _("Suspension of business")
    DISCONNECTION = wf.DISCONNECTION, _("Disconnection from the network")
    WEBSITE_SHUTDOWN = wf.WEBSITE_SHUTDOWN, _("Website shutdown")
    APP_REMOVAL = wf.APP_REMOVAL, _("App removal")
    CRIMINAL_REFERRAL = wf.CRIMINAL_REFERRAL, _("Criminal referral")


class SanctionStatus(models.TextChoices):
    PROPOSED = wf.PROPOSED, _("Proposed")
    APPROVED = wf.APPROVED, _("Approved")
    REJECTED = wf.REJECTED, _("Rejected")
    WITHDRAWN = wf.WITHDRAWN, _("Withdrawn")
    IN_EFFECT = wf.IN_EFFECT, _("Carried out")
    LIFTED = wf.LIFTED, _("Lifted")
    REVOKED = wf.REVOKED, _("Revoked before being carried out")


class AssessmentTrigger(models.TextChoices):
    T1 = "T1", _("T1 service or function goes live")
    T2 = "T2", _("T2 new technology changes the service substantially")
    T3 = "T3", _("T3 user numbers grow significantly")
    T4 = "T4", _("T4 illegal information spread: measures do not control the risk")
    T5 = "T5", _("T5 required in writing by the CAC or police")


class AssessmentStatus(models.TextChoices):
    REQUESTED = wf.REQUESTED, _("Awaiting the report")
    RECEIVED = wf.RECEIVED, _("Report received, under review")
    REASSESS = wf.REASSESS, _("Re-assessment ordered")
    PASSED = wf.PASSED, _("Passed")
    FAILED = wf.FAILED, _("Failed")
    CANCELLED = wf.CANCELLED, _("Cancelled")


class ReferralKind(models.TextChoices):
    INSPECTION = "inspection", _("Inspection")
    RECTIFICATION = "rectification", _("Rectification order")


class ReferralStatus(models.TextChoices):
    OPEN = wf.OPEN, _("Waiting for a decision")
    TAKEN = wf.TAKEN, _("Taken up")
    DISMISSED = wf.DISMISSED, _("Dismissed")


class InterviewKind(models.TextChoices):
    RISK_NOTE = wf.R1, _("Risk noted (R1)")
    INTERVIEW = wf.R2, _("Interview (R2)")

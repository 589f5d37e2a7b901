"""Roles and permissions: one table (style-anchors rule 4).

Permissions are ``resource:action`` names. A role grants a set of them; a role's *scope* says whether its
holder sees the whole tree of jurisdictions or only their own jurisdiction and below.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    LEADER = "leader", _("Leader")
    ANALYST = "analyst", _("Analyst")
    REVIEWER = "reviewer", _("Reviewer")
    RESPONDER = "responder", _("Responder")
    AUDITOR = "auditor", _("Auditor")
    READONLY = "readonly", _("Read-only")


class Permission(StrEnum):
    """Every permission the platform checks. Values follow ``resource:action``."""

    PLATFORM_VIEW = "platform:view"
    PLATFORM_ADD = "platform:add"
    PLATFORM_CHANGE = "platform:change"
    PLATFORM_IMPORT = "platform:import"
    PLATFORM_EXPORT = "platform:export"
    PLATFORM_VIEW_CONTACTS = "platform:view_contacts"
    AUDIT_VIEW = "audit:view"
    AUDIT_EXPORT = "audit:export"
    USER_VIEW = "user:view"
    USER_MANAGE = "user:manage"
    JURISDICTION_VIEW = "jurisdiction:view"
    JURISDICTION_MANAGE = "jurisdiction:manage"
    DASHBOARD_VIEW = "dashboard:view"
    # Early warning (issue 4). Welfare data is kept from roles that do not work cases.
    ALERT_VIEW = "alert:view"
    ALERT_REVIEW = "alert:review"  # claim, acknowledge, move through the workflow, label posts
    ALERT_DISPATCH = "alert:dispatch"  # hand an alert to a responding unit, request identity (调证)
    ALERT_RESPOND = "alert:respond"  # acknowledge a dispatch received and report back
    ALERT_OUTCOME = "alert:outcome"  # record outcomes and follow-up checks
    ALERT_EXPORT = "alert:export"
    IDENTITY_REVEAL = "identity:reveal"  # see an author's real account id (each reveal audited)
    POST_VIEW = "post:view"
    SOURCE_MANAGE = "source:manage"  # ingestion sources and their API tokens
    DEADLETTER_VIEW = "deadletter:view"
    # Supervision and enforcement (issue 5).
    SUPERVISION_VIEW = "supervision:view"  # plans, inspections, orders, sanctions, assessments
    INSPECTION_PLAN = "inspection:plan"  # inspection plans and schedules
    INSPECTION_CONDUCT = "inspection:conduct"  # record an inspection, its checklist, evidence and findings
    INSPECTION_SIGN = "inspection:sign"  # sign off an inspection result
    ORDER_ISSUE = "order:issue"  # draft and issue rectification orders, record delivery, re-checks, refusal
    SANCTION_PROPOSE = "sanction:propose"
    SANCTION_APPROVE = "sanction:approve"  # a human decision with its approver (leader)
    # The top of the ladder (R8, 刑法 Art. 286-1): deciding on a criminal referral is kept apart from the other
    # sanctions, so granting ``sanction:approve`` to another role does not grant this with it.
    SANCTION_APPROVE_REFERRAL = "sanction:approve_referral"
    ASSESSMENT_REVIEW = "assessment:review"  # security assessments of public-opinion services
    # Harmful content, public reports, leads and linked investigations (issue 6).
    CONTENT_VIEW = "content:view"
    CONTENT_HANDLE = "content:handle"  # record items, instruct takedowns, record confirmation and verification
    EVIDENCE_DOWNLOAD = "evidence:download"  # every download audited
    REPORT_TRIAGE = "report:triage"  # public reports (举报): read, triage, turn into a lead or an item
    LEAD_VIEW = "lead:view"
    LEAD_HANDLE = "lead:handle"  # intake, verify, merge, link, report upward
    LEAD_DISPATCH = "lead:dispatch"  # push a lead to the responsible jurisdiction (推送属地)
    LEAD_RESPOND = "lead:respond"  # the receiving unit acknowledges and feeds back
    CASE_VIEW = "case:view"
    CASE_HANDLE = "case:handle"  # linked investigations (一案双查)
    # Outreach, statistics and reports (issue 7).
    OUTREACH_VIEW = "outreach:view"
    OUTREACH_RECORD = "outreach:record"
    STATS_VIEW = "stats:view"
    STATS_EXPORT = "stats:export"  # CSV/XLSX of indicators, generated documents
    REPORT_TEMPLATE_MANAGE = "report_template:manage"


P = Permission

_READ = {P.PLATFORM_VIEW, P.JURISDICTION_VIEW, P.DASHBOARD_VIEW, P.SUPERVISION_VIEW, P.OUTREACH_VIEW,
         P.STATS_VIEW}
_WORK = _READ | {P.PLATFORM_VIEW_CONTACTS, P.PLATFORM_EXPORT, P.CONTENT_VIEW, P.LEAD_VIEW, P.CASE_VIEW,
                 P.STATS_EXPORT}

_CASEWORK = {P.ALERT_VIEW, P.POST_VIEW, P.ALERT_EXPORT}
# Inspecting, ordering rectification, handling content and leads: the analyst's daily work.
_ENFORCEMENT = {P.INSPECTION_PLAN, P.INSPECTION_CONDUCT, P.ORDER_ISSUE, P.SANCTION_PROPOSE, P.ASSESSMENT_REVIEW,
                P.CONTENT_HANDLE, P.EVIDENCE_DOWNLOAD, P.REPORT_TRIAGE, P.LEAD_HANDLE, P.LEAD_DISPATCH,
                P.CASE_HANDLE, P.OUTREACH_RECORD}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMINISTRATOR: frozenset(Permission),
    Role.LEADER: frozenset(_WORK | _CASEWORK | {P.AUDIT_VIEW, P.USER_VIEW, P.ALERT_REVIEW, P.ALERT_DISPATCH,
                                                P.ALERT_OUTCOME, P.IDENTITY_REVEAL, P.DEADLETTER_VIEW,
                                                P.INSPECTION_SIGN, P.SANCTION_APPROVE,
                                                P.SANCTION_APPROVE_REFERRAL, P.EVIDENCE_DOWNLOAD,
                                                P.LEAD_DISPATCH, P.REPORT_TEMPLATE_MANAGE}),
    Role.ANALYST: frozenset(_WORK | _CASEWORK | _ENFORCEMENT | {P.PLATFORM_ADD, P.PLATFORM_CHANGE,
                                                                P.PLATFORM_IMPORT, P.SOURCE_MANAGE,
                                                                P.DEADLETTER_VIEW}),
    Role.REVIEWER: frozenset(_WORK | _CASEWORK | {P.ALERT_REVIEW, P.ALERT_DISPATCH, P.ALERT_OUTCOME,
                                                  P.DEADLETTER_VIEW, P.REPORT_TRIAGE, P.CONTENT_HANDLE}),
    # A responding unit (a district's or another city's station) acknowledges what is pushed to it.
    Role.RESPONDER: frozenset(_READ | {P.PLATFORM_VIEW_CONTACTS, P.ALERT_VIEW, P.POST_VIEW, P.ALERT_RESPOND,
                                       P.ALERT_OUTCOME, P.IDENTITY_REVEAL, P.LEAD_VIEW, P.LEAD_RESPOND,
                                       P.CASE_VIEW, P.CONTENT_VIEW}),
    Role.AUDITOR: frozenset(_READ | {P.AUDIT_VIEW, P.AUDIT_EXPORT, P.USER_VIEW, P.STATS_EXPORT}),
    Role.READONLY: frozenset(_READ),
}

# Roles whose holders read records of every jurisdiction ("leader: read all, approve"). They still change
# only what their permissions allow; everyone else is confined to their own subtree.
GLOBAL_READ_ROLES: frozenset[Role] = frozenset({Role.ADMINISTRATOR, Role.LEADER, Role.AUDITOR})
GLOBAL_WRITE_ROLES: frozenset[Role] = frozenset({Role.ADMINISTRATOR})


def role_has(role: str, permission: Permission) -> bool:
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False

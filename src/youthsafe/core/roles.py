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


P = Permission

_READ = {P.PLATFORM_VIEW, P.JURISDICTION_VIEW, P.DASHBOARD_VIEW}
_WORK = _READ | {P.PLATFORM_VIEW_CONTACTS, P.PLATFORM_EXPORT}

_CASEWORK = {P.ALERT_VIEW, P.POST_VIEW, P.ALERT_EXPORT}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMINISTRATOR: frozenset(Permission),
    Role.LEADER: frozenset(_WORK | _CASEWORK | {P.AUDIT_VIEW, P.USER_VIEW, P.ALERT_REVIEW, P.ALERT_DISPATCH,
                                                P.ALERT_OUTCOME, P.IDENTITY_REVEAL, P.DEADLETTER_VIEW}),
    Role.ANALYST: frozenset(_WORK | _CASEWORK | {P.PLATFORM_ADD, P.PLATFORM_CHANGE, P.PLATFORM_IMPORT,
                                                 P.SOURCE_MANAGE, P.DEADLETTER_VIEW}),
    Role.REVIEWER: frozenset(_WORK | _CASEWORK | {P.ALERT_REVIEW, P.ALERT_DISPATCH, P.ALERT_OUTCOME,
                                                  P.DEADLETTER_VIEW}),
    Role.RESPONDER: frozenset(_READ | {P.PLATFORM_VIEW_CONTACTS, P.ALERT_VIEW, P.POST_VIEW, P.ALERT_RESPOND,
                                       P.ALERT_OUTCOME, P.IDENTITY_REVEAL}),
    Role.AUDITOR: frozenset(_READ | {P.AUDIT_VIEW, P.AUDIT_EXPORT, P.USER_VIEW}),
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

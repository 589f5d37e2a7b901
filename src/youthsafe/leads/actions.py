"""The steps of a lead, of its dispatches and of a linked investigation as ``core.actions`` pages: one table
with each step's title, permission, record, form and service call; the URL list comes from it too."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from youthsafe.alerts.models import Alert
from youthsafe.content.models import ContentItem
from youthsafe.core.actions import Action, ActionSet
from youthsafe.core.models import User
from youthsafe.core.roles import Permission
from youthsafe.leads import forms as f
from youthsafe.leads import services as s
from youthsafe.leads.models import Case, Lead, LeadDispatch

P = Permission


def _link(lead: Lead, user: User, d: dict[str, Any]) -> Lead:
    items = list(ContentItem.objects.filter(pk__in=d["items"]))
    alerts = list(Alert.objects.filter(pk__in=d["alerts"]))
    if len(items) != len(set(d["items"])) or len(alerts) != len(set(d["alerts"])):
        raise ValidationError(_("Some of the records do not exist."))
    return s.do_link(lead, actor=user, items=items, alerts=alerts, platform=d["platform"])


ACTIONS: dict[str, Action] = {
    "verify": Action(_("Verify the lead"), P.LEAD_HANDLE, "lead", f.VerifyForm,
                     lambda r, u, d: s.do_verify(r, actor=u, founded=d["founded"], note=d["note"])),
    "report_upward": Action(_("Report upward"), P.LEAD_HANDLE, "lead", f.NoteForm,
                            lambda r, u, d: s.do_report_upward(r, actor=u, note=d["note"])),
    "dispatch": Action(_("Dispatch to the responsible unit"), P.LEAD_DISPATCH, "lead", f.DispatchForm,
                       lambda r, u, d: s.do_dispatch(r, actor=u, to=d["to"], instructions=d["instructions"])),
    "close": Action(_("Close the lead"), P.LEAD_HANDLE, "lead", f.OutcomeForm,
                    lambda r, u, d: s.do_close(r, actor=u, outcome=d["outcome"])),
    "merge": Action(_("Merge into another lead"), P.LEAD_HANDLE, "lead", f.MergeForm,
                    lambda r, u, d: s.do_merge(r, into=d["into"], actor=u, reason=d["reason"]), danger=True,
                    prepare=lambda form, lead, user: form.for_lead(lead, user)),  # type: ignore[attr-defined]
    "link": Action(_("Link records"), P.LEAD_HANDLE, "lead", f.LinkForm, _link),
    "dispatch_ack": Action(_("Acknowledge the lead"), P.LEAD_RESPOND, "dispatch", f.AckForm,
                           lambda r, u, d: s.do_acknowledge(r, actor=u, note=d["note"])),
    "dispatch_feedback": Action(_("Feed back to the sender"), P.LEAD_RESPOND, "dispatch", f.FeedbackForm,
                                lambda r, u, d: s.do_feedback(r, actor=u, feedback=d["feedback"])),
    "case_check": Action(_("Decide the platform check"), P.CASE_HANDLE, "case", f.CheckForm,
                         lambda r, u, d: s.do_platform_check(r, actor=u, kind=d["kind"], note=d["note"])),
}

# Each step's URL below /leads/ (the paths of the pages they replace).
PATHS: dict[str, str] = {
    "verify": "<int:pk>/verify/", "report_upward": "<int:pk>/report-upward/", "dispatch": "<int:pk>/dispatch/",
    "close": "<int:pk>/close/", "merge": "<int:pk>/merge/", "link": "<int:pk>/link/",
    "dispatch_ack": "dispatch/<int:pk>/acknowledge/", "dispatch_feedback": "dispatch/<int:pk>/feedback/",
    "case_check": "cases/<int:pk>/check/",
}


def _one(queryset: QuerySet[Any], pk: int) -> Any:
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such record in your jurisdiction."))
    return found


def find(model: str, user: User, pk: int) -> tuple[Model, Model]:
    """The record a step works on and the page it returns to; 404 for what the user may not see. A unit a
    lead was dispatched to sees the lead but answers through its dispatch only."""
    if model == "dispatch":
        dispatch: LeadDispatch = _one(LeadDispatch.objects.visible_to(user).select_related("lead", "to_jurisdiction"),
                                      pk)
        return dispatch, dispatch.lead
    if model == "case":
        case: Case = _one(Case.objects.visible_to(user).select_related("platform"), pk)
        return case, case
    lead: Lead = _one(Lead.objects.visible_to(user), pk)
    if not user.can_read_in(lead.jurisdiction):
        raise PermissionDenied(_("Only the unit that owns the lead can do this."))
    return lead, lead


def back(parent: Model) -> str:
    return reverse("leads:case_detail" if isinstance(parent, Case) else "leads:detail", args=[parent.pk])


STEPS = ActionSet(ACTIONS, find=find, back=back, template="leads/step.html")

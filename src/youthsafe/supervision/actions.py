"""Step pages: each step is a small form (GET shows it, POST runs one service and goes back to the record).

One table lists every step with the permission it needs, the record it works on, its form and the service
call, so the URL list, the access matrix and the buttons all come from the same place (as in alerts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from youthsafe.core.access import require
from youthsafe.core.forms import add_service_errors
from youthsafe.core.models import User
from youthsafe.core.roles import Permission
from youthsafe.registry.controls import CONTROLS_BY_ID
from youthsafe.supervision import forms as f
from youthsafe.supervision.models import (
    Assessment,
    AssessmentItem,
    ChecklistItem,
    Inspection,
    RectificationOrder,
    Referral,
    Sanction,
)
from youthsafe.supervision.services import assessments as a
from youthsafe.supervision.services import inspections as i
from youthsafe.supervision.services import orders as o
from youthsafe.supervision.services import referrals as r
from youthsafe.supervision.services import sanctions as s

P = Permission
Run = Callable[[Any, User, dict[str, Any]], object]


@dataclass(frozen=True)
class Action:
    title: str | Promise
    permission: Permission
    model: str  # inspection | item | order | sanction | assessment | aitem | referral
    form: type[forms.Form]
    run: Run
    danger: bool = False
    upload: bool = False


ACTIONS: dict[str, Action] = {
    "inspection_start": Action(_l("Start the inspection"), P.INSPECTION_CONDUCT, "inspection", f.ConfirmForm,
                               lambda x, u, d: i.do_start(x, actor=u)),
    "inspection_item": Action(_l("Record a checklist item"), P.INSPECTION_CONDUCT, "item", f.ItemForm,
                              lambda x, u, d: i.do_record_item(x.inspection, x.control_id, actor=u, result=d["result"],
                                                               note=d["note"], severity=d["severity"])),
    "inspection_pass_rest": Action(_l("Record the remaining items as passed"), P.INSPECTION_CONDUCT, "inspection",
                                   f.NoteForm, lambda x, u, d: i.do_pass_unchecked(x, actor=u, note=d["note"])),
    "inspection_evidence": Action(_l("Add evidence"), P.INSPECTION_CONDUCT, "item", f.EvidenceForm,
                                  lambda x, u, d: i.do_add_evidence(x, actor=u, upload=d["file"], note=d["note"]),
                                  upload=True),
    "inspection_finding": Action(_l("Add a finding"), P.INSPECTION_CONDUCT, "inspection", f.FindingForm,
                                 lambda x, u, d: i.do_add_finding(x, actor=u, severity=d["severity"],
                                                                  description=d["description"],
                                                                  legal_basis=d["legal_basis"])),
    "inspection_complete": Action(_l("Submit for signature"), P.INSPECTION_CONDUCT, "inspection", f.SummaryForm,
                                  lambda x, u, d: i.do_complete(x, actor=u, summary=d["summary"])),
    "inspection_sign": Action(_l("Sign off"), P.INSPECTION_SIGN, "inspection", f.ConfirmForm,
                              lambda x, u, d: i.do_sign(x, actor=u)),
    "inspection_return": Action(_l("Send back for correction"), P.INSPECTION_SIGN, "inspection", f.ReasonForm,
                                lambda x, u, d: i.do_return(x, actor=u, reason=d["reason"])),
    "inspection_cancel": Action(_l("Cancel the inspection"), P.INSPECTION_CONDUCT, "inspection", f.ReasonForm,
                                lambda x, u, d: i.do_cancel(x, actor=u, reason=d["reason"]), danger=True),
    "order_issue": Action(_l("Issue the order"), P.ORDER_ISSUE, "order", f.IssueForm,
                          lambda x, u, d: o.do_issue(x, actor=u, issued_on=d["issued_on"])),
    "order_deliver": Action(_l("Record delivery"), P.ORDER_ISSUE, "order", f.DeliverForm,
                            lambda x, u, d: o.do_deliver(x, actor=u, delivered_on=d["delivered_on"],
                                                         method=d["method"])),
    "order_evidence": Action(_l("Record the platform's evidence"), P.ORDER_ISSUE, "order", f.EvidenceReceivedForm,
                             lambda x, u, d: o.do_receive_evidence(x, actor=u, evidence_on=d["evidence_on"],
                                                                   text=d["text"], upload=d["file"]), upload=True),
    "order_recheck": Action(_l("Record the re-check"), P.ORDER_ISSUE, "order", f.RecheckForm,
                            lambda x, u, d: o.do_recheck(x, actor=u, passed=d["passed"], result=d["result"],
                                                         recheck_on=d["recheck_on"])),
    "order_refuse": Action(_l("Record refusal to rectify"), P.ORDER_ISSUE, "order", f.RefusalForm,
                           lambda x, u, d: o.do_record_refusal(x, actor=u, refused_on=d["refused_on"],
                                                               evidence=d["evidence"], upload=d["file"]),
                           danger=True, upload=True),
    "order_withdraw": Action(_l("Withdraw the order"), P.ORDER_ISSUE, "order", f.ReasonForm,
                             lambda x, u, d: o.do_withdraw(x, actor=u, reason=d["reason"]), danger=True),
    "sanction_approve": Action(_l("Approve"), P.SANCTION_APPROVE, "sanction", f.NoteForm,
                               lambda x, u, d: s.do_approve(x, actor=u, note=d["note"])),
    "sanction_reject": Action(_l("Reject"), P.SANCTION_APPROVE, "sanction", f.NoteForm,
                              lambda x, u, d: s.do_reject(x, actor=u, note=d["note"]), danger=True),
    "sanction_revoke": Action(_l("Revoke the approval"), P.SANCTION_APPROVE, "sanction", f.NoteForm,
                              lambda x, u, d: s.do_revoke(x, actor=u, note=d["note"]), danger=True),
    "sanction_carry_out": Action(_l("Record as carried out"), P.SANCTION_PROPOSE, "sanction", f.DayNoteForm,
                                 lambda x, u, d: s.do_carry_out(x, actor=u, on=d["on"], note=d["note"])),
    "sanction_lift": Action(_l("Lift (reconnect)"), P.SANCTION_PROPOSE, "sanction", f.DayNoteForm,
                            lambda x, u, d: s.do_lift(x, actor=u, on=d["on"], note=d["note"])),
    "sanction_withdraw": Action(_l("Withdraw the proposal"), P.SANCTION_PROPOSE, "sanction", f.NoteForm,
                                lambda x, u, d: s.do_withdraw(x, actor=u, note=d["note"]), danger=True),
    "assessment_report": Action(_l("Record the report"), P.ASSESSMENT_REVIEW, "assessment", f.ReportForm,
                                lambda x, u, d: a.do_receive_report(x, actor=u, received_on=d["received_on"],
                                                                    summary=d["summary"], upload=d["file"]),
                                upload=True),
    "assessment_item": Action(_l("Review an item"), P.ASSESSMENT_REVIEW, "aitem", f.ReviewItemForm,
                              lambda x, u, d: a.do_review_item(x.assessment, x.control_id, actor=u,
                                                               result=d["result"], note=d["note"])),
    "assessment_verdict": Action(_l("Give the verdict"), P.ASSESSMENT_REVIEW, "assessment", f.VerdictForm,
                                 lambda x, u, d: a.do_verdict(x, actor=u, verdict=d["verdict"], note=d["note"],
                                                              on=d["on"])),
    "assessment_cancel": Action(_l("Cancel the assessment"), P.ASSESSMENT_REVIEW, "assessment", f.ReasonForm,
                                lambda x, u, d: a.do_cancel(x, actor=u, reason=d["reason"]), danger=True),
    "referral_dismiss": Action(_l("Dismiss the referral"), P.INSPECTION_CONDUCT, "referral", f.DismissForm,
                               lambda x, u, d: r.do_dismiss(x, actor=u, note=d["note"]), danger=True),
}
_MODELS: dict[str, Any] = {"inspection": Inspection, "order": RectificationOrder, "sanction": Sanction,
                           "assessment": Assessment, "referral": Referral}
_PARENT: dict[str, tuple[Any, str]] = {"item": (ChecklistItem, "inspection"), "aitem": (AssessmentItem, "assessment")}
_DETAIL = {"inspection": "supervision:inspection_detail", "order": "supervision:order_detail",
           "sanction": "supervision:sanction_detail", "assessment": "supervision:assessment_detail",
           "referral": "supervision:referral_detail"}


def find(model: str, user: User, pk: int) -> tuple[Model, Model]:
    """(the record the step works on, the record whose page it returns to) if the user may see them; 404
    otherwise (records of other jurisdictions are not revealed to exist)."""
    if model in _PARENT:
        child_model, parent = _PARENT[model]
        visible = _MODELS[parent].objects.visible_to(user)
        child = child_model.objects.filter(pk=pk, **{f"{parent}__in": visible}).select_related(parent).first()
        if child is None:
            raise Http404(_("No such record in your jurisdiction."))
        return child, getattr(child, parent)
    obj = _MODELS[model].objects.visible_to(user).filter(pk=pk).first()
    if obj is None:
        raise Http404(_("No such record in your jurisdiction."))
    return obj, obj


def parent_kind(model: str) -> str:
    return _PARENT[model][1] if model in _PARENT else model


def _form(action: Action, request: HttpRequest, obj: Model) -> forms.Form:
    if request.method == "POST":
        return action.form(request.POST, request.FILES if action.upload else None)
    initial: dict[str, Any] = {}
    today = timezone.localdate()
    for name, field in action.form.base_fields.items():
        if isinstance(field, forms.DateField):
            initial[name] = today
    if isinstance(obj, ChecklistItem | AssessmentItem):
        initial.update(result=obj.result if obj.result != "unchecked" else "passed", note=obj.note)
    return action.form(initial=initial)


def action_view(request: HttpRequest, pk: int, name: str) -> HttpResponseBase:
    """GET: the form of one step; POST: run it, then back to the record with a message."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    action = ACTIONS[name]
    user = require(request.user, action.permission)
    obj, parent = find(action.model, user, pk)
    form = _form(action, request, obj)
    if request.method == "POST" and form.is_valid():
        try:
            action.run(obj, user, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Done: %(step)s.") % {"step": action.title})
            return redirect(_DETAIL[parent_kind(action.model)], pk=parent.pk)
    control = CONTROLS_BY_ID.get(getattr(obj, "control_id", ""))
    return render(request, "supervision/action.html", {
        "form": form, "action": action, "obj": obj, "parent": parent, "control": control,
        "back": _DETAIL[parent_kind(action.model)]})


def page(name: str) -> Callable[..., HttpResponseBase]:
    """A view for one step (its own URL name, so the access matrix lists each)."""

    def view(request: HttpRequest, pk: int) -> HttpResponseBase:
        return action_view(request, pk, name)

    view.__name__ = f"action_{name}"
    view.required_permission = ACTIONS[name].permission  # type: ignore[attr-defined]
    return view

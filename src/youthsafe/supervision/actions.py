"""The supervision steps as core step pages (``core.actions``): each is a small form; GET shows it, POST runs
one service and goes back to the record. The table lists every step with the permission it needs, the record
it works on, its form and the service call, so the URL list, the access matrix and the buttons all come from
the same place. A checklist item's step names its control under the title (the template extends core's).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import Model
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from youthsafe.core.actions import Action, ActionSet, Run
from youthsafe.core.models import User
from youthsafe.core.roles import Permission
from youthsafe.registry.controls import CONTROLS_BY_ID
from youthsafe.supervision import forms as f
from youthsafe.supervision.models import (
    Assessment,
    AssessmentItem,
    ChecklistItem,
    Inspection,
    ItemResult,
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


def _initial(form: type[forms.Form]) -> Callable[[Model], dict[str, Any]]:
    """What a step's form shows first: today in its date fields; a checklist or assessment item's answer so far
    (passed when none yet)."""
    dates = [name for name, field in form.base_fields.items() if isinstance(field, forms.DateField)]

    def initial(obj: Model) -> dict[str, Any]:
        values: dict[str, Any] = dict.fromkeys(dates, timezone.localdate())
        if isinstance(obj, ChecklistItem | AssessmentItem):
            values.update(result=obj.result if obj.result != ItemResult.UNCHECKED else ItemResult.PASSED,
                          note=obj.note)
        return values

    return initial


def _step(title: str | Promise, permission: Permission, model: str, form: type[forms.Form], run: Run,
          **options: Any) -> Action:
    """One step; ``model`` is the record it works on: inspection | item | order | sanction | assessment | aitem
    | referral."""
    return Action(title, permission, model, form, run, initial=_initial(form), **options)


ACTIONS: dict[str, Action] = {
    "inspection_start": _step(_l("Start the inspection"), P.INSPECTION_CONDUCT, "inspection", f.ConfirmForm,
                              lambda x, u, d: i.do_start(x, actor=u)),
    "inspection_item": _step(_l("Record a checklist item"), P.INSPECTION_CONDUCT, "item", f.ItemForm,
                             lambda x, u, d: i.do_record_item(x.inspection, x.control_id, actor=u, result=d["result"],
                                                              note=d["note"], severity=d["severity"])),
    "inspection_pass_rest": _step(_l("Record the remaining items as passed"), P.INSPECTION_CONDUCT, "inspection",
                                  f.NoteForm, lambda x, u, d: i.do_pass_unchecked(x, actor=u, note=d["note"])),
    "inspection_evidence": _step(_l("Add evidence"), P.INSPECTION_CONDUCT, "item", f.EvidenceForm,
                                 lambda x, u, d: i.do_add_evidence(x, actor=u, upload=d["file"], note=d["note"]),
                                 upload=True),
    "inspection_finding": _step(_l("Add a finding"), P.INSPECTION_CONDUCT, "inspection", f.FindingForm,
                                lambda x, u, d: i.do_add_finding(x, actor=u, severity=d["severity"],
                                                                 description=d["description"],
                                                                 legal_basis=d["legal_basis"])),
    "inspection_complete": _step(_l("Submit for signature"), P.INSPECTION_CONDUCT, "inspection", f.SummaryForm,
                                 lambda x, u, d: i.do_complete(x, actor=u, summary=d["summary"])),
    "inspection_sign": _step(_l("Sign off"), P.INSPECTION_SIGN, "inspection", f.ConfirmForm,
                             lambda x, u, d: i.do_sign(x, actor=u)),
    "inspection_return": _step(_l("Send back for correction"), P.INSPECTION_SIGN, "inspection", f.ReasonForm,
                               lambda x, u, d: i.do_return(x, actor=u, reason=d["reason"])),
    "inspection_cancel": _step(_l("Cancel the inspection"), P.INSPECTION_CONDUCT, "inspection", f.ReasonForm,
                               lambda x, u, d: i.do_cancel(x, actor=u, reason=d["reason"]), danger=True),
    "order_issue": _step(_l("Issue the order"), P.ORDER_ISSUE, "order", f.IssueForm,
                         lambda x, u, d: o.do_issue(x, actor=u, issued_on=d["issued_on"])),
    "order_deliver": _step(_l("Record delivery"), P.ORDER_ISSUE, "order", f.DeliverForm,
                           lambda x, u, d: o.do_deliver(x, actor=u, delivered_on=d["delivered_on"],
                                                        method=d["method"])),
    "order_evidence": _step(_l("Record the platform's evidence"), P.ORDER_ISSUE, "order", f.EvidenceReceivedForm,
                            lambda x, u, d: o.do_receive_evidence(x, actor=u, evidence_on=d["evidence_on"],
                                                                  text=d["text"], upload=d["file"]), upload=True),
    "order_recheck": _step(_l("Record the re-check"), P.ORDER_ISSUE, "order", f.RecheckForm,
                           lambda x, u, d: o.do_recheck(x, actor=u, passed=d["passed"], result=d["result"],
                                                        recheck_on=d["recheck_on"])),
    "order_refuse": _step(_l("Record refusal to rectify"), P.ORDER_ISSUE, "order", f.RefusalForm,
                          lambda x, u, d: o.do_record_refusal(x, actor=u, refused_on=d["refused_on"],
                                                              evidence=d["evidence"], upload=d["file"]),
                          danger=True, upload=True),
    "order_withdraw": _step(_l("Withdraw the order"), P.ORDER_ISSUE, "order", f.ReasonForm,
                            lambda x, u, d: o.do_withdraw(x, actor=u, reason=d["reason"]), danger=True),
    "sanction_approve": _step(_l("Approve"), P.SANCTION_APPROVE, "sanction", f.NoteForm,
                              lambda x, u, d: s.do_approve(x, actor=u, note=d["note"])),
    "sanction_reject": _step(_l("Reject"), P.SANCTION_APPROVE, "sanction", f.NoteForm,
                             lambda x, u, d: s.do_reject(x, actor=u, note=d["note"]), danger=True),
    "sanction_revoke": _step(_l("Revoke the approval"), P.SANCTION_APPROVE, "sanction", f.NoteForm,
                             lambda x, u, d: s.do_revoke(x, actor=u, note=d["note"]), danger=True),
    "sanction_carry_out": _step(_l("Record as carried out"), P.SANCTION_PROPOSE, "sanction", f.DayNoteForm,
                                lambda x, u, d: s.do_carry_out(x, actor=u, on=d["on"], note=d["note"])),
    "sanction_lift": _step(_l("Lift (reconnect)"), P.SANCTION_PROPOSE, "sanction", f.DayNoteForm,
                           lambda x, u, d: s.do_lift(x, actor=u, on=d["on"], note=d["note"])),
    "sanction_withdraw": _step(_l("Withdraw the proposal"), P.SANCTION_PROPOSE, "sanction", f.NoteForm,
                               lambda x, u, d: s.do_withdraw(x, actor=u, note=d["note"]), danger=True),
    "assessment_report": _step(_l("Record the report"), P.ASSESSMENT_REVIEW, "assessment", f.ReportForm,
                               lambda x, u, d: a.do_receive_report(x, actor=u, received_on=d["received_on"],
                                                                   summary=d["summary"], upload=d["file"]),
                               upload=True),
    "assessment_item": _step(_l("Review an item"), P.ASSESSMENT_REVIEW, "aitem", f.ReviewItemForm,
                             lambda x, u, d: a.do_review_item(x.assessment, x.control_id, actor=u,
                                                              result=d["result"], note=d["note"])),
    "assessment_verdict": _step(_l("Give the verdict"), P.ASSESSMENT_REVIEW, "assessment", f.VerdictForm,
                                lambda x, u, d: a.do_verdict(x, actor=u, verdict=d["verdict"], note=d["note"],
                                                             on=d["on"])),
    "assessment_cancel": _step(_l("Cancel the assessment"), P.ASSESSMENT_REVIEW, "assessment", f.ReasonForm,
                               lambda x, u, d: a.do_cancel(x, actor=u, reason=d["reason"]), danger=True),
    "referral_dismiss": _step(_l("Dismiss the referral"), P.INSPECTION_CONDUCT, "referral", f.DismissForm,
                              lambda x, u, d: r.do_dismiss(x, actor=u, note=d["note"]), danger=True),
}
_MODELS: dict[str, Any] = {"inspection": Inspection, "order": RectificationOrder, "sanction": Sanction,
                           "assessment": Assessment, "referral": Referral}
_PARENT: dict[str, tuple[Any, str]] = {"item": (ChecklistItem, "inspection"), "aitem": (AssessmentItem, "assessment")}
_DETAIL: dict[type[Model], str] = {
    Inspection: "supervision:inspection_detail", RectificationOrder: "supervision:order_detail",
    Sanction: "supervision:sanction_detail", Assessment: "supervision:assessment_detail",
    Referral: "supervision:referral_detail"}


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


def back(parent: Model) -> str:
    return reverse(_DETAIL[type(parent)], args=[parent.pk])


def control_of(obj: Model, parent: Model) -> dict[str, Any]:
    """The control a checklist or assessment item step is about (its title and legal basis under the title)."""
    return {"control": CONTROLS_BY_ID.get(getattr(obj, "control_id", ""))}


STEPS = ActionSet(ACTIONS, find=find, back=back, template="supervision/action.html", context=control_of,
                  extra={"nav": "supervision/_nav.html"})

"""The alert steps as core step pages (core.actions): each is a small form; GET shows it, POST runs one service
and goes back to the alert. The table lists every step with the permission it needs, the record it works on
(alert, dispatch, identity request, follow-up), its form and the service call, so the URL list, the access
matrix and the buttons all come from the same place.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from youthsafe.alerts import forms as f
from youthsafe.alerts import services as s
from youthsafe.alerts.models import Alert, AlertPerson, Dispatch, FollowUp, IdentityRequest
from youthsafe.core.actions import Action, ActionSet
from youthsafe.core.models import User
from youthsafe.core.roles import Permission
from youthsafe.pipeline.models import Post
from youthsafe.registry.models import Platform

P = Permission


def _label(alert: Alert, user: User, d: dict[str, Any]) -> object:
    post = Post.objects.filter(pk=d["post"]).first()
    if post is None:
        raise ValidationError(_("This post is not part of the alert."))
    return s.do_label_post(alert, post, actor=user, kind=d["kind"], value=d["value"], note=d["note"])


def _person(alert: Alert, pk: int) -> AlertPerson:
    person = alert.people.filter(pk=pk).first()
    if person is None:
        raise ValidationError(_("This person is not part of the alert."))
    return person


# --- Choices that depend on the alert ------------------------------------------------------------------------
def _identity_choices(form: forms.Form, alert: Model, user: User) -> None:
    assert isinstance(alert, Alert)  # noqa: S101  (the table says so)
    form.fields["platform"].queryset = Platform.objects.visible_to(user)  # type: ignore[attr-defined]
    authors = alert.people.values_list("author_key", flat=True)
    form.fields["author_key"].choices = [("", "—"), *((a, a[:12]) for a in authors)]  # type: ignore[attr-defined]


def _person_choices(form: forms.Form, alert: Model, user: User) -> None:
    assert isinstance(alert, Alert)  # noqa: S101  (the table says so)
    form.fields["person"].choices = [  # type: ignore[attr-defined]
        (p.pk, f"{p.author_key[:8]} · {p.get_role_display()} · {p.get_age_band_display()}")
        for p in alert.people.all()]


def _post_choices(form: forms.Form, alert: Model, user: User) -> None:
    assert isinstance(alert, Alert)  # noqa: S101  (the table says so)
    choices = [(p.post_id, p.post.text[:40]) for p in alert.posts.select_related("post")]
    form.fields["post"] = forms.TypedChoiceField(label=_("Post"), choices=choices, coerce=int)


ACTIONS: dict[str, Action] = {
    "claim": Action(_l("Claim"), P.ALERT_REVIEW, "alert", f.ConfirmForm,
                    lambda a, u, d: s.do_claim(a, actor=u, override=True)),
    "release": Action(_l("Release the claim"), P.ALERT_REVIEW, "alert", f.ConfirmForm,
                      lambda a, u, d: s.do_release(a, actor=u)),
    "acknowledge": Action(_l("Acknowledge"), P.ALERT_REVIEW, "alert", f.NoteForm,
                          lambda a, u, d: s.do_acknowledge(a, actor=u, reason=d["reason"])),
    "dispatch": Action(_l("Dispatch to a unit"), P.ALERT_DISPATCH, "alert", f.DispatchForm,
                       lambda a, u, d: s.do_dispatch(a, actor=u, to=d["to_jurisdiction"],
                                                     shared_note=d["shared_note"])),
    "intervene": Action(_l("Start intervention"), P.ALERT_OUTCOME, "alert", f.ReasonForm,
                        lambda a, u, d: s.do_start_intervention(a, actor=u, reason=d["reason"])),
    "outcome": Action(_l("Record an outcome"), P.ALERT_OUTCOME, "alert", f.OutcomeForm,
                      lambda a, u, d: s.do_record_outcome(a, actor=u, kind=d["kind"], note=d["note"],
                                                          resolve=d["resolve"])),
    "resolve": Action(_l("Resolve"), P.ALERT_OUTCOME, "alert", f.ReasonForm,
                      lambda a, u, d: s.do_resolve(a, actor=u, reason=d["reason"])),
    "close": Action(_l("Close"), P.ALERT_REVIEW, "alert", f.ReasonForm,
                    lambda a, u, d: s.do_close(a, actor=u, reason=d["reason"]), danger=True),
    "reopen": Action(_l("Reopen"), P.ALERT_REVIEW, "alert", f.ReasonForm,
                     lambda a, u, d: s.do_reopen(a, actor=u, reason=d["reason"])),
    "identity": Action(_l("Request identity from the platform"), P.ALERT_DISPATCH, "alert", f.IdentityForm,
                       lambda a, u, d: s.do_request_identity(
                           a, actor=u, legal_basis=d["legal_basis"], platform=d["platform"],
                           platform_name=d["platform_name"], author_key=d["author_key"]),
                       prepare=_identity_choices),
    "label": Action(_l("Label a post"), P.ALERT_REVIEW, "alert", f.LabelForm, _label, prepare=_post_choices),
    "age_band": Action(_l("Record whether a person is a minor"), P.ALERT_OUTCOME, "alert", f.AgeBandForm,
                       lambda a, u, d: s.do_set_age_band(_person(a, d["person"]), actor=u, band=d["band"],
                                                         reason=d["reason"]),
                       prepare=_person_choices),
    "identity_response": Action(_l("Record the platform's response"), P.ALERT_DISPATCH, "identity",
                                f.IdentityResponseForm,
                                lambda r, u, d: s.do_record_identity_response(r, actor=u, response=d["response"],
                                                                              refused=d["refused"])),
    "dispatch_ack": Action(_l("Acknowledge the dispatch"), P.ALERT_RESPOND, "dispatch", f.ConfirmForm,
                           lambda r, u, d: s.do_acknowledge_dispatch(r, actor=u)),
    "report": Action(_l("Report back"), P.ALERT_RESPOND, "dispatch", f.ReportForm,
                     lambda r, u, d: s.do_report_back(r, actor=u, report=d["report"])),
    "follow_up": Action(_l("Complete the follow-up"), P.ALERT_OUTCOME, "followup", f.FollowUpForm,
                        lambda r, u, d: s.do_complete_follow_up(r, actor=u, result=d["result"])),
}


def find(model: str, user: User, pk: int) -> Model:
    """The record a step works on, if the user may see it; 404 otherwise (existence is not revealed)."""
    owned = Alert.objects.owned_by(user)
    querysets: dict[str, Any] = {
        "alert": Alert.objects.visible_to(user).select_related("jurisdiction"),
        "dispatch": Dispatch.objects.visible_to(user).select_related("alert", "to_jurisdiction"),
        "identity": IdentityRequest.objects.filter(alert__in=owned).select_related("alert"),
        "followup": FollowUp.objects.filter(alert__in=Alert.objects.visible_to(user)).select_related("alert"),
    }
    obj: Model | None = querysets[model].filter(pk=pk).first()
    if obj is None:
        raise Http404(_("No such record in your jurisdiction."))
    return obj


def _with_alert(model: str, user: User, pk: int) -> tuple[Model, Model]:
    obj = find(model, user, pk)
    return obj, obj if isinstance(obj, Alert) else obj.alert  # type: ignore[attr-defined]


STEPS = ActionSet(ACTIONS, find=_with_alert, back=lambda alert: reverse("alerts:detail", args=[alert.pk]))

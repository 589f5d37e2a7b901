"""Action pages: each step is a small form (GET shows it, POST runs one service and goes back to the alert).

One table lists every action with the permission it needs, the record it works on, its form and the service
call, so the URL list, the access matrix and the buttons all come from the same place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Model, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from youthsafe.alerts import forms as f
from youthsafe.alerts import services as s
from youthsafe.alerts.models import Alert, AlertPerson, Dispatch, FollowUp, IdentityRequest
from youthsafe.core.access import require
from youthsafe.core.models import User
from youthsafe.core.roles import Permission
from youthsafe.pipeline.models import Post
from youthsafe.registry.models import Platform

P = Permission
Run = Callable[[Any, User, dict[str, Any]], object]


@dataclass(frozen=True)
class Action:
    title: str | Promise
    permission: Permission
    model: str  # alert | dispatch | identity | followup
    form: type[forms.Form]
    run: Run
    danger: bool = False


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
                           platform_name=d["platform_name"], author_key=d["author_key"])),
    "label": Action(_l("Label a post"), P.ALERT_REVIEW, "alert", f.LabelForm, _label),
    "age_band": Action(_l("Record whether a person is a minor"), P.ALERT_OUTCOME, "alert", f.AgeBandForm,
                       lambda a, u, d: s.do_set_age_band(_person(a, d["person"]), actor=u, band=d["band"],
                                                         reason=d["reason"])),
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
    """The record an action works on, if the user may see it; 404 otherwise (existence is not revealed)."""
    owned = Alert.objects.owned_by(user)
    place = user.jurisdiction.path if user.jurisdiction else "\x00"
    querysets: dict[str, Any] = {
        "alert": Alert.objects.visible_to(user).select_related("jurisdiction"),
        "dispatch": Dispatch.objects.filter(Q(to_jurisdiction__path__startswith=place) | Q(alert__in=owned))
        .select_related("alert", "to_jurisdiction"),
        "identity": IdentityRequest.objects.filter(alert__in=owned).select_related("alert"),
        "followup": FollowUp.objects.filter(alert__in=Alert.objects.visible_to(user)).select_related("alert"),
    }
    obj: Model | None = querysets[model].filter(pk=pk).first()
    if obj is None:
        raise Http404(_("No such record in your jurisdiction."))
    return obj


def _form(action: Action, name: str, request: HttpRequest, obj: Model) -> forms.Form:
    data = request.POST if request.method == "POST" else None
    if name == "identity":
        assert isinstance(obj, Alert)  # noqa: S101  (the table says so)
        return f.IdentityForm(data, platforms=Platform.objects.visible_to(request.user),
                              authors=list(obj.people.values_list("author_key", flat=True)))
    form = action.form(data)
    if name == "age_band":
        assert isinstance(obj, Alert)  # noqa: S101  (the table says so)
        form.fields["person"].choices = [  # type: ignore[attr-defined]
            (p.pk, f"{p.author_key[:8]} · {p.get_role_display()} · {p.get_age_band_display()}")
            for p in obj.people.all()]
    if name == "label":
        assert isinstance(obj, Alert)  # noqa: S101  (the table says so)
        choices = [(p.post_id, p.post.text[:40]) for p in obj.posts.select_related("post")]
        form.fields["post"] = forms.TypedChoiceField(label=_("Post"), choices=choices, coerce=int)
    return form


def action_view(request: HttpRequest, pk: int, name: str) -> HttpResponseBase:
    """GET: the form of one step; POST: run it, then back to the alert with a message."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    action = ACTIONS[name]
    user = require(request.user, action.permission)
    obj = find(action.model, user, pk)
    alert = obj if isinstance(obj, Alert) else obj.alert  # type: ignore[attr-defined]
    form = _form(action, name, request, obj)
    if request.method == "POST" and form.is_valid():
        try:
            action.run(obj, user, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Done: %(step)s.") % {"step": action.title})
            return redirect("alerts:detail", pk=alert.pk)
    return render(request, "alerts/action.html", {"form": form, "action": action, "alert": alert, "obj": obj},
                  status=200)


def page(name: str) -> Callable[..., HttpResponseBase]:
    """A view for one action (its own URL name, so the access matrix lists each)."""

    def view(request: HttpRequest, pk: int) -> HttpResponseBase:
        return action_view(request, pk, name)

    view.__name__ = f"action_{name}"
    view.required_permission = ACTIONS[name].permission  # type: ignore[attr-defined]
    return view


__all__ = ["ACTIONS", "HttpResponse", "page"]

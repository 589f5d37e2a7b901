"""Forms of the alert pages. Steps that change a person's or a platform's situation require a reason."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from youthsafe.alerts.models import AgeBand, AlertStatus, LabelKind, OutcomeKind
from youthsafe.core import inputrule
from youthsafe.core.models import Jurisdiction
from youthsafe.registry.models import Platform

DEFAULT_LEGAL_BASIS = "《网络安全法》第28条 / 公安机关调证"
TEXT_MAX_LENGTH = 4000  # reasons, notes, reports: the same limit on the pages and in the API


def _text(label: Any, *, required: bool = True, rows: int = 3, initial: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=TEXT_MAX_LENGTH, initial=initial,
                           widget=forms.Textarea(attrs={"rows": rows}))


class ConfirmForm(inputrule.Form):
    """A step that needs no input (claim, release, acknowledge a dispatch)."""


class NoteForm(inputrule.Form):
    reason = _text(_("Note (optional)"), required=False, rows=2)


class ReasonForm(inputrule.Form):
    reason = _text(_("Reason"))


class DispatchForm(inputrule.Form):
    to_jurisdiction = forms.ModelChoiceField(label=_("Responding unit"), queryset=Jurisdiction.objects.all())
    shared_note = _text(_("Note shared with the unit"), rows=4)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_jurisdiction"].help_text = _("Any unit, including another city. It sees only this note, "
                                                     "the level, the categories and the posts with their evidence.")


class OutcomeForm(inputrule.Form):
    kind = forms.ChoiceField(label=_("Outcome"), choices=OutcomeKind.choices)
    note = _text(_("What happened"))
    resolve = forms.BooleanField(label=_("Resolve the alert with this outcome"), required=False, initial=True)


class IdentityForm(inputrule.Form):
    """``platform`` and ``author_key`` choices are set for the alert and the reader (actions.py)."""

    platform = forms.ModelChoiceField(label=_("Platform (registry)"), queryset=Platform.objects.none(),
                                      required=False)
    platform_name = forms.CharField(label=_("Or platform name"), required=False, max_length=200)
    author_key = forms.ChoiceField(label=_("Account (pseudonym)"), required=False, choices=[])
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=300, initial=DEFAULT_LEGAL_BASIS)


class IdentityResponseForm(inputrule.Form):
    response = _text(_("Response of the platform"))
    refused = forms.BooleanField(label=_("The platform refused"), required=False)


class LabelForm(inputrule.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=LabelKind.choices)
    value = forms.CharField(label=_("Label (level 0-10 or category id)"), max_length=16)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class ReportForm(inputrule.Form):
    report = _text(_("Report to the sending unit"), rows=4)


class FollowUpForm(inputrule.Form):
    result = _text(_("How is the person?"))


class AgeBandForm(inputrule.Form):
    """Whether a person at risk is a minor, for the statistics; ``person`` choices are the alert's people."""

    person = forms.TypedChoiceField(label=_("Person at risk"), choices=[], coerce=int)
    band = forms.ChoiceField(label=_("Age band"), choices=AgeBand.choices)
    reason = _text(_("How is it known (school, guardian, police check)?"), rows=2)


class QueueFilterForm(inputrule.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Open")), ("all", _("All")), *AlertStatus.choices])
    level = forms.IntegerField(label=_("Level at least"), required=False, min_value=0, max_value=10)
    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), required=False, queryset=Jurisdiction.objects.none(),
                                          empty_label=_("All"))

    def __init__(self, *args: Any, jurisdictions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if jurisdictions is not None:
            self.fields["jurisdiction"].queryset = jurisdictions  # type: ignore[attr-defined]

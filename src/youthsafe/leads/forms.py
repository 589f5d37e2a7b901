"""Forms of the lead pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from youthsafe.core import inputrule
from youthsafe.core.models import Jurisdiction, User
from youthsafe.leads.models import Lead, LeadSource, LeadStatus
from youthsafe.registry.models import Platform


def _area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class LeadForm(inputrule.Form):
    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=Jurisdiction.objects.none())
    source = forms.ChoiceField(label=_("Came from"), choices=LeadSource.choices)
    source_detail = forms.CharField(label=_("From (notice number, unit)"), max_length=200, required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), max_length=5000, widget=_area(5))
    platform = forms.ModelChoiceField(label=_("Platform"), queryset=Platform.objects.order_by("name"), required=False)

    def __init__(self, *args: Any, jurisdictions: QuerySet[Jurisdiction], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = jurisdictions  # type: ignore[attr-defined]


class VerifyForm(inputrule.Form):
    founded = forms.TypedChoiceField(label=_("Result"), coerce=lambda v: v == "yes", choices=[
        ("yes", _("Founded: verified")), ("no", _("Unfounded"))])
    note = forms.CharField(label=_("What was checked"), max_length=2000, widget=_area())


class NoteForm(inputrule.Form):
    note = forms.CharField(label=_("Note"), max_length=2000, widget=_area())


class DispatchForm(inputrule.Form):
    to = forms.ModelChoiceField(label=_("Dispatch to"), queryset=Jurisdiction.objects.all())
    instructions = forms.CharField(label=_("What the unit should do"), max_length=2000, widget=_area())


class AckForm(inputrule.Form):
    note = forms.CharField(label=_("Note (optional)"), max_length=2000, required=False)


class FeedbackForm(inputrule.Form):
    feedback = forms.CharField(label=_("What was done"), max_length=5000, widget=_area(5))


class OutcomeForm(inputrule.Form):
    outcome = forms.CharField(label=_("Outcome"), max_length=2000, widget=_area())


class MergeForm(inputrule.Form):
    """The leads to merge into are set for the user and the duplicate (``for_lead``)."""

    into = forms.ModelChoiceField(label=_("Merge into"), queryset=Lead.objects.none())
    reason = forms.CharField(label=_("Why these are the same lead"), max_length=2000, widget=_area())

    def for_lead(self, lead: Lead, user: User) -> None:
        others = Lead.objects.changeable_by(user).exclude(pk=lead.pk).exclude(status=LeadStatus.MERGED)
        self.fields["into"].queryset = others  # type: ignore[attr-defined]


class LinkForm(inputrule.Form):
    items = forms.CharField(label=_("Content item ids (comma separated)"), max_length=500, required=False)
    alerts = forms.CharField(label=_("Alert ids (comma separated)"), max_length=500, required=False)
    platform = forms.ModelChoiceField(label=_("Platform"), queryset=Platform.objects.order_by("name"), required=False)

    def _ids(self, name: str) -> list[int]:
        raw = self.cleaned_data.get(name) or ""
        parts = [p.strip().removeprefix("HI-").split("-")[-1] for p in raw.replace("，", ",").split(",") if p.strip()]
        if not all(p.isdigit() for p in parts):
            raise forms.ValidationError(_("Give numbers separated by commas."))
        return [int(p) for p in parts]

    def clean_items(self) -> list[int]:
        return self._ids("items")

    def clean_alerts(self) -> list[int]:
        return self._ids("alerts")


class CaseForm(inputrule.Form):
    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=Jurisdiction.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    offender = forms.CharField(label=_("Offender (account or pseudonym)"), max_length=200)
    summary = forms.CharField(label=_("What the offender did"), max_length=5000, widget=_area(4))
    platform = forms.ModelChoiceField(label=_("Platform or access provider that enabled it"),
                                      queryset=Platform.objects.order_by("name"))
    platform_failure = forms.CharField(label=_("What the platform failed to do"), max_length=2000, widget=_area())

    def __init__(self, *args: Any, jurisdictions: QuerySet[Jurisdiction], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = jurisdictions  # type: ignore[attr-defined]


class CheckForm(inputrule.Form):
    kind = forms.ChoiceField(label=_("Result of the platform check"), choices=[
        ("inspection", _("Refer to supervision: inspection")),
        ("rectification", _("Refer to supervision: rectification order")),
        ("no_issue", _("No failure found"))])
    note = forms.CharField(label=_("What was checked and why"), max_length=2000, widget=_area())

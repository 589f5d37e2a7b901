"""Forms of the outreach pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from youthsafe.core import inputrule, uploads
from youthsafe.core.models import Jurisdiction
from youthsafe.outreach.models import TEXT_MAX_LENGTH, EventKind, EventStatus, MaterialKind, OutreachEvent

MATERIAL_FIELDS = {kind: f"material_{kind}" for kind in MaterialKind.values}


def _formfield(field: Any, **kwargs: Any) -> forms.Field | None:
    if field.name in TEXT_MAX_LENGTH:  # free text has the same limit on the page as in the API
        kwargs["max_length"] = TEXT_MAX_LENGTH[field.name]
    result: forms.Field | None = field.formfield(**kwargs)
    return result


class DateInput(forms.DateInput):
    input_type = "date"


class EventForm(inputrule.ModelForm[OutreachEvent]):
    held = forms.BooleanField(label=_("Already held (record the audience and materials now)"), required=False,
                              initial=True)

    class Meta:
        model = OutreachEvent
        fields = ("kind", "title", "held_on", "jurisdiction", "venue", "at_school", "partner", "audience",
                  "summary", "follow_up", "follow_up_due")
        formfield_callback = _formfield
        widgets: dict[str, Any] = {
            "held_on": DateInput(), "follow_up_due": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 3}), "follow_up": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts: dict[str, Any] = {
            "audience": _("People present; for online campaigns and media posts, the reach (views) reported."),
            "partner": _("For example the education bureau, a school, the Communist Youth League, the CAC office."),
            "follow_up_due": _("When the follow-up (feedback, second visit) is due; leave empty if none."),
        }

    def __init__(self, *args: Any, jurisdictions: Any = None, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if jurisdictions is not None:
            self.fields["jurisdiction"].queryset = jurisdictions  # type: ignore[attr-defined]
        if not creating:
            del self.fields["held"]
        for kind, label in MaterialKind.choices:
            initial = 0
            if self.instance.pk:
                initial = sum(m.quantity for m in self.instance.materials.all() if m.kind == kind)
            self.fields[MATERIAL_FIELDS[kind]] = forms.IntegerField(
                label=_("Handed out: %(kind)s") % {"kind": label}, min_value=0, max_value=10_000_000,
                initial=initial, required=False)

    def materials(self) -> dict[str, int]:
        return {kind: int(self.cleaned_data.get(field) or 0) for kind, field in MATERIAL_FIELDS.items()}


class FilterForm(inputrule.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *EventKind.choices])
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *EventStatus.choices])
    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), required=False,
                                          queryset=Jurisdiction.objects.none())
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args: Any, jurisdictions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if jurisdictions is not None:
            self.fields["jurisdiction"].queryset = jurisdictions  # type: ignore[attr-defined]


class HeldForm(inputrule.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    audience = forms.IntegerField(label=_("Audience"), min_value=0, max_value=100_000_000)
    brochures = forms.IntegerField(label=_("Brochures handed out"), min_value=0, max_value=10_000_000,
                                   required=False)


class ReasonForm(inputrule.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class FollowUpForm(inputrule.Form):
    note = forms.CharField(label=_("What the follow-up found"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class AttachmentForm(inputrule.Form):
    file = uploads.PolicyFileField(label=_("Photo, slides or document"), policy=uploads.OUTREACH)

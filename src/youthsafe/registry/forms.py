"""Forms of the registry pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from youthsafe.core import inputrule, uploads
from youthsafe.core.models import Jurisdiction
from youthsafe.registry.controls import CONTROLS, GROUP_LABELS
from youthsafe.registry.filters import SORTS
from youthsafe.registry.models import NOTES_MAX_LENGTH, ControlStatus, Platform, PlatformKind, PlatformStatus
from youthsafe.registry.services import EDITABLE_FIELDS


def _formfield(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    # Addresses typed without a scheme are taken as https (Django 6's default, chosen now).
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    if isinstance(field, models.TextField):  # free text has a limit on the page as in the API
        kwargs.setdefault("max_length", NOTES_MAX_LENGTH)
    return field.formfield(**kwargs)


class PlatformForm(inputrule.ModelForm[Platform]):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=500)

    class Meta:
        model = Platform
        fields = EDITABLE_FIELDS
        formfield_callback = _formfield
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, jurisdictions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if jurisdictions is not None:
            self.fields["jurisdiction"].queryset = jurisdictions  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["reason"]

    def _post_clean(self) -> None:
        # Model validation runs in the service (it also checks jurisdiction rights); the form only checks
        # field formats here so the service gets typed data and reports the rest.
        pass


class ControlsForm(inputrule.Form):
    """One status and one evidence field per baseline control, grouped as in controls.py."""

    checked_at = forms.DateField(label=_("Checked on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, current: dict[str, tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = current or {}
        for control in CONTROLS:
            status, evidence = current.get(control.id, (ControlStatus.UNKNOWN, ""))
            self.fields[f"s_{control.id}"] = forms.ChoiceField(
                label=control.title, choices=ControlStatus.choices, initial=status
            )
            self.fields[f"e_{control.id}"] = forms.CharField(
                label=_("Evidence"), required=False, max_length=2000, initial=evidence,
                widget=forms.TextInput(attrs={"placeholder": _("document, screenshot, note")}),
            )

    def groups(self) -> list[dict[str, Any]]:
        rows: dict[str, list[dict[str, Any]]] = {}
        for control in CONTROLS:
            rows.setdefault(control.group, []).append(
                {"control": control, "status": self[f"s_{control.id}"], "evidence": self[f"e_{control.id}"]}
            )
        return [{"label": GROUP_LABELS[g], "rows": r} for g, r in rows.items()]

    def states(self) -> dict[str, tuple[str, str]]:
        return {c.id: (self.cleaned_data[f"s_{c.id}"], self.cleaned_data[f"e_{c.id}"]) for c in CONTROLS}




class PlatformFilterForm(inputrule.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": _("name, operator or ICP number")}))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *PlatformKind.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *PlatformStatus.choices])
    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), required=False, queryset=Jurisdiction.objects.none(),
                                          empty_label=_("All"))
    local = forms.BooleanField(label=_("Local only"), required=False)
    gaps = forms.BooleanField(label=_("Missing controls"), required=False)
    sort = forms.ChoiceField(required=False, choices=[(k, k) for k in SORTS], widget=forms.HiddenInput)

    def __init__(self, *args: Any, jurisdictions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if jurisdictions is not None:
            self.fields["jurisdiction"].queryset = jurisdictions  # type: ignore[attr-defined]


class ImportForm(inputrule.Form):
    file = uploads.PolicyFileField(label=_("CSV or XLSX file"), policy=uploads.REGISTRY)

"""Forms of the supervision pages. Services validate again; forms give the first, field-level errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from youthsafe.core import inputrule, uploads
from youthsafe.core.models import Jurisdiction
from youthsafe.registry.models import Platform
from youthsafe.supervision import config
from youthsafe.supervision.models import (
    AssessmentTrigger,
    Finding,
    InspectionPlan,
    InterviewKind,
    ItemResult,
    SanctionKind,
    Severity,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # ISO: what <input type=date> reads
# Free text is stored in TextFields: notes and reasons up to NOTE, findings, problems, results and evidence up
# to TEXT, an interview's matters and commitments up to LONG (the same limits as supervision/api.py).
NOTE, TEXT, LONG = 2000, 5000, 10000
RESULTS = [(v, lbl) for v, lbl in ItemResult.choices if v != ItemResult.UNCHECKED]


class ListFilterForm(inputrule.Form):
    """The query of every list page, including the indicator contract (?from=&to=&jurisdiction=&indicator=)."""

    q = forms.CharField(label=_("Platform"), required=False, max_length=100)
    status = forms.CharField(label=_("Status"), required=False, max_length=16, widget=forms.Select)
    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=Jurisdiction.objects.none(),
                                          required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)
    indicator = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, data: Any, *, jurisdictions: QuerySet[Jurisdiction], statuses: list[tuple[str, Any]]) -> None:
        if data is not None:
            data = data.copy()
            for short, full in (("from", "date_from"), ("to", "date_to")):
                if short in data and full not in data:
                    data[full] = data[short]
        super().__init__(data)
        self.fields["jurisdiction"].queryset = jurisdictions  # type: ignore[attr-defined]
        self.fields["status"].widget.choices = [("", _("All")), *statuses]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


class PlanForm(inputrule.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = InspectionPlan
        fields = ("name", "jurisdiction", "kind", "risk", "interval_months", "start_date", "joint_department")
        widgets = {"start_date": DATE}

    def __init__(self, *args: Any, jurisdictions: QuerySet[Jurisdiction], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = jurisdictions  # type: ignore[attr-defined]

    def clean_interval_months(self) -> int:
        value = int(self.cleaned_data["interval_months"])
        if value < 1:
            raise forms.ValidationError(_("At least one month."))
        return value


class InspectionForm(inputrule.Form):
    platform = forms.ModelChoiceField(label=_("Platform"), queryset=Platform.objects.none())
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=InspectionPlan.objects.none(), required=False)
    inspected_on = forms.DateField(label=_("Inspection date"), widget=DATE)
    joint_department = forms.CharField(label=_("Joint inspection with"), required=False, max_length=100)
    inspectors = forms.CharField(label=_("Inspectors"), required=False, max_length=200)

    def __init__(self, *args: Any, platforms: QuerySet[Platform], plans: QuerySet[InspectionPlan],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["platform"].queryset = platforms  # type: ignore[attr-defined]
        self.fields["plan"].queryset = plans  # type: ignore[attr-defined]


class ItemForm(inputrule.Form):
    result = forms.ChoiceField(label=_("Result"), choices=RESULTS)
    severity = forms.ChoiceField(label=_("Severity (when failed)"), choices=[("", "—"), *Severity.choices],
                                 required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=NOTE)


class EvidenceForm(inputrule.Form):
    file = uploads.PolicyFileField(label=_("File"), policy=uploads.SUPERVISION, required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=NOTE)


class FindingForm(inputrule.Form):
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    description = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT)
    legal_basis = forms.CharField(label=_("Legal basis"), required=False, max_length=200)


class SummaryForm(inputrule.Form):
    summary = forms.CharField(label=_("Result"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT)


class ReasonForm(inputrule.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=NOTE)


class ConfirmForm(inputrule.Form):
    pass


class NoteForm(inputrule.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=NOTE)


class OrderForm(inputrule.Form):
    problems = forms.CharField(label=_("Problems to rectify"), widget=forms.Textarea(attrs={"rows": 4}),
                               max_length=TEXT)
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=300)
    requirements = forms.CharField(label=_("Requirements"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                   max_length=TEXT)
    period_days = forms.IntegerField(label=_("Rectification period (days)"), min_value=1, max_value=365)
    findings = forms.ModelMultipleChoiceField(label=_("Findings"), queryset=Finding.objects.none(), required=False,
                                              widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, findings: QuerySet[Finding], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["findings"].queryset = findings  # type: ignore[attr-defined]
        self.fields["period_days"].initial = config.rectify_days()


class DeliverForm(inputrule.Form):
    delivered_on = forms.DateField(label=_("Delivered on"), widget=DATE)
    method = forms.CharField(label=_("Delivered by"), required=False, max_length=100)


class IssueForm(inputrule.Form):
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE)


class EvidenceReceivedForm(inputrule.Form):
    evidence_on = forms.DateField(label=_("Received on"), widget=DATE)
    text = forms.CharField(label=_("Platform's evidence of rectification"), widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=TEXT)
    file = uploads.PolicyFileField(label=_("File"), policy=uploads.SUPERVISION, required=False)


class RecheckForm(inputrule.Form):
    recheck_on = forms.DateField(label=_("Re-checked on"), widget=DATE)
    passed = forms.TypedChoiceField(label=_("Result"), coerce=lambda v: v == "yes",
                                    choices=[("yes", _("Rectified")), ("no", _("Not rectified"))])
    result = forms.CharField(label=_("Re-check result"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT)


class RefusalForm(inputrule.Form):
    refused_on = forms.DateField(label=_("Refusal recorded on"), widget=DATE)
    evidence = forms.CharField(label=_("Evidence of the refusal"), widget=forms.Textarea(attrs={"rows": 4}),
                               max_length=TEXT,
                               help_text=_("What the platform said, did or failed to do, with the record it is in."))
    file = uploads.PolicyFileField(label=_("File"), policy=uploads.SUPERVISION, required=False,
                                   help_text=_("Optional: the written reply or a screenshot (kept with its SHA-256)."))


class SanctionForm(inputrule.Form):
    kind = forms.ChoiceField(label=_("Sanction"), choices=SanctionKind.choices)
    statute = forms.CharField(label=_("Statute"), max_length=200)
    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT)
    serious = forms.BooleanField(label=_("Serious circumstances"), required=False)
    findings = forms.ModelMultipleChoiceField(label=_("Findings that justify it"), queryset=Finding.objects.none(),
                                              required=False, widget=forms.CheckboxSelectMultiple)
    amount = forms.DecimalField(label=_("Fine (RMB)"), required=False, min_value=0, max_digits=12, decimal_places=2)
    start_date = forms.DateField(label=_("From"), required=False, widget=DATE)
    end_date = forms.DateField(label=_("Until"), required=False, widget=DATE,
                               help_text=_("Disconnection or suspension: at most the configured months."))
    website = forms.CharField(label=_("Website"), required=False, max_length=300)
    app_store = forms.CharField(label=_("App store"), required=False, max_length=100)
    app_id = forms.CharField(label=_("App id"), required=False, max_length=200)
    receiving_organ = forms.CharField(label=_("Referred to"), required=False, max_length=200)

    def __init__(self, *args: Any, findings: QuerySet[Finding], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["findings"].queryset = findings  # type: ignore[attr-defined]


class DayNoteForm(inputrule.Form):
    on = forms.DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=NOTE)


class AssessmentForm(inputrule.Form):
    platform = forms.ModelChoiceField(label=_("Platform"), queryset=Platform.objects.none())
    trigger = forms.ChoiceField(label=_("Trigger"), choices=AssessmentTrigger.choices)
    note = forms.CharField(label=_("Circumstances"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                           max_length=NOTE)
    requested_on = forms.DateField(label=_("Requested on"), widget=DATE)
    due_on = forms.DateField(label=_("Report due"), widget=DATE, required=False,
                             help_text=_("Empty: the configured working days after the request. T1/T2: before "
                                         "the service goes live."))

    def __init__(self, *args: Any, platforms: QuerySet[Platform], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["platform"].queryset = platforms  # type: ignore[attr-defined]


class ReportForm(inputrule.Form):
    received_on = forms.DateField(label=_("Report received on"), widget=DATE)
    summary = forms.CharField(label=_("Provider's self-assessment report"), widget=forms.Textarea(attrs={"rows": 3}),
                              max_length=TEXT)
    file = uploads.PolicyFileField(label=_("File"), policy=uploads.SUPERVISION, required=False)


class VerdictForm(inputrule.Form):
    verdict = forms.ChoiceField(label=_("Verdict"), choices=[("passed", _("Passed")), ("failed", _("Failed")),
                                                             ("reassess", _("Re-assessment ordered"))])
    on = forms.DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(label=_("Verdict"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT)


class ReviewItemForm(inputrule.Form):
    result = forms.ChoiceField(label=_("Result"), choices=RESULTS)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=NOTE)


class DismissForm(inputrule.Form):
    note = forms.CharField(label=_("Why nothing follows"), widget=forms.Textarea(attrs={"rows": 3}), max_length=NOTE)


class InterviewForm(inputrule.Form):
    platform = forms.ModelChoiceField(label=_("Platform"), queryset=Platform.objects.none())
    kind = forms.ChoiceField(label=_("Record"), choices=InterviewKind.choices)
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    attendees = forms.CharField(label=_("Attendees"), widget=forms.Textarea(attrs={"rows": 2}), max_length=NOTE,
                                help_text=_("For an interview: the legal representative or principal person in "
                                            "charge, and the officers."))
    matters = forms.CharField(label=_("Matters raised"), widget=forms.Textarea(attrs={"rows": 4}), max_length=LONG)
    commitments = forms.CharField(label=_("Commitments"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                  max_length=LONG)
    legal_basis = forms.CharField(label=_("Legal basis"), required=False, max_length=200)
    file = uploads.PolicyFileField(label=_("File"), policy=uploads.SUPERVISION, required=False)

    def __init__(self, *args: Any, platforms: QuerySet[Platform], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["platform"].queryset = platforms  # type: ignore[attr-defined]


class InspectionFilterForm(ListFilterForm):
    joint = forms.BooleanField(label=_("Joint inspections only"), required=False)

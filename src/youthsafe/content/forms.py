"""Forms of the content pages and of the public report form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from youthsafe.content import config, evidence, workflow
from youthsafe.content.models import FoundVia, ReportReason, ReportStatus
from youthsafe.core import inputrule
from youthsafe.core.models import Jurisdiction
from youthsafe.detection import taxonomy
from youthsafe.registry.models import Platform


def category_choices() -> list[tuple[str, str]]:
    return [(c.id, f"{c.id} {c.name_zh}") for c in taxonomy.CATEGORIES.values() if c.tier in workflow.ITEM_TIERS]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceFilesField(forms.FileField):
    """Zero or more files, each checked for size and type by its first bytes."""

    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[Any]]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > config.report_max_files():
            raise ValidationError(_("At most %(n)d files.") % {"n": config.report_max_files()})
        cleaned = []
        for f in files:
            single = super().clean(f, initial)
            if single:
                evidence.check(single)
                cleaned.append(single)
        return cleaned


_TEXT = {"maxlength": 500}


class PublicReportForm(inputrule.Form):
    reason = forms.ChoiceField(label=_("What is it about?"), choices=ReportReason.choices)
    location = forms.CharField(label=_("Where is it? (link or place on the platform)"), max_length=500,
                               widget=forms.TextInput(attrs=_TEXT))
    platform_name = forms.CharField(label=_("Platform or app (optional)"), max_length=200, required=False)
    explanation = forms.CharField(label=_("Why is it harmful to minors?"), max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 5, "maxlength": 5000}))
    contact = forms.CharField(label=_("How can we reach you? (optional)"), max_length=200, required=False,
                              help_text=_("Leave empty to stay anonymous. For reports of sexual content involving "
                                          "minors no contact details are kept."))
    attachments = EvidenceFilesField(label=_("Screenshots or files (optional)"),
                               help_text=_("PNG, JPEG, GIF, WebP or PDF; up to 3 files."))
    good_faith = forms.BooleanField(label=_("I report in good faith: to the best of my knowledge this is accurate "
                                            "and complete."))

    def clean_location(self) -> str:
        value: str = self.cleaned_data["location"].strip()
        if not value:
            raise ValidationError(_("Say where the content is."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == ReportReason.A02:
            data["contact"] = ""  # least data: never kept for these reports
        return data


class LookupForm(inputrule.Form):
    ack_number = forms.CharField(label=_("Acknowledgement number"), max_length=20)


class ItemForm(inputrule.Form):
    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=Jurisdiction.objects.none())
    platform = forms.ModelChoiceField(label=_("Platform"), queryset=Platform.objects.order_by("name"),
                                      required=False)
    location = forms.CharField(label=_("URL or location on the platform"), max_length=500)
    text = forms.CharField(label=_("Text of the content (scanned by the detection engine)"), required=False,
                           max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    categories = forms.MultipleChoiceField(label=_("Categories"), choices=category_choices,
                                           widget=forms.CheckboxSelectMultiple)
    found_via = forms.ChoiceField(label=_("Found through"), choices=FoundVia.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    attachments = EvidenceFilesField(label=_("Screenshots or files"))

    def __init__(self, *args: Any, jurisdictions: QuerySet[Jurisdiction], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = jurisdictions  # type: ignore[attr-defined]
        if jurisdictions.count() == 1:
            self.fields["jurisdiction"].initial = jurisdictions.first()


class LeadItemForm(ItemForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["found_via"]


class EvidenceForm(inputrule.Form):
    file = forms.FileField(label=_("File"))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def clean_file(self) -> UploadedFile[Any]:
        upload: UploadedFile[Any] = self.cleaned_data["file"]
        evidence.check(upload)
        return upload


class NoteForm(inputrule.Form):
    note = forms.CharField(label=_("Note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(inputrule.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class InstructForm(inputrule.Form):
    platform = forms.ModelChoiceField(label=_("Platform that must act"), queryset=Platform.objects.order_by("name"),
                                      required=False, help_text=_("Empty: the item's platform."))
    note = forms.CharField(label=_("Instruction to the platform"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ConfirmForm(inputrule.Form):
    confirmation = forms.CharField(label=_("What the platform confirmed"), max_length=2000,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    confirmed_at = forms.DateTimeField(label=_("Confirmed at (empty: now)"), required=False,
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class VerifyForm(inputrule.Form):
    done = forms.TypedChoiceField(label=_("Result of the check"), coerce=lambda v: v == "yes", choices=[
        ("yes", _("Gone (or labelled as instructed)")), ("no", _("Still there: a new instruction is needed"))])
    note = forms.CharField(label=_("How it was checked"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class TriageForm(inputrule.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=[
        (ReportStatus.LEAD, _("Take up as a lead")), (ReportStatus.WELFARE, _("Pass to early warning (person in "
                                                                               "distress)")),
        (ReportStatus.REJECTED, _("No action needed"))])
    note = forms.CharField(label=_("Why"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    reply = forms.CharField(label=_("Reply shown to the reporter (optional)"), max_length=500, required=False)

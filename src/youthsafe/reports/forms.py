"""Forms of the statistics pages: the period and jurisdiction picker, document generation, the editor."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from youthsafe.core import inputrule
from youthsafe.core.models import Jurisdiction
from youthsafe.reports.models import ReportTemplate, TemplateKind
from youthsafe.reports.rendering import MAX_TEMPLATE_CHARS


class DateInput(forms.DateInput):
    input_type = "date"


class PlaceChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{'　' * obj.depth}{obj.name}"


class ScopeForm(inputrule.Form):
    """GET form; the view validates the values itself (stats.scope_for) so bad input gets one message."""

    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    jurisdiction = PlaceChoice(label=_("Jurisdiction"), required=False, queryset=Jurisdiction.objects.none(),
                               empty_label=_("All my jurisdictions"))

    def __init__(self, *args: Any, jurisdictions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if jurisdictions is not None:
            self.fields["jurisdiction"].queryset = jurisdictions  # type: ignore[attr-defined]


class DocumentForm(inputrule.Form):
    template = forms.ChoiceField(label=_("Document"), choices=[])
    fmt = forms.ChoiceField(label=_("Format"), choices=[("docx", "Word (DOCX)"), ("pdf", "PDF"),
                                                         ("md", "Markdown")])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [  # type: ignore[attr-defined]
            (t.name, t.title) for t in ReportTemplate.objects.all()]


class TemplateForm(inputrule.Form):
    name = forms.SlugField(label=_("Name"), max_length=64,
                           help_text=_("Letters, digits and hyphens; used by `youthsafe report --template`."))
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=TemplateKind.choices)
    body = forms.CharField(label=_("Text"), max_length=MAX_TEMPLATE_CHARS,
                           widget=forms.Textarea(attrs={"class": "templatebody", "rows": 24}))
    version = forms.IntegerField(widget=forms.HiddenInput(), required=False)

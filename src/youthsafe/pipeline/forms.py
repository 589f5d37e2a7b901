"""Forms of the ingestion pages. Revealing an identity and revoking a token ask for a reason."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from youthsafe.core import inputrule
from youthsafe.pipeline import tokens


class RevealForm(inputrule.Form):
    reason = forms.CharField(label=_("Reason for revealing the account"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Written to the audit log with your name. The account id is not."))


class TokenForm(inputrule.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("Who uses it, e.g. the collector's host."))
    scopes = forms.MultipleChoiceField(label=_("Scopes"), choices=[(s, s) for s in sorted(tokens.SCOPES)],
                                       initial=[tokens.SCOPE_PUSH], widget=forms.CheckboxSelectMultiple)
    rate_limit = forms.IntegerField(label=_("Requests per minute"), min_value=1, max_value=100_000,
                                    initial=tokens.DEFAULT_RATE)


class NoteForm(inputrule.Form):
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=500)

"""Forms for accounts, jurisdictions and the audit filter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from youthsafe.core import inputrule
from youthsafe.core.models import AuditAction, Jurisdiction, User
from youthsafe.core.roles import Role


class JurisdictionForm(inputrule.ModelForm[Jurisdiction]):
    class Meta:
        model = Jurisdiction
        fields = ("code", "name", "name_en", "kind", "parent")


class UserForm(inputrule.ModelForm[User]):
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(render_value=False), required=False, strip=False,
        help_text=_("Leave empty to keep the current password. At least 10 characters."),
    )

    class Meta:
        model = User
        fields = ("username", "display_name", "email", "phone", "role", "jurisdiction", "is_active")

    def __init__(self, *args: Any, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.creating = creating
        if creating:
            self.fields["password"].required = True
            self.fields["password"].help_text = _("At least 10 characters.")

    def clean_password(self) -> str:
        password: str = self.cleaned_data.get("password", "")
        if password:
            validate_password(password, self.instance)
        return password

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role = data.get("role")
        if role and role not in (Role.ADMINISTRATOR, Role.LEADER, Role.AUDITOR) and not data.get("jurisdiction"):
            self.add_error("jurisdiction", _("This role works within a jurisdiction; choose one."))
        return data


class AuditFilterForm(inputrule.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", "—"), *AuditAction.choices])
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=64)
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form: field errors beside their fields (or at the top for
    fields the form does not have), other errors at the top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)

"""One generic step page for every app: GET shows the step's small form, POST runs one service and goes back
to the record with a message; a refusal of the service is shown in the form (NetBox's uniform rooms).

An app declares its steps once in an :class:`ActionSet` (title, permission, the kind of record it works on,
its form and the service call), so the URL list, the access matrix and the buttons all come from one table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from youthsafe.core.access import require
from youthsafe.core.forms import add_service_errors
from youthsafe.core.models import User
from youthsafe.core.roles import Permission

Run = Callable[[Any, User, dict[str, Any]], object]
# Shapes the form for one record and request (choices that depend on the record, initial values).
Prepare = Callable[[forms.Form, Model, User], None]


@dataclass(frozen=True)
class Action:
    title: str | Promise
    permission: Permission
    model: str  # the kind of record the step works on; the ActionSet's ``find`` knows how to load it
    form: type[forms.Form]
    run: Run
    danger: bool = False
    upload: bool = False
    prepare: Prepare | None = None
    initial: Callable[[Model], dict[str, Any]] | None = None


@dataclass(frozen=True)
class ActionSet:
    """The steps of one app.

    ``find(model, user, pk)`` returns ``(record, parent)``: the record the step works on and the one whose page
    it returns to, or raises Http404 when the user may not see it (existence is not revealed).
    ``back(parent)`` is the URL to return to; ``template`` renders the form with ``action``, ``obj``,
    ``parent``, ``back`` and whatever ``context(obj, parent)`` adds."""

    actions: Mapping[str, Action]
    find: Callable[[str, User, int], tuple[Model, Model]]
    back: Callable[[Model], str]
    template: str = "core/action.html"
    context: Callable[[Model, Model], dict[str, Any]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def _form(self, action: Action, request: HttpRequest, obj: Model, user: User) -> forms.Form:
        if request.method == "POST":
            form = action.form(request.POST, request.FILES if action.upload else None)
        else:
            form = action.form(initial=action.initial(obj) if action.initial else None)
        if action.prepare is not None:
            action.prepare(form, obj, user)
        return form

    def view(self, request: HttpRequest, pk: int, name: str) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        action = self.actions[name]
        user = require(request.user, action.permission)
        obj, parent = self.find(action.model, user, pk)
        form = self._form(action, request, obj, user)
        if request.method == "POST" and form.is_valid():
            try:
                action.run(obj, user, form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Done: %(step)s.") % {"step": action.title})
                return redirect(self.back(parent))
        context = {"form": form, "action": action, "obj": obj, "parent": parent, "back": self.back(parent),
                   **self.extra, **(self.context(obj, parent) if self.context else {})}
        return render(request, self.template, context)

    def page(self, name: str) -> Callable[..., HttpResponseBase]:
        """A view for one step (its own URL name, so the access matrix lists each)."""

        def step(request: HttpRequest, pk: int) -> HttpResponseBase:
            return self.view(request, pk, name)

        step.__name__ = f"action_{name}"
        step.required_permission = self.actions[name].permission  # type: ignore[attr-defined]
        return step

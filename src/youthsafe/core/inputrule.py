"""The one input rule of the product: text with a NUL, another C0 control character (U+0001-U+001F but tab,
line feed and carriage return) or a lone surrogate (U+D800-U+DFFF, half of a character: a JSON escape such as
``"\\ud800"`` makes one) is refused wherever it comes in, with the character and its place, in the user's
language. Nothing is stripped or replaced: the person who typed it decides what it should have been.

PostgreSQL cannot store a NUL (it answered such input with a server error), no database stores a lone
surrogate, and XML (the DOCX documents) holds neither a NUL nor the other control characters. The characters
are those the intake of posts refuses (``pipeline/records.py``; ``tests/core/test_input_rule.py`` keeps the two
the same).

Applied structurally, in three places, so that no view has to remember it:

- ``InputSchema``: the base of every ninja schema a request fills (bodies, forms, query schemas); a refused
  value is a 422 with ``type`` ``control_character`` and the field's ``loc``, like any other schema error.
- ``Form`` / ``ModelForm`` (``InputRuleFormMixin``): the base of every Django form of the product; a refused value
  is an error beside its field and is never cleaned further (a choice field would look it up in the database).
- ``InputRuleMiddleware``: every path and query string. A path with such a character names nothing (404); a
  query string with one is a 422 in the API (``loc`` ``["query", name]``) and a 400 page elsewhere.

The push API of posts is not refused here: its records go through the intake rule, which dead-letters a bad
record and stores the rest of the batch (its query string and path are checked like any other).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import BaseModel, field_validator
from pydantic_core import PydanticCustomError

# The characters the rule refuses: the same class as pipeline/records.py's intake rule.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
ERROR_TYPE = "control_character"


@dataclass(frozen=True)
class Found:
    """The first refused character of a value and its place (1-based, in characters)."""

    code: int
    position: int

    @property
    def codepoint(self) -> str:
        return f"U+{self.code:04X}"

    def message(self) -> str:
        """The one message of the rule, in the active language."""
        return _("Character %(position)d is a control character or a broken character (%(codepoint)s) that "
                 "cannot be stored; remove it. Tabs and line breaks are allowed.") % {
            "position": self.position, "codepoint": self.codepoint}

    def error(self) -> ValidationError:
        return ValidationError(self.message(), code=ERROR_TYPE,
                               params={"position": self.position, "codepoint": self.codepoint})


def find(text: str) -> Found | None:
    """The first character of ``text`` the rule refuses, or None."""
    match = FORBIDDEN.search(text)
    if match is None:
        return None
    return Found(ord(match.group()), match.start() + 1)


def find_in(value: Any) -> Found | None:
    """The first refused character in a value as it came in: a string, an uploaded file's name, or the strings
    (keys included) of a list, mapping or model of them."""
    if isinstance(value, str):
        return find(value)
    if isinstance(value, UploadedFile):
        return find(value.name or "")
    if isinstance(value, BaseModel):
        return find_in(list(value.__dict__.values()))
    if isinstance(value, Mapping):
        return find_in([*value.keys(), *value.values()])
    if isinstance(value, Iterable) and not isinstance(value, bytes | bytearray):
        for item in value:
            found = find_in(item)
            if found is not None:
                return found
    return None


# ---------------------------------------------------------------- API schemas


class InputSchema(Schema):
    """The base of every schema a request fills: each field's value as it came in (nested lists and mappings
    included) is checked before the field's own validation (a pattern or a length would otherwise answer first,
    or fail on a lone surrogate with a less clear error); a refused one is a 422 ``control_character`` error."""

    @field_validator("*", mode="before")
    @classmethod
    def _input_rule(cls, value: Any) -> Any:
        found = find_in(value)
        if found is not None:
            raise PydanticCustomError(
                ERROR_TYPE, "character {position} is a control character or a broken character ({codepoint})",
                {"position": found.position, "codepoint": found.codepoint, "code": found.code})
        return value


# ---------------------------------------------------------------- forms


def _exempt(field: forms.Field) -> bool:
    """Passwords are hashed, never stored or shown as text: the rule does not apply to them (Django's own
    CharField still refuses a NUL)."""
    return field.disabled or isinstance(field.widget, forms.PasswordInput)


class InputRuleFormMixin:
    """Checks every field's raw value before the field cleans it; a refused value gets the rule's error beside
    its field and goes no further (Django's ``_clean_fields``, with the rule first)."""

    def _clean_fields(self) -> None:
        form: Any = self
        for name, bound in form._bound_items():
            found = None if _exempt(bound.field) else find_in(bound.data)
            if found is not None:
                form.add_error(name, found.error())
                continue
            try:
                form.cleaned_data[name] = bound.field._clean_bound_field(bound)
                clean: Callable[[], Any] | None = getattr(form, f"clean_{name}", None)
                if clean is not None:
                    form.cleaned_data[name] = clean()
            except ValidationError as exc:
                form.add_error(name, exc)


class Form(InputRuleFormMixin, forms.Form):
    """``django.forms.Form`` with the input rule: the base of every form of the product."""


_M = TypeVar("_M", bound=models.Model)


class ModelForm(InputRuleFormMixin, forms.ModelForm[_M]):
    """``django.forms.ModelForm`` with the input rule."""


# ---------------------------------------------------------------- paths and query strings


def _query_problem(request: HttpRequest) -> tuple[str, Found] | None:
    for key, values in request.GET.lists():
        found = find(key) or find_in(values)
        if found is not None:
            return key, found
    return None


def _ignore_bad_cookies(request: HttpRequest) -> None:
    """A cookie holding a character of the rule was not set by this site: it is ignored. The session cookie is
    the one that reaches the database (its key is looked up), so its session is replaced by a new, empty one
    (which also makes the session middleware delete the cookie in the answer); other such cookies are dropped."""
    session = getattr(request, "session", None)
    if session is not None and find(session.session_key or "") is not None:
        request.session = type(session)(None)
    for name, value in list(request.COOKIES.items()):
        if name != settings.SESSION_COOKIE_NAME and (find(name) is not None or find(value) is not None):
            del request.COOKIES[name]


class InputRuleMiddleware:
    """Refuses a path or query string holding a character of the rule before any view reads it (views read
    query parameters directly, and a NUL in a database lookup is a server error on PostgreSQL), and ignores a
    cookie holding one. Placed after the language, session and authentication middleware (which read nothing
    yet: the session and the user are loaded when first used), so the answer is in the user's language and the
    page has the user's layout."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _ignore_bad_cookies(request)
        api = request.path_info.startswith("/api/")
        if find(request.path_info) is not None:
            if api:
                return JsonResponse({"detail": _("Not found: the address contains a control character.")},
                                    status=404)
            raise Http404(_("Not found: the address contains a control character."))
        problem = _query_problem(request)
        if problem is not None:
            key, found = problem
            if api:
                name = key if find(key) is None else key.encode("unicode_escape").decode("ascii")
                return JsonResponse({"detail": [{"type": ERROR_TYPE, "loc": ["query", name],
                                                 "msg": found.message()}]}, status=422)
            return render(request, "core/bad_input.html", {"message": found.message()}, status=400)
        return self.get_response(request)

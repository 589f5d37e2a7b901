"""The JSON API: one NinjaAPI at ``/api/`` with OpenAPI docs at ``/api/docs``; each app adds a router."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as SchemaError
from ninja.openapi.schema import OpenAPISchema
from ninja.security import SessionAuth as NinjaSessionAuth

from youthsafe import __version__
from youthsafe.core import inputrule


class YouthSafeAPI(NinjaAPI):
    """The API, whose OpenAPI document also lists what ninja answers before a view runs: 400 to a request body
    it cannot parse (broken JSON) and 401 to a caller without the authentication an operation needs. The
    views' own answers are declared where they are written."""

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        error = {"description": "Error", "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/ErrorOut"}}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                if "requestBody" in operation:
                    operation["responses"].setdefault(400, error)
                if operation.get("security"):
                    operation["responses"].setdefault(401, error)
        return schema


class SessionAuth(NinjaSessionAuth):
    """Django's session, as ninja's own (and under its name in the OpenAPI document), except that a caller
    without a session gets 401 before the CSRF check runs (ninja checked CSRF first, so a logged-out POST was
    refused 403 as if it were a forged one). A logged-in caller whose unsafe request lacks the CSRF token is
    still refused 403."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None  # ninja answers 401
        return super().__call__(request)


api = YouthSafeAPI(
    title="YouthSafe API",
    version=__version__,
    description="Registry, supervision, content, leads, early warning, outreach and reports. "
    "Session authentication (with CSRF on unsafe methods) for browser clients.",
    auth=SessionAuth(),
    urls_namespace="api",
)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or _("Your role does not allow this action.")},
                               status=403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or _("No such record in your jurisdiction.")},
                               status=404)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail: object = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return api.create_response(request, {"detail": detail}, status=422)


def schema_message(error: dict[str, Any]) -> str:
    """The message of one schema error (pydantic's ``type`` and ``ctx``) in the caller's language; pydantic
    itself only speaks English. Unknown types fall back to a general message, never to the English text."""
    kind = str(error.get("type", ""))
    ctx: dict[str, Any] = error.get("ctx") or {}
    if kind == inputrule.ERROR_TYPE:  # the input rule (core/inputrule.py): the character and its place
        return inputrule.Found(int(ctx.get("code", 0)), int(ctx.get("position", 0))).message()
    with_limit: dict[str, tuple[str, str]] = {  # error type: (message, the ctx key holding the limit)
        "greater_than_equal": (_("Must be at least %(limit)s."), "ge"),
        "greater_than": (_("Must be greater than %(limit)s."), "gt"),
        "less_than_equal": (_("Must be at most %(limit)s."), "le"),
        "less_than": (_("Must be less than %(limit)s."), "lt"),
        "string_too_long": (_("Too long: at most %(limit)s."), "max_length"),
        "too_long": (_("Too long: at most %(limit)s."), "max_length"),
        "string_too_short": (_("Too short: at least %(limit)s."), "min_length"),
        "too_short": (_("Too short: at least %(limit)s."), "min_length"),
    }
    if kind in with_limit:
        message, key = with_limit[kind]
        return message % {"limit": ctx.get(key, "")}
    exact: dict[str, str] = {"missing": pgettext("api error", "This field is required."),
             "literal_error": _("Not one of the allowed choices."), "enum": _("Not one of the allowed choices.")}
    by_prefix = (
        (("int_",), _("Enter a whole number.")),
        (("float_", "decimal_"), _("Enter a number.")),
        (("bool_",), _("Enter true or false.")),
        (("date_", "datetime_", "time_"), _("Enter a valid date or time.")),
        (("string_", "str_"), _("Enter text.")),
        (("list_", "dict_", "model_", "json_"), _("This value has the wrong shape.")),
    )
    if kind in exact:
        return exact[kind]
    return next((message for prefixes, message in by_prefix if kind.startswith(prefixes)),
                _("This value is not valid."))


@api.exception_handler(SchemaError)
def _schema_invalid(request: HttpRequest, exc: SchemaError) -> HttpResponse:
    """Schema errors keep ninja's shape (``type``, ``loc`` per error) with ``msg`` in the caller's language."""
    detail = [{"type": str(error.get("type", "")), "loc": list(error.get("loc", ())),
               "msg": schema_message(error)} for error in exc.errors]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """What ninja raises before a view runs: 400 on a body it cannot parse, 401 without a session, 403 on a
    failed CSRF check, 429 from throttling; answered in the caller's language."""
    messages = {400: _("The request body could not be read (expected JSON or a form)."),
                401: _("Please log in."),
                403: _("The request was refused: the CSRF check failed."),
                429: _("Too many requests; try again later.")}
    return api.create_response(request, {"detail": messages.get(exc.status_code, str(exc))},
                               status=exc.status_code)


def _register_routers() -> None:
    """Mount each feature app's ``api.router`` at ``/api/<app>/``."""
    for app in settings.YOUTHSAFE_APPS:
        if find_spec(f"youthsafe.{app}.api") is not None:
            module = import_module(f"youthsafe.{app}.api")
            api.add_router(f"/{app}/", module.router)


_register_routers()

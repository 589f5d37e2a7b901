"""The JSON API: one NinjaAPI at ``/api/`` with OpenAPI docs at ``/api/docs``; each app adds a router."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.security import SessionAuth as NinjaSessionAuth

from youthsafe import __version__


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
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Not found"}, status=404)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail: object = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return api.create_response(request, {"detail": detail}, status=422)


def _register_routers() -> None:
    """Mount each feature app's ``api.router`` at ``/api/<app>/``."""
    for app in settings.YOUTHSAFE_APPS:
        if find_spec(f"youthsafe.{app}.api") is not None:
            module = import_module(f"youthsafe.{app}.api")
            api.add_router(f"/{app}/", module.router)


_register_routers()

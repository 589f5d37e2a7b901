"""The one helper that guards HTML views and API routes alike (style-anchors rule 4)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from youthsafe.core.models import Jurisdiction, JurisdictionScopedQuerySet, User
from youthsafe.core.roles import Permission

_M = TypeVar("_M", bound=models.Model)
ViewFunc = Callable[..., HttpResponseBase]


def allowed(user: User | AnonymousUser, permission: Permission) -> bool:
    return isinstance(user, User) and user.is_authenticated and user.has_perm_name(permission)


def acting_user(request: HttpRequest) -> User:
    """The logged-in user of a view that ``permission_required`` has already guarded."""
    assert isinstance(request.user, User)  # noqa: S101  (the permission guard ran first)
    return request.user


def jurisdictions_of(user: User, *, write: bool = False) -> QuerySet[Jurisdiction]:
    """The jurisdictions ``user`` may read (or, with ``write``, change): everywhere, or their own subtree."""
    everywhere = user.writes_all_jurisdictions if write else user.reads_all_jurisdictions
    if everywhere:
        return Jurisdiction.objects.all()
    if user.jurisdiction is None:
        return Jurisdiction.objects.none()
    return user.jurisdiction.subtree()


def require(user: User | AnonymousUser, permission: Permission) -> User:
    """Return the user when they hold ``permission``; raise ``PermissionDenied`` otherwise."""
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied(_("Please log in."))
    if not user.has_perm_name(permission):
        raise PermissionDenied(_("Your role does not allow this action."))
    return user


def require_write_in(user: User, jurisdiction: Jurisdiction | None) -> None:
    if not user.can_write_in(jurisdiction):
        raise PermissionDenied(_("This record belongs to a jurisdiction outside yours."))


def permission_required(permission: Permission) -> Callable[[ViewFunc], ViewFunc]:
    """Guard an HTML view: anonymous users go to the login page, others need ``permission``."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                if request.headers.get("HX-Request") == "true":
                    # A background refresh after the session ended: send the whole page to the login, rather
                    # than the login form swapped into a corner of the page.
                    page = urlsplit(request.headers.get("HX-Current-URL", ""))
                    back = f"{page.path}?{page.query}" if page.query else page.path
                    return HttpResponseClientRedirect(redirect_to_login(back or request.get_full_path()).url)
                return redirect_to_login(request.get_full_path())
            require(request.user, permission)
            return view(request, *args, **kwargs)

        wrapped.required_permission = permission  # type: ignore[attr-defined]
        return wrapped

    return decorator


def get_visible_or_404(queryset: JurisdictionScopedQuerySet[_M], user: User | AnonymousUser, **lookup: Any) -> _M:
    """A record the user may see, or 404: records of other jurisdictions are not revealed to exist."""
    try:
        return queryset.visible_to(user).get(**lookup)
    except ObjectDoesNotExist as exc:
        raise Http404(_("No such record in your jurisdiction.")) from exc

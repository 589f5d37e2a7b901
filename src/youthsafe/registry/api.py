"""The registry's JSON API, mounted at ``/api/registry/`` (issue 2, point 6).

Reads go through ``Platform.objects.visible_to(user)``, so records of other jurisdictions answer 404 and
never appear in lists. Every change is one call into ``registry/services.py``, which checks the permission
again, validates with ``full_clean`` and writes the audit row; this module only translates HTTP to and from
those calls. The security officer's contacts are personal data: they are returned only to holders of
``platform:view_contacts``, and a detail read that returns them is audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet, TextChoices
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from youthsafe.core.access import get_visible_or_404, require
from youthsafe.core.models import Jurisdiction, User
from youthsafe.core.roles import Permission
from youthsafe.core.schemas import ErrorOut
from youthsafe.registry import services
from youthsafe.registry.controls import CONTROLS, GROUP_LABELS
from youthsafe.registry.filters import filter_platforms
from youthsafe.registry.models import ControlStatus, Platform, PlatformKind, PlatformStatus
from youthsafe.registry.schemas import (
    ControlOut,
    ControlsIn,
    ControlsResult,
    ControlStateOut,
    HistoryOut,
    PlatformFilters,
    PlatformIn,
    PlatformOut,
    PlatformPage,
    PlatformPatch,
)

router = Router(tags=["registry"])

CONTACT_FIELDS: tuple[str, ...] = tuple(f for f in services.EDITABLE_FIELDS if f in services.PERSONAL_FIELDS)
_PUBLIC_FIELDS: tuple[str, ...] = tuple(f for f in services.EDITABLE_FIELDS if f not in CONTACT_FIELDS)
_ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _label(choices: type[TextChoices], value: str) -> str:
    """The translated label of a stored choice (the raw value if the table no longer lists it)."""
    return str(choices(value).label) if value in choices.values else value


def _platform_out(platform: Platform, *, contacts: bool) -> dict[str, Any]:
    """A response dict; contact keys are left out entirely (not nulled) when the reader may not see them."""
    data: dict[str, Any] = {f: getattr(platform, f) for f in _PUBLIC_FIELDS if f != "jurisdiction"}
    j = platform.jurisdiction
    data.update(
        id=platform.pk, jurisdiction={"id": j.pk, "code": j.code, "name": j.name},
        kind_label=_label(PlatformKind, platform.kind), status_label=_label(PlatformStatus, platform.status),
        created_at=platform.created_at, updated_at=platform.updated_at, version=platform.version,
    )
    if contacts:
        data.update({f: getattr(platform, f) for f in CONTACT_FIELDS})
    return data


def _sees_contacts(user: User) -> bool:
    return user.has_perm_name(Permission.PLATFORM_VIEW_CONTACTS)


def _resolve_jurisdiction(data: dict[str, Any]) -> None:
    """Replace the jurisdiction id in ``data`` by the row; an unknown id is a field error (422)."""
    if "jurisdiction" not in data or data["jurisdiction"] is None:
        return
    try:
        data["jurisdiction"] = Jurisdiction.objects.get(pk=data["jurisdiction"])
    except Jurisdiction.DoesNotExist as exc:
        raise ValidationError({"jurisdiction": [_("Unknown jurisdiction.")]}) from exc


def _visible(user: User) -> QuerySet[Platform]:
    return Platform.objects.visible_to(user).select_related("jurisdiction")


def _filter(platforms: QuerySet[Platform], filters: PlatformFilters) -> QuerySet[Platform]:
    node = None
    if filters.jurisdiction is not None:
        node = Jurisdiction.objects.filter(pk=filters.jurisdiction).first()
        if node is None:
            raise ValidationError({"jurisdiction": [_("Unknown jurisdiction.")]})
    return filter_platforms(
        platforms, q=filters.q, kind=filters.kind, status=filters.status, jurisdiction=node, local=filters.local,
        sort=filters.ordering,
    )


@router.get("/platforms", response={200: PlatformPage, **_ERRORS}, exclude_unset=True)
def list_platforms(request: HttpRequest, filters: Query[PlatformFilters]) -> dict[str, Any]:
    """Platforms of the caller's jurisdictions, filtered, ordered and paged (limit/offset, total count)."""
    user = require(request.user, Permission.PLATFORM_VIEW)
    platforms = _filter(_visible(user), filters)
    contacts = _sees_contacts(user)
    page = list(platforms[filters.offset : filters.offset + filters.limit])
    services.record_list_view(page, actor=user)
    return {
        "count": platforms.count(), "limit": filters.limit, "offset": filters.offset,
        "items": [_platform_out(p, contacts=contacts) for p in page],
    }


@router.get("/platforms/{platform_id}", response={200: PlatformOut, **_ERRORS}, exclude_unset=True)
def get_platform(request: HttpRequest, platform_id: int) -> dict[str, Any]:
    """One platform. Returning the security officer's contacts writes a VIEW audit row."""
    user = require(request.user, Permission.PLATFORM_VIEW)
    platform = get_visible_or_404(Platform.objects.select_related("jurisdiction"), user, pk=platform_id)
    contacts = _sees_contacts(user)
    if contacts:
        services.record_view(platform, actor=user)
    return _platform_out(platform, contacts=contacts)


@router.post("/platforms", response={201: PlatformOut, **_ERRORS}, exclude_unset=True)
def create_platform(request: HttpRequest, payload: PlatformIn) -> Status[dict[str, Any]]:
    """Register a platform in a jurisdiction the caller may write to."""
    user = require(request.user, Permission.PLATFORM_ADD)
    data = payload.model_dump()
    _resolve_jurisdiction(data)
    platform = services.do_create_platform(actor=user, data=data)
    return Status(201, _platform_out(platform, contacts=_sees_contacts(user)))


@router.patch(
    "/platforms/{platform_id}", response={200: PlatformOut, 409: ErrorOut, **_ERRORS}, exclude_unset=True
)
def update_platform(
    request: HttpRequest, platform_id: int, payload: PlatformPatch
) -> dict[str, Any] | Status[dict[str, str]]:
    """Change the keys sent. With ``version``, a platform saved by someone else meanwhile answers 409."""
    user = require(request.user, Permission.PLATFORM_CHANGE)
    platform = get_visible_or_404(Platform.objects.select_related("jurisdiction"), user, pk=platform_id)
    data = payload.model_dump(exclude_unset=True)
    version, reason = data.pop("version", None), data.pop("reason", "")
    nulls = sorted(k for k, v in data.items() if v is None)
    if nulls:
        raise ValidationError({k: [_("This field cannot be null.")] for k in nulls})
    _resolve_jurisdiction(data)
    try:
        platform = services.do_update_platform(
            platform, actor=user, data=data, expected_version=version, reason=reason
        )
    except services.StaleEdit as exc:
        return Status(409, {"detail": exc.messages[0]})
    platform.refresh_from_db()
    return _platform_out(platform, contacts=_sees_contacts(user))


def _control_states(platform: Platform) -> list[dict[str, Any]]:
    """Every catalogue control with this platform's state (``unknown`` where nothing is recorded)."""
    recorded = {c.control_id: c for c in platform.controls.select_related("checked_by")}
    rows = []
    for control in CONTROLS:
        state = recorded.get(control.id)
        status = state.status if state else ControlStatus.UNKNOWN.value
        rows.append({
            "control_id": control.id, "title": str(control.title), "group": control.group, "status": status,
            "status_label": _label(ControlStatus, status),
            "evidence": state.evidence if state else "", "checked_at": state.checked_at if state else None,
            "checked_by": state.checked_by.username if state and state.checked_by else None,
        })
    return rows


@router.get("/platforms/{platform_id}/controls", response={200: list[ControlStateOut], **_ERRORS})
def get_controls(request: HttpRequest, platform_id: int) -> list[dict[str, Any]]:
    """The baseline controls of one platform, in catalogue order."""
    user = require(request.user, Permission.PLATFORM_VIEW)
    platform = get_visible_or_404(Platform.objects.all(), user, pk=platform_id)
    return _control_states(platform)


@router.put("/platforms/{platform_id}/controls", response={200: ControlsResult, **_ERRORS})
def set_controls(request: HttpRequest, platform_id: int, payload: ControlsIn) -> dict[str, Any]:
    """Record the status and evidence of the controls listed; the others keep their state."""
    user = require(request.user, Permission.PLATFORM_CHANGE)
    platform = get_visible_or_404(Platform.objects.select_related("jurisdiction"), user, pk=platform_id)
    states = {c.control_id: (c.status, c.evidence) for c in payload.controls}
    changed = services.do_set_controls(platform, actor=user, states=states, checked_at=payload.checked_at)
    return {"changed": changed, "controls": _control_states(platform)}


@router.get("/platforms/{platform_id}/history", response={200: list[HistoryOut], **_ERRORS})
def platform_history(request: HttpRequest, platform_id: int, limit: int = 100) -> list[dict[str, Any]]:
    """The audit rows of this platform, newest first (at most ``limit``, up to 500); contacts redacted
    for readers without platform:view_contacts."""
    user = require(request.user, Permission.PLATFORM_VIEW)
    platform = get_visible_or_404(Platform.objects.all(), user, pk=platform_id)
    rows = services.history(platform, actor=user, limit=limit)
    services.record_view(platform, actor=user)  # the rows' before/after may show the contacts
    return rows


@router.get("/controls", response={200: list[ControlOut], **_ERRORS})
def list_controls(request: HttpRequest) -> list[dict[str, Any]]:
    """The catalogue of baseline controls checked for every platform."""
    require(request.user, Permission.PLATFORM_VIEW)
    return [
        {"id": c.id, "group": c.group, "group_label": str(GROUP_LABELS[c.group]), "title": str(c.title),
         "basis": c.basis}
        for c in CONTROLS
    ]

"""The alerts JSON API, mounted at ``/api/alerts/`` (session auth, CSRF on unsafe methods).

Reads go through ``Alert.objects.visible_to``; a unit an alert was dispatched to gets the shared view only.
Each action is one service call; permission is checked first so a refused caller learns nothing more.
Impossible steps and missing reasons answer 422 with the message.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router

from youthsafe.alerts import exports, presenters
from youthsafe.alerts import services as s
from youthsafe.alerts.actions import find
from youthsafe.alerts.forms import TEXT_MAX_LENGTH
from youthsafe.alerts.models import OPEN_STATUSES, Alert, Dispatch, FollowUp, IdentityRequest
from youthsafe.core import audit
from youthsafe.core.access import require
from youthsafe.core.inputrule import InputSchema
from youthsafe.core.models import AuditAction, Jurisdiction, User
from youthsafe.core.roles import Permission as Perm
from youthsafe.core.schemas import ErrorOut, window
from youthsafe.pipeline.models import Post
from youthsafe.registry.models import Platform

router = Router(tags=["alerts"])


# The limits of the pages' forms (alerts/forms.py) and of the model fields.
Text = Annotated[str, Field(max_length=TEXT_MAX_LENGTH)]


class ReasonIn(InputSchema):
    reason: Text = ""


class DispatchIn(InputSchema):
    to_jurisdiction: int
    shared_note: Text


class OutcomeIn(InputSchema):
    kind: str = Field(max_length=20)
    note: Text
    resolve: bool = False


class IdentityIn(InputSchema):
    legal_basis: str = Field(max_length=300)
    platform_id: int | None = None
    platform_name: str = Field("", max_length=200)
    author_key: str = Field("", max_length=32)


class IdentityResponseIn(InputSchema):
    response: Text
    refused: bool = False


class LabelIn(InputSchema):
    kind: str = Field(max_length=8)
    value: str = Field(max_length=16)
    note: str = Field("", max_length=300)


class DispatchReportIn(InputSchema):
    report: Text


class ResultIn(InputSchema):
    result: Text


_ERR: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _summary(alert: Alert, now: Any) -> dict[str, Any]:
    first = presenters.trigger(alert)
    return {"id": alert.pk, "status": alert.status, "level": alert.level,
            "level_label": presenters.level_label(alert.level), "categories": list(alert.categories),
            "recruitment": alert.recruitment, "jurisdiction": alert.jurisdiction.code,
            "jurisdiction_name": alert.jurisdiction.name, "opened_at": alert.opened_at,
            "due_at": alert.due_at, "sla": presenters.sla(alert, now), "escalated_at": alert.escalated_at,
            "claimed_by": alert.claimed_by.username if alert.claimed_by else None,
            "excerpt": first.post.text[:200] if first else ""}


def _full(alert: Alert, user: User) -> dict[str, Any]:
    if not alert.owned_by_user(user):
        return {"shared": True, **presenters.shared_view(alert, user)}
    data = exports.alert_record(alert)
    data.update(_summary(alert, timezone.now()), shared=False,
                posts=[{"id": pv.post.pk, "text": pv.post.text, "role": pv.role, "level": pv.level,
                        "author_key": pv.post.author_key, "evidence": pv.result.get("evidence", []),
                        "explanation": presenters.explanation(pv.result)} for pv in presenters.post_views(alert)],
                changes=[{"from": h["change"].from_status, "to": h["change"].to_status,
                          "actor": h["change"].actor_label, "reason": h["reason"], "at": h["change"].at}
                         for h in presenters.history(alert)],
                dispatches=[{"id": d.pk, "to": d.to_jurisdiction.code, "status": d.status,
                             "shared_note": d.note, "ack_due_at": d.ack_due_at, "report": d.report}
                            for d in alert.dispatches.select_related("to_jurisdiction")],
                identity_requests=[{"id": r.pk, "platform": r.platform_name, "legal_basis": r.legal_basis,
                                    "status": r.status, "response": r.response} for r in alert.identity_requests.all()],
                follow_ups=[{"id": f.pk, "due_at": f.due_at, "done_at": f.done_at} for f in alert.follow_ups.all()])
    return data


def _alert(request: HttpRequest, perm: Perm, alert_id: int) -> tuple[User, Alert]:
    user = require(request.user, perm)
    obj = find("alert", user, alert_id)
    assert isinstance(obj, Alert)  # noqa: S101  (find("alert") returns alerts)
    return user, obj


def _record(request: HttpRequest, perm: Perm, model: str, pk: int) -> tuple[User, Model]:
    user = require(request.user, perm)
    return user, find(model, user, pk)


@router.get("/alerts", response={200: list[dict[str, Any]], **_ERR})
def list_alerts(request: HttpRequest, status: str = "", level: int = 0, limit: int = 100,
                offset: int = 0) -> list[dict[str, Any]]:
    """Alerts of my jurisdictions in queue order (overdue, level, time left); open ones unless ``status``."""
    user = require(request.user, Perm.ALERT_VIEW)
    now = timezone.now()
    alerts = Alert.objects.owned_by(user).select_related("jurisdiction", "claimed_by").filter(level__gte=level)
    alerts = alerts.filter(status=status) if status else alerts.filter(status__in=OPEN_STATUSES)
    limit, offset = window(limit, offset)
    page = presenters.queue_order(alerts, now)[offset: offset + limit]
    return [_summary(a, now) for a in page]


@router.get("/alerts/{alert_id}", response={200: dict[str, Any], **_ERR})
def get_alert(request: HttpRequest, alert_id: int) -> dict[str, Any]:
    """One alert: the full record for its jurisdiction, the shared view for a unit it was dispatched to."""
    user, alert = _alert(request, Perm.ALERT_VIEW, alert_id)
    audit.record(AuditAction.VIEW, actor=user, obj=alert, jurisdiction=alert.jurisdiction)
    return _full(alert, user)


@router.post("/alerts/{alert_id}/claim", response={200: dict[str, Any], **_ERR})
def claim(request: HttpRequest, alert_id: int) -> dict[str, Any]:
    user, alert = _alert(request, Perm.ALERT_REVIEW, alert_id)
    return _summary(s.do_claim(alert, actor=user), timezone.now())


@router.post("/alerts/{alert_id}/release", response={200: dict[str, Any], **_ERR})
def release(request: HttpRequest, alert_id: int) -> dict[str, Any]:
    user, alert = _alert(request, Perm.ALERT_REVIEW, alert_id)
    return _summary(s.do_release(alert, actor=user), timezone.now())


@router.post("/alerts/{alert_id}/acknowledge", response={200: dict[str, Any], **_ERR})
def acknowledge(request: HttpRequest, alert_id: int, payload: ReasonIn) -> dict[str, Any]:
    user, alert = _alert(request, Perm.ALERT_REVIEW, alert_id)
    return _summary(s.do_acknowledge(alert, actor=user, reason=payload.reason), timezone.now())


@router.post("/alerts/{alert_id}/dispatch", response={200: dict[str, Any], **_ERR})
def dispatch(request: HttpRequest, alert_id: int, payload: DispatchIn) -> dict[str, Any]:
    """Hand the alert to a unit in any jurisdiction (including another city)."""
    user, alert = _alert(request, Perm.ALERT_DISPATCH, alert_id)
    to = Jurisdiction.objects.filter(pk=payload.to_jurisdiction).first()
    if to is None:
        raise ValidationError({"to_jurisdiction": [_("Unknown jurisdiction.")]})
    d = s.do_dispatch(alert, actor=user, to=to, shared_note=payload.shared_note)
    return {"id": d.pk, "alert_id": alert.pk, "to": to.code, "ack_due_at": d.ack_due_at, "status": d.status}


def _step(request: HttpRequest, alert_id: int, perm: Perm, run: Any, payload: ReasonIn) -> dict[str, Any]:
    user, alert = _alert(request, perm, alert_id)
    return _summary(run(alert, actor=user, reason=payload.reason), timezone.now())


@router.post("/alerts/{alert_id}/intervene", response={200: dict[str, Any], **_ERR})
def intervene(request: HttpRequest, alert_id: int, payload: ReasonIn) -> dict[str, Any]:
    return _step(request, alert_id, Perm.ALERT_OUTCOME, s.do_start_intervention, payload)


@router.post("/alerts/{alert_id}/resolve", response={200: dict[str, Any], **_ERR})
def resolve(request: HttpRequest, alert_id: int, payload: ReasonIn) -> dict[str, Any]:
    return _step(request, alert_id, Perm.ALERT_OUTCOME, s.do_resolve, payload)


@router.post("/alerts/{alert_id}/close", response={200: dict[str, Any], **_ERR})
def close(request: HttpRequest, alert_id: int, payload: ReasonIn) -> dict[str, Any]:
    return _step(request, alert_id, Perm.ALERT_REVIEW, s.do_close, payload)


@router.post("/alerts/{alert_id}/reopen", response={200: dict[str, Any], **_ERR})
def reopen(request: HttpRequest, alert_id: int, payload: ReasonIn) -> dict[str, Any]:
    return _step(request, alert_id, Perm.ALERT_REVIEW, s.do_reopen, payload)


@router.post("/alerts/{alert_id}/outcomes", response={200: dict[str, Any], **_ERR})
def outcome(request: HttpRequest, alert_id: int, payload: OutcomeIn) -> dict[str, Any]:
    user, alert = _alert(request, Perm.ALERT_OUTCOME, alert_id)
    o = s.do_record_outcome(alert, actor=user, kind=payload.kind, note=payload.note, resolve=payload.resolve)
    return {"id": o.pk, "alert_id": alert.pk, "kind": o.kind, "follow_ups": o.follow_ups.count()}


@router.post("/alerts/{alert_id}/identity-requests", response={200: dict[str, Any], **_ERR})
def identity_request(request: HttpRequest, alert_id: int, payload: IdentityIn) -> dict[str, Any]:
    """Record a request to a platform for the account holder's identity (调证), with its legal basis."""
    user, alert = _alert(request, Perm.ALERT_DISPATCH, alert_id)
    platform = Platform.objects.visible_to(user).filter(pk=payload.platform_id).first() if payload.platform_id else None
    r = s.do_request_identity(alert, actor=user, legal_basis=payload.legal_basis, platform=platform,
                              platform_name=payload.platform_name, author_key=payload.author_key)
    return {"id": r.pk, "alert_id": alert.pk, "status": r.status}


@router.post("/identity-requests/{request_id}/response", response={200: dict[str, Any], **_ERR})
def identity_response(request: HttpRequest, request_id: int, payload: IdentityResponseIn) -> dict[str, Any]:
    user, obj = _record(request, Perm.ALERT_DISPATCH, "identity", request_id)
    assert isinstance(obj, IdentityRequest)  # noqa: S101  (find("identity") returns identity requests)
    r = s.do_record_identity_response(obj, actor=user, response=payload.response, refused=payload.refused)
    return {"id": r.pk, "status": r.status}


@router.post("/alerts/{alert_id}/posts/{post_id}/labels", response={200: dict[str, Any], **_ERR})
def label(request: HttpRequest, alert_id: int, post_id: int, payload: LabelIn) -> dict[str, Any]:
    """A reviewer's decision on one post (level 0-10 or a category id), kept for retraining."""
    user, alert = _alert(request, Perm.ALERT_REVIEW, alert_id)
    post = Post.objects.filter(pk=post_id).first()
    if post is None:
        raise ValidationError(_("This post is not part of the alert."))
    item = s.do_label_post(alert, post, actor=user, kind=payload.kind, value=payload.value, note=payload.note)
    return {"id": item.pk, "kind": item.kind, "value": item.value}


@router.get("/dispatches", response={200: list[dict[str, Any]], **_ERR})
def received(request: HttpRequest) -> list[dict[str, Any]]:
    """Dispatches to my unit, with what was shared."""
    user = require(request.user, Perm.ALERT_RESPOND)
    return [{"id": d.pk, "alert_id": d.alert_id, "to": d.to_jurisdiction.code, "shared_note": d.note,
             "level": d.alert.level, "categories": d.alert.categories, "status": d.status,
             "ack_due_at": d.ack_due_at} for d in presenters.received_dispatches(user)[:500]]


@router.post("/dispatches/{dispatch_id}/acknowledge", response={200: dict[str, Any], **_ERR})
def acknowledge_dispatch(request: HttpRequest, dispatch_id: int) -> dict[str, Any]:
    user, obj = _record(request, Perm.ALERT_RESPOND, "dispatch", dispatch_id)
    assert isinstance(obj, Dispatch)  # noqa: S101  (find("dispatch") returns dispatches)
    d = s.do_acknowledge_dispatch(obj, actor=user)
    return {"id": d.pk, "status": d.status, "acknowledged_at": d.acknowledged_at}


@router.post("/dispatches/{dispatch_id}/report", response={200: dict[str, Any], **_ERR})
def report_back(request: HttpRequest, dispatch_id: int, payload: DispatchReportIn) -> dict[str, Any]:
    user, obj = _record(request, Perm.ALERT_RESPOND, "dispatch", dispatch_id)
    assert isinstance(obj, Dispatch)  # noqa: S101  (find("dispatch") returns dispatches)
    d = s.do_report_back(obj, actor=user, report=payload.report)
    return {"id": d.pk, "status": d.status}


@router.post("/follow-ups/{follow_up_id}/complete", response={200: dict[str, Any], **_ERR})
def complete_follow_up(request: HttpRequest, follow_up_id: int, payload: ResultIn) -> dict[str, Any]:
    user, obj = _record(request, Perm.ALERT_OUTCOME, "followup", follow_up_id)
    assert isinstance(obj, FollowUp)  # noqa: S101  (find("followup") returns follow-ups)
    f = s.do_complete_follow_up(obj, actor=user, result=payload.result)
    return {"id": f.pk, "done_at": f.done_at}


@router.get("/export", response={200: list[dict[str, Any]], **_ERR})
def export(request: HttpRequest) -> list[dict[str, Any]]:
    """Alerts of my jurisdictions with post ids, levels, categories and states (audited)."""
    user = require(request.user, Perm.ALERT_EXPORT)
    alerts = Alert.objects.owned_by(user).select_related("jurisdiction").order_by("id")
    data = exports.export_alerts(alerts)
    audit.record(AuditAction.EXPORT, actor=user, object_type="alerts.alert", object_repr=f"{len(data)} alerts")
    return data

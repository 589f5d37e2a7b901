"""Alert pages: the review queue (HTMX, refreshes itself), detail (owner or receiver view), the receiving
unit's dispatches, the overdue and escalated list for leaders, and the JSON export."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from youthsafe.alerts import exports, presenters
from youthsafe.alerts.forms import QueueFilterForm
from youthsafe.alerts.models import OPEN_STATUSES, Alert
from youthsafe.core import audit
from youthsafe.core.access import acting_user, jurisdictions_of, permission_required
from youthsafe.core.models import AuditAction, User
from youthsafe.core.roles import Permission

PAGE_SIZE = 50


def _rows(alerts: list[Alert], now: Any) -> list[dict[str, Any]]:
    rows = []
    ids = [a.pk for a in alerts]
    triggers, people = presenters.triggers(ids), presenters.people_counts(ids)
    for alert in alerts:
        first = triggers.get(alert.pk)
        rows.append({"alert": alert, "sla": presenters.sla(alert, now), "level_label": presenters.level_label(
            alert.level), "level_class": presenters.level_class(alert.level),
            "categories": presenters.category_badges(alert.categories),
            "excerpt": first.post.text[:80] if first else "", "people": people.get(alert.pk, 0),
            "left": alert.due_at - now if alert.due_at and alert.is_open else None})
    return rows


def filtered_queue(request: HttpRequest, user: User) -> tuple[QueueFilterForm, QuerySet[Alert]]:
    form = QueueFilterForm(request.GET or None, jurisdictions=jurisdictions_of(user))
    alerts = Alert.objects.owned_by(user).select_related("jurisdiction", "claimed_by")
    status = ""
    if form.is_valid():
        data = form.cleaned_data
        status = data["status"] or ""
        if data["level"] is not None:
            alerts = alerts.filter(level__gte=data["level"])
        if data["jurisdiction"]:
            alerts = alerts.filter(jurisdiction__path__startswith=data["jurisdiction"].path)
    if status == "":
        alerts = alerts.filter(status__in=OPEN_STATUSES)
    elif status != "all":
        alerts = alerts.filter(status=status)
    return form, presenters.queue_order(alerts, timezone.now())


# What the queue's rows show of each alert: a refresh whose rows hold the same values renders the same rows.
_SHOWN = ("pk", "version", "status", "level", "categories", "recruitment", "jurisdiction_id", "claimed_by_id",
          "escalated_at", "due_at")


def _rows_tag(request: HttpRequest, user: User, page: Any, now: Any) -> str:
    """An entity tag for the rows a refresh would render: the alerts on the page and what the rows show of
    them, the page and its total, who asks (permissions, language), and the minute (time left and overdue
    marks are shown to the minute, so they change even when no alert does)."""
    shown = list(page.object_list.values_list(*_SHOWN))
    state = (user.pk, user.role, request.LANGUAGE_CODE, request.GET.urlencode(), page.number,
             page.paginator.count, int(now.timestamp() // 60), shown)
    return '"' + hashlib.sha256(repr(state).encode()).hexdigest()[:32] + '"'


@permission_required(Permission.ALERT_VIEW)
def index(request: HttpRequest) -> HttpResponse:
    """The review queue: overdue first, then level, then time left; the rows refresh every 15 s (HTMX).

    A refresh carries the entity tag of the rows it holds (the browser sends ``If-None-Match`` for the cached
    response): when nothing the rows show has changed, the answer is 304 and nothing is rendered. Most
    refreshes of an open queue are such, and they were the bulk of the page load (benchmarks/load_pages.py)."""
    user = acting_user(request)
    now = timezone.now()
    form, alerts = filtered_queue(request, user)
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    tag = _rows_tag(request, user, page, now) if request.htmx else ""  # type: ignore[attr-defined]
    if tag and tag in (request.headers.get("If-None-Match") or "").split(", "):
        return _tagged(HttpResponseNotModified(), tag)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "rows": _rows(list(page.object_list), now),
               "query": query.urlencode(), "can_claim": user.has_perm_name(Permission.ALERT_REVIEW),
               "can_export": user.has_perm_name(Permission.ALERT_EXPORT)}
    template = "alerts/_queue_rows.html" if request.htmx else "alerts/queue.html"  # type: ignore[attr-defined]
    response = render(request, template, context)
    return _tagged(response, tag) if tag else response


def _tagged(response: HttpResponse, tag: str) -> HttpResponse:
    """Validators for the rows: the browser keeps them privately and asks again every time (no-cache)."""
    response["ETag"] = tag
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ["HX-Request", "Cookie", "Accept-Language"])
    return response


@permission_required(Permission.ALERT_VIEW)
def escalated(request: HttpRequest) -> HttpResponse:
    """Overdue and escalated alerts (for leaders): the ones waiting on someone past their deadline."""
    user = acting_user(request)
    now = timezone.now()
    late = Alert.objects.owned_by(user).filter(status__in=OPEN_STATUSES, due_at__lt=now)
    alerts = presenters.queue_order(late.select_related("jurisdiction", "claimed_by"), now)
    return render(request, "alerts/escalated.html", {"rows": _rows(list(alerts[:200]), now)})


@permission_required(Permission.ALERT_RESPOND)
def received(request: HttpRequest) -> HttpResponse:
    """Dispatches to my unit: acknowledge within the deadline, then report back."""
    user = acting_user(request)
    now = timezone.now()
    rows = []
    dispatches = list(presenters.received_dispatches(user)[:200])
    triggers = presenters.triggers([d.alert_id for d in dispatches])
    for d in dispatches:
        first = triggers.get(d.alert_id)
        rows.append({"dispatch": d, "overdue": d.acknowledged_at is None and d.ack_due_at < now,
                     "excerpt": first.post.text[:80] if first else "",
                     "level_label": presenters.level_label(d.alert.level)})
    return render(request, "alerts/received.html", {"rows": rows})


def _owner_context(alert: Alert, user: User) -> dict[str, Any]:
    first = presenters.trigger(alert)
    result = first.scan.result if first and first.scan else {}
    can = user.has_perm_name
    return {
        "posts": presenters.post_views(alert), "earlier": presenters.earlier_posts(alert),
        "people": list(alert.people.all()), "history": presenters.history(alert),
        "dispatches": list(alert.dispatches.select_related("to_jurisdiction", "sent_by", "acknowledged_by")),
        "identity_requests": list(alert.identity_requests.select_related("requested_by")),
        "outcomes": list(alert.outcomes.select_related("recorded_by", "unit")),
        "follow_ups": list(alert.follow_ups.all()),
        "labels": list(alert.labels.select_related("reviewer")),
        "model_version": result.get("model_version", ""), "rules_version": result.get("rules_version", ""),
        "explanation": presenters.explanation(result),
        "rules_fired": [r for r in result.get("rules_fired", []) if not r.get("shadow")],
        "can_review": can(Permission.ALERT_REVIEW), "can_dispatch": can(Permission.ALERT_DISPATCH),
        "can_outcome": can(Permission.ALERT_OUTCOME),
    }


@permission_required(Permission.ALERT_VIEW)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The full record for the owning jurisdiction; the shared part only for a unit it was dispatched to."""
    user = acting_user(request)
    alert = Alert.objects.visible_to(user).select_related("jurisdiction", "claimed_by").filter(pk=pk).first()
    if alert is None:
        raise Http404(_("No such record in your jurisdiction."))
    now = timezone.now()
    context: dict[str, Any] = {
        "alert": alert, "sla": presenters.sla(alert, now), "level_label": presenters.level_label(alert.level),
        "level_class": presenters.level_class(alert.level),
        "categories": presenters.category_badges(alert.categories),
        "left": alert.due_at - now if alert.due_at and alert.is_open else None,
    }
    # Welfare data is sensitive: reading a case is audited (regulatory-reference 6.3 cautions).
    audit.record(AuditAction.VIEW, actor=user, obj=alert, jurisdiction=alert.jurisdiction)
    if alert.owned_by_user(user):
        context.update(_owner_context(alert, user))
        return render(request, "alerts/detail.html", context)
    context.update(shared=presenters.shared_view(alert, user), posts=presenters.post_views(alert),
                   dispatches=list(presenters.received_dispatches(user).filter(alert=alert)),
                   outcomes=list(alert.outcomes.filter(unit__path__startswith=user.jurisdiction.path)
                                 if user.jurisdiction else []),
                   can_outcome=user.has_perm_name(Permission.ALERT_OUTCOME),
                   can_respond=user.has_perm_name(Permission.ALERT_RESPOND))
    return render(request, "alerts/receiver_detail.html", context)


@permission_required(Permission.ALERT_EXPORT)
def export(request: HttpRequest) -> HttpResponse:
    """The alerts of my jurisdictions as JSON (same shape as ``youthsafe alerts export --json``); audited."""
    user = acting_user(request)
    _form, alerts = filtered_queue(request, user)
    data = exports.export_alerts(alerts)
    audit.record(AuditAction.EXPORT, actor=user, object_type="alerts.alert", object_repr=f"{len(data)} alerts")
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=1, default=str),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="alerts.json"'
    return response

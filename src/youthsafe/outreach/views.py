"""Outreach pages: the list (filters, and the records behind a statistics figure), record and edit an event,
its detail with the forms of its steps (``outreach.actions``: held, cancelled, follow-up done, a file attached)
and its attachments."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from youthsafe.core import indicators as ind
from youthsafe.core import uploads as core_uploads
from youthsafe.core.access import acting_user, get_visible_or_404, jurisdictions_of, permission_required
from youthsafe.core.models import AuditEvent, User
from youthsafe.core.roles import Permission
from youthsafe.outreach import attachments, services, workflow
from youthsafe.outreach.actions import held_initial
from youthsafe.outreach.forms import AttachmentForm, EventForm, FilterForm, FollowUpForm, HeldForm, ReasonForm
from youthsafe.outreach.models import Attachment, OutreachEvent

PAGE_SIZE = 50


def _parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _from_indicator(request: HttpRequest, events: QuerySet[OutreachEvent], user: User) -> tuple[QuerySet[
        OutreachEvent], str]:
    """``?indicator=&from=&to=&jurisdiction=``: exactly the records behind a statistics figure."""
    key = request.GET.get("indicator", "")
    try:
        indicator = ind.get(key)
    except KeyError:
        return events, ""
    if indicator.records().model is not OutreachEvent:
        return events, ""
    start = _parse_date(request.GET.get("from")) or dt.date(1900, 1, 1)
    end = _parse_date(request.GET.get("to")) or timezone.localdate()
    place = jurisdictions_of(user).filter(pk=request.GET.get("jurisdiction") or 0).first()
    try:
        chosen = ind.records(indicator, start, end, place)
    except ValueError:
        return events.none(), str(indicator.label)
    return events.filter(pk__in=chosen.values("pk")), str(indicator.label)


def filtered(request: HttpRequest, user: User) -> tuple[FilterForm, QuerySet[OutreachEvent], str]:
    form = FilterForm(request.GET or None, jurisdictions=jurisdictions_of(user))
    events: QuerySet[OutreachEvent] = OutreachEvent.objects.visible_to(user)
    events = events.select_related("jurisdiction").prefetch_related("materials")
    events, figure = _from_indicator(request, events, user)
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            events = events.filter(kind=data["kind"])
        if data["status"]:
            events = events.filter(status=data["status"])
        if data["jurisdiction"]:
            events = events.filter(jurisdiction__path__startswith=data["jurisdiction"].path)
        if data["date_from"]:
            events = events.filter(held_on__gte=data["date_from"])
        if data["date_to"]:
            events = events.filter(held_on__lte=data["date_to"])
        if data["q"]:
            events = events.filter(Q(title__icontains=data["q"]) | Q(venue__icontains=data["q"])
                                   | Q(partner__icontains=data["q"]))
    return form, events, figure


@permission_required(Permission.OUTREACH_VIEW)
def index(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form, events, figure = filtered(request, user)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "figure": figure,
               "can_record": user.has_perm_name(Permission.OUTREACH_RECORD), "total": events.count()}
    template = "outreach/_rows.html" if request.htmx else "outreach/index.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _event_data(form: EventForm) -> dict[str, Any]:
    return {k: form.cleaned_data[k] for k in services.EDITABLE if k in form.cleaned_data}


@permission_required(Permission.OUTREACH_RECORD)
def create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = EventForm(request.POST or None, jurisdictions=jurisdictions_of(user, write=True),
                     initial={"held_on": timezone.localdate(), "jurisdiction": user.jurisdiction})
    if request.method == "POST" and form.is_valid():
        try:
            event = services.do_create_event(actor=user, data=_event_data(form), materials=form.materials(),
                                             held=form.cleaned_data["held"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Event recorded."))
            return redirect("outreach:detail", pk=event.pk)
    return render(request, "outreach/form.html", {"form": form, "title": _("Record an outreach event")})


@permission_required(Permission.OUTREACH_RECORD)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    event = get_object_or_404(OutreachEvent.objects.changeable_by(user), pk=pk)
    form = EventForm(request.POST or None, instance=event, jurisdictions=jurisdictions_of(user, write=True),
                     creating=False)
    if request.method == "POST" and form.is_valid():
        try:
            version = int(request.POST.get("version") or event.version)
            services.do_update_event(event, actor=user, data=_event_data(form), materials=form.materials(),
                                     version=version)
        except (ValidationError, ValueError) as exc:
            form.add_error(None, exc if isinstance(exc, ValidationError) else _("Reload the page."))
        else:
            messages.success(request, _("Event saved."))
            return redirect("outreach:detail", pk=event.pk)
    return render(request, "outreach/form.html", {"form": form, "title": _("Edit outreach event"), "event": event})


def _detail_context(user: User, event: OutreachEvent) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "event": event, "materials": event.materials.all(), "attachments": event.attachments.all(),
        "can_record": user.has_perm_name(Permission.OUTREACH_RECORD) and user.can_write_in(event.jurisdiction),
        "follow_up_state": workflow.follow_up_state(status=event.status, due=event.follow_up_due,
                                                    done=event.follow_up_done_at is not None, today=today),
        "late": workflow.is_late_to_record(status=event.status, held_on=event.held_on, today=today),
        "held_form": HeldForm(initial=held_initial(event)),
        "cancel_form": ReasonForm(), "follow_up_form": FollowUpForm(), "attachment_form": AttachmentForm(),
        "history": AuditEvent.objects.filter(object_type=OutreachEvent._meta.label_lower,
                                             object_id=str(event.pk)).order_by("id")[:50],
    }


@permission_required(Permission.OUTREACH_VIEW)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    event = get_visible_or_404(OutreachEvent.objects.select_related("jurisdiction", "created_by"), user, pk=pk)
    return render(request, "outreach/detail.html", _detail_context(user, event))


@permission_required(Permission.OUTREACH_VIEW)
def attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = acting_user(request)
    visible = OutreachEvent.objects.visible_to(user).values("pk")
    item = get_object_or_404(Attachment.objects.filter(event__in=visible), pk=pk)
    try:
        handle = attachments.open_verified(item.sha256)
    except (OSError, ValueError):
        messages.error(request, _("The stored file is missing; ask an administrator to restore it."))
        return redirect("outreach:detail", pk=item.event_id)
    response = core_uploads.file_response(handle, content_type=item.content_type)
    disposition = "inline" if item.content_type.startswith("image/") else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{_quote(item.name)}"
    return response


def _quote(name: str) -> str:
    return quote(name)


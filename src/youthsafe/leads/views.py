"""Lead pages: the lead list (with counts by source), intake, detail with its steps, the receiving unit's
dispatches, and linked investigations (一案双查). The steps themselves are ``leads.actions``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from youthsafe.alerts.models import Alert
from youthsafe.content.forms import LeadItemForm
from youthsafe.content.listing import apply
from youthsafe.core.access import acting_user, allowed, get_visible_or_404, jurisdictions_of, permission_required
from youthsafe.core.forms import add_service_errors
from youthsafe.core.roles import Permission as Perm
from youthsafe.leads import forms, services, workflow
from youthsafe.leads.models import Case, Lead, LeadDispatch, LeadSource, LeadStatus

PAGE = 50


@permission_required(Perm.LEAD_VIEW)
def index(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    qs: QuerySet[Any] = Lead.objects.visible_to(user).select_related("jurisdiction", "platform")
    qs, scope = apply(request, qs, user, date_field="received_at")
    status = request.GET.get("status", "")
    if status in LeadStatus.values:
        qs = qs.filter(status=status)
    source = request.GET.get("source", "")
    if source in LeadSource.values:
        qs = qs.filter(source=source)
    labels = dict(LeadSource.choices)
    by_source = [(labels.get(row["source"], row["source"]), row["n"])
                 for row in qs.order_by().values("source").annotate(n=Count("id")).order_by("source")]
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(request, "leads/index.html", {
        "page": page, "scope": scope, "count": qs.count(), "by_source": by_source, "statuses": LeadStatus.choices,
        "sources": LeadSource.choices, "status": status, "source": source,
        "can_handle": allowed(user, Perm.LEAD_HANDLE)})


@permission_required(Perm.LEAD_HANDLE)
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = forms.LeadForm(request.POST or None, jurisdictions=jurisdictions_of(user, write=True))
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.do_create_lead(form.cleaned_data, actor=user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Lead %(ref)s recorded.") % {"ref": lead.reference})
            return redirect("leads:detail", lead.pk)
    return render(request, "leads/form.html", {"form": form, "title": _("Record a lead"), "back": "leads:index"})


@permission_required(Perm.LEAD_VIEW)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    lead = get_visible_or_404(Lead.objects.select_related("jurisdiction", "platform", "report", "merged_into"),
                              user, pk=pk)
    owner = user.can_read_in(lead.jurisdiction)
    now = timezone.now()
    dispatches = list(lead.dispatches.select_related("to_jurisdiction", "acknowledged_by"))
    mine = [d for d in dispatches if user.jurisdiction is not None and d.to_jurisdiction.is_within(user.jurisdiction)]
    if not owner:  # a receiving unit sees its own dispatches, not the instructions and feedback of others
        dispatches = mine
    return render(request, "leads/detail.html", {
        "lead": lead, "owner": owner, "now": now,
        "dispatches": [(d, d.ack_clock(now), d in mine) for d in dispatches],
        "items": lead.content_items.visible_to(user).select_related("platform"),
        "alerts": lead.alerts.visible_to(user) if owner else Alert.objects.none(),
        "cases": lead.cases.all() if owner else Case.objects.none(), "merged": lead.merged_leads.all(),
        "can_handle": owner and allowed(user, Perm.LEAD_HANDLE) and user.can_write_in(lead.jurisdiction),
        "can_dispatch": owner and allowed(user, Perm.LEAD_DISPATCH) and user.can_write_in(lead.jurisdiction),
        "can_respond": allowed(user, Perm.LEAD_RESPOND), "can_item": allowed(user, Perm.CONTENT_HANDLE),
        "can_case": owner and allowed(user, Perm.CASE_HANDLE), "open": lead.status in workflow.OPEN})


def _record_from_lead(request: HttpRequest, lead: Lead, form: djforms.Form, title: str,
                      run: Callable[[dict[str, Any]], tuple[str, str]], *, multipart: bool = False) -> HttpResponse:
    """A step that records something new from the lead (a content item, a case) and goes to it: ``run``
    returns the new record's URL and the message to show."""
    if request.method == "POST" and form.is_valid():
        try:
            url, message = run(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect(url)
    return render(request, "leads/action.html", {"form": form, "title": title, "lead": lead, "multipart": multipart})


@permission_required(Perm.CASE_HANDLE)
@require_http_methods(["GET", "POST"])
def open_case(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    lead = get_visible_or_404(Lead.objects.all(), user, pk=pk)
    if not user.can_read_in(lead.jurisdiction):  # a receiving unit answers through its dispatch only
        raise PermissionDenied(_("Only the unit that owns the lead can do this."))
    form = forms.CaseForm(request.POST or None, jurisdictions=jurisdictions_of(user, write=True))

    def run(data: dict[str, Any]) -> tuple[str, str]:
        case = services.do_open_case(lead, data, actor=user)
        return reverse("leads:case_detail", args=[case.pk]), _("Saved.")

    return _record_from_lead(request, lead, form, _("Open a case with its platform check"), run)


@permission_required(Perm.CONTENT_HANDLE)
@require_http_methods(["GET", "POST"])
def to_item(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the content item the lead points at (the owner or the unit it was dispatched to)."""
    user = acting_user(request)
    lead = get_visible_or_404(Lead.objects.all(), user, pk=pk)
    form = LeadItemForm(request.POST or None, request.FILES or None, jurisdictions=jurisdictions_of(user, write=True),
                        initial={"platform": lead.platform, "location": lead.report.location if lead.report else ""})

    def run(data: dict[str, Any]) -> tuple[str, str]:
        item = services.do_item_from_lead(lead, {**data}, actor=user)
        return reverse("content:item_detail", args=[item.pk]), _("Item %(ref)s recorded.") % {"ref": item.reference}

    return _record_from_lead(request, lead, form, _("Record the content item"), run, multipart=True)


def _dispatch_rows(qs: Any, now: Any) -> list[tuple[LeadDispatch, str]]:
    return [(d, d.ack_clock(now)) for d in qs]


@permission_required(Perm.LEAD_RESPOND)
def received(request: HttpRequest) -> HttpResponse:
    """Leads dispatched to the user's unit: acknowledge them by the deadline and feed back."""
    user = acting_user(request)
    qs = LeadDispatch.objects.received_by(user).select_related("lead", "to_jurisdiction")
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(request, "leads/dispatches.html", {"page": page, "rows": _dispatch_rows(page, timezone.now()),
                                                     "title": _("Leads dispatched to my unit"), "received": True})


@permission_required(Perm.LEAD_VIEW)
def dispatch_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    qs: QuerySet[Any] = LeadDispatch.objects.filter(lead__in=Lead.objects.owned_by(user)).select_related(
        "lead", "to_jurisdiction")
    qs, scope = apply(request, qs, user, date_field="sent_at", jurisdiction_field="lead__jurisdiction")
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(request, "leads/dispatches.html", {"page": page, "rows": _dispatch_rows(page, timezone.now()),
                                                     "title": _("Dispatched leads"), "scope": scope,
                                                     "count": qs.count()})


@permission_required(Perm.CASE_VIEW)
def case_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    qs: QuerySet[Any] = Case.objects.visible_to(user).select_related("platform", "jurisdiction", "lead")
    qs, scope = apply(request, qs, user, date_field="opened_at")
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(request, "leads/cases.html", {"page": page, "scope": scope, "count": qs.count()})


@permission_required(Perm.CASE_VIEW)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    case = get_visible_or_404(Case.objects.select_related("platform", "jurisdiction", "lead"), user, pk=pk)
    return render(request, "leads/case_detail.html", {
        "case": case, "can_check": allowed(user, Perm.CASE_HANDLE) and user.can_write_in(case.jurisdiction)})

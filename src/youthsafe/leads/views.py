"""Lead pages: the lead list (with counts by source), intake, detail with its steps, the receiving unit's
dispatches, and linked investigations (一案双查)."""

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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from youthsafe.alerts.models import Alert
from youthsafe.content.forms import LeadItemForm
from youthsafe.content.listing import apply
from youthsafe.content.models import ContentItem
from youthsafe.core import inputrule
from youthsafe.core.access import acting_user, allowed, get_visible_or_404, jurisdictions_of, permission_required
from youthsafe.core.forms import add_service_errors
from youthsafe.core.models import User
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
        "dispatches": [(d, workflow.clock(d.ack_due_at, d.acknowledged_at, now), d in mine) for d in dispatches],
        "items": lead.content_items.visible_to(user).select_related("platform"),
        "alerts": lead.alerts.visible_to(user) if owner else Alert.objects.none(),
        "cases": lead.cases.all() if owner else Case.objects.none(), "merged": lead.merged_leads.all(),
        "can_handle": owner and allowed(user, Perm.LEAD_HANDLE) and user.can_write_in(lead.jurisdiction),
        "can_dispatch": owner and allowed(user, Perm.LEAD_DISPATCH) and user.can_write_in(lead.jurisdiction),
        "can_respond": allowed(user, Perm.LEAD_RESPOND), "can_item": allowed(user, Perm.CONTENT_HANDLE),
        "can_case": owner and allowed(user, Perm.CASE_HANDLE), "open": lead.status in workflow.OPEN})


def _lead_action(request: HttpRequest, pk: int, form: djforms.Form, title: str,
                 run: Callable[[Lead, dict[str, Any]], Any], *, danger: bool = False) -> HttpResponse:
    user = acting_user(request)
    lead = get_visible_or_404(Lead.objects.all(), user, pk=pk)
    if not user.can_read_in(lead.jurisdiction):  # a receiving unit answers through its dispatch only
        raise PermissionDenied(_("Only the unit that owns the lead can do this."))
    if request.method == "POST" and form.is_valid():
        try:
            result = run(lead, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            if isinstance(result, Case):
                return redirect("leads:case_detail", result.pk)
            return redirect("leads:detail", lead.pk)
    return render(request, "leads/action.html", {"form": form, "title": title, "lead": lead, "danger": danger})


def _post(request: HttpRequest) -> Any:
    return request.POST or None


@permission_required(Perm.LEAD_HANDLE)
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    return _lead_action(request, pk, forms.VerifyForm(_post(request)), _("Verify the lead"), lambda lead, d:
                        services.do_verify(lead, actor=user, founded=d["founded"], note=d["note"]))


@permission_required(Perm.LEAD_HANDLE)
@require_http_methods(["GET", "POST"])
def report_upward(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    return _lead_action(request, pk, forms.NoteForm(_post(request)), _("Report upward"), lambda lead, d:
                        services.do_report_upward(lead, actor=user, note=d["note"]))


@permission_required(Perm.LEAD_DISPATCH)
@require_http_methods(["GET", "POST"])
def dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    return _lead_action(request, pk, forms.DispatchForm(_post(request)), _("Dispatch to the responsible unit"),
                        lambda lead, d: services.do_dispatch(lead, actor=user, to=d["to"],
                                                             instructions=d["instructions"]))


@permission_required(Perm.LEAD_HANDLE)
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    return _lead_action(request, pk, forms.OutcomeForm(_post(request)), _("Close the lead"), lambda lead, d:
                        services.do_close(lead, actor=user, outcome=d["outcome"]))


@permission_required(Perm.LEAD_HANDLE)
@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    others = Lead.objects.changeable_by(user).exclude(pk=pk).exclude(status=workflow.MERGED)
    return _lead_action(request, pk, forms.MergeForm(_post(request), leads=others), _("Merge into another lead"),
                        lambda lead, d: services.do_merge(lead, into=d["into"], actor=user, reason=d["reason"]),
                        danger=True)


@permission_required(Perm.LEAD_HANDLE)
@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)

    def run(lead: Lead, d: dict[str, Any]) -> Lead:
        items = list(ContentItem.objects.filter(pk__in=d["items"]))
        alerts = list(Alert.objects.filter(pk__in=d["alerts"]))
        if len(items) != len(set(d["items"])) or len(alerts) != len(set(d["alerts"])):
            raise ValidationError(_("Some of the records do not exist."))
        return services.do_link(lead, actor=user, items=items, alerts=alerts, platform=d["platform"])

    return _lead_action(request, pk, forms.LinkForm(_post(request)), _("Link records"), run)


@permission_required(Perm.CASE_HANDLE)
@require_http_methods(["GET", "POST"])
def open_case(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    form = forms.CaseForm(_post(request), jurisdictions=jurisdictions_of(user, write=True))
    return _lead_action(request, pk, form, _("Open a case with its platform check"), lambda lead, d:
                        services.do_open_case(lead, d, actor=user))


@permission_required(Perm.CONTENT_HANDLE)
@require_http_methods(["GET", "POST"])
def to_item(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the content item the lead points at (the owner or the unit it was dispatched to)."""
    user = acting_user(request)
    lead = get_visible_or_404(Lead.objects.all(), user, pk=pk)
    form = LeadItemForm(request.POST or None, request.FILES or None, jurisdictions=jurisdictions_of(user, write=True),
                        initial={"platform": lead.platform, "location": lead.report.location if lead.report else ""})
    if request.method == "POST" and form.is_valid():
        try:
            item = services.do_item_from_lead(lead, {**form.cleaned_data}, actor=user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Item %(ref)s recorded.") % {"ref": item.reference})
            return redirect("content:item_detail", item.pk)
    return render(request, "leads/action.html", {"form": form, "title": _("Record the content item"), "lead": lead,
                                                 "multipart": True})


def _dispatch_action(request: HttpRequest, pk: int, form: djforms.Form, title: str,
                     run: Callable[[LeadDispatch, dict[str, Any]], Any]) -> HttpResponse:
    user = acting_user(request)
    found = get_visible_or_404(LeadDispatch.objects.select_related("lead", "to_jurisdiction"), user, pk=pk)
    if request.method == "POST" and form.is_valid():
        try:
            run(found, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("leads:detail", found.lead_id)
    return render(request, "leads/action.html", {"form": form, "title": title, "lead": found.lead,
                                                 "dispatch": found})


class _AckForm(inputrule.Form):
    note = djforms.CharField(label=_("Note (optional)"), max_length=2000, required=False)


@permission_required(Perm.LEAD_RESPOND)
@require_http_methods(["GET", "POST"])
def dispatch_ack(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    return _dispatch_action(request, pk, _AckForm(_post(request)), _("Acknowledge the lead"), lambda d, data:
                            services.do_acknowledge(d, actor=user, note=data["note"]))


@permission_required(Perm.LEAD_RESPOND)
@require_http_methods(["GET", "POST"])
def dispatch_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    return _dispatch_action(request, pk, forms.FeedbackForm(_post(request)), _("Feed back to the sender"),
                            lambda d, data: services.do_feedback(d, actor=user, feedback=data["feedback"]))


def _dispatch_rows(qs: Any, now: Any) -> list[tuple[LeadDispatch, str]]:
    return [(d, workflow.clock(d.ack_due_at, d.acknowledged_at, now)) for d in qs]


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


@permission_required(Perm.CASE_HANDLE)
@require_http_methods(["GET", "POST"])
def case_check(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = acting_user(request)
    case = get_visible_or_404(Case.objects.select_related("platform"), user, pk=pk)
    form = forms.CheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_platform_check(case, actor=user, kind=form.cleaned_data["kind"],
                                       note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("leads:case_detail", case.pk)
    return render(request, "leads/case_action.html", {"form": form, "case": case,
                                                      "title": _("Decide the platform check")})

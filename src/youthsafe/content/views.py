"""Content pages: items with evidence, takedown instructions, the report triage queue, and the public form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from youthsafe.content import config, evidence, forms, presenters, services, uploads, workflow
from youthsafe.content.listing import apply
from youthsafe.content.models import ContentItem, Evidence, ItemStatus, PublicReport, ReportStatus, TakedownInstruction
from youthsafe.core import uploads as core_uploads
from youthsafe.core.access import acting_user, allowed, get_visible_or_404, jurisdictions_of, permission_required
from youthsafe.core.forms import add_service_errors
from youthsafe.core.roles import Permission as Perm
from youthsafe.leads import services as lead_services

PAGE = 50


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE).get_page(request.GET.get("page"))


# ---------------------------------------------------------------- items


@permission_required(Perm.CONTENT_VIEW)
def index(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    qs: QuerySet[Any] = ContentItem.objects.visible_to(user).select_related("platform", "jurisdiction")
    qs, scope = apply(request, qs, user, date_field="recorded_at")
    status = request.GET.get("status", "")
    if status in ItemStatus.values:
        qs = qs.filter(status=status)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        qs = qs.filter(location__icontains=q) | qs.filter(text__icontains=q)
    page = _page(request, qs)
    return render(request, "content/index.html", {
        "page": page, "scope": scope, "statuses": ItemStatus.choices, "status": status, "q": q,
        "count": qs.count(), "can_handle": allowed(user, Perm.CONTENT_HANDLE)})


@permission_required(Perm.CONTENT_HANDLE)
@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = forms.ItemForm(request.POST or None, request.FILES or None, jurisdictions=jurisdictions_of(user, write=True))
    if request.method == "POST" and form.is_valid():
        try:
            item = services.do_record_item(form.cleaned_data, actor=user, uploads=form.cleaned_data["attachments"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Item %(ref)s recorded.") % {"ref": item.reference})
            return redirect("content:item_detail", item.pk)
    return render(request, "content/form.html", {"form": form, "title": _("Record a harmful-content item"),
                                                 "multipart": True, "back": "content:index"})


@permission_required(Perm.CONTENT_VIEW)
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    item = get_visible_or_404(ContentItem.objects.select_related("platform", "jurisdiction", "group"), user, pk=pk)
    now = timezone.now()
    head = item.group_head
    campaign = ContentItem.objects.visible_to(user).filter(group=head).select_related("platform") \
        if head.pk else ContentItem.objects.none()
    instructions = list(item.instructions.select_related("platform", "issued_by", "verified_by"))
    return render(request, "content/item_detail.html", {
        "item": item, "segments": presenters.highlight(item.text, (item.scan or {}).get("evidence", [])),
        "scan": item.scan, "categories": presenters.categories(item.categories),
        "scan_categories": presenters.scan_categories(item.scan), "head": head,
        "campaign": [head, *campaign] if item.group_id or campaign else [],
        "instructions": [(i, presenters.instruction_sla(i, now)) for i in instructions],
        "evidence": item.evidence.all(), "leads": item.leads.all() if hasattr(item, "leads") else [],
        "can_handle": allowed(user, Perm.CONTENT_HANDLE) and user.can_write_in(item.jurisdiction),
        "can_download": allowed(user, Perm.EVIDENCE_DOWNLOAD), "action": workflow.action_for(item.categories),
        "now": now})


@permission_required(Perm.EVIDENCE_DOWNLOAD)
def evidence_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Evidence bytes as an attachment; the jurisdiction is checked and every download audited."""
    user = acting_user(request)
    row = get_object_or_404(Evidence.objects.select_related("item__jurisdiction", "report__jurisdiction"), pk=pk)
    if not user.can_read_in(row.jurisdiction):
        raise Http404(_("No such record in your jurisdiction."))
    try:
        handle = services.evidence_for_download(row, actor=user)
    except OSError as exc:
        raise Http404(_("The evidence file is missing or was altered; the audit log keeps its hash.")) from exc
    content_type = row.content_type if row.content_type in {*evidence.ALLOWED_TYPES,
                                                           "text/plain; charset=utf-8"} else "application/octet-stream"
    response = core_uploads.file_response(handle, content_type=content_type,
                                          filename=f"{row.sha256[:16]}{presenters.extension(row)}")
    response["X-Content-SHA256"] = row.sha256
    return response


# ---------------------------------------------------------------- instructions


@permission_required(Perm.CONTENT_VIEW)
def instruction_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    qs: QuerySet[Any] = TakedownInstruction.objects.visible_to(user).select_related("item", "platform")
    qs, scope = apply(request, qs, user, date_field="issued_at", jurisdiction_field="item__jurisdiction")
    state = request.GET.get("state", "")
    now = timezone.now()
    if state == "overdue":
        qs = qs.filter(status="pending", deadline__lte=now)
    elif state == "pending":
        qs = qs.filter(status="pending")
    page = _page(request, qs.order_by("deadline") if state else qs)
    rows = [(i, presenters.instruction_sla(i, now)) for i in page]
    return render(request, "content/instructions.html", {"page": page, "rows": rows, "scope": scope,
                                                         "state": state, "count": qs.count()})


# ---------------------------------------------------------------- reports (staff)


@permission_required(Perm.REPORT_TRIAGE)
def report_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    qs: QuerySet[Any] = PublicReport.objects.visible_to(user)
    qs, scope = apply(request, qs, user, date_field="received_at")
    status = request.GET.get("status", "" if scope.active else ReportStatus.RECEIVED)
    if status in ReportStatus.values:
        qs = qs.filter(status=status)
    page = _page(request, qs)
    return render(request, "content/reports.html", {"page": page, "scope": scope, "status": status,
                                                    "statuses": ReportStatus.choices, "count": qs.count()})


@permission_required(Perm.REPORT_TRIAGE)
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    report = get_visible_or_404(PublicReport.objects.all(), user, pk=pk)
    form = forms.TriageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["outcome"] == ReportStatus.LEAD and not allowed(user, Perm.LEAD_HANDLE):
                raise ValidationError({"outcome": [_("Your role cannot open leads; ask a colleague who can.")]})
            if data["outcome"] == ReportStatus.LEAD:
                lead = lead_services.do_lead_from_report(report, actor=user, note=data["note"])
                messages.success(request, _("Lead %(ref)s opened.") % {"ref": lead.reference})
                return redirect("leads:detail", lead.pk)
            services.do_triage_report(report, actor=user, outcome=data["outcome"], note=data["note"],
                                      reply=data["reply"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("content:report_detail", report.pk)
    leads = report.leads.all()
    services.record_contact_view(report, actor=user)
    return render(request, "content/report_detail.html", {
        "report": report, "form": form, "attachments": report.attachments.all(), "leads": leads,
        "can_download": allowed(user, Perm.EVIDENCE_DOWNLOAD)})


# ---------------------------------------------------------------- public


def _too_large_message() -> str:
    return _("The report is too large: at most %(n)d files of up to %(mb).1f MB each.") % {
        "n": config.report_max_files(), "mb": config.evidence_max_bytes() / 1024 / 1024}


@csrf_exempt  # CSRF is checked by _public_report, after the upload limit is in place (see below)
@require_http_methods(["GET", "POST"])
def public_report(request: HttpRequest) -> HttpResponse:
    """The public report form (举报): no account, CSRF protected, size/type-checked uploads, rate limited.

    A body declared larger than the report limit is refused before a byte of it is read; a body that passes
    the limit while it streams in (a file over the evidence limit) is stopped there by the upload handler.
    The handler has to be installed before anything reads ``request.POST``, which the CSRF check does, so
    this view is exempt and the check runs in ``_public_report``."""
    if request.method == "POST" and uploads.too_large(request):
        form = forms.PublicReportForm()
        return render(request, "content/public_report.html", {"form": form, "refused": _too_large_message()},
                      status=413)
    request.upload_handlers.insert(0, uploads.ReportUploadLimit(request))
    return _public_report(request)


@csrf_protect
def _public_report(request: HttpRequest) -> HttpResponse:
    form = forms.PublicReportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and uploads.refused(request):
        form = forms.PublicReportForm(request.POST)
        return render(request, "content/public_report.html", {"form": form, "refused": _too_large_message()},
                      status=413)
    if request.method == "POST":
        if form.is_valid():
            try:
                report = services.submit_report(form.cleaned_data, uploads=form.cleaned_data["attachments"],
                                                ip=services.client_ip(request.META))
            except services.RateLimited:
                form.add_error(None, _("Too many reports from your connection. Please try again later."))
                status = 429
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 400
            else:
                return render(request, "content/public_thanks.html", {"report": report}, status=201)
        else:
            status = 400
    return render(request, "content/public_report.html", {"form": form}, status=status)


@require_http_methods(["GET"])
def public_lookup(request: HttpRequest) -> HttpResponse:
    """Look up a report by its acknowledgement number: only its state and the reply, nothing else."""
    form = forms.LookupForm(request.GET or None)
    report = None
    if form.is_valid():
        number = form.cleaned_data["ack_number"].strip().upper()
        report = PublicReport.objects.filter(ack_number=number).first()
        if report is None:
            form.add_error("ack_number", _("No report with this number."))
    return render(request, "content/public_lookup.html", {"form": form, "report": report})

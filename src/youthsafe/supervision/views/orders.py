"""Rectification orders (their notice as a document) and the sanctions proposed on them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from youthsafe.core.access import acting_user, get_visible_or_404, permission_required
from youthsafe.core.forms import add_service_errors
from youthsafe.core.roles import Permission
from youthsafe.supervision import documents
from youthsafe.supervision import forms as f
from youthsafe.supervision import workflow as wf
from youthsafe.supervision.filters import listing
from youthsafe.supervision.models import (
    Assessment,
    Finding,
    Inspection,
    OrderStatus,
    RectificationOrder,
    Referral,
    Sanction,
    SanctionStatus,
)
from youthsafe.supervision.services import inspections, orders, sanctions
from youthsafe.supervision.views.common import ALL, can, download_document, history, paged

P = Permission


@permission_required(P.SUPERVISION_VIEW)
def order_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    qs: QuerySet[Any] = RectificationOrder.objects.visible_to(user).select_related("platform", "jurisdiction")
    form, qs = listing(request, user, qs, date_field="issued_on", statuses=list(OrderStatus.choices))
    today = timezone.localdate()
    return render(request, "supervision/order_list.html", {"form": form, "today": today, **paged(request, qs)})


@permission_required(P.ORDER_ISSUE)
def order_create(request: HttpRequest) -> HttpResponse:
    """Draft an order from a signed inspection's findings, a failed assessment or a referral."""
    user = acting_user(request)
    source: dict[str, Any] = {}
    scoped: dict[str, Any] = {"inspection": Inspection.objects.all(), "assessment": Assessment.objects.all(),
                              "referral": Referral.objects.all()}
    for key, queryset in scoped.items():
        if request.GET.get(key, "").isdigit():
            source[key] = get_visible_or_404(queryset, user, pk=int(request.GET[key]))
    if not source:
        messages.error(request, _("Draft an order from a signed-off inspection, an assessment or a referral."))
        return redirect("supervision:inspection_list")
    record = next(iter(source.values()))
    findings = inspections.open_findings(source["inspection"]) if "inspection" in source else Finding.objects.none()
    initial = {"findings": list(findings), "problems": "；".join(x.description for x in findings),
               "legal_basis": "；".join(sorted({x.legal_basis for x in findings if x.legal_basis}))}
    if "referral" in source:
        initial["problems"] = source["referral"].reason
    form = f.OrderForm(request.POST or None, initial=initial, findings=findings)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = orders.do_draft_order(
                record.platform, actor=user, problems=data["problems"], legal_basis=data["legal_basis"],
                requirements=data["requirements"], period_days=data["period_days"], findings=data["findings"],
                **source)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Order drafted."))
            return redirect("supervision:order_detail", pk=order.pk)
    return render(request, "core/form_page.html", {"form": form, "title": _("New rectification order · %(p)s") % {
        "p": record.platform}, "back": "supervision:order_list"})


@permission_required(P.SUPERVISION_VIEW)
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    order = get_visible_or_404(RectificationOrder.objects.select_related("platform", "jurisdiction", "inspection"),
                               user, pk=pk)
    today = timezone.localdate()
    return render(request, "supervision/order_detail.html", {
        "order": order, "findings": order.findings.all(), "sanctions": order.sanctions.all(),
        "history": history((wf.ORDER.name, wf.LADDER.name), order.pk),
        "days_left": wf.days_left(order.deadline, today),
        "late": wf.is_overdue(order.deadline, today) and order.status in wf.ORDER_WAITING,
        "recheck_due": orders.recheck_due(order), "today": today, **can(user, *ALL)})


@permission_required(P.SUPERVISION_VIEW)
def order_notice(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    order = get_visible_or_404(RectificationOrder.objects.select_related("platform", "jurisdiction"),
                               acting_user(request), pk=pk)
    return download_document(request, order, documents.rectification_notice(order), fmt, f"notice-{pk}")


@permission_required(P.SUPERVISION_VIEW)
def sanction_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    qs: QuerySet[Any] = Sanction.objects.visible_to(user).select_related("platform", "jurisdiction", "order")
    form, qs = listing(request, user, qs, date_field="proposed_at", statuses=list(SanctionStatus.choices))
    return render(request, "supervision/sanction_list.html", {"form": form, **paged(request, qs)})


@permission_required(P.SANCTION_PROPOSE)
def sanction_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    order = get_visible_or_404(RectificationOrder.objects.select_related("platform"), user, pk=pk)
    findings = order.findings.all()
    initial = {"findings": list(findings), "website": order.platform.website,
               "start_date": timezone.localdate()}
    form = f.SanctionForm(request.POST or None, initial=initial, findings=findings)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            made = sanctions.do_propose(order, actor=user, kind=data.pop("kind"), statute=data.pop("statute"),
                                        reason=data.pop("reason"), serious=data.pop("serious"),
                                        findings=data.pop("findings"), **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Sanction proposed; it takes effect only when approved."))
            return redirect("supervision:sanction_detail", pk=made.pk)
    return render(request, "supervision/sanction_form.html", {"form": form, "order": order})


@permission_required(P.SUPERVISION_VIEW)
def sanction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    sanction = get_visible_or_404(Sanction.objects.select_related("platform", "order", "proposed_by", "decided_by"),
                                  user, pk=pk)
    flags = can(user, *ALL)
    reserved = sanction.kind == wf.CRIMINAL_REFERRAL and not user.has_perm_name(P.SANCTION_APPROVE_REFERRAL)
    return render(request, "supervision/sanction_detail.html", {
        "sanction": sanction, "findings": sanction.findings.all(), "history": history(wf.SANCTION.name, sanction.pk),
        "timed": sanction.kind in wf.TIMED_KINDS, "own_proposal": sanction.proposed_by_id == user.pk,
        "can_decide": flags["can_sanction_approve"] and not reserved,
        "referral_reserved": flags["can_sanction_approve"] and reserved
        and sanction.status in {SanctionStatus.PROPOSED, SanctionStatus.APPROVED}, **flags})

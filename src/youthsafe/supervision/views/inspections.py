"""The overview, inspection plans and their calendar, inspections and their findings, the inspection record."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from youthsafe.core.access import acting_user, get_visible_or_404, jurisdictions_of, permission_required
from youthsafe.core.roles import Permission
from youthsafe.registry.controls import CONTROLS_BY_ID, GROUP_LABELS
from youthsafe.registry.models import Platform
from youthsafe.supervision import documents
from youthsafe.supervision import forms as f
from youthsafe.supervision import workflow as wf
from youthsafe.supervision.filters import listing
from youthsafe.supervision.models import (
    Finding,
    Inspection,
    InspectionPlan,
    InspectionStatus,
    RectificationOrder,
    Referral,
    ReferralStatus,
    Sanction,
    SanctionStatus,
)
from youthsafe.supervision.services import inspections
from youthsafe.supervision.views.common import ALL, can, download_document, history, paged

P = Permission


@permission_required(P.SUPERVISION_VIEW)
def index(request: HttpRequest) -> HttpResponse:
    """The day's work: late and due inspections, overdue and refused orders, sanctions waiting for a decision,
    referrals waiting for a person."""
    user = acting_user(request)
    today = timezone.localdate()
    due = [d for d in inspections.calendar(InspectionPlan.objects.visible_to(user), today) if d.state != wf.DUE_OK]
    open_orders = (RectificationOrder.objects.visible_to(user).filter(status__in=[wf.OVERDUE, wf.REFUSED, wf.EVIDENCE])
                   .select_related("platform").order_by("deadline"))
    waiting = Sanction.objects.visible_to(user).filter(status=SanctionStatus.PROPOSED).select_related("platform")
    referrals = Referral.objects.visible_to(user).filter(status=ReferralStatus.OPEN).select_related("platform")
    return render(request, "supervision/index.html", {
        "due": due[:15], "due_count": len(due), "overdue_count": sum(1 for d in due if d.state == wf.DUE_OVERDUE),
        "orders": open_orders[:20], "sanctions": waiting[:20], "referrals": referrals[:20], "today": today,
        **can(user, *ALL)})


@permission_required(P.SUPERVISION_VIEW)
def plan_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    plans = InspectionPlan.objects.visible_to(user).select_related("jurisdiction")
    return render(request, "supervision/plan_list.html", {"plans": plans, **can(user, P.INSPECTION_PLAN)})


@permission_required(P.INSPECTION_PLAN)
def plan_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = f.PlanForm(request.POST or None, jurisdictions=jurisdictions_of(user, write=True))
    if request.method == "POST" and form.is_valid():
        try:
            inspections.do_create_plan(actor=user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Plan saved."))
            return redirect("supervision:calendar")
    return render(request, "core/form_page.html", {"form": form, "title": _("New inspection plan"),
                                                   "back": "supervision:plan_list"})


@permission_required(P.SUPERVISION_VIEW)
def calendar(request: HttpRequest) -> HttpResponse:
    """Every platform under every plan with its next due date: overdue first, then due soon, then by date."""
    user = acting_user(request)
    today = timezone.localdate()
    plans = InspectionPlan.objects.visible_to(user)
    joint = request.GET.get("joint") == "1"
    if joint:
        plans = plans.exclude(joint_department="")
    rows = inspections.calendar(plans, today)
    state = request.GET.get("state", "")
    if state in {wf.DUE_OK, wf.DUE_SOON, wf.DUE_OVERDUE}:
        rows = [r for r in rows if r.state == state]
    return render(request, "supervision/calendar.html", {"rows": rows, "today": today, "state": state,
                                                         "joint": joint, **can(user, P.INSPECTION_CONDUCT)})


@permission_required(P.SUPERVISION_VIEW)
def inspection_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    qs: QuerySet[Any] = Inspection.objects.visible_to(user).select_related("platform", "jurisdiction", "signed_by")
    form, qs = listing(request, user, qs, date_field="inspected_on", statuses=list(InspectionStatus.choices),
                       form_class=f.InspectionFilterForm)
    if form.is_valid() and form.cleaned_data.get("joint"):
        qs = qs.exclude(joint_department="")  # joint inspections (联合检查): another department took part
    return render(request, "supervision/inspection_list.html", {"form": form, **paged(request, qs),
                                                                **can(user, P.INSPECTION_CONDUCT)})


@permission_required(P.INSPECTION_CONDUCT)
def inspection_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    platforms = Platform.objects.changeable_by(user).order_by("name")
    referral = None
    if request.GET.get("referral", "").isdigit():
        referral = get_visible_or_404(Referral.objects.all(), user, pk=int(request.GET["referral"]))
    initial: dict[str, Any] = {"inspected_on": timezone.localdate(), "inspectors": str(user)}
    for key in ("platform", "plan"):
        if request.GET.get(key, "").isdigit():
            initial[key] = int(request.GET[key])
    if referral is not None:
        initial["platform"] = referral.platform_id
    form = f.InspectionForm(request.POST or None, initial=initial, platforms=platforms,
                            plans=InspectionPlan.objects.visible_to(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = inspections.do_create_inspection(
                data["platform"], actor=user, inspected_on=data["inspected_on"], plan=data["plan"],
                joint_department=data["joint_department"], inspectors=data["inspectors"], referral=referral)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("supervision:inspection_detail", pk=made.pk)
    return render(request, "core/form_page.html", {"form": form, "title": _("New inspection"),
                                                   "back": "supervision:inspection_list"})


@permission_required(P.SUPERVISION_VIEW)
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    inspection = get_visible_or_404(Inspection.objects.select_related("platform", "jurisdiction", "plan"), user, pk=pk)
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in inspection.items.prefetch_related("evidence"):
        control = CONTROLS_BY_ID.get(item.control_id)
        group = str(GROUP_LABELS.get(control.group, "")) if control else ""
        groups.setdefault(group, []).append({"item": item, "control": control})
    return render(request, "supervision/inspection_detail.html", {
        "inspection": inspection, "groups": groups, "findings": inspection.findings.select_related("item"),
        "orders": inspection.orders.all(), "history": history(wf.INSPECTION.name, inspection.pk),
        "editable": inspection.status in {InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS},
        # who took part in the inspection cannot sign it (four eyes): the page says so instead of the button
        "took_part": inspection.status == InspectionStatus.COMPLETED and inspections.took_part(inspection, user),
        "unchecked": inspection.items.filter(result="unchecked").count(), **can(user, *ALL)})


@permission_required(P.SUPERVISION_VIEW)
def inspection_record(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    inspection = get_visible_or_404(Inspection.objects.select_related("platform", "jurisdiction"),
                                    acting_user(request), pk=pk)
    return download_document(request, inspection, documents.inspection_record(inspection), fmt, f"inspection-{pk}")


@permission_required(P.SUPERVISION_VIEW)
def finding_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    qs: QuerySet[Any] = Finding.objects.visible_to(user).select_related("inspection__platform",
                                                                        "inspection__jurisdiction")
    form, qs = listing(request, user, qs, date_field="inspection__inspected_on", statuses=[],
                       jurisdiction_field="inspection__jurisdiction", platform_field="inspection__platform")
    return render(request, "supervision/finding_list.html", {"form": form, **paged(request, qs)})

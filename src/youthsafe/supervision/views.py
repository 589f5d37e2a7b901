"""Supervision pages: overview, plans and their calendar, inspections, findings, orders, sanctions,
assessments and referrals; generated documents (the rectification notice and the inspection record)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from youthsafe.core import audit, uploads
from youthsafe.core.access import acting_user, get_visible_or_404, jurisdictions_of, permission_required
from youthsafe.core.documents import DocumentError, docx_to_pdf
from youthsafe.core.forms import add_service_errors
from youthsafe.core.models import AuditAction, User
from youthsafe.core.roles import Permission
from youthsafe.registry.controls import CONTROLS_BY_ID, GROUP_LABELS
from youthsafe.registry.models import Platform
from youthsafe.supervision import documents
from youthsafe.supervision import forms as f
from youthsafe.supervision import workflow as wf
from youthsafe.supervision.filters import listing
from youthsafe.supervision.models import (
    Assessment,
    AssessmentStatus,
    Finding,
    Inspection,
    InspectionPlan,
    InspectionStatus,
    Interview,
    OrderStatus,
    RectificationOrder,
    Referral,
    ReferralStatus,
    Sanction,
    SanctionStatus,
)
from youthsafe.supervision.services import assessments, common, files, inspections, interviews, orders, sanctions

P = Permission
PAGE_SIZE = 50


def _page(request: HttpRequest, qs: QuerySet[Any]) -> dict[str, Any]:
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {"page": page, "query": query.urlencode()}


def _can(user: User, *perms: Permission) -> dict[str, bool]:
    return {f"can_{p.value.replace(':', '_')}": user.has_perm_name(p) for p in perms}


ALL = (P.INSPECTION_PLAN, P.INSPECTION_CONDUCT, P.INSPECTION_SIGN, P.ORDER_ISSUE, P.SANCTION_PROPOSE,
       P.SANCTION_APPROVE, P.ASSESSMENT_REVIEW, P.EVIDENCE_DOWNLOAD)


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
        **_can(user, *ALL)})


@permission_required(P.SUPERVISION_VIEW)
def plan_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    plans = InspectionPlan.objects.visible_to(user).select_related("jurisdiction")
    return render(request, "supervision/plan_list.html", {"plans": plans, **_can(user, P.INSPECTION_PLAN)})


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
                                                         "joint": joint, **_can(user, P.INSPECTION_CONDUCT)})


@permission_required(P.SUPERVISION_VIEW)
def inspection_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    qs: QuerySet[Any] = Inspection.objects.visible_to(user).select_related("platform", "jurisdiction", "signed_by")
    form, qs = listing(request, user, qs, date_field="inspected_on", statuses=list(InspectionStatus.choices),
                       form_class=f.InspectionFilterForm)
    if form.is_valid() and form.cleaned_data.get("joint"):
        qs = qs.exclude(joint_department="")  # joint inspections (联合检查): another department took part
    return render(request, "supervision/inspection_list.html", {"form": form, **_page(request, qs),
                                                                **_can(user, P.INSPECTION_CONDUCT)})


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
        "orders": inspection.orders.all(), "history": common.history("inspection", inspection.pk),
        "editable": inspection.status in {InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS},
        # who took part in the inspection cannot sign it (four eyes): the page says so instead of the button
        "took_part": inspection.status == InspectionStatus.COMPLETED and inspections.took_part(inspection, user),
        "unchecked": inspection.items.filter(result="unchecked").count(), **_can(user, *ALL)})


def _download(request: HttpRequest, record: Any, data: bytes, fmt: str, filename: str) -> HttpResponse:
    if fmt == "pdf":
        try:
            data = docx_to_pdf(data)
        except DocumentError as exc:
            return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
        content_type = "application/pdf"
    else:
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    audit.record(AuditAction.EXPORT, actor=acting_user(request), obj=record, reason=f"{filename}.{fmt}")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@permission_required(P.SUPERVISION_VIEW)
def inspection_record(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    inspection = get_visible_or_404(Inspection.objects.select_related("platform", "jurisdiction"),
                                    acting_user(request), pk=pk)
    return _download(request, inspection, documents.inspection_record(inspection), fmt, f"inspection-{pk}")


@permission_required(P.SUPERVISION_VIEW)
def finding_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    qs: QuerySet[Any] = Finding.objects.visible_to(user).select_related("inspection__platform",
                                                                        "inspection__jurisdiction")
    form, qs = listing(request, user, qs, date_field="inspection__inspected_on", statuses=[],
                       jurisdiction_field="inspection__jurisdiction", platform_field="inspection__platform")
    return render(request, "supervision/finding_list.html", {"form": form, **_page(request, qs)})


@permission_required(P.SUPERVISION_VIEW)
def order_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    qs: QuerySet[Any] = RectificationOrder.objects.visible_to(user).select_related("platform", "jurisdiction")
    form, qs = listing(request, user, qs, date_field="issued_on", statuses=list(OrderStatus.choices))
    today = timezone.localdate()
    return render(request, "supervision/order_list.html", {"form": form, "today": today, **_page(request, qs)})


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
        "history": common.history("order", order.pk, ladder=common.LADDER_ORDER),
        "days_left": wf.days_left(order.deadline, today),
        "late": wf.is_overdue(order.deadline, today) and order.status in wf.ORDER_WAITING,
        "recheck_due": orders.recheck_due(order), "today": today, **_can(user, *ALL)})


@permission_required(P.SUPERVISION_VIEW)
def order_notice(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    order = get_visible_or_404(RectificationOrder.objects.select_related("platform", "jurisdiction"),
                               acting_user(request), pk=pk)
    return _download(request, order, documents.rectification_notice(order), fmt, f"notice-{pk}")


@permission_required(P.SUPERVISION_VIEW)
def sanction_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    qs: QuerySet[Any] = Sanction.objects.visible_to(user).select_related("platform", "jurisdiction", "order")
    form, qs = listing(request, user, qs, date_field="proposed_at", statuses=list(SanctionStatus.choices))
    return render(request, "supervision/sanction_list.html", {"form": form, **_page(request, qs)})


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
    can = _can(user, *ALL)
    reserved = sanction.kind == wf.CRIMINAL_REFERRAL and not user.has_perm_name(P.SANCTION_APPROVE_REFERRAL)
    return render(request, "supervision/sanction_detail.html", {
        "sanction": sanction, "findings": sanction.findings.all(), "history": common.history("sanction", sanction.pk),
        "timed": sanction.kind in wf.TIMED_KINDS, "own_proposal": sanction.proposed_by_id == user.pk,
        "can_decide": can["can_sanction_approve"] and not reserved,
        "referral_reserved": can["can_sanction_approve"] and reserved
        and sanction.status in {SanctionStatus.PROPOSED, SanctionStatus.APPROVED}, **can})


@permission_required(P.SUPERVISION_VIEW)
def assessment_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    qs: QuerySet[Any] = Assessment.objects.visible_to(user).select_related("platform", "jurisdiction")
    form, qs = listing(request, user, qs, date_field="requested_on", statuses=list(AssessmentStatus.choices))
    return render(request, "supervision/assessment_list.html", {"form": form, **_page(request, qs),
                                                                **_can(user, P.ASSESSMENT_REVIEW)})


@permission_required(P.ASSESSMENT_REVIEW)
def assessment_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = f.AssessmentForm(request.POST or None, initial={"requested_on": timezone.localdate()},
                            platforms=Platform.objects.changeable_by(user).order_by("-public_opinion", "name"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = assessments.do_request(data["platform"], actor=user, trigger=data["trigger"], note=data["note"],
                                          requested_on=data["requested_on"], due_on=data["due_on"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("supervision:assessment_detail", pk=made.pk)
    return render(request, "core/form_page.html", {"form": form, "title": _("New security assessment"),
                                                   "back": "supervision:assessment_list"})


@permission_required(P.SUPERVISION_VIEW)
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    assessment = get_visible_or_404(Assessment.objects.select_related("platform", "jurisdiction"), user, pk=pk)
    items = [{"item": i, "control": CONTROLS_BY_ID.get(i.control_id)} for i in assessment.items.all()]
    return render(request, "supervision/assessment_detail.html", {
        "assessment": assessment, "items": items, "orders": assessment.orders.all(),
        "history": common.history("assessment", assessment.pk), **_can(user, *ALL)})


@permission_required(P.SUPERVISION_VIEW)
def referral_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    qs: QuerySet[Any] = Referral.objects.visible_to(user).select_related("platform", "jurisdiction", "requested_by")
    form, qs = listing(request, user, qs, date_field="requested_at", statuses=list(ReferralStatus.choices))
    return render(request, "supervision/referral_list.html", {"form": form, **_page(request, qs)})


@permission_required(P.SUPERVISION_VIEW)
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    referral = get_visible_or_404(Referral.objects.select_related("platform", "jurisdiction", "requested_by"),
                                  user, pk=pk)
    return render(request, "supervision/referral_detail.html", {"referral": referral, **_can(user, *ALL)})


@permission_required(P.SUPERVISION_VIEW)
def interview_list(request: HttpRequest) -> HttpResponse:
    """Risk notes (R1) and interviews (R2, 约谈) with the platform's ladder stage now."""
    user = acting_user(request)
    qs: QuerySet[Any] = Interview.objects.visible_to(user).select_related("platform", "jurisdiction", "recorded_by")
    form, qs = listing(request, user, qs, date_field="held_on", statuses=[])
    return render(request, "supervision/interview_list.html", {"form": form, **_page(request, qs),
                                                               **_can(user, P.ORDER_ISSUE)})


@permission_required(P.ORDER_ISSUE)
def interview_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    initial: dict[str, Any] = {"held_on": timezone.localdate()}
    if request.GET.get("platform", "").isdigit():
        initial["platform"] = int(request.GET["platform"])
    form = f.InterviewForm(request.POST or None, request.FILES or None, initial=initial,
                           platforms=Platform.objects.changeable_by(user).order_by("name"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = interviews.do_record_interview(
                data["platform"], actor=user, kind=data["kind"], held_on=data["held_on"], attendees=data["attendees"],
                matters=data["matters"], commitments=data["commitments"], legal_basis=data["legal_basis"],
                upload=data["file"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Recorded; the platform is at ladder stage %(stage)s.") % {
                "stage": made.stage_after})
            return redirect("supervision:interview_detail", pk=made.pk)
    return render(request, "supervision/interview_form.html", {"form": form})


@permission_required(P.SUPERVISION_VIEW)
def interview_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    record = get_visible_or_404(Interview.objects.select_related("platform", "jurisdiction", "recorded_by"), user,
                                pk=pk)
    return render(request, "supervision/interview_detail.html", {
        "record": record, "stage": interviews.stage_of(record.platform),
        "history": common.history(common.LADDER_PLATFORM, record.platform_id), **_can(user, P.EVIDENCE_DOWNLOAD)})


@permission_required(P.EVIDENCE_DOWNLOAD)
@require_GET
def file_download(request: HttpRequest, pk: int, kind: str) -> HttpResponseBase:
    """A file kept with a supervision record, as an attachment: the reader's jurisdiction is checked (404
    outside it), the bytes must still have the SHA-256 recorded at upload (refused with the reason otherwise),
    and every download is audited."""
    user = acting_user(request)
    record = files.visible_record(kind, pk, user)
    try:
        got = files.file_for_download(kind, record, actor=user)
    except files.StoredFileError as exc:
        spec = files.KINDS[kind]
        return render(request, "supervision/file_refused.html", {
            "message": str(exc), "name": files.file_name(kind, record), "sha256": getattr(record, spec.sha256)},
            status=409)
    response = uploads.file_response(got.handle, content_type="application/octet-stream", filename=got.name)
    response["X-Content-SHA256"] = got.sha256
    response["Cache-Control"] = "private, no-store"
    return response

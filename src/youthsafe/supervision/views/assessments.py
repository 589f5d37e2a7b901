"""Security assessments, referrals from other modules, interviews and risk notes, and the files kept with
supervision records."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from youthsafe.core import uploads
from youthsafe.core.access import acting_user, get_visible_or_404, permission_required
from youthsafe.core.forms import add_service_errors
from youthsafe.core.roles import Permission
from youthsafe.registry.controls import CONTROLS_BY_ID
from youthsafe.registry.models import Platform
from youthsafe.supervision import forms as f
from youthsafe.supervision import workflow as wf
from youthsafe.supervision.filters import listing
from youthsafe.supervision.models import (
    Assessment,
    AssessmentStatus,
    Interview,
    Referral,
    ReferralStatus,
)
from youthsafe.supervision.services import assessments, files, interviews
from youthsafe.supervision.views.common import ALL, can, history, paged

P = Permission


@permission_required(P.SUPERVISION_VIEW)
def assessment_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    qs: QuerySet[Any] = Assessment.objects.visible_to(user).select_related("platform", "jurisdiction")
    form, qs = listing(request, user, qs, date_field="requested_on", statuses=list(AssessmentStatus.choices))
    return render(request, "supervision/assessment_list.html", {"form": form, **paged(request, qs),
                                                                **can(user, P.ASSESSMENT_REVIEW)})


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
        "history": history(wf.ASSESSMENT.name, assessment.pk), **can(user, *ALL)})


@permission_required(P.SUPERVISION_VIEW)
def referral_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    qs: QuerySet[Any] = Referral.objects.visible_to(user).select_related("platform", "jurisdiction", "requested_by")
    form, qs = listing(request, user, qs, date_field="requested_at", statuses=list(ReferralStatus.choices))
    return render(request, "supervision/referral_list.html", {"form": form, **paged(request, qs)})


@permission_required(P.SUPERVISION_VIEW)
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    referral = get_visible_or_404(Referral.objects.select_related("platform", "jurisdiction", "requested_by"),
                                  user, pk=pk)
    return render(request, "supervision/referral_detail.html", {"referral": referral, **can(user, *ALL)})


@permission_required(P.SUPERVISION_VIEW)
def interview_list(request: HttpRequest) -> HttpResponse:
    """Risk notes (R1) and interviews (R2, 约谈) with the platform's ladder stage now."""
    user = acting_user(request)
    qs: QuerySet[Any] = Interview.objects.visible_to(user).select_related("platform", "jurisdiction", "recorded_by")
    form, qs = listing(request, user, qs, date_field="held_on", statuses=[])
    return render(request, "supervision/interview_list.html", {"form": form, **paged(request, qs),
                                                               **can(user, P.ORDER_ISSUE)})


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
        "history": history(wf.PLATFORM_LADDER.name, record.platform_id), **can(user, P.EVIDENCE_DOWNLOAD)})


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

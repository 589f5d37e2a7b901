"""Pages of the core: the home redirect, jurisdictions, users, audit log, password change (the dashboard is the
reports app's: reports/root_urls.py)."""

from __future__ import annotations

import csv
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from youthsafe.core import audit, services
from youthsafe.core.access import acting_user, jurisdictions_of, permission_required, require
from youthsafe.core.cells import safe_cell
from youthsafe.core.forms import AuditFilterForm, JurisdictionForm, UserForm
from youthsafe.core.models import AuditAction, AuditEvent, User
from youthsafe.core.roles import Permission


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login("/dashboard/")
    return redirect("dashboard")


@permission_required(Permission.JURISDICTION_VIEW)
def jurisdiction_list(request: HttpRequest) -> HttpResponse:
    nodes = jurisdictions_of(acting_user(request)).select_related("parent")
    can_manage = acting_user(request).has_perm_name(Permission.JURISDICTION_MANAGE)
    return render(request, "core/jurisdiction_list.html", {"nodes": nodes, "can_manage": can_manage})


@permission_required(Permission.JURISDICTION_MANAGE)
def jurisdiction_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = acting_user(request)
    node = get_object_or_404(jurisdictions_of(user), pk=pk) if pk else None
    form = JurisdictionForm(request.POST or None, instance=node)
    form.fields["parent"].queryset = jurisdictions_of(user)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.Meta.fields}
        try:
            if node is None:
                services.do_create_jurisdiction(actor=user, data=data)
            else:
                services.do_update_jurisdiction(node, actor=user, data=data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Jurisdiction saved."))
            return redirect("jurisdiction_list")
    context = {"form": form, "title": _("Jurisdiction"), "back": "jurisdiction_list"}
    return render(request, "core/form_page.html", context)


@permission_required(Permission.USER_VIEW)
def user_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    users = User.objects.select_related("jurisdiction").order_by("username")
    if not user.reads_all_jurisdictions:
        users = users.filter(jurisdiction__in=jurisdictions_of(user))
    can_manage = user.has_perm_name(Permission.USER_MANAGE)
    return render(request, "core/user_list.html", {"users": users, "can_manage": can_manage})


@permission_required(Permission.USER_MANAGE)
def user_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    actor = acting_user(request)
    visible = User.objects.all() if actor.writes_all_jurisdictions else User.objects.filter(
        jurisdiction__in=jurisdictions_of(actor)
    )
    target = get_object_or_404(visible, pk=pk) if pk else None
    form = UserForm(request.POST or None, instance=target, creating=target is None)
    form.fields["jurisdiction"].queryset = jurisdictions_of(actor)  # type: ignore[attr-defined]
    if target is not None and request.method == "GET":
        audit.record(AuditAction.VIEW, actor=actor, obj=target, jurisdiction=target.jurisdiction)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in UserForm.Meta.fields}
        password = form.cleaned_data.get("password", "")
        try:
            if target is None:
                services.do_create_user(actor=actor, data=data, password=password)
            else:
                services.do_update_user(target, actor=actor, data=data, password=password)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("User saved."))
            return redirect("user_list")
    return render(request, "core/form_page.html", {"form": form, "title": _("User"), "back": "user_list"})


def _filtered_audit(request: HttpRequest, user: User) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.all()
    if not user.reads_all_jurisdictions and user.jurisdiction is not None:
        events = events.filter(jurisdiction__path__startswith=user.jurisdiction.path)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            events = events.filter(Q(object_repr__icontains=data["q"]) | Q(reason__icontains=data["q"]))
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["object_type"]:
            events = events.filter(object_type=data["object_type"])
        if data["actor"]:
            events = events.filter(actor_label=data["actor"])
        if data["since"]:
            events = events.filter(time__date__gte=data["since"])
        if data["until"]:
            events = events.filter(time__date__lte=data["until"])
    return form, events.order_by("-id")


@permission_required(Permission.AUDIT_VIEW)
def audit_list(request: HttpRequest) -> HttpResponse:
    form, events = _filtered_audit(request, acting_user(request))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    reader = acting_user(request)
    for event in page:
        before, after = audit.redacted(event, reader)
        event.changes = audit.change_rows(before, after, event.object_type)  # type: ignore[attr-defined]
        event.type_label = audit.type_label(event.object_type)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "core/audit_list.html",
        {"form": form, "page": page, "query": query.urlencode(),
         "can_export": acting_user(request).has_perm_name(Permission.AUDIT_EXPORT)},
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@permission_required(Permission.AUDIT_EXPORT)
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    user = acting_user(request)
    _form, events = _filtered_audit(request, user)
    audit.record(AuditAction.EXPORT, actor=user, object_type="core.auditevent", object_repr="audit log CSV",
                 after={"filter": request.GET.dict()})
    writer = csv.writer(_Echo())
    header = ["id", "time", "actor", "action", "object_type", "object_id", "object", "reason", "before",
              "after", "ip_address", "hash"]

    def rows() -> Any:
        yield "\ufeff" + writer.writerow(header)
        for e in events.iterator(chunk_size=2000):
            before, after = audit.redacted(e, user)
            yield writer.writerow([safe_cell(cell) for cell in (
                e.id, e.time.isoformat(), e.actor_label, e.action, e.object_type, e.object_id, e.object_repr,
                e.reason, "" if before is None else json.dumps(before, ensure_ascii=False),
                "" if after is None else json.dumps(after, ensure_ascii=False), e.ip_address, e.hash,
            )])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response


def password_change(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = require(request.user, Permission.DASHBOARD_VIEW)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.do_change_own_password(user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        return redirect("dashboard")
    return render(request, "core/form_page.html", {"form": form, "title": _("Change password"), "back": "dashboard"})

"""Registry pages: list (filter, search, sort, paging), detail with history, create, edit, controls,
import and export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from youthsafe.core.access import acting_user, get_visible_or_404, jurisdictions_of, permission_required
from youthsafe.core.models import User
from youthsafe.core.roles import Permission
from youthsafe.registry import services
from youthsafe.registry.controls import CONTROLS_BY_ID
from youthsafe.registry.filters import filter_platforms
from youthsafe.registry.forms import ControlsForm, ImportForm, PlatformFilterForm, PlatformForm
from youthsafe.registry.importexport import export_platforms, import_platforms
from youthsafe.registry.models import Platform

PAGE_SIZE = 50


def filtered_platforms(request: HttpRequest, user: User) -> tuple[PlatformFilterForm, QuerySet[Platform]]:
    form = PlatformFilterForm(request.GET or None, jurisdictions=jurisdictions_of(user))
    platforms: QuerySet[Platform] = Platform.objects.visible_to(user).select_related("jurisdiction")
    if not form.is_valid():
        return form, filter_platforms(platforms)
    data = form.cleaned_data
    return form, filter_platforms(
        platforms, q=data["q"], kind=data["kind"], status=data["status"], jurisdiction=data["jurisdiction"],
        local=True if data["local"] else None, gaps=data["gaps"], sort=data["sort"] or "name",
    )


@permission_required(Permission.PLATFORM_VIEW)
def platform_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form, platforms = filtered_platforms(request, user)
    page = Paginator(platforms, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    context: dict[str, Any] = {
        "form": form, "page": page, "query": query.urlencode(), "sort_query": sort_query.urlencode(),
        "sort": request.GET.get("sort", "name"),
        "can_add": user.has_perm_name(Permission.PLATFORM_ADD),
        "can_import": user.has_perm_name(Permission.PLATFORM_IMPORT),
        "can_export": user.has_perm_name(Permission.PLATFORM_EXPORT),
    }
    template = "registry/_platform_rows.html" if request.htmx else "registry/platform_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@permission_required(Permission.PLATFORM_VIEW)
def platform_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    platform = get_visible_or_404(Platform.objects.select_related("jurisdiction", "created_by"), user, pk=pk)
    services.record_view(platform, actor=user)
    controls = {c.control_id: c for c in platform.controls.select_related("checked_by")}
    rows = [{"control": ctrl, "state": controls.get(cid), "applies": ctrl.applies_to(platform.kind)}
            for cid, ctrl in CONTROLS_BY_ID.items()]
    context = {
        "platform": platform, "controls": rows, "history": services.history(platform, actor=user),
        "show_contacts": user.has_perm_name(Permission.PLATFORM_VIEW_CONTACTS),
        "can_change": user.has_perm_name(Permission.PLATFORM_CHANGE) and user.can_write_in(platform.jurisdiction),
    }
    return render(request, "registry/platform_detail.html", context)


@permission_required(Permission.PLATFORM_ADD)
def platform_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = PlatformForm(request.POST or None, jurisdictions=jurisdictions_of(user, write=True),
                        initial={"jurisdiction": user.jurisdiction})
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in services.EDITABLE_FIELDS}
        try:
            platform = services.do_create_platform(actor=user, data=data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Platform “%(name)s” created.") % {"name": platform.name})
            return redirect("registry:platform_detail", pk=platform.pk)
    return render(request, "registry/platform_form.html", {"form": form, "platform": None})


@permission_required(Permission.PLATFORM_CHANGE)
def platform_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    platform = get_visible_or_404(Platform.objects.all(), user, pk=pk)
    form = PlatformForm(request.POST or None, instance=platform, jurisdictions=jurisdictions_of(user, write=True))
    if request.method != "POST":
        services.record_view(platform, actor=user)  # the form shows the security officer's contacts
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in services.EDITABLE_FIELDS}
        try:
            services.do_update_platform(platform, actor=user, data=data,
                                        expected_version=form.cleaned_data.get("version"),
                                        reason=form.cleaned_data.get("reason", ""))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Platform saved."))
            return redirect("registry:platform_detail", pk=platform.pk)
    return render(request, "registry/platform_form.html", {"form": form, "platform": platform})


@permission_required(Permission.PLATFORM_CHANGE)
def platform_controls(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    platform = get_visible_or_404(Platform.objects.all(), user, pk=pk)
    current = {c.control_id: (c.status, c.evidence) for c in platform.controls.all()}
    form = ControlsForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.do_set_controls(platform, actor=user, states=form.states(),
                                               checked_at=form.cleaned_data["checked_at"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(n)d controls updated.") % {"n": changed})
            return redirect("registry:platform_detail", pk=platform.pk)
    return render(request, "registry/platform_controls.html", {"form": form, "platform": platform})


@permission_required(Permission.PLATFORM_EXPORT)
def platform_export(request: HttpRequest, fmt: str) -> HttpResponse:
    user = acting_user(request)
    _form, platforms = filtered_platforms(request, user)
    body = export_platforms(platforms, fmt, actor=user)
    content_type = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }[fmt]
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="platforms.{fmt}"'
    return response


@permission_required(Permission.PLATFORM_IMPORT)
def platform_import(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = import_platforms(upload.read(), upload.name, actor=user)
        if result.ok:
            counts = {"c": result.created, "u": result.updated, "n": result.unchanged}
            messages.success(request, _("Imported: %(c)d created, %(u)d updated, %(n)d unchanged.") % counts)
            return redirect("registry:platform_list")
    return render(request, "registry/platform_import.html", {"form": form, "result": result})

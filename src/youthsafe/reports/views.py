"""Statistics pages: every indicator for a period and a jurisdiction, the records behind a figure, CSV and
XLSX exports, generated documents (each download audited) and the template editor."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from youthsafe.core import audit
from youthsafe.core import documents as docs
from youthsafe.core import indicators as ind
from youthsafe.core.access import acting_user, permission_required
from youthsafe.core.models import AuditAction, User
from youthsafe.core.roles import Permission
from youthsafe.reports import categories, exports, rendering, services, stats
from youthsafe.reports.dashboard import scope_from_request
from youthsafe.reports.forms import DocumentForm, TemplateForm
from youthsafe.reports.models import ReportTemplate


@permission_required(Permission.STATS_VIEW)
def index(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    scope, form, error = scope_from_request(request, user)
    figures = stats.figures(ind.visible_to(user), scope, breakdown=True)
    rendering.ensure_defaults()
    context = {"scope": scope, "scope_form": form, "scope_error": error, "figures": figures,
               "query": urlencode(scope.query),
               "can_export": user.has_perm_name(Permission.STATS_EXPORT),
               "can_manage": user.has_perm_name(Permission.REPORT_TEMPLATE_MANAGE), "document_form": DocumentForm()}
    return render(request, "reports/index.html", context)


def _follow(obj: Any, path: str) -> Any:
    for part in path.split("__"):
        obj = getattr(obj, part, None) if obj is not None else None
    return obj


def _row(indicator: ind.Indicator, obj: Any) -> dict[str, Any]:
    url = ""
    if indicator.detail_url:
        try:
            url = reverse(indicator.detail_url, args=[_follow(obj, indicator.detail_arg)])
        except NoReverseMatch:
            url = ""
    when = _follow(obj, indicator.date_field)
    if isinstance(when, dt.datetime):
        when = timezone.localtime(when).strftime("%Y-%m-%d %H:%M")
    return {"text": str(obj), "date": when.isoformat() if isinstance(when, dt.date) else when,
            "place": _follow(obj, indicator.jurisdiction_field), "url": url,
            "amount": _follow(obj, indicator.field) if indicator.measure == "sum" and indicator.field else None}


def _distinct(indicator: ind.Indicator, qs: Any) -> list[str]:
    """For a distinct count: the distinct values the figure counts (e.g. the platforms inspected), by name."""
    if indicator.measure != "distinct" or not indicator.field:
        return []
    values = qs.order_by().values_list(indicator.field, flat=True).distinct()
    remote = qs.model._meta.get_field(indicator.field).related_model
    if remote is not None and not isinstance(remote, str):
        return sorted(str(o) for o in remote._default_manager.filter(pk__in=values))
    return sorted(str(v) for v in values)


@permission_required(Permission.STATS_VIEW)
def records(request: HttpRequest) -> HttpResponse:
    """The records behind a figure (for indicators whose app has no list page of its own)."""
    user = acting_user(request)
    scope, form, error = scope_from_request(request, user)
    key = request.GET.get("indicator", "")
    visible = ind.visible_to(user)
    try:
        indicator = ind.get(key) if key else None
    except KeyError:
        indicator, error = None, _("No indicator %(key)r.") % {"key": key}
    if indicator is not None and indicator not in visible:
        raise PermissionDenied(_("Your role does not allow this action."))
    context: dict[str, Any] = {"scope": scope, "scope_form": form, "scope_error": error, "indicator": indicator,
                               "scope_qs": urlencode(scope.query),
                               "choices": [stats.Figure(i, 0, stats.figure_url(i, scope)) for i in visible]}
    category = request.GET.get("category", "").strip()
    if indicator is not None:
        qs = ind.records(indicator, scope.start, scope.end, scope.jurisdiction)
        if category:
            try:
                qs = categories.narrow(indicator, qs, category)
            except ValueError:
                context["scope_error"] = _("This figure has no category %(value)r.") % {"value": category[:10]}
                category = ""
        related = {p.rsplit("__", 1)[0] for p in (indicator.date_field, indicator.jurisdiction_field) if "__" in p}
        qs = qs.select_related(*related, indicator.jurisdiction_field).order_by(f"-{indicator.date_field}", "-pk")
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context.update(page=page, rows=[_row(indicator, o) for o in page.object_list], query=query.urlencode(),
                       record_count=page.paginator.count, distinct=_distinct(indicator, qs),
                       value=ind.compute(indicator, scope.start, scope.end, scope.jurisdiction),
                       category=categories.label(category) if category else "",
                       category_count=qs.count() if category else None)
    return render(request, "reports/records.html", context)


def _export(request: HttpRequest, user: User, what: str) -> tuple[list[stats.Figure], stats.Scope]:
    scope, _form, error = scope_from_request(request, user)
    if error:
        raise ValidationError(error)
    figures = stats.figures(ind.visible_to(user), scope, months=True)
    audit.record(AuditAction.EXPORT, actor=user, object_type="reports.indicators", object_repr=what,
                 jurisdiction=scope.jurisdiction, after={**scope.query, "indicators": [f.key for f in figures]})
    return figures, scope


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _name(scope: stats.Scope, stem: str, ext: str) -> str:
    return f"{stem}_{scope.place_name}_{scope.start:%Y%m%d}-{scope.end:%Y%m%d}.{ext}"


@permission_required(Permission.STATS_EXPORT)
def export_csv(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    try:
        breakdowns = request.GET.get("table") == "breakdowns"
        figures, scope = _export(request, user, "indicator breakdowns CSV" if breakdowns else "indicators CSV")
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("reports:index")
    if breakdowns:
        return _download(exports.to_csv(figures, scope, table="breakdowns"), "text/csv; charset=utf-8",
                         _name(scope, "统计指标分项", "csv"))
    return _download(exports.to_csv(figures, scope), "text/csv; charset=utf-8", _name(scope, "统计指标", "csv"))


@permission_required(Permission.STATS_EXPORT)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    try:
        figures, scope = _export(request, user, "indicators XLSX")
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("reports:index")
    return _download(exports.to_xlsx(figures, scope),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     _name(scope, "统计指标", "xlsx"))


@permission_required(Permission.STATS_EXPORT)
def document(request: HttpRequest) -> HttpResponse:
    """A generated document for the scope, from a template, in DOCX, PDF or Markdown (audited)."""
    user = acting_user(request)
    scope, _form, error = scope_from_request(request, user)
    rendering.ensure_defaults()
    form = DocumentForm(request.GET or None)
    if error or not form.is_valid():
        if request.GET:
            messages.error(request, error or _("Choose a document and a format."))
        return redirect(f"{reverse('reports:index')}")
    template = rendering.get_template(form.cleaned_data["template"])
    fmt = form.cleaned_data["fmt"]
    figures = stats.figures(ind.visible_to(user), scope, breakdown=True)
    try:
        data, content_type, warnings = rendering.render(template, figures, scope, fmt, today=timezone.localdate())
    except docs.DocumentError as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('reports:index')}?{urlencode(scope.query)}")
    audit.record(AuditAction.EXPORT, actor=user, obj=template, jurisdiction=scope.jurisdiction,
                 after={**scope.query, "format": fmt, "figures": {f.key: f.value for f in figures},
                        "warnings": warnings})
    return _download(data, content_type, _name(scope, template.title, fmt))


@permission_required(Permission.REPORT_TEMPLATE_MANAGE)
def template_list(request: HttpRequest) -> HttpResponse:
    rendering.ensure_defaults()
    return render(request, "reports/templates.html", {"templates": ReportTemplate.objects.all()})


def _preview(user: User, body: str) -> tuple[str, list[str]]:
    today = timezone.localdate()
    scope = stats.scope_for(user, None, None, None)
    figures = stats.figures(ind.visible_to(user), scope, breakdown=True)
    filled = rendering.fill(body, figures, scope, today=today)
    return filled.markdown, filled.warnings


@permission_required(Permission.REPORT_TEMPLATE_MANAGE)
def template_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return _template_page(request, pk, bound=request.method == "POST")


def _template_page(request: HttpRequest, pk: int | None, *, bound: bool) -> HttpResponse:
    user = acting_user(request)
    template = get_object_or_404(ReportTemplate, pk=pk) if pk else None
    initial = ({"name": template.name, "title": template.title, "kind": template.kind, "body": template.body,
                "version": template.version} if template else {"kind": "other"})
    form = TemplateForm(request.POST if bound else None, initial=initial)
    if bound and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.do_save_template(template, actor=user, name=data["name"], title=data["title"],
                                              kind=data["kind"], body=data["body"], version=data["version"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Template saved."))
            return redirect("reports:template_edit", pk=saved.pk)
    body = form.data.get("body") if form.is_bound else (template.body if template else "")
    preview, warnings = _preview(user, str(body or ""))
    keys = [(i.key, i.label) for i in ind.all_indicators()]
    return render(request, "reports/template_edit.html", {
        "shipped": template is not None and template.name in rendering.DEFAULTS,
        "form": form, "template": template, "preview": preview, "warnings": warnings, "keys": keys,
        "context_names": rendering.CONTEXT_NAMES, "syntax_help": _(
            "Write {{ key }} for a figure and {{ key.breakdown }} for its breakdown. Lines: # title, ## heading, "
            "- bullet, | table |, > aligned right (signature, date). Nothing else is interpreted."),
        "year_start": dt.date(timezone.localdate().year, 1, 1)})


@require_POST
@permission_required(Permission.REPORT_TEMPLATE_MANAGE)
def template_reset(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(ReportTemplate, pk=pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Confirm that the shipped text should replace the current one."))
        return _template_page(request, pk, bound=False)
    try:
        services.do_reset_template(template, actor=acting_user(request))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("The shipped text is back."))
    return redirect("reports:template_edit", pk=pk)

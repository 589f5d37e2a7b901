"""Changes to report templates: one ``do_*`` call each (permission, validation, audit row, commit)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from youthsafe.core import audit
from youthsafe.core.access import require
from youthsafe.core.models import AuditAction, User
from youthsafe.core.roles import Permission
from youthsafe.reports import rendering
from youthsafe.reports.models import ReportTemplate, TemplateKind


def _check(name: str, title: str, kind: str, body: str) -> None:
    errors: dict[str, list[str]] = {}
    bad = rendering.check_syntax(body)
    if bad:
        errors["body"] = [_("These placeholders are not valid (use {{ key }} or {{ key.breakdown }}): %(bad)s")
                          % {"bad": "、".join(bad[:5])}]
    if len(body) > rendering.MAX_TEMPLATE_CHARS:
        errors["body"] = [_("The text is too long.")]
    if not body.strip():
        errors["body"] = [_("The text is empty.")]
    if not title.strip():
        errors["title"] = [_("Give a title.")]
    if kind not in TemplateKind.values:
        errors["kind"] = [_("Choose a kind.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_save_template(template: ReportTemplate | None, *, actor: User, name: str, title: str, kind: str, body: str,
                     version: int | None = None) -> ReportTemplate:
    """Create or edit a template. ``version`` is what the editor loaded: a concurrent save is refused."""
    require(actor, Permission.REPORT_TEMPLATE_MANAGE)
    _check(name, title, kind, body)
    body = body.replace("\r\n", "\n")
    if template is None:
        if ReportTemplate.objects.filter(name=name).exists():
            raise ValidationError({"name": [_("A template with this name exists.")]})
        created = ReportTemplate.objects.create(name=name, title=title.strip(), kind=kind, body=body,
                                                updated_by=actor)
        audit.record(AuditAction.CREATE, actor=actor, obj=created, after=audit.snapshot(created, ["name", "title"]))
        return created
    if name != template.name and ReportTemplate.objects.filter(name=name).exclude(pk=template.pk).exists():
        raise ValidationError({"name": [_("A template with this name exists.")]})
    before = audit.snapshot(template, ["name", "title", "kind", "body"])
    changed = ReportTemplate.objects.filter(pk=template.pk, version=version or template.version).update(
        name=name, title=title.strip(), kind=kind, body=body, updated_by=actor, version=F("version") + 1)
    if changed != 1:
        raise ValidationError(_("Someone else saved this template meanwhile. Reload it and make your change again."))
    fresh = ReportTemplate.objects.get(pk=template.pk)
    old, new = audit.diff(before, audit.snapshot(fresh, ["name", "title", "kind", "body"]))
    if new:
        audit.record(AuditAction.CHANGE, actor=actor, obj=fresh, before=old, after=new)
    return fresh


@transaction.atomic
def do_reset_template(template: ReportTemplate, *, actor: User) -> ReportTemplate:
    """Bring a shipped template back to the text in the package."""
    require(actor, Permission.REPORT_TEMPLATE_MANAGE)
    if template.name not in rendering.DEFAULTS:
        raise ValidationError(_("Only the shipped templates can be reset."))
    return do_save_template(template, actor=actor, name=template.name, title=template.title, kind=template.kind,
                            body=rendering.default_body(template.name), version=template.version)

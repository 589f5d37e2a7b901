"""What the supervision pages share: paging, the permission flags the templates read, the history of a record
in the user's language, and generated documents as downloads (each one audited)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from youthsafe.core import audit, kernel
from youthsafe.core.access import acting_user
from youthsafe.core.documents import DocumentError, docx_to_pdf
from youthsafe.core.models import AuditAction, User
from youthsafe.core.roles import Permission
from youthsafe.supervision.services.common import NAMES
from youthsafe.supervision.services.nightly import DEADLINE_PASSED

P = Permission
PAGE_SIZE = 50
ALL = (P.INSPECTION_PLAN, P.INSPECTION_CONDUCT, P.INSPECTION_SIGN, P.ORDER_ISSUE, P.SANCTION_PROPOSE,
       P.SANCTION_APPROVE, P.ASSESSMENT_REVIEW, P.EVIDENCE_DOWNLOAD)


def paged(request: HttpRequest, qs: QuerySet[Any]) -> dict[str, Any]:
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {"page": page, "query": query.urlencode()}


def can(user: User, *perms: Permission) -> dict[str, bool]:
    return {f"can_{p.value.replace(':', '_')}": user.has_perm_name(p) for p in perms}


def history(machines: str | tuple[str, ...], pk: int) -> list[dict[str, Any]]:
    """The moves of one record (``core.StatusChange`` of ``machines``: a record's own and, for an order, its
    ladder stages), oldest first, with state names and the system's reasons in the user's language."""
    first = machines if isinstance(machines, str) else machines[0]
    system = {DEADLINE_PASSED: _("Deadline passed")}
    rows = kernel.history(machines, pk, NAMES.get(first, {}))
    for row in rows:
        row["reason"] = system.get(row["reason"], row["reason"])
    return rows


def download_document(request: HttpRequest, record: Any, data: bytes, fmt: str, filename: str) -> HttpResponse:
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

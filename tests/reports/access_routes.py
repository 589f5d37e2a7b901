"""Every route of the reports app for the shared access matrix. Templates are not records of a
jurisdiction; the figures are scoped by the period and jurisdiction picker (tested in test_pages)."""

from __future__ import annotations

from tests.access import Route
from tests.conftest import Tree
from youthsafe.core.models import User
from youthsafe.core.roles import Permission
from youthsafe.reports import rendering
from youthsafe.reports.models import ReportTemplate

P = Permission
Q = "?from=2023-01-01&to=2023-12-31"

ROUTES: list[Route] = [
    Route("reports:index", f"/reports/{Q}", P.STATS_VIEW),
    Route("reports:records", "/reports/records/", P.STATS_VIEW),
    Route("reports:export_csv", f"/reports/export.csv{Q}", P.STATS_EXPORT),
    Route("reports:export_xlsx", f"/reports/export.xlsx{Q}", P.STATS_EXPORT),
    Route("reports:document", f"/reports/document/{Q}&template=work_report&fmt=md", P.STATS_EXPORT),
    Route("reports:template_list", "/reports/templates/", P.REPORT_TEMPLATE_MANAGE),
    Route("reports:template_create", "/reports/templates/new/", P.REPORT_TEMPLATE_MANAGE),
    Route("reports:template_edit", "/reports/templates/{report_template}/", P.REPORT_TEMPLATE_MANAGE),
    Route("reports:template_reset", "/reports/templates/{report_template}/reset/", P.REPORT_TEMPLATE_MANAGE,
          "post"),
    Route("GET /api/reports/indicators", "/api/reports/indicators?date_from=2023-01-01&date_to=2023-12-31",
          P.STATS_VIEW),
]


def make_objects(*, tree: Tree, admin: User, own: object, other: object) -> dict[str, int]:
    rendering.ensure_defaults()
    return {"report_template": ReportTemplate.objects.get(name="work_report").pk}

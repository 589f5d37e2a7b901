from django.urls import path

from youthsafe.supervision import actions
from youthsafe.supervision.views import assessments, inspections, orders

app_name = "supervision"

urlpatterns = [
    path("", inspections.index, name="index"),
    path("plans/", inspections.plan_list, name="plan_list"),
    path("plans/new/", inspections.plan_create, name="plan_create"),
    path("calendar/", inspections.calendar, name="calendar"),
    path("inspections/", inspections.inspection_list, name="inspection_list"),
    path("inspections/new/", inspections.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", inspections.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/record.docx", inspections.inspection_record, {"fmt": "docx"}, name="inspection_docx"),
    path("inspections/<int:pk>/record.pdf", inspections.inspection_record, {"fmt": "pdf"}, name="inspection_pdf"),
    path("findings/", inspections.finding_list, name="finding_list"),
    path("orders/", orders.order_list, name="order_list"),
    path("orders/new/", orders.order_create, name="order_create"),
    path("orders/<int:pk>/", orders.order_detail, name="order_detail"),
    path("orders/<int:pk>/notice.docx", orders.order_notice, {"fmt": "docx"}, name="notice_docx"),
    path("orders/<int:pk>/notice.pdf", orders.order_notice, {"fmt": "pdf"}, name="notice_pdf"),
    path("orders/<int:pk>/sanction/", orders.sanction_create, name="sanction_create"),
    path("sanctions/", orders.sanction_list, name="sanction_list"),
    path("sanctions/<int:pk>/", orders.sanction_detail, name="sanction_detail"),
    path("assessments/", assessments.assessment_list, name="assessment_list"),
    path("assessments/new/", assessments.assessment_create, name="assessment_create"),
    path("assessments/<int:pk>/", assessments.assessment_detail, name="assessment_detail"),
    path("interviews/", assessments.interview_list, name="interview_list"),
    path("interviews/new/", assessments.interview_create, name="interview_create"),
    path("interviews/<int:pk>/", assessments.interview_detail, name="interview_detail"),
    # Files kept with the records, each download checked against its SHA-256 and audited.
    path("evidence/<int:pk>/file", assessments.file_download, {"kind": "evidence"}, name="evidence_file"),
    path("orders/<int:pk>/rectification-file", assessments.file_download, {"kind": "rectification"},
         name="rectification_file"),
    path("orders/<int:pk>/refusal-file", assessments.file_download, {"kind": "refusal"}, name="refusal_file"),
    path("assessments/<int:pk>/report-file", assessments.file_download, {"kind": "assessment_report"},
         name="assessment_report_file"),
    path("interviews/<int:pk>/file", assessments.file_download, {"kind": "interview"}, name="interview_file"),
    path("referrals/", assessments.referral_list, name="referral_list"),
    path("referrals/<int:pk>/", assessments.referral_detail, name="referral_detail"),
    # Steps: /supervision/step/<name>/<pk>/ (the record the step works on: inspection, item, order, ...).
    *(path(f"step/{name}/<int:pk>/", actions.STEPS.page(name), name=name) for name in actions.ACTIONS),
]

from django.urls import path

from youthsafe.supervision import actions, views

app_name = "supervision"

urlpatterns = [
    path("", views.index, name="index"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("calendar/", views.calendar, name="calendar"),
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/new/", views.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/record.docx", views.inspection_record, {"fmt": "docx"}, name="inspection_docx"),
    path("inspections/<int:pk>/record.pdf", views.inspection_record, {"fmt": "pdf"}, name="inspection_pdf"),
    path("findings/", views.finding_list, name="finding_list"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/new/", views.order_create, name="order_create"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/notice.docx", views.order_notice, {"fmt": "docx"}, name="notice_docx"),
    path("orders/<int:pk>/notice.pdf", views.order_notice, {"fmt": "pdf"}, name="notice_pdf"),
    path("orders/<int:pk>/sanction/", views.sanction_create, name="sanction_create"),
    path("sanctions/", views.sanction_list, name="sanction_list"),
    path("sanctions/<int:pk>/", views.sanction_detail, name="sanction_detail"),
    path("assessments/", views.assessment_list, name="assessment_list"),
    path("assessments/new/", views.assessment_create, name="assessment_create"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("interviews/", views.interview_list, name="interview_list"),
    path("interviews/new/", views.interview_create, name="interview_create"),
    path("interviews/<int:pk>/", views.interview_detail, name="interview_detail"),
    # Files kept with the records, each download checked against its SHA-256 and audited.
    path("evidence/<int:pk>/file", views.file_download, {"kind": "evidence"}, name="evidence_file"),
    path("orders/<int:pk>/rectification-file", views.file_download, {"kind": "rectification"},
         name="rectification_file"),
    path("orders/<int:pk>/refusal-file", views.file_download, {"kind": "refusal"}, name="refusal_file"),
    path("assessments/<int:pk>/report-file", views.file_download, {"kind": "assessment_report"},
         name="assessment_report_file"),
    path("interviews/<int:pk>/file", views.file_download, {"kind": "interview"}, name="interview_file"),
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    # Steps: /supervision/step/<name>/<pk>/ (the record the step works on: inspection, item, order, ...).
    *(path(f"step/{name}/<int:pk>/", actions.page(name), name=name) for name in actions.ACTIONS),
]

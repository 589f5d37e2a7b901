from django.urls import path

from youthsafe.content import views

app_name = "content"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.item_create, name="item_create"),
    path("<int:pk>/", views.item_detail, name="item_detail"),
    path("<int:pk>/instruct/", views.item_instruct, name="item_instruct"),
    path("<int:pk>/dismiss/", views.item_dismiss, name="item_dismiss"),
    path("<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("instructions/", views.instruction_list, name="instruction_list"),
    path("instructions/<int:pk>/confirm/", views.instruction_confirm, name="instruction_confirm"),
    path("instructions/<int:pk>/verify/", views.instruction_verify, name="instruction_verify"),
    path("instructions/<int:pk>/escalate/", views.instruction_escalate, name="instruction_escalate"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    # Public: no account needed.
    path("report/", views.public_report, name="public_report"),
    path("report/lookup/", views.public_lookup, name="public_lookup"),
]

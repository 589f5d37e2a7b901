from django.urls import path

from youthsafe.content import actions, views

app_name = "content"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.item_create, name="item_create"),
    path("<int:pk>/", views.item_detail, name="item_detail"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("instructions/", views.instruction_list, name="instruction_list"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    # Steps on an item (/content/<pk>/<step>/) and on an instruction (/content/instructions/<pk>/<step>/).
    *(path(route, actions.STEPS.page(name), name=name) for name, route in actions.PATHS.items()),
    # Public: no account needed.
    path("report/", views.public_report, name="public_report"),
    path("report/lookup/", views.public_lookup, name="public_lookup"),
]

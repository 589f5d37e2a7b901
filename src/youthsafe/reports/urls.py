from django.urls import path

from youthsafe.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("records/", views.records, name="records"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("document/", views.document, name="document"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_edit, name="template_create"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("templates/<int:pk>/reset/", views.template_reset, name="template_reset"),
]

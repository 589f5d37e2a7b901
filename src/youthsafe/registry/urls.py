from django.urls import path

from youthsafe.registry import views

app_name = "registry"

urlpatterns = [
    path("", views.platform_list, name="platform_list"),
    path("new/", views.platform_create, name="platform_create"),
    path("import/", views.platform_import, name="platform_import"),
    path("export.csv", views.platform_export, {"fmt": "csv"}, name="platform_export_csv"),
    path("export.xlsx", views.platform_export, {"fmt": "xlsx"}, name="platform_export_xlsx"),
    path("<int:pk>/", views.platform_detail, name="platform_detail"),
    path("<int:pk>/edit/", views.platform_edit, name="platform_edit"),
    path("<int:pk>/controls/", views.platform_controls, name="platform_controls"),
]
